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
  getProgress,
  getResult,
  getTrainingResult,
  locateWorkflowId,
  prepareDatasetInput,
  prepareTrainingInput,
  startDatasetGeneration,
  startTraining,
  stopRun,
  watchProgress,
  type DescribeOptions,
  type FaultlineApi,
  type RunDescription,
  type StartDatasetRequest,
  type StartedRun,
  type StartTrainingRequest,
  type TemporalClientLike,
  type WatchOptions,
} from './api.js';
export { deriveDatasetId, deriveExperimentId, type ExperimentIdentity } from './ids.js';
export { isUnreachableError, ProgressUnavailableError, TemporalUnreachableError, WorkflowRunFailedError, type ClosedFailureStatus } from './errors.js';
export { CLIENT_WORKFLOW_KINDS, resolveWorkflowId, WORKFLOW_KINDS, workflowIdCandidates, workflowIdPrefix, type ClientWorkflowKind } from './workflow-kinds.js';
// The contract types a caller needs to build requests and read results, from one import.
export { InputValidationError, WORKFLOW_TASK_QUEUE } from '../contracts/index.js';
export type { GenerateDatasetInput, GenerateDatasetResult, Progress, TrainModelInput, TrainModelResult } from '../contracts/index.js';
