import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { progressQuery, stopSignal, verifyProgressSignal, VERIFY_WORKFLOW_IDS, type RunTestSuiteResult } from '../../contracts/index.js';
import type { VerifyEndedInput } from '../../activities/verify.js';
import { until, workflowSuite } from '../support/workflow-env.js';

const RESULT: RunTestSuiteResult = {
  runId: 'r',
  status: 'PASSED',
  totals: { files: 1, tests: 2, passed: 2, failed: 0, skipped: 0, todo: 0, errors: 0, durationMs: 10 },
  failures: [],
  exitCode: 0,
};

/**
 * runTestSuiteWorkflow's orchestration with a fake runTestSuite activity: progress signals feed
 * the query, stop and cancel reach the activity and the row is marked, the id is checked.
 * The real activity (sandboxed vitest) is covered by test/integration/verify.test.ts.
 */
describe('runTestSuiteWorkflow orchestration', () => {
  const w = workflowSuite();

  /** A run that lasts until it is cancelled, heartbeating like the real one. */
  const endless = (started: string[]) => ({
    async runTestSuite(input: { workflowId: string }): Promise<RunTestSuiteResult> {
      started.push(input.workflowId);
      const ctx = Context.current();
      for (;;) {
        ctx.heartbeat();
        if (ctx.cancellationSignal.aborted) throw new CancelledFailure('killed');
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  });

  it('answers progress from the activity signal; a stop kills the run and returns CANCELLED', async () => {
    const started: string[] = [];
    const ended: VerifyEndedInput[] = [];
    const workers = await w.startWorkers({ cpu: endless(started), control: { verifyRunEnded: async (e) => void ended.push(e) } });
    try {
      const workflowId = VERIFY_WORKFLOW_IDS.tests('stop-me');
      const handle = await w.track(
        w.client.workflow.start('runTestSuiteWorkflow', { taskQueue: 'faultline-control', workflowId, args: [{ runId: 'stop-me', files: ['unit'] }] }),
      );
      await until('the activity started', () => started.length === 1);
      await handle.signal(verifyProgressSignal, { filesTotal: 4, filesDone: 1, testsTotal: 20, testsDone: 5, failed: 1 });
      // An older progress arriving late does not move it back.
      await handle.signal(verifyProgressSignal, { filesTotal: 4, filesDone: 0, testsTotal: 20, testsDone: 2, failed: 0 });
      const p = await handle.query(progressQuery);
      expect(p).toMatchObject({ phase: 'running', completed: 5, total: 20, fraction: 0.25, filesDone: 1, filesTotal: 4, failed: 1 });
      await handle.signal(stopSignal, { reason: 'enough' });
      const r = (await handle.result()) as RunTestSuiteResult;
      expect(r.status).toBe('CANCELLED');
      expect(ended).toEqual([{ workflowId, status: 'CANCELLED', error: 'stopped' }]);
    } finally {
      await workers.stop();
    }
  });

  it('a cancellation ends the workflow cancelled and marks the row', async () => {
    const started: string[] = [];
    const ended: VerifyEndedInput[] = [];
    const workers = await w.startWorkers({ cpu: endless(started), control: { verifyRunEnded: async (e) => void ended.push(e) } });
    try {
      const workflowId = VERIFY_WORKFLOW_IDS.tests('cancel-me');
      const handle = await w.track(
        w.client.workflow.start('runTestSuiteWorkflow', { taskQueue: 'faultline-control', workflowId, args: [{ runId: 'cancel-me', files: ['unit'] }] }),
      );
      await until('the activity started', () => started.length === 1);
      await handle.cancel();
      const err = await handle.result().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
      expect(ended).toEqual([{ workflowId, status: 'CANCELLED', error: 'cancelled' }]);
    } finally {
      await workers.stop();
    }
  });

  it('returns the activity result, and refuses a workflow id that is not verify-tests-<runId>', async () => {
    const workers = await w.startWorkers({ cpu: { runTestSuite: async () => RESULT }, control: { verifyRunEnded: async () => undefined } });
    try {
      const ok = await w.track(
        w.client.workflow.start('runTestSuiteWorkflow', {
          taskQueue: 'faultline-control',
          workflowId: VERIFY_WORKFLOW_IDS.tests('ok'),
          args: [{ runId: 'ok', files: ['unit'] }],
        }),
      );
      expect(await ok.result()).toEqual(RESULT);
      const bad = await w.track(
        w.client.workflow.start('runTestSuiteWorkflow', {
          taskQueue: 'faultline-control',
          workflowId: 'tests-elsewhere',
          args: [{ runId: 'ok2', files: ['unit'] }],
        }),
      );
      const err = await bad.result().catch((e: unknown) => e);
      expect(String((err as WorkflowFailedError).cause?.message)).toMatch(/runId/);
    } finally {
      await workers.stop();
    }
  });
});
