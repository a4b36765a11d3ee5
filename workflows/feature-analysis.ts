import { log, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  AnalyzeFeaturesInputSchema,
  progressOf,
  progressQuery,
  stopSignal,
  workflowIds,
  type FeatureAnalysisResult,
  type FeatureAnalysisStopped,
} from '../contracts/index.js';
import { control, featureAnalysis } from './lib/activities.js';
import { recordRunEnded } from './lib/failure.js';
import { requireWorkflowId, validateWorkflowInput } from './lib/validate.js';
import { setRunStatus, tagRun } from './lib/visibility.js';

/**
 * Importance, selection or correlation of a stored feature set (seed tasks compute_importance,
 * select_features, compute_correlation): one workflow with a `mode`. Extraction is the only step
 * that fans out over signals, and it has its own workflow; every analysis reads the one stored
 * matrix in one activity (forests, folds and permutations in a child process), so separate
 * workflows per analysis would repeat the same register → compute → store shape three times.
 * The classical baseline (`baseline`) is a fourth mode for the same reason: the same matrix, one
 * forest in the same child process, the same row and picture; only the split is resolved first.
 * `stop`: the one analysis is the running work, so it finishes and is returned; a stop that
 * arrives with the start (signal-with-start) starts nothing and returns a STOPPED result. A cancellation stops
 * the analysis at once and marks the row CANCELLED.
 */
export async function analyzeFeaturesWorkflow(raw: unknown): Promise<FeatureAnalysisResult | FeatureAnalysisStopped> {
  const input = validateWorkflowInput(AnalyzeFeaturesInputSchema, raw, 'analyzeFeaturesWorkflow input');
  requireWorkflowId('analyzeFeaturesWorkflow input', workflowIds.featureAnalysis(input.analysisId), 'analysisId', input.analysisId);
  const { analysisId, featureSetId, mode } = input;
  tagRun('feature-analysis', {});
  let phase = 'analysing';
  let completed = 0;
  let stop: { reason: string | null } | undefined;
  setHandler(progressQuery, () => progressOf(phase, completed, 1, { analysisId, featureSetId, mode, stopRequested: stop !== undefined }));
  setHandler(stopSignal, (arg) => {
    stop ??= { reason: arg?.reason ?? null };
  });
  if (stop) {
    // Stopped before anything ran (a stop sent with the start): nothing is started, no row is written.
    phase = 'stopped';
    setRunStatus('STOPPED');
    log.info('feature analysis stopped before it started', { analysisId });
    return { analysisId, featureSetId, mode, status: 'STOPPED', reason: stop.reason };
  }
  setRunStatus('RUNNING');
  try {
    const result = await featureAnalysis.analyzeFeatureSet({ ...input, workflowId: workflowInfo().workflowId });
    completed = 1;
    phase = 'completed';
    const headline = result.summary.cvAccuracySelected ?? result.summary.heldOutAccuracy ?? result.summary.testAccuracy;
    setRunStatus('COMPLETED', typeof headline === 'number' ? headline : undefined);
    log.info('feature analysis completed', { analysisId, mode, features: result.features.length });
    return result;
  } catch (err) {
    phase = (await recordRunEnded(err, (status, error) => control.markFeatureAnalysisEnded({ analysisId, status, error }))).toLowerCase();
    throw err;
  }
}
