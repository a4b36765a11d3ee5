import { ActivityCancellationType, CancellationScope, isCancellation, log, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  NON_RETRYABLE_ERROR_TYPES,
  RunTestSuiteInputSchema,
  TASK_QUEUES,
  VERIFY_WORKFLOW_IDS,
  progressOf,
  progressQuery,
  stopSignal,
  verifyProgressSignal,
  type RunStatus,
  type RunTestSuiteInput,
  type RunTestSuiteResult,
  type TestRunProgress,
  type VerifyStatus,
} from '../contracts/index.js';
import type { ControlActivities, CpuActivities } from '../activities/index.js';
import { liveDetails } from './lib/details.js';
import { requireWorkflowId, validateWorkflowInput } from './lib/validate.js';
import { setRunStatus, tagRun } from './lib/visibility.js';

const bookkeeping = proxyActivities<Pick<ControlActivities, 'verifyRunEnded'>>({
  taskQueue: TASK_QUEUES.control,
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 10, nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES },
});

/** How the search attribute shows a verification outcome (FaultlineStatus takes run statuses). */
const RUN_STATUS_OF: Record<VerifyStatus, RunStatus> = { PASSED: 'COMPLETED', FAILED: 'FAILED', ERROR: 'FAILED', TIMED_OUT: 'FAILED', CANCELLED: 'CANCELLED' };

/**
 * The project's tests (the seed's run_tests_task + run_coverage_task, one task with a coverage
 * flag as the seed recommends): one sandboxed vitest run on a faultline-cpu worker, whose progress
 * arrives by signal from the activity and is answered by `progress`. A `stop` signal or a
 * cancellation kills the run (its whole process group) and records it CANCELLED; a stop returns
 * that result, a cancellation ends the workflow cancelled.
 */
export async function runTestSuiteWorkflow(raw: RunTestSuiteInput): Promise<RunTestSuiteResult> {
  const config = validateWorkflowInput(RunTestSuiteInputSchema, raw, 'runTestSuiteWorkflow input');
  const { workflowId } = workflowInfo();
  requireWorkflowId('runTestSuiteWorkflow input', VERIFY_WORKFLOW_IDS.tests(config.runId), 'runId', config.runId);
  let phase = 'running';
  let seen: TestRunProgress = { filesTotal: 0, filesDone: 0, testsTotal: 0, testsDone: 0, failed: 0 };
  const snapshot = () => ({ ...seen, coverage: config.coverage });
  setHandler(progressQuery, () => progressOf(phase, seen.testsDone, seen.testsTotal, snapshot()));
  const live = liveDetails(() => ({
    phase,
    completed: seen.testsDone,
    total: seen.testsTotal,
    line: `${phase} · ${seen.filesDone}/${seen.filesTotal} files · ${seen.testsDone}/${seen.testsTotal} tests · ${seen.failed} failed`,
  }));
  setHandler(verifyProgressSignal, (p) => {
    // Signals may arrive out of order: progress only moves forward.
    if (p.testsDone + p.filesDone >= seen.testsDone + seen.filesDone) seen = p;
    live.refresh();
  });
  const run = new CancellationScope();
  let stopped = false;
  setHandler(stopSignal, () => {
    stopped = true;
    run.cancel();
  });
  tagRun('verify-tests', {});
  setRunStatus('RUNNING');

  const tests = proxyActivities<Pick<CpuActivities, 'runTestSuite'>>({
    taskQueue: TASK_QUEUES.cpu,
    // The child process has its own limit (timeoutMinutes); the activity's adds time to collect the reports.
    startToCloseTimeout: `${config.timeoutMinutes + 10} minutes`,
    heartbeatTimeout: '20 seconds',
    // Wait until the activity has killed the process group, so "cancelled" means nothing runs.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    // A worker lost mid-run: once more elsewhere. Failing tests are a result, not an error.
    retry: {
      initialInterval: '10s',
      backoffCoefficient: 2,
      maximumInterval: '1 minute',
      maximumAttempts: 2,
      nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES,
    },
  });
  try {
    const result = await run.run(() => tests.runTestSuite({ workflowId, config }));
    phase = 'completed';
    seen = {
      ...seen,
      testsDone: result.totals.tests,
      testsTotal: result.totals.tests,
      filesDone: result.totals.files,
      filesTotal: result.totals.files,
      failed: result.totals.failed,
    };
    live.refresh();
    setRunStatus(RUN_STATUS_OF[result.status]);
    log.info('test run finished', { runId: config.runId, status: result.status, ...result.totals });
    return result;
  } catch (err) {
    const cancelled = isCancellation(err);
    phase = cancelled ? 'cancelled' : 'failed';
    live.refresh();
    await CancellationScope.nonCancellable(() =>
      bookkeeping.verifyRunEnded({
        workflowId,
        status: cancelled ? 'CANCELLED' : 'ERROR',
        error: cancelled ? (stopped ? 'stopped' : 'cancelled') : String(err),
      }),
    );
    setRunStatus(cancelled ? 'CANCELLED' : 'FAILED');
    if (cancelled && stopped) {
      return {
        runId: config.runId,
        status: 'CANCELLED',
        totals: { files: seen.filesDone, tests: seen.testsDone, passed: 0, failed: seen.failed, skipped: 0, todo: 0, errors: 0, durationMs: 0 },
        failures: [],
        exitCode: null,
      };
    }
    throw err;
  }
}
