import { ActivityCancellationType, CancellationScope, isCancellation, log, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  NON_RETRYABLE_ERROR_TYPES,
  RunBenchmarksInputSchema,
  RunQualityChecksInputSchema,
  RunTestSuiteInputSchema,
  TASK_QUEUES,
  VERIFY_WORKFLOW_IDS,
  progressOf,
  progressQuery,
  stopSignal,
  verifyProgressSignal,
  verifyStepSignal,
  type RunBenchmarksInput,
  type RunBenchmarksResult,
  type RunQualityChecksInput,
  type RunQualityChecksResult,
  type RunStatus,
  type RunTestSuiteInput,
  type RunTestSuiteResult,
  type TestRunProgress,
  type VerifyStatus,
  type VerifyStepProgress,
  type WorkflowKind,
} from '../contracts/index.js';
import type { ControlActivities, CpuActivities, TrainActivities } from '../activities/index.js';
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

/** What a step run (quality checks, benchmarks) returns when a stop ended it: the steps done, no verdict. */
interface StoppedStepRun {
  status: 'CANCELLED';
  completed: number;
}

/**
 * The shape runQualityChecksWorkflow and runBenchmarksWorkflow share: validate, one sandboxed
 * activity whose step progress (tools, benchmarks) arrives by signal and is answered by
 * `progress`; a `stop` or a cancellation kills its process group (the activity waits until it is
 * gone) and marks the row CANCELLED in a non-cancellable scope. A stop returns `stopped(...)`,
 * a cancellation ends the workflow cancelled.
 */
async function runStepWorkflow<R extends { status: VerifyStatus }>(opts: {
  kind: Extract<WorkflowKind, 'verify-quality' | 'verify-bench'>;
  /** Sets the kind's search attribute (a literal tagRun call, as the JSON Schema index reads them off the source). */
  tag: () => void;
  runId: string;
  total: number;
  run: () => Promise<R>;
  done: (r: R) => number;
  stopped: (s: StoppedStepRun) => R;
}): Promise<R> {
  const { workflowId } = workflowInfo();
  let phase = 'running';
  let seen: VerifyStepProgress = { completed: 0, total: opts.total };
  setHandler(progressQuery, () => progressOf(phase, seen.completed, seen.total, { ...seen }));
  const live = liveDetails(() => ({
    phase,
    completed: seen.completed,
    total: seen.total,
    line: `${phase} · ${seen.completed}/${seen.total} steps${seen.current ? ` · ${seen.current}` : ''}${seen.findings !== undefined ? ` · ${seen.findings} findings` : ''}`,
  }));
  setHandler(verifyStepSignal, (p) => {
    // Signals may arrive out of order: progress only moves forward.
    if (p.completed >= seen.completed) seen = p;
    live.refresh();
  });
  const scope = new CancellationScope();
  let stopped = false;
  setHandler(stopSignal, () => {
    stopped = true;
    scope.cancel();
  });
  opts.tag();
  setRunStatus('RUNNING');
  try {
    const result = await scope.run(opts.run);
    phase = 'completed';
    seen = { ...seen, completed: opts.done(result), current: undefined };
    live.refresh();
    setRunStatus(RUN_STATUS_OF[result.status]);
    log.info('verification run finished', { kind: opts.kind, runId: opts.runId, status: result.status });
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
    if (cancelled && stopped) return opts.stopped({ status: 'CANCELLED', completed: seen.completed });
    throw err;
  }
}

/** The sandboxed activities' common options: the tool's own limit plus time to read its output, heartbeats, wait for the kill. */
function sandboxedOptions(taskQueue: string, timeoutMinutes: number) {
  return {
    taskQueue,
    startToCloseTimeout: `${timeoutMinutes + 10} minutes`,
    heartbeatTimeout: '20 seconds',
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    // A worker lost mid-run: once more elsewhere. Findings and regressions are results, not errors.
    retry: {
      initialInterval: '10s',
      backoffCoefficient: 2,
      maximumInterval: '1 minute',
      maximumAttempts: 2,
      nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES,
    },
  } as const;
}

/**
 * The quality checks (the seed's run_quality_checks_task): tsc, eslint and prettier --check over
 * a path in one sandboxed activity on faultline-cpu, its findings rows in Postgres. Progress is
 * the tools done; stop and cancel kill the running tool.
 */
export async function runQualityChecksWorkflow(raw: RunQualityChecksInput): Promise<RunQualityChecksResult> {
  const config = validateWorkflowInput(RunQualityChecksInputSchema, raw, 'runQualityChecksWorkflow input');
  requireWorkflowId('runQualityChecksWorkflow input', VERIFY_WORKFLOW_IDS.quality(config.runId), 'runId', config.runId);
  const { workflowId } = workflowInfo();
  const quality = proxyActivities<Pick<CpuActivities, 'runQualityChecks'>>(sandboxedOptions(TASK_QUEUES.cpu, config.timeoutMinutes * config.tools.length));
  return runStepWorkflow<RunQualityChecksResult>({
    kind: 'verify-quality',
    tag: () => tagRun('verify-quality', {}),
    runId: config.runId,
    total: config.tools.length,
    run: () => quality.runQualityChecks({ workflowId, config }),
    done: (r) => r.tools.length,
    stopped: () => ({
      runId: config.runId,
      status: 'CANCELLED',
      path: config.path ?? '.',
      tools: [],
      countsByRule: {},
      totals: { findings: 0, errors: 0, warnings: 0 },
      findings: [],
    }),
  });
}

/**
 * The benchmarks (the seed's run_benchmarks_task): `bench/run.ts --only <list>` in one sandboxed
 * activity on faultline-train (benchmarks measure the machine training runs on, one at a time),
 * the summary stored and compared with the last stored run of each bench. Progress is the
 * benches done; stop and cancel kill the run.
 */
export async function runBenchmarksWorkflow(raw: RunBenchmarksInput): Promise<RunBenchmarksResult> {
  const config = validateWorkflowInput(RunBenchmarksInputSchema, raw, 'runBenchmarksWorkflow input');
  requireWorkflowId('runBenchmarksWorkflow input', VERIFY_WORKFLOW_IDS.bench(config.runId), 'runId', config.runId);
  const { workflowId } = workflowInfo();
  const bench = proxyActivities<Pick<TrainActivities, 'runBenchmarks'>>(sandboxedOptions(TASK_QUEUES.train, config.timeoutMinutes));
  return runStepWorkflow<RunBenchmarksResult>({
    kind: 'verify-bench',
    tag: () => tagRun('verify-bench', {}),
    runId: config.runId,
    total: config.benches.length,
    run: () => bench.runBenchmarks({ workflowId, config }),
    done: (r) => r.benches.length,
    stopped: () => ({ runId: config.runId, status: 'CANCELLED', quick: config.quick, benches: [], regressions: 0, exitCode: null }),
  });
}
