/** Starting runs: idempotent starts with the run's search attributes and static summary. */
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import {
  datasetSummary,
  hpoStaticDetails,
  hpoSummary,
  importSummary,
  nasStaticDetails,
  nasSummary,
  SEARCH_ATTRIBUTES,
  trainingSummary,
  WORKFLOW_TASK_QUEUE,
  xaiSummary,
  type ExplainSignalsInput,
  type GenerateDatasetInput,
  type HpoCampaignInput,
  type ImportMatDatasetInput,
  type NasCampaignInput,
  type TrainModelInput,
} from '../contracts/index.js';
import { WORKFLOW_KINDS, type ClientWorkflowKind } from './workflow-kinds.js';
import {
  prepareDatasetInput,
  prepareHpoInput,
  prepareNasInput,
  prepareTrainingInput,
  prepareXaiInput,
  type StartDatasetRequest,
  type StartHpoRequest,
  type StartNasRequest,
  type StartTrainingRequest,
  type StartXaiRequest,
} from './prepare.js';
import { prepareImportInput, type StartImportRequest } from './import.js';
import type { StartedRun, TemporalClientLike } from './types.js';

/** Start (or find) the dataset generation for `request`. The same request twice runs once. */
export async function startDatasetGeneration(client: TemporalClientLike, request: StartDatasetRequest): Promise<StartedRun> {
  const input = prepareDatasetInput(request);
  return startRun(client, 'dataset', input.datasetId, input, { staticSummary: datasetSummary(input) }, [
    { key: SEARCH_ATTRIBUTES.datasetId, value: input.datasetId },
  ]);
}

/** Start (or find) the training run for `request`. The same request twice runs once. */
export async function startTraining(client: TemporalClientLike, request: StartTrainingRequest): Promise<StartedRun> {
  const input = prepareTrainingInput(request);
  const attributes: SearchAttributePair[] = [
    { key: SEARCH_ATTRIBUTES.experimentId, value: input.experimentId },
    { key: SEARCH_ATTRIBUTES.datasetId, value: input.datasetId },
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
    { key: SEARCH_ATTRIBUTES.campaignId, value: input.campaignId },
    { key: SEARCH_ATTRIBUTES.datasetId, value: input.datasetId },
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
    { key: SEARCH_ATTRIBUTES.campaignId, value: input.campaignId },
    { key: SEARCH_ATTRIBUTES.datasetId, value: input.datasetId },
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
  const attributes: SearchAttributePair[] = [{ key: SEARCH_ATTRIBUTES.experimentId, value: input.modelId }];
  if (input.selection.kind === 'dataset') attributes.push({ key: SEARCH_ATTRIBUTES.datasetId, value: input.selection.datasetId });
  return startRun(client, 'xai', input.batchId, input, { staticSummary: xaiSummary(input) }, attributes);
}

/** Start (or find) the MAT import for `request` (`import-<datasetId>`); the same files twice import once. */
export async function startImport(client: TemporalClientLike, request: StartImportRequest): Promise<StartedRun> {
  const input = prepareImportInput(request);
  return startRun(client, 'import', input.datasetId, input, { staticSummary: importSummary(input) }, [
    { key: SEARCH_ATTRIBUTES.datasetId, value: input.datasetId },
  ]);
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
  input: GenerateDatasetInput | TrainModelInput | HpoCampaignInput | NasCampaignInput | ExplainSignalsInput | ImportMatDatasetInput,
  metadata: { staticSummary: string; staticDetails?: string },
  typedSearchAttributes: SearchAttributePair[],
): Promise<StartedRun> {
  const { workflowType, workflowId: toWorkflowId, searchKind } = WORKFLOW_KINDS[kind];
  return startIdempotent(client, {
    workflowType,
    workflowId: toWorkflowId(entityId),
    entityId,
    input,
    ...metadata,
    typedSearchAttributes: [{ key: SEARCH_ATTRIBUTES.kind, value: searchKind }, ...typedSearchAttributes],
  });
}

/** The idempotent start every kind uses (startRun above; evaluations in client/eval.ts). */
export async function startIdempotent(
  client: TemporalClientLike,
  o: {
    workflowType: string;
    workflowId: string;
    entityId: string;
    input: unknown;
    staticSummary: string;
    staticDetails?: string;
    typedSearchAttributes: SearchAttributePair[];
  },
): Promise<StartedRun> {
  const { workflowType, workflowId, entityId } = o;
  // Every run is RUNNING from its start; the workflow sets the final status on every exit.
  const typedSearchAttributes = [...o.typedSearchAttributes, { key: SEARCH_ATTRIBUTES.status, value: 'RUNNING' }];
  const runningBefore = await runningRunId(client, workflowId);
  try {
    const handle = await client.workflow.start(workflowType, {
      args: [o.input],
      taskQueue: WORKFLOW_TASK_QUEUE,
      workflowId,
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
      typedSearchAttributes,
      // The run's title in the Web UI's list and page, and in `temporal workflow describe`;
      // campaigns add their space and budgets as static details (the Web UI's "Details").
      staticSummary: o.staticSummary,
      ...(o.staticDetails !== undefined ? { staticDetails: o.staticDetails } : {}),
    });
    return { workflowId, runId: handle.firstExecutionRunId, entityId, alreadyExisted: handle.firstExecutionRunId === runningBefore };
  } catch (err) {
    // A completed run of the same id is final: the same request attaches to it.
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
