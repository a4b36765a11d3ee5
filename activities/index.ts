import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { Config } from '../config/index.js';
import { openArtifactStore } from '../artifacts/open.js';
import { connect } from '../db/connect.js';
import { createNotifier } from '../notifications/notifier.js';
import { createControlActivities } from './control.js';
import { createDatasetActivities, type DatasetActivities } from './dataset.js';
import { createDeployActivities, type DeployActivities } from './deploy.js';
import { createEvalActivities, type EvalActivities } from './eval.js';
import { createFeatureActivities, createFeatureAnalysisActivities, type FeatureActivities, type FeatureAnalysisActivities } from './features.js';
import { createHpoActivities, type HpoActivities } from './hpo.js';
import { createImportActivities, type ImportActivities } from './import.js';
import { createNasActivities, type NasActivities } from './nas.js';
import { createRetentionActivities, type RetentionActivities } from './retention.js';
import type { ActivityDeps } from './deps.js';
import { createTrainingActivities, type TrainingActivities } from './training.js';
import { createVerifyActivities, type VerifyActivities } from './verify.js';
import { createXaiActivities, createXaiPool, type XaiActivities } from './xai.js';

export type { ActivityDeps } from './deps.js';
type HpoControl = Omit<HpoActivities, 'evaluateSyntheticObjective'>;
type HpoCpu = Pick<HpoActivities, 'evaluateSyntheticObjective'>;
type XaiCpu = Pick<XaiActivities, 'explainSignal'>;
type XaiControl = Omit<XaiActivities, 'explainSignal'>;
type ImportCpu = Pick<ImportActivities, 'importMatFile'>;
type ImportControl = Omit<ImportActivities, 'importMatFile'>;
type EvalCpuName = 'predictSplit' | 'analyzeRoc' | 'analyzeErrors' | 'analyzeComparison';
type EvalCpu = Pick<EvalActivities, EvalCpuName>;
type EvalControl = Omit<EvalActivities, EvalCpuName>;
type FeatureCpuName = 'extractFeatureChunk' | 'finishFeatureSet';
type FeatureCpu = Pick<FeatureActivities, FeatureCpuName>;
type FeatureControl = Omit<FeatureActivities, FeatureCpuName> & Pick<FeatureAnalysisActivities, 'markFeatureAnalysisEnded'>;
type FeatureAnalysisCpu = Pick<FeatureAnalysisActivities, 'analyzeFeatureSet'>;
type DeployTrainName = 'exportOnnxVersion' | 'optimizeOnnxVersion' | 'quantizeOnnxVersions' | 'validateOnnxVersions' | 'benchmarkOnnxVersions';
type DeployTrain = Pick<DeployActivities, DeployTrainName>;
type DeployControl = Omit<DeployActivities, DeployTrainName>;
type VerifyCpu = Pick<VerifyActivities, 'runTestSuite' | 'runQualityChecks'>;
type VerifyTrain = Pick<VerifyActivities, 'runBenchmarks'>;
type VerifyControl = Omit<VerifyActivities, 'runTestSuite' | 'runQualityChecks' | 'runBenchmarks'>;
export type ControlActivities = ReturnType<typeof createControlActivities> &
  HpoControl &
  NasActivities &
  XaiControl &
  ImportControl &
  EvalControl &
  FeatureControl &
  DeployControl &
  VerifyControl;
export type CpuActivities = DatasetActivities & HpoCpu & XaiCpu & ImportCpu & EvalCpu & RetentionActivities & FeatureCpu & FeatureAnalysisCpu & VerifyCpu;
export type TrainActivities = TrainingActivities & DeployTrain & VerifyTrain;

/** Activities grouped by the queue whose workers host them (DESIGN.md "Queues"). */
export interface ActivitiesByQueue {
  control: ControlActivities;
  cpu: CpuActivities;
  train: TrainActivities;
}

export function createActivities(deps: ActivityDeps): ActivitiesByQueue {
  const { evaluateSyntheticObjective, ...hpoControl } = createHpoActivities(deps);
  const { explainSignal, ...xaiControl } = createXaiActivities(deps);
  const { importMatFile, ...importControl } = createImportActivities(deps);
  const { predictSplit, analyzeRoc, analyzeErrors, analyzeComparison, ...evalControl } = createEvalActivities(deps);
  const { extractFeatureChunk, finishFeatureSet, ...featureControl } = createFeatureActivities(deps);
  const { analyzeFeatureSet, markFeatureAnalysisEnded } = createFeatureAnalysisActivities(deps);
  const { exportOnnxVersion, optimizeOnnxVersion, quantizeOnnxVersions, validateOnnxVersions, benchmarkOnnxVersions, ...deployControl } =
    createDeployActivities(deps);
  const { runTestSuite, runQualityChecks, runBenchmarks, ...verifyControl } = createVerifyActivities(deps);
  return {
    control: {
      ...createControlActivities(deps),
      ...hpoControl,
      ...createNasActivities(deps),
      ...xaiControl,
      ...importControl,
      ...evalControl,
      ...featureControl,
      markFeatureAnalysisEnded,
      ...deployControl,
      ...verifyControl,
    },
    cpu: {
      ...createDatasetActivities(deps),
      evaluateSyntheticObjective,
      explainSignal,
      importMatFile,
      predictSplit,
      analyzeRoc,
      analyzeErrors,
      analyzeComparison,
      ...createRetentionActivities(deps),
      extractFeatureChunk,
      finishFeatureSet,
      analyzeFeatureSet,
      runTestSuite,
      runQualityChecks,
    },
    train: {
      ...createTrainingActivities(deps),
      exportOnnxVersion,
      optimizeOnnxVersion,
      quantizeOnnxVersions,
      validateOnnxVersions,
      benchmarkOnnxVersions,
      runBenchmarks,
    },
  };
}

/** Build the real dependencies from configuration: database, artifact store, notifier. */
export async function createActivityDeps(config: Config, opts: { client: Client }): Promise<{ deps: ActivityDeps; close(): Promise<void> }> {
  const handle = await connect(config.database, { reconnect: { budgetMs: config.dbOutageSeconds * 1_000, onRetry: logReconnect } });
  const deps: ActivityDeps = {
    config,
    db: handle.db,
    artifacts: openArtifactStore(config.artifacts),
    notifier: createNotifier({ db: handle.db, dashboardUrl: config.dashboardUrl, webhookUrl: config.notifyWebhookUrl }),
    client: opts.client,
    xaiPool: createXaiPool(config),
  };
  return {
    deps,
    close: async () => {
      await deps.xaiPool?.close();
      await handle.close();
    },
  };
}

/** Say in the activity's log that its database is away (the first retry, then every fifth). */
function logReconnect({ attempt, delayMs, error }: { attempt: number; delayMs: number; error: unknown }): void {
  if (attempt !== 1 && attempt % 5 !== 0) return;
  let ctx: Context;
  try {
    ctx = Context.current();
  } catch {
    return; // A statement outside any activity (worker start-up): nobody to tell but the caller.
  }
  ctx.log.warn('database connection lost; retrying', { attempt, delayMs, error: error instanceof Error ? error.message : String(error) });
}
