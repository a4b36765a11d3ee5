/** Reading and controlling runs: progress, description, cancel, stop, updates, results, watching. */
import {
  isGrpcDeadlineError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type WorkflowExecutionStatusName,
} from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import {
  canonicalJson,
  parseInput,
  PROGRESS_MEMO_KEY,
  progressQuery,
  ProgressSchema,
  stopSignal,
  updateCampaignUpdate,
  updateNasCampaignUpdate,
  workflowIds,
  type ExplainSignalsResult,
  type GenerateDatasetResult,
  type HpoCampaignResult,
  type HpoCampaignUpdate,
  type HpoCampaignUpdateResult,
  type NasCampaignResult,
  type NasCampaignUpdate,
  type NasCampaignUpdateResult,
  type Progress,
  type ProgressMemo,
  type TrainModelResult,
} from '../contracts/index.js';
import { ProgressUnavailableError, UpdateRejectedError, WorkflowRunFailedError } from './errors.js';
import { workflowIdCandidates, type ClientWorkflowKind } from './workflow-kinds.js';
import { prepareCampaignUpdate, prepareNasCampaignUpdate } from './prepare.js';
import type { TemporalClientLike } from './types.js';

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
  /** The run's static summary (what it is), as the Web UI shows it; set at start. */
  summary?: string;
  /**
   * The progress the run last stored in its `progress` memo (refreshed every tenth of the work
   * and at every phase): read from the server, so present without a worker.
   */
  progressMemo?: ProgressMemo;
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
  const summary = await d.staticSummary();
  if (summary !== undefined) description.summary = summary;
  const memo = progressMemoOf(d.memo);
  if (memo) description.progressMemo = memo;
  if (options.progress === false) return description;
  try {
    description.progress = await getProgress(client, workflowId, { timeoutMs: options.queryTimeoutMs ?? DESCRIBE_QUERY_TIMEOUT_MS });
  } catch {
    // Progress is optional here by contract: no worker, an old run, or a busy worker must not
    // hide the status, which the server alone knows.
  }
  return description;
}

/** The `progress` memo, when the run wrote one of the expected shape (older runs did not). */
function progressMemoOf(memo: Record<string, unknown> | undefined): ProgressMemo | undefined {
  const m = memo?.[PROGRESS_MEMO_KEY];
  if (!isPlainObject(m)) return undefined;
  const { phase, completed, total, fraction, details } = m;
  if (typeof phase !== 'string' || typeof details !== 'string' || typeof completed !== 'number' || typeof total !== 'number' || typeof fraction !== 'number')
    return undefined;
  return { phase, completed, total, fraction, details };
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
 * Change the trial budget and/or the concurrency of a running campaign (Temporal update
 * `updateCampaign`); returns the limits now in force. The update is validated here before it is
 * sent, and again by the workflow's validator (which also knows the campaign's state, e.g. a
 * budget below the trials already started): a rejection throws UpdateRejectedError carrying the
 * workflow's message.
 */
export async function updateCampaign(client: TemporalClientLike, workflowId: string, update: HpoCampaignUpdate): Promise<HpoCampaignUpdateResult> {
  const checked = prepareCampaignUpdate(update);
  try {
    return await client.workflow.getHandle(workflowId).executeUpdate(updateCampaignUpdate, { args: [checked] });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw UpdateRejectedError.from(workflowId, updateCampaignUpdate.name, err);
    throw err;
  }
}

/**
 * Change the candidate budget and/or the concurrency of a running NAS campaign (Temporal update
 * `updateNasCampaign`); returns the limits now in force. Validated here before it is sent and
 * again by the workflow (e.g. a budget below the candidates already started): a rejection
 * throws UpdateRejectedError carrying the workflow's message.
 */
export async function updateNasCampaign(client: TemporalClientLike, workflowId: string, update: NasCampaignUpdate): Promise<NasCampaignUpdateResult> {
  const checked = prepareNasCampaignUpdate(update);
  try {
    return await client.workflow.getHandle(workflowId).executeUpdate(updateNasCampaignUpdate, { args: [checked] });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw UpdateRejectedError.from(workflowId, updateNasCampaignUpdate.name, err);
    throw err;
  }
}

/**
 * The architecture a NAS candidate was trained with, read from the start input of its child
 * `trainModelWorkflow` (`nas-<campaign>-cand-<n>[-attempt-<k>]`, the attempt taken from the
 * experiment id's `-a<k>` suffix) — the campaign result names candidates, not genomes. Undefined
 * when that run or its architecture cannot be found (e.g. history already deleted by retention).
 */
export async function getNasCandidateArchitecture(client: TemporalClientLike, campaignId: string, candidate: number, experimentId?: string): Promise<unknown> {
  const attempt = Number(/-a(\d+)$/.exec(experimentId ?? '')?.[1] ?? 1);
  const workflowId = workflowIds.nasCandidate(campaignId, candidate, attempt);
  let history;
  try {
    history = await client.workflow.getHandle(workflowId).fetchHistory();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
  const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!payload) return undefined;
  const input: unknown = defaultPayloadConverter.fromPayload(payload);
  const hyperparameters = isPlainObject(input) ? input.hyperparameters : undefined;
  return isPlainObject(hyperparameters) ? hyperparameters.architecture : undefined;
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
export const getHpoResult = (client: TemporalClientLike, workflowId: string) => getResult<HpoCampaignResult>(client, workflowId);
export const getNasResult = (client: TemporalClientLike, workflowId: string) => getResult<NasCampaignResult>(client, workflowId);
export const getXaiResult = (client: TemporalClientLike, workflowId: string) => getResult<ExplainSignalsResult>(client, workflowId);

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

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
