import {
  isGrpcDeadlineError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  type Client,
  type WorkflowExecutionStatusName,
} from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import {
  canonicalJson,
  GenerateDatasetInputSchema,
  parseInput,
  progressQuery,
  ProgressSchema,
  SEARCH_ATTRIBUTES,
  stopSignal,
  TrainModelInputSchema,
  WORKFLOW_TASK_QUEUE,
  type GenerateDatasetInput,
  type GenerateDatasetRequest,
  type GenerateDatasetResult,
  type Progress,
  type TrainModelInput,
  type TrainModelRequest,
  type TrainModelResult,
} from '../contracts/index.js';
import { ProgressUnavailableError, WorkflowRunFailedError } from './errors.js';
import { deriveDatasetId, deriveExperimentId } from './ids.js';
import { WORKFLOW_KINDS, workflowIdCandidates, type ClientWorkflowKind } from './workflow-kinds.js';

/**
 * The typed API the dashboard backend uses. Every function takes the Temporal client first, so
 * the caller owns the connection (one per process) and these stay plain, testable functions.
 * Only `client.workflow` is used, so a bare WorkflowClient wrapped as `{ workflow }` works too.
 */
export type TemporalClientLike = Pick<Client, 'workflow'>;

/** A dataset request whose id may be left out: it is then derived from the config's content. */
export type StartDatasetRequest = Omit<GenerateDatasetRequest, 'datasetId'> & { datasetId?: string };
/** A training request whose id may be left out: it is then derived from data + hyperparameters. */
export type StartTrainingRequest = Omit<TrainModelRequest, 'experimentId'> & { experimentId?: string };

export interface StartedRun {
  workflowId: string;
  runId: string;
  /** datasetId or experimentId (given or derived). */
  entityId: string;
  /** True when an identical request had already started (running or completed) this run. */
  alreadyExisted: boolean;
}

export interface RunDescription {
  workflowId: string;
  runId: string;
  /** Workflow type name, e.g. `trainModelWorkflow`. */
  type: string;
  status: WorkflowExecutionStatusName;
  startTime: Date;
  closeTime?: Date;
  /** Present when a worker answered the progress query in time. */
  progress?: Progress;
}

export interface DescribeOptions {
  /** Ask the workflow for its progress (needs a worker). Default true. */
  progress?: boolean;
  /** How long the progress query may wait for a worker. Default 3000. */
  queryTimeoutMs?: number;
}

export interface WatchOptions {
  /** Poll period; the workflow is never pushed, so this bounds the display lag. Default 1000. */
  intervalMs?: number;
  /** Stops watching (the workflow itself keeps running). */
  signal?: AbortSignal;
  /** How long one progress query may wait for a worker. Default 3000. */
  queryTimeoutMs?: number;
}

const DEFAULT_QUERY_TIMEOUT_MS = 5_000;
const DESCRIBE_QUERY_TIMEOUT_MS = 3_000;

// ---------------------------------------------------------------------------------------------
// Input preparation: pure, no I/O. Validation happens here, before anything is sent.

/** Validate a dataset request and fill in its id; throws InputValidationError naming the field. */
export function prepareDatasetInput(request: StartDatasetRequest): GenerateDatasetInput {
  const what = `${WORKFLOW_KINDS.dataset.workflowType} input`;
  const withOptionalId = parseInput(GenerateDatasetInputSchema.partial({ datasetId: true }), request, what);
  const datasetId = withOptionalId.datasetId ?? deriveDatasetId(withOptionalId.config);
  return parseInput(GenerateDatasetInputSchema, { ...withOptionalId, datasetId }, what);
}

/** Validate a training request and fill in its id; throws InputValidationError naming the field. */
export function prepareTrainingInput(request: StartTrainingRequest): TrainModelInput {
  const what = `${WORKFLOW_KINDS.train.workflowType} input`;
  const withOptionalId = parseInput(TrainModelInputSchema.partial({ experimentId: true }), request, what);
  const experimentId = withOptionalId.experimentId ?? deriveExperimentId(withOptionalId);
  return parseInput(TrainModelInputSchema, { ...withOptionalId, experimentId }, what);
}

// ---------------------------------------------------------------------------------------------
// Starting

/** Start (or find) the dataset generation for `request`. The same request twice runs once. */
export async function startDatasetGeneration(client: TemporalClientLike, request: StartDatasetRequest): Promise<StartedRun> {
  const input = prepareDatasetInput(request);
  return startRun(client, 'dataset', input.datasetId, input, [
    { key: SEARCH_ATTRIBUTES.kind, value: WORKFLOW_KINDS.dataset.searchKind },
    { key: SEARCH_ATTRIBUTES.datasetId, value: input.datasetId },
    { key: SEARCH_ATTRIBUTES.status, value: 'RUNNING' },
  ]);
}

/** Start (or find) the training run for `request`. The same request twice runs once. */
export async function startTraining(client: TemporalClientLike, request: StartTrainingRequest): Promise<StartedRun> {
  const input = prepareTrainingInput(request);
  const attributes: SearchAttributePair[] = [
    { key: SEARCH_ATTRIBUTES.kind, value: WORKFLOW_KINDS.train.searchKind },
    { key: SEARCH_ATTRIBUTES.experimentId, value: input.experimentId },
    { key: SEARCH_ATTRIBUTES.datasetId, value: input.datasetId },
    { key: SEARCH_ATTRIBUTES.status, value: 'RUNNING' },
  ];
  if (input.campaign) attributes.push({ key: SEARCH_ATTRIBUTES.campaignId, value: input.campaign.campaignId });
  return startRun(client, 'train', input.experimentId, input, attributes);
}

/**
 * Idempotent start. USE_EXISTING attaches to a run that is still going; ALLOW_DUPLICATE_FAILED_ONLY
 * lets a failed/cancelled/terminated run be retried but makes a completed one final (the server
 * then answers "already started", and we return that run). No execution timeout: campaigns may
 * run for days and every activity carries its own deadline.
 *
 * The SDK does not expose the server's `started` flag, so "already existed" for a running
 * workflow is found by looking before starting: if the run we get back is the one that was
 * already running, nothing new was started. (Two racing first starts both report false; only
 * one run exists either way.)
 */
async function startRun(
  client: TemporalClientLike,
  kind: ClientWorkflowKind,
  entityId: string,
  input: GenerateDatasetInput | TrainModelInput,
  typedSearchAttributes: SearchAttributePair[],
): Promise<StartedRun> {
  const { workflowType, workflowId: toWorkflowId } = WORKFLOW_KINDS[kind];
  const workflowId = toWorkflowId(entityId);
  const runningBefore = await runningRunId(client, workflowId);
  try {
    const handle = await client.workflow.start(workflowType, {
      args: [input],
      taskQueue: WORKFLOW_TASK_QUEUE,
      workflowId,
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
      typedSearchAttributes,
    });
    return { workflowId, runId: handle.firstExecutionRunId, entityId, alreadyExisted: handle.firstExecutionRunId === runningBefore };
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    const existing = await client.workflow.getHandle(workflowId).describe();
    return { workflowId, runId: existing.runId, entityId, alreadyExisted: true };
  }
}

async function runningRunId(client: TemporalClientLike, workflowId: string): Promise<string | undefined> {
  try {
    const d = await client.workflow.getHandle(workflowId).describe();
    return d.status.name === 'RUNNING' ? d.runId : undefined;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Reading and controlling runs

/** The workflow's answer to the `progress` query, validated. Needs a worker to answer. */
export async function getProgress(client: TemporalClientLike, workflowId: string, options: { timeoutMs?: number } = {}): Promise<Progress> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  let raw: unknown;
  try {
    // Without a deadline a query to a workflow no worker polls for waits for the RPC's own
    // (long) timeout; a dashboard request must not hang that long.
    raw = await client.workflow.withDeadline(Date.now() + timeoutMs, () => client.workflow.getHandle(workflowId).query(progressQuery));
  } catch (err) {
    if (isGrpcDeadlineError(err)) throw new ProgressUnavailableError(workflowId, { cause: err });
    throw err;
  }
  return parseInput(ProgressSchema, raw, `progress of ${workflowId}`);
}

/** Status and timing of the latest run, plus its progress when a worker answers in time. */
export async function describeRun(client: TemporalClientLike, workflowId: string, options: DescribeOptions = {}): Promise<RunDescription> {
  const d = await client.workflow.getHandle(workflowId).describe();
  const description: RunDescription = {
    workflowId: d.workflowId,
    runId: d.runId,
    type: d.type,
    status: d.status.name,
    startTime: d.startTime,
    closeTime: d.closeTime,
  };
  if (options.progress === false) return description;
  try {
    description.progress = await getProgress(client, workflowId, { timeoutMs: options.queryTimeoutMs ?? DESCRIBE_QUERY_TIMEOUT_MS });
  } catch {
    // Progress is optional here by contract: no worker, an old run, or a busy worker must not
    // hide the status, which the server alone knows.
  }
  return description;
}

/** Request Temporal cancellation: the run stops at once, cleaning up in a non-cancellable scope. */
export async function cancelRun(client: TemporalClientLike, workflowId: string): Promise<void> {
  await client.workflow.getHandle(workflowId).cancel();
}

/** Send the `stop` signal: running work finishes, nothing new starts (campaigns, batches). */
export async function stopRun(client: TemporalClientLike, workflowId: string, reason?: string): Promise<void> {
  await client.workflow.getHandle(workflowId).signal(stopSignal, reason === undefined ? {} : { reason });
}

/**
 * Wait for the result. A run that failed, was cancelled, terminated or timed out throws a
 * WorkflowRunFailedError carrying the root failure's type and message.
 */
export async function getResult<T>(client: TemporalClientLike, workflowId: string): Promise<T> {
  try {
    // Started by type name, so the SDK cannot know T: the contract types are the promise.
    return (await client.workflow.getHandle(workflowId).result()) as T;
  } catch (err) {
    if (err instanceof WorkflowFailedError) throw WorkflowRunFailedError.from(workflowId, err);
    throw err;
  }
}

export const getDatasetResult = (client: TemporalClientLike, workflowId: string) => getResult<GenerateDatasetResult>(client, workflowId);
export const getTrainingResult = (client: TemporalClientLike, workflowId: string) => getResult<TrainModelResult>(client, workflowId);

/**
 * Poll progress until the workflow closes (or `signal` aborts); `onProgress` is called when the
 * progress changes. Returns the last description: its status tells how the run ended.
 */
export async function watchProgress(
  client: TemporalClientLike,
  workflowId: string,
  onProgress: (progress: Progress, run: RunDescription) => void,
  options: WatchOptions = {},
): Promise<RunDescription> {
  const intervalMs = options.intervalMs ?? 1_000;
  let last = '';
  for (;;) {
    const run = await describeRun(client, workflowId, { queryTimeoutMs: options.queryTimeoutMs });
    if (run.progress) {
      const key = canonicalJson(run.progress);
      if (key !== last) {
        last = key;
        onProgress(run.progress, run);
      }
    }
    if (run.status !== 'RUNNING' || options.signal?.aborted) return run;
    await sleep(intervalMs, options.signal);
    if (options.signal?.aborted) return run;
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * The workflow id an entity id or workflow id denotes, checked against the server: tries the
 * likely reading first (see resolveWorkflowId) and falls back to the other. Throws
 * WorkflowNotFoundError when neither exists.
 */
export async function locateWorkflowId(client: TemporalClientLike, kind: ClientWorkflowKind, idOrWorkflowId: string): Promise<string> {
  const candidates = workflowIdCandidates(kind, idOrWorkflowId);
  for (const workflowId of candidates) {
    try {
      await client.workflow.getHandle(workflowId).describe();
      return workflowId;
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }
  throw new WorkflowNotFoundError(`no ${kind} workflow for "${idOrWorkflowId}" (tried ${candidates.join(', ')})`, candidates[0], undefined);
}

// ---------------------------------------------------------------------------------------------

/** The same API bound to one client, for callers that prefer an object (and for the CLI). */
export interface FaultlineApi {
  startDatasetGeneration(request: StartDatasetRequest): Promise<StartedRun>;
  startTraining(request: StartTrainingRequest): Promise<StartedRun>;
  getProgress(workflowId: string, options?: { timeoutMs?: number }): Promise<Progress>;
  describeRun(workflowId: string, options?: DescribeOptions): Promise<RunDescription>;
  cancelRun(workflowId: string): Promise<void>;
  stopRun(workflowId: string, reason?: string): Promise<void>;
  getResult<T>(workflowId: string): Promise<T>;
  watchProgress(workflowId: string, onProgress: (progress: Progress, run: RunDescription) => void, options?: WatchOptions): Promise<RunDescription>;
  locateWorkflowId(kind: ClientWorkflowKind, idOrWorkflowId: string): Promise<string>;
}

export function createFaultlineApi(client: TemporalClientLike): FaultlineApi {
  return {
    startDatasetGeneration: (request) => startDatasetGeneration(client, request),
    startTraining: (request) => startTraining(client, request),
    getProgress: (workflowId, options) => getProgress(client, workflowId, options),
    describeRun: (workflowId, options) => describeRun(client, workflowId, options),
    cancelRun: (workflowId) => cancelRun(client, workflowId),
    stopRun: (workflowId, reason) => stopRun(client, workflowId, reason),
    getResult: <T>(workflowId: string) => getResult<T>(client, workflowId),
    watchProgress: (workflowId, onProgress, options) => watchProgress(client, workflowId, onProgress, options),
    locateWorkflowId: (kind, id) => locateWorkflowId(client, kind, id),
  };
}
