/**
 * The typed API the dashboard backend uses (the CLI, tests and benches too): input preparation
 * (prepare.ts), starts (start.ts), reading and controlling runs (runs.ts), evaluations (eval.ts),
 * and the same functions bound to one client (FaultlineApi). Every function takes the Temporal
 * client first, so the caller owns the connection (one per process).
 */
import type { Client } from '@temporalio/client';
import type { RetentionInput } from '../contracts/index.js';
import { startComparison, startErrorsEvaluation, startRocEvaluation, type StartComparisonRequest } from './eval.js';
import {
  startFeatureAnalysis,
  startFeatureBaseline,
  startFeatureExtraction,
  type StartFeatureAnalysisRequest,
  type StartFeatureBaselineRequest,
  type StartFeaturesRequest,
} from './features.js';
import { startDeployment, type StartDeploymentRequest } from './deploy.js';
import {
  startBenchmarks,
  startQualityChecks,
  startTestSuite,
  type StartBenchmarksRequest,
  type StartQualityChecksRequest,
  type StartTestSuiteRequest,
} from './verify.js';
import { deleteRetentionSchedule, scheduleRetention, startRetention, type RetentionScheduleRequest, type RetentionScheduleState } from './retention.js';
import type {
  EvaluateErrorsRequest,
  EvaluateRocRequest,
  HpoCampaignUpdate,
  HpoCampaignUpdateResult,
  NasCampaignUpdate,
  NasCampaignUpdateResult,
  Progress,
} from '../contracts/index.js';
import type { StartDatasetRequest, StartHpoRequest, StartNasRequest, StartTrainingRequest, StartXaiRequest } from './prepare.js';
import {
  cancelRun,
  describeRun,
  getNasCandidateArchitecture,
  getProgress,
  getResult,
  locateWorkflowId,
  stopRun,
  updateCampaign,
  updateNasCampaign,
  watchProgress,
  type DescribeOptions,
  type RunDescription,
  type WatchOptions,
} from './runs.js';
import type { StartImportRequest } from './import.js';
import { startDatasetGeneration, startHpoCampaign, startImport, startNasCampaign, startTraining, startXaiBatch } from './start.js';
import type { StartedRun, TemporalClientLike } from './types.js';
import type { ClientWorkflowKind } from './workflow-kinds.js';

export * from './types.js';
export * from './prepare.js';
export * from './start.js';
export * from './runs.js';
export * from './retention.js';

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
  /** MAT import (`import-<datasetId>`); progress, stop, cancel and result are the generic ones. */
  startImport(request: StartImportRequest): Promise<StartedRun>;
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
  /** Retention (client/retention.ts): one run now, or the `faultline-retention` Schedule. */
  startRetention(input: RetentionInput, id?: string): Promise<StartedRun>;
  scheduleRetention(request: RetentionScheduleRequest): Promise<RetentionScheduleState>;
  deleteRetentionSchedule(): Promise<boolean>;
  /** Feature extraction and analyses (client/features.ts); results are read with getResult. */
  startFeatureExtraction(request: StartFeaturesRequest): Promise<StartedRun>;
  startFeatureAnalysis(request: StartFeatureAnalysisRequest): Promise<StartedRun>;
  /** The classical baseline on a CNN experiment's split (mode `baseline` of the analysis workflow). */
  startFeatureBaseline(request: StartFeatureBaselineRequest): Promise<StartedRun>;
  /** Deployment saga (client/deploy.ts); results are read with getResult. */
  startDeployment(request: StartDeploymentRequest): Promise<StartedRun>;
  /** A sandboxed run of the project's tests (client/verify.ts). */
  startTestSuite(input: StartTestSuiteRequest): Promise<StartedRun>;
  /** Sandboxed tsc, eslint and prettier --check over a path (client/verify.ts). */
  startQualityChecks(input: StartQualityChecksRequest): Promise<StartedRun>;
  /** Sandboxed benchmarks, compared with their last stored run (client/verify.ts). */
  startBenchmarks(input: StartBenchmarksRequest): Promise<StartedRun>;
}

export function createFaultlineApi(client: TemporalClientLike & Partial<Pick<Client, 'schedule'>>): FaultlineApi {
  const schedules = (): Pick<Client, 'schedule'> => {
    if (!client.schedule) throw new Error('schedules need a full Temporal Client (this one has only workflow)');
    return { schedule: client.schedule };
  };
  return {
    startDatasetGeneration: (request) => startDatasetGeneration(client, request),
    startTraining: (request) => startTraining(client, request),
    startHpoCampaign: (request) => startHpoCampaign(client, request),
    updateCampaign: (workflowId, update) => updateCampaign(client, workflowId, update),
    startNasCampaign: (request) => startNasCampaign(client, request),
    updateNasCampaign: (workflowId, update) => updateNasCampaign(client, workflowId, update),
    getNasCandidateArchitecture: (campaignId, candidate, experimentId) => getNasCandidateArchitecture(client, campaignId, candidate, experimentId),
    startXaiBatch: (request) => startXaiBatch(client, request),
    startImport: (request) => startImport(client, request),
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
    startRetention: (input, id) => startRetention(client, input, id),
    scheduleRetention: (request) => scheduleRetention(schedules(), request),
    deleteRetentionSchedule: () => deleteRetentionSchedule(schedules()),
    startFeatureExtraction: (request) => startFeatureExtraction(client, request),
    startFeatureAnalysis: (request) => startFeatureAnalysis(client, request),
    startFeatureBaseline: (request) => startFeatureBaseline(client, request),
    startDeployment: (request) => startDeployment(client, request),
    startTestSuite: (input) => startTestSuite(client, input),
    startQualityChecks: (input) => startQualityChecks(client, input),
    startBenchmarks: (input) => startBenchmarks(client, input),
  };
}
export * from './verify.js';
