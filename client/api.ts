import {
  isGrpcDeadlineError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowExecutionStatusName,
} from '@temporalio/client';
import { defaultPayloadConverter, type SearchAttributePair } from '@temporalio/common';
import {
  canonicalJson,
  datasetSummary,
  ExplainSignalsInputSchema,
  GenerateDatasetInputSchema,
  HpoCampaignInputObjectSchema,
  HpoCampaignInputSchema,
  HpoCampaignUpdateSchema,
  InputValidationError,
  NasCampaignInputObjectSchema,
  hpoStaticDetails,
  hpoSummary,
  NasCampaignInputSchema,
  NasCampaignUpdateSchema,
  nasStaticDetails,
  nasSummary,
  parseInput,
  PROGRESS_MEMO_KEY,
  progressQuery,
  ProgressSchema,
  SEARCH_ATTRIBUTES,
  stopSignal,
  TrainModelInputSchema,
  trainingSummary,
  updateCampaignUpdate,
  updateNasCampaignUpdate,
  WORKFLOW_TASK_QUEUE,
  workflowIds,
  xaiSummary,
  type EvaluateErrorsRequest,
  type EvaluateRocRequest,
  type ExplainSignalsInput,
  type ExplainSignalsRequest,
  type ExplainSignalsResult,
  type GenerateDatasetInput,
  type GenerateDatasetRequest,
  type GenerateDatasetResult,
  type HpoCampaignInput,
  type HpoCampaignRequest,
  type HpoCampaignResult,
  type HpoCampaignUpdate,
  type HpoCampaignUpdateResult,
  type NasCampaignInput,
  type NasCampaignRequest,
  type NasCampaignResult,
  type NasCampaignUpdate,
  type NasCampaignUpdateResult,
  type Progress,
  type ProgressMemo,
  type TrainModelInput,
  type TrainModelRequest,
  type TrainModelResult,
} from '../contracts/index.js';
import { ProgressUnavailableError, UpdateRejectedError, WorkflowRunFailedError } from './errors.js';
import { deriveCampaignId, deriveDatasetId, deriveExperimentId, deriveNasCampaignId, deriveXaiBatchId } from './ids.js';
import { startComparison, startErrorsEvaluation, startRocEvaluation, type StartComparisonRequest } from './eval.js';
import { WORKFLOW_KINDS, workflowIdCandidates, type ClientWorkflowKind } from './workflow-kinds.js';

/**
 * The typed API the dashboard backend uses. Every function takes the Temporal client first, so
 * the caller owns the connection (one per process) and these stay plain, testable functions.
 * Only `client.workflow` is used, so a bare WorkflowClient wrapped as `{ workflow }` works too.
 */
export type TemporalClientLike = Pick<Client, 'workflow'>;

/**
 * A dataset request whose id may be left out (it is then derived from the config's content) and
 * whose config may be left out (every simulator setting then takes the contract's default).
 */
export type StartDatasetRequest = Omit<GenerateDatasetRequest, 'datasetId' | 'config'> & {
  datasetId?: string;
  config?: GenerateDatasetRequest['config'];
};
/** A training request whose id may be left out: it is then derived from data + hyperparameters. */
export type StartTrainingRequest = Omit<TrainModelRequest, 'experimentId'> & { experimentId?: string };

/** A campaign request whose id may be left out: it is then derived from the whole input (`c-<hash>`). */
export type StartHpoRequest = Omit<HpoCampaignRequest, 'campaignId'> & { campaignId?: string };

/** A NAS campaign request whose id may be left out: it is then derived from the whole input (`n-<hash>`). */
export type StartNasRequest = Omit<NasCampaignRequest, 'campaignId'> & { campaignId?: string };

/** A batch-XAI request whose id may be left out: it is then derived from the whole input (`x-<hash>`). */
export type StartXaiRequest = Omit<ExplainSignalsRequest, 'batchId'> & { batchId?: string };

export interface StartedRun {
  workflowId: string;
  runId: string;
  /** datasetId, experimentId, campaignId or batchId (given or derived). */
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

// ---------------------------------------------------------------------------------------------
// Input preparation: pure, no I/O. Validation happens here, before anything is sent.

/** Validate a dataset request and fill in its id; throws InputValidationError naming the field. */
export function prepareDatasetInput(request: StartDatasetRequest): GenerateDatasetInput {
  const what = `${WORKFLOW_KINDS.dataset.workflowType} input`;
  // The workflow's contract requires `config` (other-language callers send one); here a missing
  // one means "all defaults", so `faultline dataset start` with no flags simulates the default set.
  // Only an absent config: null is no config at all, and is refused naming the field.
  const withConfig = { ...request, config: request.config === undefined ? {} : request.config };
  const withOptionalId = parseInput(GenerateDatasetInputSchema.partial({ datasetId: true }), withConfig, what);
  const datasetId = withOptionalId.datasetId ?? deriveDatasetId(withOptionalId.config);
  return parseInput(GenerateDatasetInputSchema, { ...withOptionalId, datasetId }, what);
}

/** Validate a training request and fill in its id; throws InputValidationError naming the field. */
export function prepareTrainingInput(request: StartTrainingRequest): TrainModelInput {
  const what = `${WORKFLOW_KINDS.train.workflowType} input`;
  const withOptionalId = parseInput(TrainModelInputSchema.partial({ experimentId: true }), request, what);
  if (withOptionalId.campaign) {
    // Only a campaign workflow links its own trials; the workflow refuses a link from anyone else.
    throw new InputValidationError(what, [
      { path: 'campaign', message: 'is set by HPO/NAS campaigns for their own trials; a run started here is standalone, leave it out', value: withOptionalId.campaign },
    ]);
  }
  const experimentId = withOptionalId.experimentId ?? deriveExperimentId(withOptionalId);
  return parseInput(TrainModelInputSchema, { ...withOptionalId, experimentId }, what);
}

/**
 * Validate a campaign request and fill in its id; throws InputValidationError naming the field
 * (a bad space as `space.<param>.<field>`, with the other bad fields in the same error). The
 * space is sent normalised (defaults filled in), so the derived id and the workflow's input
 * describe exactly the same campaign.
 */
export function prepareHpoInput(request: StartHpoRequest): HpoCampaignInput {
  const what = `${WORKFLOW_KINDS.hpo.workflowType} input`;
  const withOptionalId = parseInput(HpoCampaignInputObjectSchema.partial({ campaignId: true }), request, what);
  const campaignId = withOptionalId.campaignId ?? deriveCampaignId(withOptionalId);
  return parseInput(HpoCampaignInputSchema, { ...withOptionalId, campaignId }, what);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Validate a campaign update (at least one limit, each in range); throws InputValidationError. */
export function prepareCampaignUpdate(update: HpoCampaignUpdate): HpoCampaignUpdate {
  return parseInput(HpoCampaignUpdateSchema, update, `${updateCampaignUpdate.name} update`);
}

/**
 * Validate a NAS campaign request and fill in its id; throws InputValidationError naming the
 * field (the shared `training` settings are checked against the training contract by the
 * schema itself, named `training.<field>`). The id is derived from the parsed input, defaults
 * applied, so the same campaign spelled two ways gets one id.
 */
export function prepareNasInput(request: StartNasRequest): NasCampaignInput {
  const what = `${WORKFLOW_KINDS.nas.workflowType} input`;
  const withOptionalId = parseInput(NasCampaignInputObjectSchema.partial({ campaignId: true }), request, what);
  const campaignId = withOptionalId.campaignId ?? deriveNasCampaignId(withOptionalId);
  return parseInput(NasCampaignInputSchema, { ...withOptionalId, campaignId }, what);
}

/** Validate a NAS campaign update (at least one limit, each in range); throws InputValidationError. */
export function prepareNasCampaignUpdate(update: NasCampaignUpdate): NasCampaignUpdate {
  return parseInput(NasCampaignUpdateSchema, update, `${updateNasCampaignUpdate.name} update`);
}

/**
 * Validate a batch-XAI request and fill in its id; throws InputValidationError naming the field
 * and the value (`selection.ids.1`, `methods` for an unknown method key, `maxInFlight`). The id is
 * derived from the parsed input, defaults applied (`x-<hash>`), so the same batch spelled two
 * ways gets one id — and one workflow, `xai-x-<hash>`.
 */
export function prepareXaiInput(request: StartXaiRequest): ExplainSignalsInput {
  const what = `${WORKFLOW_KINDS.xai.workflowType} input`;
  const withOptionalId = parseInput(ExplainSignalsInputSchema.partial({ batchId: true }), request, what);
  const batchId = withOptionalId.batchId ?? deriveXaiBatchId(withOptionalId);
  return parseInput(ExplainSignalsInputSchema, { ...withOptionalId, batchId }, what);
}

// ---------------------------------------------------------------------------------------------
// Starting

/** Start (or find) the dataset generation for `request`. The same request twice runs once. */
export async function startDatasetGeneration(client: TemporalClientLike, request: StartDatasetRequest): Promise<StartedRun> {
  const input = prepareDatasetInput(request);
  return startRun(client, 'dataset', input.datasetId, input, { staticSummary: datasetSummary(input) }, [
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
  return startRun(client, 'train', input.experimentId, input, { staticSummary: trainingSummary(input) }, attributes);
}

/**
 * Start (or find) the HPO campaign for `request`. The same request twice runs once; with no
 * `campaignId` the id is derived from the whole (parsed) request, so a repeated command attaches
 * to the campaign it already started.
 */
export async function startHpoCampaign(client: TemporalClientLike, request: StartHpoRequest): Promise<StartedRun> {
  const input = prepareHpoInput(request);
  return startRun(client, 'hpo', input.campaignId, input, { staticSummary: hpoSummary(input), staticDetails: hpoStaticDetails(input) }, [
    { key: SEARCH_ATTRIBUTES.kind, value: WORKFLOW_KINDS.hpo.searchKind },
    { key: SEARCH_ATTRIBUTES.campaignId, value: input.campaignId },
    { key: SEARCH_ATTRIBUTES.datasetId, value: input.datasetId },
    { key: SEARCH_ATTRIBUTES.status, value: 'RUNNING' },
  ]);
}

/**
 * Start (or find) the NAS campaign for `request`. The same request twice runs once; with no
 * `campaignId` the id is derived from the whole (parsed) request (`n-<hash>`, workflow
 * `nas-n-<hash>`), so a repeated command attaches to the campaign it already started.
 */
export async function startNasCampaign(client: TemporalClientLike, request: StartNasRequest): Promise<StartedRun> {
  const input = prepareNasInput(request);
  return startRun(client, 'nas', input.campaignId, input, { staticSummary: nasSummary(input), staticDetails: nasStaticDetails(input) }, [
    { key: SEARCH_ATTRIBUTES.kind, value: WORKFLOW_KINDS.nas.searchKind },
    { key: SEARCH_ATTRIBUTES.campaignId, value: input.campaignId },
    { key: SEARCH_ATTRIBUTES.datasetId, value: input.datasetId },
    { key: SEARCH_ATTRIBUTES.status, value: 'RUNNING' },
  ]);
}

/**
 * Start (or find) the batch-XAI workflow for `request`. The same request twice runs once; with no
 * `batchId` the id is derived from the whole (parsed) request (`x-<hash>`, workflow `xai-x-<hash>`).
 * Search attributes: kind `xai`, the model as FaultlineExperimentId (a model is a trained
 * experiment's id), and FaultlineDatasetId when the selection is a dataset.
 */
export async function startXaiBatch(client: TemporalClientLike, request: StartXaiRequest): Promise<StartedRun> {
  const input = prepareXaiInput(request);
  const attributes: SearchAttributePair[] = [
    { key: SEARCH_ATTRIBUTES.kind, value: WORKFLOW_KINDS.xai.searchKind },
    { key: SEARCH_ATTRIBUTES.experimentId, value: input.modelId },
  ];
  if (input.selection.kind === 'dataset') attributes.push({ key: SEARCH_ATTRIBUTES.datasetId, value: input.selection.datasetId });
  attributes.push({ key: SEARCH_ATTRIBUTES.status, value: 'RUNNING' });
  return startRun(client, 'xai', input.batchId, input, { staticSummary: xaiSummary(input) }, attributes);
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
  input: GenerateDatasetInput | TrainModelInput | HpoCampaignInput | NasCampaignInput | ExplainSignalsInput,
  metadata: { staticSummary: string; staticDetails?: string },
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
      // The run's title in the Web UI's list and page, and in `temporal workflow describe`;
      // campaigns add their space and budgets as static details (the Web UI's "Details").
      ...metadata,
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
  if (typeof phase !== 'string' || typeof details !== 'string' || typeof completed !== 'number' || typeof total !== 'number' || typeof fraction !== 'number') return undefined;
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
export async function getNasCandidateArchitecture(
  client: TemporalClientLike,
  campaignId: string,
  candidate: number,
  experimentId?: string,
): Promise<unknown> {
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

// ---------------------------------------------------------------------------------------------

/** The same API bound to one client, for callers that prefer an object (and for the CLI). */
export interface FaultlineApi {
  startDatasetGeneration(request: StartDatasetRequest): Promise<StartedRun>;
  startTraining(request: StartTrainingRequest): Promise<StartedRun>;
  startHpoCampaign(request: StartHpoRequest): Promise<StartedRun>;
  updateCampaign(workflowId: string, update: HpoCampaignUpdate): Promise<HpoCampaignUpdateResult>;
  startNasCampaign(request: StartNasRequest): Promise<StartedRun>;
  updateNasCampaign(workflowId: string, update: NasCampaignUpdate): Promise<NasCampaignUpdateResult>;
  getNasCandidateArchitecture(campaignId: string, candidate: number, experimentId?: string): Promise<unknown>;
  /** Batch XAI; progress, stop, cancel and result are the generic ones. */
  startXaiBatch(request: StartXaiRequest): Promise<StartedRun>;
  /** Evaluations (client/eval.ts); results are read with getResult. */
  startRocEvaluation(request: EvaluateRocRequest): Promise<StartedRun>;
  startErrorsEvaluation(request: EvaluateErrorsRequest): Promise<StartedRun>;
  startComparison(request: StartComparisonRequest): Promise<StartedRun>;
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
    startHpoCampaign: (request) => startHpoCampaign(client, request),
    updateCampaign: (workflowId, update) => updateCampaign(client, workflowId, update),
    startNasCampaign: (request) => startNasCampaign(client, request),
    updateNasCampaign: (workflowId, update) => updateNasCampaign(client, workflowId, update),
    getNasCandidateArchitecture: (campaignId, candidate, experimentId) => getNasCandidateArchitecture(client, campaignId, candidate, experimentId),
    startXaiBatch: (request) => startXaiBatch(client, request),
    startRocEvaluation: (request) => startRocEvaluation(client, request),
    startErrorsEvaluation: (request) => startErrorsEvaluation(client, request),
    startComparison: (request) => startComparison(client, request),
    getProgress: (workflowId, options) => getProgress(client, workflowId, options),
    describeRun: (workflowId, options) => describeRun(client, workflowId, options),
    cancelRun: (workflowId) => cancelRun(client, workflowId),
    stopRun: (workflowId, reason) => stopRun(client, workflowId, reason),
    getResult: <T>(workflowId: string) => getResult<T>(client, workflowId),
    watchProgress: (workflowId, onProgress, options) => watchProgress(client, workflowId, onProgress, options),
    locateWorkflowId: (kind, id) => locateWorkflowId(client, kind, id),
  };
}
