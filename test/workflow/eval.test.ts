import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { ControlActivities, CpuActivities } from '../../activities/index.js';
import { cancelRun, getProgress, getResult } from '../../client/api.js';
import { WorkflowRunFailedError } from '../../client/errors.js';
import { startComparison, startRocEvaluation } from '../../client/eval.js';
import { SEARCH_ATTRIBUTES, type CompareExperimentsResult, type EvaluateRocResult, type PredictionsRef } from '../../contracts/index.js';
import { Gate, until, workflowSuite } from '../support/workflow-env.js';

/**
 * The evaluation workflows' orchestration with fake activities: predictions wait on a gate and
 * fail for the experiments a test names; the analyses return fixed numbers. The real activities
 * and numbers are the integration tests' (test/integration/eval.test.ts).
 */
interface Books {
  predicted: string[];
  maxRunning: number;
  running: number;
  analyzed: number;
  finished: Record<string, unknown>[];
  ended: string[];
}
const emptyBooks = (): Books => ({ predicted: [], maxRunning: 0, running: 0, analyzed: 0, finished: [], ended: [] });
const URI = (c: string) => `artifact:sha256/${c.repeat(64)}`;

function fakes(
  books: Books,
  gate: Gate,
  opts: { failing?: ReadonlySet<string>; reused?: ReadonlySet<string> } = {},
): { control: Partial<ControlActivities>; cpu: Partial<CpuActivities> } {
  const ref = (experimentId: string, datasetId: string, split: string, computed: boolean): PredictionsRef => ({
    experimentId,
    datasetId,
    split,
    probabilitiesUri: URI('1'),
    indexUri: URI('2'),
    windows: 40,
    signals: 4,
    classes: ['a', 'b'],
    windowLength: 1024,
    backend: 'fake',
    computed,
  });
  return {
    control: {
      async registerEvaluation(r) {
        return { datasetId: r.datasetId ?? 'ds-own', scheme: 'fault-type', classes: ['a', 'b'] };
      },
      async finishEvaluation(f) {
        books.finished.push(f.summary);
        return { pageUris: {} };
      },
      async markEvaluationEnded(e) {
        books.ended.push(e.status);
      },
    },
    cpu: {
      async predictSplit(p) {
        books.running++;
        books.maxRunning = Math.max(books.maxRunning, books.running);
        try {
          await gate.pass();
          if (opts.failing?.has(p.experimentId))
            throw ApplicationFailure.nonRetryable(`experiment "${p.experimentId}" has no stored model (injected)`, 'NotFound');
          books.predicted.push(p.experimentId);
          return ref(p.experimentId, p.datasetId, p.split, !opts.reused?.has(p.experimentId));
        } finally {
          books.running--;
        }
      },
      async analyzeRoc(a) {
        books.analyzed++;
        const p = a.predictions;
        return {
          evaluationId: a.evaluationId,
          kind: 'roc',
          experimentId: p.experimentId,
          datasetId: p.datasetId,
          split: 'test',
          status: 'COMPLETED',
          samples: p.windows,
          pictureUri: URI('3'),
          resultUri: URI('4'),
          accuracy: 0.9,
          aucMacro: 0.95,
          aucMicro: 0.96,
          apMacro: 0.9,
          apMicro: 0.91,
          ci: { aucMacro: null, aucMicro: null, accuracy: null },
          perClass: [],
        };
      },
      async analyzeComparison(a) {
        books.analyzed++;
        const ids = a.predictions.map((p) => p.experimentId);
        return {
          evaluationId: a.evaluationId,
          kind: 'compare',
          experimentIds: ids,
          datasetId: a.predictions[0].datasetId,
          split: 'test',
          status: 'COMPLETED',
          samples: 40,
          pictureUri: URI('3'),
          resultUri: URI('4'),
          pairing: 'window',
          rows: ids.map((experimentId, i) => ({
            experimentId,
            accuracy: (80 + i) / 100,
            ci: { low: 0.7, high: 0.9 },
            parameters: 1000,
            latencyMs: 1,
            trainingSeconds: 10,
            epochs: 3,
            pareto: i === ids.length - 1,
          })),
          pairs: [],
        };
      },
    },
  };
}

describe('evaluation workflows orchestration (fast, fake activities)', () => {
  const w = workflowSuite();
  const ids = (n: number) => Array.from({ length: n }, (_, i) => `exp-${i}`);

  it('a comparison runs at most maxInFlight predictions at once, reports them in progress, then analyses once and records the row', async () => {
    const books = emptyBooks();
    const gate = new Gate();
    const workers = await w.startWorkers(fakes(books, gate, { reused: new Set(['exp-0']) }));
    try {
      const run = await w.track(startComparison(w.client, { experimentIds: ids(6), datasetId: 'ds-1', maxInFlight: 2 }));
      await until('two predictions waiting', () => gate.waiting === 2);
      const p = await getProgress(w.client, run.workflowId);
      // registration done, no prediction yet: 1 of 6 + 3 steps.
      expect(p).toMatchObject({ phase: 'predicting', completed: 1, total: 9, predictionsRunning: 2, datasetId: 'ds-1', kind: 'compare' });
      expect(p.fraction).toBeCloseTo(1 / 9, 10);
      gate.open();
      const r = await getResult<CompareExperimentsResult>(w.client, run.workflowId);
      expect(r.experimentIds).toEqual(ids(6));
      expect(books.maxRunning).toBe(2);
      expect([...books.predicted].sort()).toEqual(ids(6));
      expect(books.analyzed).toBe(1);
      expect(books.finished).toEqual([expect.objectContaining({ best: 'exp-5', bestAccuracy: 0.85, samples: 40 })]);
      const done = await getProgress(w.client, run.workflowId);
      expect(done).toMatchObject({ phase: 'completed', completed: 9, total: 9, fraction: 1, predictionsReused: 1 });
      const d = await w.client.workflow.getHandle(run.workflowId).describe();
      expect(d.typedSearchAttributes.get(SEARCH_ATTRIBUTES.kind)).toBe('compare');
      expect(d.typedSearchAttributes.get(SEARCH_ATTRIBUTES.status)).toBe('COMPLETED');
      expect(d.typedSearchAttributes.get(SEARCH_ATTRIBUTES.bestScore)).toBe(0.85);
    } finally {
      await workers.stop();
    }
  });

  it('one experiment that cannot be scored fails the comparison with its reason; nothing is analysed; the row says FAILED', async () => {
    const books = emptyBooks();
    const gate = new Gate();
    gate.open();
    const workers = await w.startWorkers(fakes(books, gate, { failing: new Set(['exp-2']) }));
    try {
      const run = await w.track(startComparison(w.client, { experimentIds: ids(4), datasetId: 'ds-2', maxInFlight: 1 }));
      const err = await getResult(w.client, run.workflowId).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowRunFailedError);
      expect(err).toMatchObject({ failureType: 'NotFound', message: expect.stringContaining('experiment "exp-2" has no stored model') });
      expect(books.analyzed).toBe(0);
      expect(books.finished).toEqual([]);
      expect(books.ended).toEqual(['FAILED']);
    } finally {
      await workers.stop();
    }
  });

  it('cancellation mid-prediction ends the evaluation CANCELLED, row and search attribute too', async () => {
    const books = emptyBooks();
    const gate = new Gate();
    const workers = await w.startWorkers(fakes(books, gate));
    try {
      const run = await w.track(startRocEvaluation(w.client, { experimentId: 'exp-c', datasetId: 'ds-3' }));
      expect(run.workflowId).toBe('evaluate-roc-exp-c-ds-3');
      await until('the prediction waiting', () => gate.waiting === 1);
      await cancelRun(w.client, run.workflowId);
      const err = await getResult<EvaluateRocResult>(w.client, run.workflowId).catch((e: unknown) => e);
      expect((err as WorkflowRunFailedError).status).toBe('CANCELLED');
      expect(books.ended).toEqual(['CANCELLED']);
      expect(books.analyzed).toBe(0);
      const d = await w.client.workflow.getHandle(run.workflowId).describe();
      expect(d.typedSearchAttributes.get(SEARCH_ATTRIBUTES.status)).toBe('CANCELLED');
      expect(d.typedSearchAttributes.get(SEARCH_ATTRIBUTES.kind)).toBe('evaluate-roc');
    } finally {
      gate.open();
      await workers.stop();
    }
  });
});
