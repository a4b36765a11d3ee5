import { ActivityCancellationType, proxyActivities, proxyLocalActivities, type ActivityOptions, type LocalActivityOptions } from '@temporalio/workflow';
import { ERROR_TYPES, NON_RETRYABLE_ERROR_TYPES, TASK_QUEUES } from '../../contracts/index.js';
import type { ControlActivities, CpuActivities, TrainActivities } from '../../activities/index.js';

/**
 * Activity option profiles. Every call has a deadline and an explicit retry policy with backoff,
 * a cap and the deterministic failure types excluded (the Celery tasks had neither).
 */
const retry = (maximumAttempts: number, maximumInterval: string) => ({
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval,
  maximumAttempts,
  nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES,
});

/** Database bookkeeping and notifications: quick, retried generously (transient DB/network). */
export const CONTROL_OPTIONS: ActivityOptions = {
  taskQueue: TASK_QUEUES.control,
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '30 minutes',
  retry: retry(20, '1 minute'),
};

/** CPU chunks (simulation, features, XAI): heartbeat so a dead worker is noticed in seconds. */
export const CPU_OPTIONS: ActivityOptions = {
  taskQueue: TASK_QUEUES.cpu,
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '30 seconds',
  retry: retry(5, '30 seconds'),
};

/**
 * Training: the activity heartbeats on a timer from the main thread (training runs in a child
 * process), so the heartbeat timeout is independent of epoch length and a crashed worker is
 * detected within it; the retry resumes from the last heartbeat's checkpoint.
 */
export function trainOptions(maxTrainingMinutes: number): ActivityOptions {
  return {
    taskQueue: TASK_QUEUES.train,
    startToCloseTimeout: `${Math.ceil(maxTrainingMinutes)} minutes`,
    heartbeatTimeout: '20 seconds',
    retry: retry(5, '30 seconds'),
    // Wait until the activity has really stopped (child process killed) before the workflow
    // marks the experiment CANCELLED, so no epoch lands after the row says it was cancelled.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  };
}

/**
 * One signal's explanations: the activity heartbeats every 2 s from the worker's event loop
 * while a child process computes, so a dead worker is noticed within the heartbeat timeout
 * whatever the method's cost; the retry recomputes only what was not stored. Waits for the
 * child process to be killed on cancellation, so no row lands after the batch says CANCELLED.
 */
export const XAI_OPTIONS: ActivityOptions = {
  taskQueue: TASK_QUEUES.cpu,
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '20 seconds',
  retry: retry(5, '30 seconds'),
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
};

/**
 * One model over one dataset's split: the activity heartbeats from the worker's event loop while
 * child processes predict, so a dead worker is noticed within the heartbeat timeout; waits for
 * the children to be killed on cancellation.
 */
export const PREDICT_OPTIONS: ActivityOptions = { ...XAI_OPTIONS, startToCloseTimeout: '60 minutes' };

/**
 * Analyses of stored probabilities: seconds of arithmetic in a child process while the activity
 * heartbeats; the comparison's pairing runs in the activity itself, well within the deadline.
 */
export const ANALYSIS_OPTIONS: ActivityOptions = {
  taskQueue: TASK_QUEUES.cpu,
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  retry: retry(5, '30 seconds'),
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
};

/**
 * Campaign bookkeeping run as local activities, in the workflow's own worker (the control worker
 * registers the control activities): no activity task, no extra workflow task, no server round
 * trip per call. Only for idempotent upserts, because a local activity may run again when its
 * workflow task is retried (at-least-once, like a regular activity, but re-run also after a
 * worker crash before the marker was recorded). Short attempts: a local activity holds its
 * workflow task open (heartbeated by the SDK); past `localRetryThreshold` the retries back off
 * through a timer instead.
 */
export const LOCAL_CONTROL_OPTIONS: LocalActivityOptions = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '30 minutes',
  localRetryThreshold: '10 seconds',
  retry: retry(20, '1 minute'),
};

export const control = proxyActivities<ControlActivities>(CONTROL_OPTIONS);
export const localControl = proxyLocalActivities<Pick<ControlActivities, 'recordTrial'>>(LOCAL_CONTROL_OPTIONS);
export const evalPredict = proxyActivities<Pick<CpuActivities, 'predictSplit'>>(PREDICT_OPTIONS);
export const evalAnalysis = proxyActivities<Pick<CpuActivities, 'analyzeRoc' | 'analyzeErrors' | 'analyzeComparison'>>(ANALYSIS_OPTIONS);
export const cpu = proxyActivities<CpuActivities>(CPU_OPTIONS);
export const xaiCpu = proxyActivities<Pick<CpuActivities, 'explainSignal'>>(XAI_OPTIONS);
export const trainActivities = (maxTrainingMinutes: number) => proxyActivities<TrainActivities>(trainOptions(maxTrainingMinutes));

/**
 * trainOptions with an outage left to the workflow (workflows/lib/outage.ts): the activity's five
 * attempts are for crashes of the work and of its worker only.
 */
export function outageAwareTrainOptions(maxTrainingMinutes: number): ActivityOptions {
  const options = trainOptions(maxTrainingMinutes);
  return { ...options, retry: { ...options.retry, nonRetryableErrorTypes: [...NON_RETRYABLE_ERROR_TYPES, ERROR_TYPES.infrastructureUnavailable] } };
}
export const outageAwareTrainActivities = (maxTrainingMinutes: number) => proxyActivities<TrainActivities>(outageAwareTrainOptions(maxTrainingMinutes));

/**
 * One chunk of a feature extraction: the activity heartbeats every 2 s while child processes
 * compute, so a dead worker is noticed within the heartbeat timeout; the retry recomputes only
 * the jobs its last heartbeat did not name. Waits for the children to be killed on cancellation.
 */
export const FEATURE_CHUNK_OPTIONS: ActivityOptions = { ...XAI_OPTIONS };
/** Assembling the chunks into the set's matrix: reads and writes artifacts, no heavy compute. */
export const FEATURE_FINISH_OPTIONS: ActivityOptions = { taskQueue: TASK_QUEUES.cpu, startToCloseTimeout: '10 minutes', retry: retry(5, '30 seconds') };
export const featureChunks = proxyActivities<Pick<CpuActivities, 'extractFeatureChunk'>>(FEATURE_CHUNK_OPTIONS);
export const featureFinish = proxyActivities<Pick<CpuActivities, 'finishFeatureSet'>>(FEATURE_FINISH_OPTIONS);
/** An importance / selection / correlation analysis: a child process computes while the activity heartbeats. */
export const featureAnalysis = proxyActivities<Pick<CpuActivities, 'analyzeFeatureSet'>>({ ...ANALYSIS_OPTIONS, startToCloseTimeout: '60 minutes' });
