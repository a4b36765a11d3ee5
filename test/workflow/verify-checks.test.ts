import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import {
  progressQuery,
  stopSignal,
  verifyStepSignal,
  VERIFY_WORKFLOW_IDS,
  type RunBenchmarksResult,
  type RunQualityChecksResult,
} from '../../contracts/index.js';
import type { VerifyEndedInput } from '../../activities/verify.js';
import { until, workflowSuite } from '../support/workflow-env.js';

const QUALITY: RunQualityChecksResult = {
  runId: 'ok',
  status: 'PASSED',
  path: '.',
  tools: [{ tool: 'tsc', config: 'tsconfig.json', exitCode: 0, findings: 0, errors: 0, warnings: 0, passed: true, durationMs: 5 }],
  countsByRule: {},
  totals: { findings: 0, errors: 0, warnings: 0 },
  findings: [],
};

/** A sandboxed run that lasts until it is cancelled, heartbeating like the real one. */
async function untilCancelled(started: string[], workflowId: string): Promise<never> {
  started.push(workflowId);
  const ctx = Context.current();
  for (;;) {
    ctx.heartbeat();
    if (ctx.cancellationSignal.aborted) throw new CancelledFailure('killed');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * runQualityChecksWorkflow and runBenchmarksWorkflow with fake activities: step progress feeds
 * the query, stop and cancel reach the activity and mark the row, ids are checked, bench runs on
 * faultline-train. The real activities are covered by test/integration/verify-checks.test.ts.
 */
describe('quality and benchmark workflows', () => {
  const w = workflowSuite();

  it('quality: progress from the step signal; a stop kills the run and returns CANCELLED', async () => {
    const started: string[] = [];
    const ended: VerifyEndedInput[] = [];
    const workers = await w.startWorkers({
      cpu: { runQualityChecks: (i: { workflowId: string }) => untilCancelled(started, i.workflowId) },
      control: { verifyRunEnded: async (e) => void ended.push(e) },
    });
    try {
      const workflowId = VERIFY_WORKFLOW_IDS.quality('stop-me');
      const handle = await w.track(
        w.client.workflow.start('runQualityChecksWorkflow', { taskQueue: 'faultline-control', workflowId, args: [{ runId: 'stop-me' }] }),
      );
      await until('the activity started', () => started.length === 1);
      expect(await handle.query(progressQuery)).toMatchObject({ phase: 'running', completed: 0, total: 3, fraction: 0 });
      await handle.signal(verifyStepSignal, { completed: 1, total: 3, current: 'eslint', findings: 4 });
      // An older progress arriving late does not move it back.
      await handle.signal(verifyStepSignal, { completed: 0, total: 3, current: 'tsc' });
      expect(await handle.query(progressQuery)).toMatchObject({ phase: 'running', completed: 1, total: 3, current: 'eslint', findings: 4 });
      await handle.signal(stopSignal, { reason: 'enough' });
      const r = (await handle.result()) as RunQualityChecksResult;
      expect(r).toMatchObject({ runId: 'stop-me', status: 'CANCELLED', tools: [] });
      expect(ended).toEqual([{ workflowId, status: 'CANCELLED', error: 'stopped' }]);
    } finally {
      await workers.stop();
    }
  });

  it('bench: runs on faultline-train; a cancellation ends the workflow cancelled and marks the row', async () => {
    const started: string[] = [];
    const ended: VerifyEndedInput[] = [];
    const workers = await w.startWorkers({
      train: { runBenchmarks: (i: { workflowId: string }) => untilCancelled(started, i.workflowId) },
      control: { verifyRunEnded: async (e) => void ended.push(e) },
    });
    try {
      const workflowId = VERIFY_WORKFLOW_IDS.bench('cancel-me');
      const handle = await w.track(
        w.client.workflow.start('runBenchmarksWorkflow', {
          taskQueue: 'faultline-control',
          workflowId,
          args: [{ runId: 'cancel-me', benches: ['simulator', 'xai'] }],
        }),
      );
      await until('the activity started', () => started.length === 1);
      await handle.signal(verifyStepSignal, { completed: 1, total: 2, current: 'xai' });
      expect(await handle.query(progressQuery)).toMatchObject({ completed: 1, total: 2, fraction: 0.5, current: 'xai' });
      await handle.cancel();
      const err = await handle.result().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
      expect(ended).toEqual([{ workflowId, status: 'CANCELLED', error: 'cancelled' }]);
    } finally {
      await workers.stop();
    }
  });

  it('bench: a stop returns a CANCELLED result', async () => {
    const started: string[] = [];
    const ended: VerifyEndedInput[] = [];
    const workers = await w.startWorkers({
      train: { runBenchmarks: (i: { workflowId: string }) => untilCancelled(started, i.workflowId) },
      control: { verifyRunEnded: async (e) => void ended.push(e) },
    });
    try {
      const workflowId = VERIFY_WORKFLOW_IDS.bench('stop-me');
      const handle = await w.track(
        w.client.workflow.start('runBenchmarksWorkflow', { taskQueue: 'faultline-control', workflowId, args: [{ runId: 'stop-me', benches: ['simulator'] }] }),
      );
      await until('the activity started', () => started.length === 1);
      await handle.signal(stopSignal, { reason: 'enough' });
      expect(await handle.result()).toEqual({ runId: 'stop-me', status: 'CANCELLED', quick: false, benches: [], regressions: 0, exitCode: null });
      expect(ended).toEqual([{ workflowId, status: 'CANCELLED', error: 'stopped' }]);
    } finally {
      await workers.stop();
    }
  });

  it('returns the activity result with progress complete; refuses a foreign id and unknown bench names', async () => {
    const bench: RunBenchmarksResult = { runId: 'b', status: 'PASSED', quick: true, benches: [], regressions: 0, exitCode: 0 };
    const workers = await w.startWorkers({
      cpu: { runQualityChecks: async () => QUALITY },
      train: { runBenchmarks: async () => bench },
      control: { verifyRunEnded: async () => undefined },
    });
    try {
      const ok = await w.track(
        w.client.workflow.start('runQualityChecksWorkflow', {
          taskQueue: 'faultline-control',
          workflowId: VERIFY_WORKFLOW_IDS.quality('ok'),
          args: [{ runId: 'ok', tools: ['tsc'] }],
        }),
      );
      expect(await ok.result()).toEqual(QUALITY);
      expect(await ok.query(progressQuery)).toMatchObject({ phase: 'completed', completed: 1, total: 1, fraction: 1 });
      const bad = await w.track(
        w.client.workflow.start('runQualityChecksWorkflow', { taskQueue: 'faultline-control', workflowId: 'quality-elsewhere', args: [{ runId: 'ok2' }] }),
      );
      expect(String(((await bad.result().catch((e: unknown) => e)) as WorkflowFailedError).cause?.message)).toMatch(/runId/);
      const unknown = await w.track(
        w.client.workflow.start('runBenchmarksWorkflow', {
          taskQueue: 'faultline-control',
          workflowId: VERIFY_WORKFLOW_IDS.bench('nope'),
          args: [{ runId: 'nope', benches: ['no-such-bench'] }],
        }),
      );
      expect(String(((await unknown.result().catch((e: unknown) => e)) as WorkflowFailedError).cause?.message)).toMatch(/benches\.0/);
    } finally {
      await workers.stop();
    }
  });
});
