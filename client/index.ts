/**
 * What a TypeScript dashboard backend imports:
 *
 *   import { connectClient } from '../temporal-config/connection.js';
 *   import { startTraining, watchProgress } from '../client/index.js';
 *
 * Backends in other languages use contracts/json-schema/ instead (same workflows, by name).
 */
export {
  cancelRun,
  createFaultlineApi,
  describeRun,
  getDatasetResult,
  getHpoResult,
  getNasCandidateArchitecture,
  getNasResult,
  getProgress,
  getResult,
  getTrainingResult,
  getXaiResult,
  locateWorkflowId,
  prepareCampaignUpdate,
  prepareDatasetInput,
  prepareHpoInput,
  prepareNasCampaignUpdate,
  prepareNasInput,
  prepareTrainingInput,
  prepareXaiInput,
  startDatasetGeneration,
  startHpoCampaign,
  startNasCampaign,
  startTraining,
  startImport,
  startXaiBatch,
  stopRun,
  updateCampaign,
  updateNasCampaign,
  watchProgress,
  type DescribeOptions,
  type FaultlineApi,
  type RunDescription,
  type StartDatasetRequest,
  type StartedRun,
  type StartHpoRequest,
  type StartNasRequest,
  type StartTrainingRequest,
  type StartXaiRequest,
  type TemporalClientLike,
  type WatchOptions,
} from './api.js';
export {
  DatasetNotResolvedError,
  deriveComparisonId,
  experimentDataset,
  prepareComparisonInput,
  prepareErrorsInput,
  prepareRocInput,
  startComparison,
  startErrorsEvaluation,
  startRocEvaluation,
  type StartComparisonRequest,
} from './eval.js';
export { deriveCampaignId, deriveDatasetId, deriveExperimentId, deriveNasCampaignId, deriveXaiBatchId, type ExperimentIdentity } from './ids.js';
export { artifactFilePath } from './artifact-path.js';
export {
  isUnreachableError,
  ProgressUnavailableError,
  TemporalUnreachableError,
  UpdateRejectedError,
  WorkflowRunFailedError,
  type ClosedFailureStatus,
} from './errors.js';
export { CLIENT_WORKFLOW_KINDS, resolveWorkflowId, WORKFLOW_KINDS, workflowIdCandidates, workflowIdPrefix, type ClientWorkflowKind } from './workflow-kinds.js';
// The contract types a caller needs to build requests and read results, from one import.
export { InputValidationError, WORKFLOW_TASK_QUEUE, XAI_METHODS } from '../contracts/index.js';
export type {
  CompareExperimentsRequest,
  CompareExperimentsResult,
  EvaluateErrorsRequest,
  EvaluateErrorsResult,
  EvaluateRocRequest,
  EvaluateRocResult,
  EvaluationResult,
  ExplainSignalsInput,
  ExplainSignalsRequest,
  ExplainSignalsResult,
  GenerateDatasetInput,
  GenerateDatasetResult,
  HpoCampaignInput,
  HpoCampaignRequest,
  HpoCampaignResult,
  HpoCampaignUpdate,
  HpoCampaignUpdateResult,
  NasCampaignRequest,
  NasCampaignResult,
  NasCampaignUpdate,
  NasCampaignUpdateResult,
  NasPoint,
  Progress,
  TrainModelInput,
  TrainModelResult,
  SignalRef,
  SignalSelection,
  XaiFailure,
  XaiMethod,
  XaiMethodsRequest,
} from '../contracts/index.js';
