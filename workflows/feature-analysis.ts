import { log, setHandler, workflowInfo } from '@temporalio/workflow';
import { AnalyzeFeaturesInputSchema, progressOf, progressQuery, workflowIds, type FeatureAnalysisResult } from '../contracts/index.js';
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
 */
export async function analyzeFeaturesWorkflow(raw: unknown): Promise<FeatureAnalysisResult> {
  const input = validateWorkflowInput(AnalyzeFeaturesInputSchema, raw, 'analyzeFeaturesWorkflow input');
  requireWorkflowId('analyzeFeaturesWorkflow input', workflowIds.featureAnalysis(input.analysisId), 'analysisId', input.analysisId);
  const { analysisId, featureSetId, mode } = input;
  tagRun('feature-analysis', {});
  let phase = 'analysing';
  let completed = 0;
  setHandler(progressQuery, () => progressOf(phase, completed, 1, { analysisId, featureSetId, mode }));
  setRunStatus('RUNNING');
  try {
    const result = await featureAnalysis.analyzeFeatureSet({ ...input, workflowId: workflowInfo().workflowId });
    completed = 1;
    phase = 'completed';
    const headline = result.summary.cvAccuracySelected ?? result.summary.heldOutAccuracy;
    setRunStatus('COMPLETED', typeof headline === 'number' ? headline : undefined);
    log.info('feature analysis completed', { analysisId, mode, features: result.features.length });
    return result;
  } catch (err) {
    phase = (await recordRunEnded(err, (status, error) => control.markFeatureAnalysisEnded({ analysisId, status, error }))).toLowerCase();
    throw err;
  }
}
