import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { ControlActivities, TrainActivities } from '../../activities/index.js';
import { cancelRun, getNasResult, startNasCampaign, updateNasCampaign } from '../../client/api.js';
import { UpdateRejectedError, WorkflowRunFailedError } from '../../client/errors.js';
import { workflowIds, type RecordTrialInput, type TrainingOutcome } from '../../contracts/index.js';
import { Gate, until, workflowSuite } from '../support/workflow-env.js';

/**
 * nasCampaignWorkflow's orchestration: real child trainModelWorkflow runs per candidate, with
 * fake bookkeeping and a fake training activity (instant, behind a gate) whose accuracy is a
 * function of the genome.
 */
interface Books {
  trials: RecordTrialInput[];
  trained: string[];
  experimentsEnded: { experimentId: string; status: string }[];
  campaignEnded: { status: string; runningTrials: number[] }[];
  finalized: string[];
}
const emptyBooks = (): Books => ({ trials: [], trained: [], experimentsEnded: [], campaignEnded: [], finalized: [] });

function outcome(params: number): TrainingOutcome {
  return {
    testAccuracy: 0.9,
    testLoss: 0.3,
    bestValAccuracy: Math.min(0.99, 0.5 + params / 1e6),
    bestValLoss: 0.3,
    confusionMatrix: [[1]],
    classes: ['normal'],
    modelUri: `artifact:sha256/${'3'.repeat(64)}`,
    checkpointUri: `artifact:sha256/${'4'.repeat(64)}`,
    epochsCompleted: 1,
    bestEpoch: 1,
    stoppedEarly: false,
    backend: 'fake',
    parameterCount: params,
    classBalance: { train: {}, validation: {}, test: {} },
    trainSamplesPerSec: 1,
    inferenceMsPerWindow: 1,
  };
}

function fakes(
  books: Books,
  campaignId: string,
  gate: Gate,
  opts: { failAll?: boolean } = {},
): { control: Partial<ControlActivities>; train: Partial<TrainActivities> } {
  const mine = (c: { campaignId: string }) => c.campaignId === campaignId;
  const myExperiment = (id: string) => id.startsWith(`nas-${campaignId}-`) || id.includes(campaignId);
  return {
    control: {
      async registerCampaign() {
        return { numClasses: 4 };
      },
      async recordTrial(t) {
        if (mine(t)) books.trials.push(t);
      },
      async finalizeNasCampaign(f) {
        if (mine(f)) books.finalized.push(f.status);
        return { reportUri: `artifact:sha256/${'5'.repeat(64)}` };
      },
      async markCampaignEnded(e) {
        if (mine(e)) books.campaignEnded.push({ status: e.status, runningTrials: e.runningTrials });
      },
      async registerExperiment() {
        return {};
      },
      async completeExperiment(c) {
        return { experimentId: c.experimentId, status: 'COMPLETED', ...(c.outcome as TrainingOutcome) };
      },
      async markExperimentEnded(e) {
        if (myExperiment(e.experimentId)) books.experimentsEnded.push({ experimentId: e.experimentId, status: e.status });
      },
    },
    train: {
      async trainModel(input) {
        await gate.pass();
        if (myExperiment(input.experimentId)) books.trained.push(input.experimentId);
        if (opts.failAll) throw ApplicationFailure.nonRetryable(`training of ${input.experimentId} diverged (injected)`, 'InjectedFailure');
        const filters = (input.hyperparameters.architecture?.blocks ?? []).reduce((s, b) => s + b.filters * b.kernelSize, 0);
        return outcome(1_000 + filters * 10);
      },
    },
  };
}

const request = (campaignId: string, extra: Record<string, unknown> = {}) => ({
  campaignId,
  datasetId: 'unused',
  strategy: { kind: 'aging-evolution' as const, seed: 3, populationSize: 4, sampleSize: 2 },
  epochs: 1,
  ...extra,
});

describe('nasCampaignWorkflow orchestration (fast, fake activities)', () => {
  const w = workflowSuite();
  const start = (req: Parameters<typeof startNasCampaign>[1]) => w.track(startNasCampaign(w.client, req));

  it('continues as new every 4 candidates; 10 candidates, each trained at most once', async () => {
    const books = emptyBooks();
    const gate = new Gate();
    gate.open();
    const workers = await w.startWorkers(fakes(books, 'nas-can', gate));
    try {
      const { workflowId } = await start(request('nas-can', { maxCandidates: 10, maxConcurrentCandidates: 2, testing: { continueAsNewEvery: 4 } }));
      const firstRunId = (await w.client.workflow.getHandle(workflowId).describe()).runId;
      const result = await getNasResult(w.client, workflowId);
      expect(result.status).toBe('COMPLETED');
      expect(result.candidates.total).toBe(10);
      expect(new Set(books.trained).size).toBe(books.trained.length);
      // Duplicates and rejected candidates are never trained, and are not counted as completed:
      // every trained candidate is a completed (or failed) one, trained once. (Whether the search
      // proposes a duplicate depends on the order in which candidates finish.)
      expect(books.trained.length).toBe(result.candidates.completed + result.candidates.failed);
      const finals = new Map(books.trials.map((t) => [t.number, t.status]));
      expect([...finals.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i));
      expect(result.best).not.toBeNull();
      const history = await w.client.workflow.getHandle(workflowId, firstRunId).fetchHistory();
      expect(history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
    } finally {
      await workers.stop();
    }
  });

  it('retries a failed candidate per candidateAttempts, then fails past maxFailedCandidates', async () => {
    const books = emptyBooks();
    const gate = new Gate();
    gate.open();
    const workers = await w.startWorkers(fakes(books, 'nas-fail', gate, { failAll: true }));
    try {
      const { workflowId } = await start(request('nas-fail', { maxCandidates: 10, maxConcurrentCandidates: 1, maxFailedCandidates: 0, candidateAttempts: 2 }));
      const err = await getNasResult(w.client, workflowId).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowRunFailedError);
      expect((err as WorkflowRunFailedError).failureType).toBe('TooManyFailedTrials');
      expect((err as Error).message).toMatch(/1 candidates failed, more than maxFailedCandidates \(0\)/);
      // One candidate, two attempts, each a child run of its own id.
      expect(books.trained).toHaveLength(2);
      expect(books.trained).toEqual(['nas-fail-cand-0', 'nas-fail-cand-0-a2']);
      expect(books.experimentsEnded.map((e) => e.status)).toEqual(['FAILED', 'FAILED']);
      expect(books.campaignEnded).toEqual([expect.objectContaining({ status: 'FAILED' })]);
    } finally {
      await workers.stop();
    }
  });

  it('refuses an update below the candidates already proposed; accepts a valid one', async () => {
    const books = emptyBooks();
    const gate = new Gate();
    const workers = await w.startWorkers(fakes(books, 'nas-upd', gate));
    try {
      const { workflowId } = await start(request('nas-upd', { maxCandidates: 20, maxConcurrentCandidates: 2 }));
      await until('two trainings waiting', () => gate.waiting === 2);
      const below = await updateNasCampaign(w.client, workflowId, { maxCandidates: 1 }).catch((e: unknown) => e);
      expect(below).toBeInstanceOf(UpdateRejectedError);
      expect((below as Error).message).toMatch(/maxCandidates 1 is below the 2 candidates already proposed/);
      expect(await updateNasCampaign(w.client, workflowId, { maxCandidates: 3 })).toMatchObject({ maxCandidates: 3 });
      gate.open();
      const result = await getNasResult(w.client, workflowId);
      expect(result.candidates.total).toBe(3);
    } finally {
      await workers.stop();
    }
  });

  it('cancellation cancels the running children, marks their experiments and the campaign', async () => {
    const books = emptyBooks();
    const gate = new Gate();
    const workers = await w.startWorkers(fakes(books, 'nas-cancel', gate));
    try {
      const { workflowId } = await start(request('nas-cancel', { maxCandidates: 20, maxConcurrentCandidates: 2 }));
      await until('two trainings waiting', () => gate.waiting === 2);
      await cancelRun(w.client, workflowId);
      const err = await getNasResult(w.client, workflowId).catch((e: unknown) => e);
      expect((err as WorkflowRunFailedError).status).toBe('CANCELLED');
      expect(books.campaignEnded).toEqual([{ status: 'CANCELLED', runningTrials: [0, 1] }]);
      expect(books.experimentsEnded.map((e) => e.status)).toEqual(['CANCELLED', 'CANCELLED']);
      for (const n of [0, 1]) {
        const child = await w.client.workflow.getHandle(workflowIds.nasCandidate('nas-cancel', n)).describe();
        expect(child.status.name).toBe('CANCELLED');
      }
      expect(books.trained).toEqual([]);
    } finally {
      gate.open();
      await workers.stop();
    }
  });
});
