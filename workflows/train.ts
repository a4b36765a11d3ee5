import { log, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  TrainModelInputSchema,
  epochCompletedSignal,
  progressOf,
  progressQuery,
  trainActivitySummary,
  trainingDetails,
  type EpochMetrics,
  type TrainModelResult,
  expectedTrainWorkflowId,
} from '../contracts/index.js';
import { control, outageAwareTrainActivities, trainActivities } from './lib/activities.js';
import { liveDetails } from './lib/details.js';
import { retryingOutages } from './lib/outage.js';
import { recordRunEnded } from './lib/failure.js';
import { requireCampaignParent, requireWorkflowId, validateWorkflowInput } from './lib/validate.js';
import { setRunStatus, tagRun } from './lib/visibility.js';

/**
 * Train one model (seed task `train_model`); also the child workflow of HPO trials and NAS
 * candidates.
 *
 * The epochs run inside one heartbeating activity on the training queue rather than one activity
 * per epoch: the model and optimizer stay in memory between epochs, while each epoch's checkpoint
 * URI in the heartbeat lets a retry on another worker resume where the crashed one stopped. The
 * activity reports each epoch back with a signal so `progress` can show it.
 */
export async function trainModelWorkflow(raw: unknown): Promise<TrainModelResult> {
  const input = validateWorkflowInput(TrainModelInputSchema, raw, 'trainModelWorkflow input');
  const { experimentId, datasetId, hyperparameters } = input;
  requireCampaignParent('trainModelWorkflow input', input.campaign);
  requireWorkflowId('trainModelWorkflow input', expectedTrainWorkflowId(input), 'experimentId', experimentId);
  const startEpoch = input.resumeFrom?.epoch ?? 0;
  const totalEpochs = hyperparameters.epochs;

  let phase = 'registering';
  let epochsDone = startEpoch;
  let latest: EpochMetrics | undefined;
  const live = liveDetails(() => ({
    phase,
    completed: Math.min(epochsDone, totalEpochs),
    total: totalEpochs,
    line: trainingDetails({ phase, epochsDone: Math.min(epochsDone, totalEpochs), epochsTotal: totalEpochs, latest }),
  }));
  setHandler(epochCompletedSignal, (m) => {
    // Signals of a retried attempt may repeat an epoch: keep the newest only.
    if (m.epoch >= epochsDone) {
      epochsDone = m.epoch;
      latest = m;
      live.refresh();
    }
  });
  setHandler(progressQuery, () => progressOf(phase, Math.min(epochsDone, totalEpochs), totalEpochs, { experimentId, datasetId, latest }));
  tagRun(input.campaign ? (input.campaign.kind === 'hpo' ? 'hpo-trial' : 'nas-candidate') : 'train', {
    datasetId,
    experimentId,
    campaignId: input.campaign?.campaignId,
  });
  setRunStatus('RUNNING');

  try {
    const registered = await control.registerExperiment({
      experimentId,
      datasetId,
      hyperparameters,
      campaign: input.campaign,
      workflowId: workflowInfo().workflowId,
    });
    if (registered.existing) {
      // Already trained by an earlier run of this id: return its result instead of training twice.
      phase = 'completed';
      epochsDone = registered.existing.epochsCompleted;
      live.refresh();
      setRunStatus('COMPLETED', registered.existing.testAccuracy);
      return registered.existing;
    }
    phase = 'training';
    live.refresh();
    const outcome = await retryingOutages('trainModel', (outageAware) =>
      (outageAware ? outageAwareTrainActivities : trainActivities)(input.maxTrainingMinutes).trainModel.executeWithOptions(
        { summary: trainActivitySummary(experimentId, startEpoch, totalEpochs) },
        [{ experimentId, datasetId, hyperparameters, resumeFrom: input.resumeFrom, workflowId: workflowInfo().workflowId }],
      ),
    );
    epochsDone = Math.max(epochsDone, outcome.epochsCompleted);
    phase = 'finalizing';
    live.refresh();
    const result = await control.completeExperiment({ experimentId, windowLength: hyperparameters.windowLength, outcome });
    phase = 'completed';
    live.refresh();
    setRunStatus('COMPLETED', result.testAccuracy);
    log.info('training completed', { experimentId, testAccuracy: result.testAccuracy, epochs: result.epochsCompleted });
    return result;
  } catch (err) {
    phase = (await recordRunEnded(err, (status, error) => control.markExperimentEnded({ experimentId, status, error }))).toLowerCase();
    live.refresh();
    throw err;
  }
}
