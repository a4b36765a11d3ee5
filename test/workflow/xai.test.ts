import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { ControlActivities, CpuActivities } from '../../activities/index.js';
import { cancelRun, getXaiResult, startXaiBatch, stopRun } from '../../client/api.js';
import { WorkflowRunFailedError } from '../../client/errors.js';
import { SEARCH_ATTRIBUTES, type SignalRef } from '../../contracts/index.js';
import { Gate, until, workflowSuite } from '../support/workflow-env.js';

/**
 * explainSignalsWorkflow's orchestration with fake activities: the batch is registered in
 * memory, explanations wait on a gate and fail for the signals a test names.
 */
interface Books {
  explained: SignalRef[];
  failures: SignalRef[];
  finalized: string[];
  ended: string[];
}

const emptyBooks = (): Books => ({ explained: [], failures: [], finalized: [], ended: [] });

function fakes(
  books: Books,
  batchId: string,
  gate: Gate,
  failing: ReadonlySet<SignalRef> = new Set(),
): { control: Partial<ControlActivities>; cpu: Partial<CpuActivities> } {
  const mine = (b: { batchId: string }) => b.batchId === batchId;
  return {
    control: {
      async registerXaiBatch(r) {
        return {
          total: r.selection.kind === 'ids' ? r.selection.ids.length : 0,
          modelUri: `artifact:sha256/${'1'.repeat(64)}`,
          classes: ['normal', 'inner'],
          inputLength: 1024,
          backgroundUri: null,
        };
      },
      async recordXaiFailure(f) {
        if (mine(f)) books.failures.push(f.signal);
      },
      async finalizeXaiBatch(f) {
        if (mine(f)) books.finalized.push(f.status);
        return { summaryUri: null, summaryJsonUri: null, faithfulnessByMethod: {} };
      },
      async markXaiBatchEnded(e) {
        if (mine(e)) books.ended.push(e.status);
      },
    },
    cpu: {
      async explainSignal(input) {
        await gate.pass();
        if (failing.has(input.signal)) throw ApplicationFailure.nonRetryable(`signal ${input.signal} is corrupt (injected)`, 'InjectedFailure');
        if (mine(input)) books.explained.push(input.signal);
        return {
          signal: input.signal,
          label: 'normal',
          targetClass: 0,
          targetLabel: 'normal',
          predictedLabel: 'normal',
          probability: 0.9,
          pictureUri: `artifact:sha256/${'2'.repeat(64)}`,
          methods: [],
          reused: false,
        };
      },
    },
  };
}

const refs = (n: number): SignalRef[] => Array.from({ length: n }, (_, i) => `ds-fast:${i}`);
const request = (batchId: string, ids: SignalRef[], extra: Record<string, unknown> = {}) => ({
  batchId,
  modelId: 'model-fast',
  selection: { kind: 'ids' as const, ids },
  methods: { 'integrated-gradients': {} },
  ...extra,
});

describe('explainSignalsWorkflow orchestration (fast, fake activities)', () => {
  const w = workflowSuite();
  const start = (req: Parameters<typeof startXaiBatch>[1]) => w.track(startXaiBatch(w.client, req));

  it('continues as new every 3 signals and explains each of 10 exactly once', async () => {
    const books = emptyBooks();
    const gate = new Gate();
    gate.open();
    const workers = await w.startWorkers(fakes(books, 'can-10', gate));
    try {
      const { workflowId } = await start(request('can-10', refs(10), { maxInFlight: 2, testing: { continueAsNewEvery: 3 } }));
      const firstRunId = (await w.client.workflow.getHandle(workflowId).describe()).runId;
      const result = await getXaiResult(w.client, workflowId);
      expect(result).toMatchObject({ status: 'COMPLETED', total: 10, completed: 10, failed: 0 });
      expect([...books.explained].sort()).toEqual([...refs(10)].sort());
      const history = await w.client.workflow.getHandle(workflowId, firstRunId).fetchHistory();
      expect(history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
    } finally {
      await workers.stop();
    }
  });

  it('records a failed signal by name and goes on below the threshold', async () => {
    const books = emptyBooks();
    const gate = new Gate();
    gate.open();
    const workers = await w.startWorkers(fakes(books, 'one-bad', gate, new Set(['ds-fast:4'])));
    try {
      const { workflowId } = await start(request('one-bad', refs(10), { maxFailedSignals: 2 }));
      const result = await getXaiResult(w.client, workflowId);
      expect(result).toMatchObject({ status: 'COMPLETED', completed: 9, failed: 1 });
      expect(result.failures).toEqual([{ signal: 'ds-fast:4', reason: expect.stringMatching(/corrupt \(injected\)/) }]);
      expect(books.failures).toEqual(['ds-fast:4']);
    } finally {
      await workers.stop();
    }
  });

  it('fails past maxFailedSignals, naming the first failure, and marks the batch FAILED', async () => {
    const books = emptyBooks();
    const gate = new Gate();
    gate.open();
    const workers = await w.startWorkers(fakes(books, 'many-bad', gate, new Set(['ds-fast:1', 'ds-fast:2', 'ds-fast:3'])));
    try {
      const { workflowId } = await start(request('many-bad', refs(10), { maxFailedSignals: 2, maxInFlight: 1 }));
      const err = await getXaiResult(w.client, workflowId).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowRunFailedError);
      expect((err as WorkflowRunFailedError).failureType).toBe('TooManyFailedSignals');
      expect((err as Error).message).toMatch(/3 signals failed, more than maxFailedSignals \(2\); first: ds-fast:1/);
      expect(books.ended).toEqual(['FAILED']);
      expect(books.finalized).toEqual([]);
      // maxInFlight 1: nothing after the third failure was started.
      expect(books.explained).toEqual(['ds-fast:0']);
    } finally {
      await workers.stop();
    }
  });

  it('stop finishes the running signals and starts none', async () => {
    const books = emptyBooks();
    const gate = new Gate();
    const workers = await w.startWorkers(fakes(books, 'stop-2', gate));
    try {
      const { workflowId } = await start(request('stop-2', refs(20), { maxInFlight: 2 }));
      await until('two explanations waiting', () => gate.waiting === 2);
      await stopRun(w.client, workflowId);
      // The signal is in history before the gate opens, so no third signal can start.
      await until('the stop signal in history', async () =>
        ((await w.client.workflow.getHandle(workflowId).fetchHistory()).events ?? []).some(
          (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'stop',
        ),
      );
      gate.open();
      const result = await getXaiResult(w.client, workflowId);
      expect(result).toMatchObject({ status: 'STOPPED', completed: 2, failed: 0, total: 20 });
      expect(books.finalized).toEqual(['STOPPED']);
    } finally {
      await workers.stop();
    }
  });

  it('cancellation ends the batch CANCELLED, row and search attribute too', async () => {
    const books = emptyBooks();
    const gate = new Gate();
    const workers = await w.startWorkers(fakes(books, 'cancel-3', gate));
    try {
      const { workflowId } = await start(request('cancel-3', refs(20), { maxInFlight: 3 }));
      await until('three explanations waiting', () => gate.waiting === 3);
      await cancelRun(w.client, workflowId);
      const err = await getXaiResult(w.client, workflowId).catch((e: unknown) => e);
      expect((err as WorkflowRunFailedError).status).toBe('CANCELLED');
      expect(books.ended).toEqual(['CANCELLED']);
      const d = await w.client.workflow.getHandle(workflowId).describe();
      expect(d.typedSearchAttributes.get(SEARCH_ATTRIBUTES.status)).toBe('CANCELLED');
      expect(books.explained).toEqual([]);
    } finally {
      gate.open();
      await workers.stop();
    }
  });
});
