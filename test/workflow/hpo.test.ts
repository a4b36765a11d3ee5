import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { cancelRun, getHpoResult, getProgress, startHpoCampaign, stopRun, updateCampaign } from '../../client/api.js';
import { UpdateRejectedError, WorkflowRunFailedError } from '../../client/errors.js';
import type { ControlActivities, CpuActivities } from '../../activities/index.js';
import {
  SEARCH_ATTRIBUTES,
  SYNTHETIC_OBJECTIVES,
  type CampaignEndedInput,
  type FinalizeHpoCampaignInput,
  type RecordTrialInput,
} from '../../contracts/index.js';
import { GpSampler } from '../../workflows/search/index.js';
import { Gate, until, workflowSuite } from '../support/workflow-env.js';

/**
 * hpoCampaignWorkflow's orchestration on a real (test) Temporal server with fake bookkeeping:
 * the rows are an in-memory log, the objective is the synthetic Branin function behind a gate.
 */
interface Books {
  trials: RecordTrialInput[];
  finalized: FinalizeHpoCampaignInput[];
  ended: CampaignEndedInput[];
  registered: number;
}

/** Bookkeeping of one campaign; calls for any other campaign (a run a failed test left) are not booked. */
function fakeControl(books: Books, campaignId: string): Partial<ControlActivities> {
  const mine = (c: { campaignId: string }) => c.campaignId === campaignId;
  return {
    async registerCampaign(r) {
      if (mine(r)) books.registered++;
      return { numClasses: 0 };
    },
    async recordTrial(t) {
      if (mine(t)) books.trials.push(t);
    },
    async finalizeHpoCampaign(f) {
      if (mine(f)) books.finalized.push(f);
      return { reportUri: `artifact:sha256/${'0'.repeat(64)}` };
    },
    async markCampaignEnded(e) {
      if (mine(e)) books.ended.push(e);
    },
  };
}

function fakeObjective(gate: Gate, opts: { failEvery?: number } = {}): Partial<CpuActivities> & { calls: () => number } {
  let calls = 0;
  return {
    calls: () => calls,
    async evaluateSyntheticObjective(input) {
      const n = ++calls;
      await gate.pass();
      if (opts.failEvery && n % opts.failEvery === 0) throw ApplicationFailure.nonRetryable(`injected failure of evaluation ${n}`, 'InjectedFailure');
      return SYNTHETIC_OBJECTIVES.branin.evaluate(input.params as Record<string, number>);
    },
  };
}

const emptyBooks = (): Books => ({ trials: [], finalized: [], ended: [], registered: 0 });
/** The last status recorded per trial number. */
const finalStatuses = (books: Books) => new Map(books.trials.map((t) => [t.number, t.status]));

const request = (campaignId: string, extra: Record<string, unknown> = {}) => ({
  campaignId,
  datasetId: 'unused',
  evaluator: { kind: 'synthetic' as const, function: 'branin' as const },
  objective: { metric: 'valLoss' as const },
  sampler: { kind: 'random' as const, seed: 7 },
  pruner: { kind: 'none' as const, minEpochs: 1, maxEpochs: 1 },
  ...extra,
});

describe('hpoCampaignWorkflow orchestration (fast, fake activities)', () => {
  const w = workflowSuite();
  const start = (req: Parameters<typeof startHpoCampaign>[1]) => w.track(startHpoCampaign(w.client, req));

  it('continues as new every 4 trials and finishes 12, each trial recorded once', async () => {
    const books = emptyBooks();
    const gate = new Gate();
    gate.open();
    const workers = await w.startWorkers({ control: fakeControl(books, 'can-12'), cpu: fakeObjective(gate) });
    try {
      const { workflowId } = await start(request('can-12', { maxTrials: 12, maxConcurrentTrials: 2, testing: { continueAsNewEvery: 4 } }));
      const firstRunId = (await w.client.workflow.getHandle(workflowId).describe()).runId;
      const result = await getHpoResult(w.client, workflowId);
      expect(result.status).toBe('COMPLETED');
      expect(result.trials.total).toBe(12);
      const statuses = finalStatuses(books);
      expect([...statuses.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i));
      expect([...statuses.values()].every((s) => s === 'COMPLETED')).toBe(true);
      // Two rows per trial (RUNNING, then COMPLETED): none repeated across the runs.
      expect(books.trials).toHaveLength(24);
      expect(books.registered).toBe(1);
      expect(books.finalized).toHaveLength(1);
      const history = await w.client.workflow.getHandle(workflowId, firstRunId).fetchHistory();
      expect(history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
      expect((await w.client.workflow.getHandle(workflowId).describe()).runId).not.toBe(firstRunId);
      // Best is the minimum of what was recorded.
      const values = books.trials.filter((t) => t.status === 'COMPLETED').map((t) => t.value as number);
      expect(result.best?.value).toBe(Math.min(...values));
    } finally {
      await workers.stop();
    }
  });

  it('runs the GP sampler in the workflow across continue-as-new: the same trials as the pure sampler from the same seed', async () => {
    const books = emptyBooks();
    const gate = new Gate();
    gate.open();
    const workers = await w.startWorkers({ control: fakeControl(books, 'gp-10'), cpu: fakeObjective(gate) });
    try {
      const sampler = { kind: 'gp' as const, seed: 3, startupTrials: 4 };
      const { workflowId } = await start(request('gp-10', { sampler, maxTrials: 10, maxConcurrentTrials: 1, testing: { continueAsNewEvery: 3 } }));
      const result = await getHpoResult(w.client, workflowId);
      expect(result.status).toBe('COMPLETED');
      expect(result.trials.completed).toBe(10);
      // One trial at a time, so each ask follows the previous tell: replay it outside Temporal.
      const local = new GpSampler(SYNTHETIC_OBJECTIVES.branin.space, { seed: 3, nStartupTrials: 4 });
      const expected: Record<string, unknown>[] = [];
      for (let i = 0; i < 10; i++) {
        const { trialId, params } = local.ask();
        expected.push(params);
        local.tell(trialId, { status: 'complete', value: SYNTHETIC_OBJECTIVES.branin.evaluate(params) });
      }
      const recorded = books.trials.filter((t) => t.status === 'COMPLETED').sort((a, b) => a.number - b.number);
      expect(recorded.map((t) => t.params)).toEqual(expected);
      expect(result.best?.value).toBe(local.best()?.value);
    } finally {
      await workers.stop();
    }
  });

  it('stop lets the running trials finish and starts none', async () => {
    const books = emptyBooks();
    const gate = new Gate();
    const cpu = fakeObjective(gate);
    const workers = await w.startWorkers({ control: fakeControl(books, 'stop-3'), cpu });
    try {
      const { workflowId } = await start(request('stop-3', { maxTrials: 50, maxConcurrentTrials: 3 }));
      await until('three trials waiting', () => gate.waiting === 3);
      await stopRun(w.client, workflowId, 'enough');
      await until('the stop to be seen', async () => (await getProgress(w.client, workflowId)).running === 3);
      gate.open();
      const result = await getHpoResult(w.client, workflowId);
      expect(result.status).toBe('STOPPED');
      expect(result.trials.total).toBe(3);
      expect(cpu.calls()).toBe(3);
      expect(books.finalized).toEqual([expect.objectContaining({ status: 'STOPPED', reason: 'enough' })]);
    } finally {
      await workers.stop();
    }
  });

  it('validates updates before they reach history; a valid one changes the limits', async () => {
    const books = emptyBooks();
    const gate = new Gate();
    const workers = await w.startWorkers({ control: fakeControl(books, 'upd-1'), cpu: fakeObjective(gate) });
    try {
      const { workflowId } = await start(request('upd-1', { maxTrials: 10, maxConcurrentTrials: 2 }));
      await until('two trials waiting', () => gate.waiting === 2);
      // Below the trials already started: only the workflow knows, its validator refuses.
      const below = await updateCampaign(w.client, workflowId, { maxTrials: 1 }).catch((e: unknown) => e);
      expect(below).toBeInstanceOf(UpdateRejectedError);
      expect((below as Error).message).toMatch(/maxTrials 1 is below the 2 trials already started/);
      // Raw, bypassing the client's check: the workflow's validator names the field.
      const raw = await w.client.workflow
        .getHandle(workflowId)
        .executeUpdate('updateCampaign', { args: [{ maxConcurrentTrials: 0 }] })
        .catch((e: unknown) => e);
      expect(String((raw as Error).cause ?? raw)).toMatch(/maxConcurrentTrials/);
      expect(await updateCampaign(w.client, workflowId, { maxTrials: 4, maxConcurrentTrials: 4 })).toEqual({ maxTrials: 4, maxConcurrentTrials: 4 });
      await until('four trials waiting', () => gate.waiting === 4);
      gate.open();
      const result = await getHpoResult(w.client, workflowId);
      expect(result.trials.total).toBe(4);
      const events = (await w.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
      // Only the accepted update is in the history.
      expect(events.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(1);
    } finally {
      await workers.stop();
    }
  });

  it('fails past maxFailedTrials with the count, and marks the campaign FAILED', async () => {
    const books = emptyBooks();
    const gate = new Gate();
    gate.open();
    const workers = await w.startWorkers({ control: fakeControl(books, 'fail-2'), cpu: fakeObjective(gate, { failEvery: 2 }) });
    try {
      const { workflowId } = await start(request('fail-2', { maxTrials: 20, maxConcurrentTrials: 1, maxFailedTrials: 1 }));
      const err = await getHpoResult(w.client, workflowId).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowRunFailedError);
      expect((err as WorkflowRunFailedError).failureType).toBe('TooManyFailedTrials');
      expect((err as Error).message).toMatch(/2 trials failed, more than maxFailedTrials \(1\)/);
      expect(books.ended).toEqual([expect.objectContaining({ status: 'FAILED' })]);
      expect(books.finalized).toEqual([]);
      const failed = books.trials.filter((t) => t.status === 'FAILED');
      expect(failed.map((t) => t.error)).toEqual([expect.stringMatching(/injected failure/), expect.stringMatching(/injected failure/)]);
    } finally {
      await workers.stop();
    }
  });

  it('cancellation ends the run CANCELLED and marks the running trials', async () => {
    const books = emptyBooks();
    const gate = new Gate();
    const workers = await w.startWorkers({ control: fakeControl(books, 'cancel-2'), cpu: fakeObjective(gate) });
    try {
      const { workflowId } = await start(request('cancel-2', { maxTrials: 10, maxConcurrentTrials: 2 }));
      await until('two trials waiting', () => gate.waiting === 2);
      await cancelRun(w.client, workflowId);
      const err = await getHpoResult(w.client, workflowId).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowRunFailedError);
      expect((err as WorkflowRunFailedError).status).toBe('CANCELLED');
      expect(books.ended).toEqual([expect.objectContaining({ status: 'CANCELLED', runningTrials: [0, 1] })]);
      expect(books.finalized).toEqual([]);
      const d = await w.client.workflow.getHandle(workflowId).describe();
      expect(d.status.name).toBe('CANCELLED');
      expect(d.typedSearchAttributes.get(SEARCH_ATTRIBUTES.status)).toBe('CANCELLED');
    } finally {
      gate.open();
      await workers.stop();
    }
  });
});
