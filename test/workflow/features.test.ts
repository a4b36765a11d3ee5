import { describe, expect, it } from 'vitest';
import type { ControlActivities, CpuActivities } from '../../activities/index.js';
import { cancelRun, getProgress, getResult, stopRun } from '../../client/api.js';
import { RunStoppedError, WorkflowRunFailedError } from '../../client/errors.js';
import { getFeaturesResult, prepareFeatureAnalysisInput, startFeatureAnalysis, startFeatureExtraction } from '../../client/features.js';
import {
  SEARCH_ATTRIBUTES,
  WORKFLOW_TASK_QUEUE,
  stopSignal,
  workflowIds,
  type ExtractFeaturesStopped,
  type FeatureAnalysisResult,
  type FeatureAnalysisStopped,
} from '../../contracts/index.js';
import { Gate, until, workflowSuite } from '../support/workflow-env.js';

/**
 * Stop and cancel of the feature workflows, with fake activities: chunks and the analysis wait on
 * a gate, so a test decides when they finish. What the real activities compute and store is the
 * integration tests' (test/integration/features.test.ts).
 */
interface Books {
  chunks: number[];
  running: number;
  maxRunning: number;
  finished: number;
  analysed: number;
  ended: string[];
}
const emptyBooks = (): Books => ({ chunks: [], running: 0, maxRunning: 0, finished: 0, analysed: 0, ended: [] });
const URI = (c: string) => `artifact:sha256/${c.repeat(64)}`;
const SIGNALS = 20;

function fakes(books: Books, gate: Gate): { control: Partial<ControlActivities>; cpu: Partial<CpuActivities> } {
  return {
    control: {
      async registerFeatureSet() {
        return { signals: SIGNALS, columns: 3, existing: null };
      },
      async markFeatureSetEnded(e) {
        books.ended.push(e.status);
      },
      async markFeatureAnalysisEnded(e) {
        books.ended.push(e.status);
      },
    },
    cpu: {
      async extractFeatureChunk(c) {
        books.running++;
        books.maxRunning = Math.max(books.maxRunning, books.running);
        try {
          await gate.pass();
          books.chunks.push(c.start);
          return { start: c.start, count: c.count, rows: c.count, matrixUri: URI('1'), indexUri: URI('2') };
        } finally {
          books.running--;
        }
      },
      async finishFeatureSet(f) {
        books.finished++;
        const featureSetId = f.featureSetId;
        return {
          featureSetId,
          datasetId: 'ds-f',
          version: 1,
          rows: SIGNALS,
          signals: SIGNALS,
          columns: 3,
          featureNames: ['a', 'b', 'c'],
          matrixUri: URI('3'),
          indexUri: URI('4'),
          catalogUri: URI('5'),
          computed: true,
        };
      },
      async analyzeFeatureSet(a) {
        await gate.pass();
        books.analysed++;
        return {
          analysisId: a.analysisId,
          featureSetId: a.featureSetId,
          datasetId: 'ds-f',
          mode: a.mode,
          summary: { testAccuracy: 0.75 },
          features: ['a'],
          resultUri: URI('6'),
          pictureUri: URI('7'),
        };
      },
    },
  };
}

const featureSetId = 'ds-f-0123456789ab';

describe('feature workflows: stop and cancel (fast, fake activities)', () => {
  const w = workflowSuite();

  it('extract: stop lets the running chunks finish, starts none, assembles nothing; the set is STOPPED', async () => {
    const books = emptyBooks();
    const gate = new Gate();
    const workers = await w.startWorkers(fakes(books, gate));
    try {
      const run = await w.track(startFeatureExtraction(w.client, { datasetId: 'ds-stop', signalsPerChunk: 4, maxInFlight: 2 }));
      await until('two chunks running', () => gate.waiting === 2);
      await stopRun(w.client, run.workflowId, 'enough');
      // The stop reaches the workflow before the chunks finish: only then do their lanes ask whether to start more.
      await until('the stop seen', async () =>
        (await w.client.workflow.getHandle(run.workflowId).fetchHistory()).events!.some((e) => e.workflowExecutionSignaledEventAttributes),
      );
      gate.open();
      const r = await getResult<ExtractFeaturesStopped>(w.client, run.workflowId);
      expect(r).toMatchObject({ status: 'STOPPED', reason: 'enough', signals: SIGNALS, signalsDone: 8, datasetId: 'ds-stop' });
      expect(books.chunks.sort((a, b) => a - b)).toEqual([0, 4]);
      expect(books.maxRunning).toBe(2);
      expect(books.finished).toBe(0);
      expect(books.ended).toEqual(['STOPPED']);
      await expect(getFeaturesResult(w.client, run.workflowId)).rejects.toBeInstanceOf(RunStoppedError);
      expect(await getProgress(w.client, run.workflowId)).toMatchObject({ phase: 'stopped', signalsDone: 8 });
      const d = await w.client.workflow.getHandle(run.workflowId).describe();
      expect(d.typedSearchAttributes.get(SEARCH_ATTRIBUTES.status)).toBe('STOPPED');
    } finally {
      gate.open();
      await workers.stop();
    }
  });

  it('extract: a stop after the last chunk started changes nothing: the set is assembled', async () => {
    const books = emptyBooks();
    const gate = new Gate();
    const workers = await w.startWorkers(fakes(books, gate));
    try {
      const run = await w.track(startFeatureExtraction(w.client, { datasetId: 'ds-late', signalsPerChunk: 10, maxInFlight: 2 }));
      await until('both chunks running', () => gate.waiting === 2);
      await stopRun(w.client, run.workflowId);
      gate.open();
      const r = await getFeaturesResult(w.client, run.workflowId);
      expect(r.rows).toBe(SIGNALS);
      expect(books.finished).toBe(1);
      expect(books.ended).toEqual([]);
    } finally {
      gate.open();
      await workers.stop();
    }
  });

  it('extract: cancellation mid-chunk ends it CANCELLED at once, row and search attribute too, nothing assembled', async () => {
    const books = emptyBooks();
    const gate = new Gate();
    const workers = await w.startWorkers(fakes(books, gate));
    try {
      const run = await w.track(startFeatureExtraction(w.client, { datasetId: 'ds-cancel', signalsPerChunk: 4, maxInFlight: 2 }));
      await until('two chunks running', () => gate.waiting === 2);
      await cancelRun(w.client, run.workflowId);
      const err = await getResult(w.client, run.workflowId).catch((e: unknown) => e);
      expect((err as WorkflowRunFailedError).status).toBe('CANCELLED');
      expect(books.chunks).toEqual([]);
      expect(books.finished).toBe(0);
      expect(books.ended).toEqual(['CANCELLED']);
      const d = await w.client.workflow.getHandle(run.workflowId).describe();
      expect(d.typedSearchAttributes.get(SEARCH_ATTRIBUTES.status)).toBe('CANCELLED');
    } finally {
      gate.open();
      await workers.stop();
    }
  });

  it('analyse: a stop during the analysis lets it finish and returns its result', async () => {
    const books = emptyBooks();
    const gate = new Gate();
    const workers = await w.startWorkers(fakes(books, gate));
    try {
      const run = await w.track(startFeatureAnalysis(w.client, { featureSetId, mode: 'baseline', options: { baseline: { mrmrK: 2 } } }));
      await until('the analysis running', () => gate.waiting === 1);
      await stopRun(w.client, run.workflowId);
      await until('the stop seen', async () => (await getProgress(w.client, run.workflowId)).stopRequested === true);
      gate.open();
      const r = await getResult<FeatureAnalysisResult>(w.client, run.workflowId);
      expect(r).toMatchObject({ mode: 'baseline', summary: { testAccuracy: 0.75 } });
      expect(books.analysed).toBe(1);
      expect(books.ended).toEqual([]);
      const d = await w.client.workflow.getHandle(run.workflowId).describe();
      expect(d.typedSearchAttributes.get(SEARCH_ATTRIBUTES.status)).toBe('COMPLETED');
      expect(d.typedSearchAttributes.get(SEARCH_ATTRIBUTES.bestScore)).toBe(0.75);
    } finally {
      gate.open();
      await workers.stop();
    }
  });

  it('analyse: a stop sent with the start starts nothing and returns STOPPED', async () => {
    const books = emptyBooks();
    const gate = new Gate();
    gate.open();
    const workers = await w.startWorkers(fakes(books, gate));
    try {
      const input = prepareFeatureAnalysisInput({ featureSetId, mode: 'importance' });
      const workflowId = workflowIds.featureAnalysis(input.analysisId);
      await w.track(
        w.client.workflow
          .signalWithStart('analyzeFeaturesWorkflow', {
            workflowId,
            taskQueue: WORKFLOW_TASK_QUEUE,
            args: [input],
            signal: stopSignal,
            signalArgs: [{ reason: 'not now' }],
          })
          .then(() => ({ workflowId })),
      );
      const r = await getResult<FeatureAnalysisStopped>(w.client, workflowId);
      expect(r).toEqual({ analysisId: input.analysisId, featureSetId, mode: 'importance', status: 'STOPPED', reason: 'not now' });
      expect(books.analysed).toBe(0);
      expect(books.ended).toEqual([]);
    } finally {
      await workers.stop();
    }
  });

  it('analyse: cancellation mid-analysis ends it CANCELLED, the row too', async () => {
    const books = emptyBooks();
    const gate = new Gate();
    const workers = await w.startWorkers(fakes(books, gate));
    try {
      const run = await w.track(startFeatureAnalysis(w.client, { featureSetId, mode: 'correlation' }));
      await until('the analysis running', () => gate.waiting === 1);
      await cancelRun(w.client, run.workflowId);
      const err = await getResult(w.client, run.workflowId).catch((e: unknown) => e);
      expect((err as WorkflowRunFailedError).status).toBe('CANCELLED');
      expect(books.analysed).toBe(0);
      expect(books.ended).toEqual(['CANCELLED']);
      const d = await w.client.workflow.getHandle(run.workflowId).describe();
      expect(d.typedSearchAttributes.get(SEARCH_ATTRIBUTES.status)).toBe('CANCELLED');
    } finally {
      gate.open();
      await workers.stop();
    }
  });
});
