import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { z } from 'zod';
import {
  ERROR_TYPES,
  SlugSchema,
  TrainHyperparametersSchema,
  epochCompletedSignal,
  type TrainingHeartbeat,
} from '../contracts/index.js';
import { getDataset, listSignals } from '../db/repos/datasets.js';
import { recordEpoch, setExperimentBackend } from '../db/repos/experiments.js';
import { REFERENCE_ARCHITECTURE } from '../ml/model/index.js';
import { runTrainingInChildProcess, type TrainingOutcome } from '../ml/train/index.js';
import type { ActivityDeps } from './deps.js';
import { invalidState, notFound, validateActivityInput } from './lib/failures.js';

const TrainInputSchema = z
  .object({
    experimentId: SlugSchema,
    datasetId: SlugSchema,
    hyperparameters: TrainHyperparametersSchema,
    resumeFrom: z.object({ checkpointUri: z.string().min(1), epoch: z.number().int().min(0) }).strict().optional(),
    workflowId: z.string().min(1),
  })
  .strict();
export type TrainActivityInput = z.input<typeof TrainInputSchema>;

/** How often the main thread heartbeats, independent of epoch length (SDK throttles further). */
const HEARTBEAT_EVERY_MS = 2_000;

/**
 * The training activity (faultline-train queue). Training runs in a child process so this event
 * loop stays free to heartbeat; each epoch's heartbeat carries the checkpoint URI and the
 * early-stopping state, and a retry after a crash resumes from exactly there.
 */
export function createTrainingActivities(deps: ActivityDeps) {
  return {
    async trainModel(raw: TrainActivityInput): Promise<TrainingOutcome> {
      const input = validateActivityInput(TrainInputSchema, raw, 'trainModel input');
      const ctx = Context.current();
      const dataset = await getDataset(deps.db, input.datasetId);
      if (!dataset) throw notFound(`datasetId "${input.datasetId}" does not exist`);
      if (dataset.status !== 'READY') throw invalidState(`dataset "${input.datasetId}" is ${dataset.status}, not READY`);
      const signals = await listSignals(deps.db, input.datasetId);
      const classes = [...new Set(signals.map((s) => s.label))].sort();
      if (classes.length < 2) throw invalidState(`dataset "${input.datasetId}" has ${classes.length} class(es); training needs at least 2`);

      const resume = ctx.info.heartbeatDetails as TrainingHeartbeat | undefined;
      if (resume) ctx.log.info('resuming training from checkpoint', { epoch: resume.epoch, checkpointUri: resume.checkpointUri, attempt: ctx.info.attempt });

      let last: TrainingHeartbeat | undefined = resume;
      const beat = setInterval(() => ctx.heartbeat(last), HEARTBEAT_EVERY_MS);
      const workflow = deps.client.workflow.getHandle(input.workflowId);
      try {
        const outcome = await runTrainingInChildProcess(
          {
            experimentId: input.experimentId,
            classes,
            signals: signals.map((s) => ({ index: s.idx, label: s.label, uri: s.artifactUri })),
            hyperparameters: input.hyperparameters,
            architecture: input.hyperparameters.architecture ?? REFERENCE_ARCHITECTURE,
            resume,
            startFrom: resume ? undefined : input.resumeFrom,
          },
          {
            artifactDir: deps.config.artifactDir,
            backend: deps.config.tfjsBackend,
            signal: ctx.cancellationSignal,
            onBackend: async (name) => {
              ctx.log.info('training backend selected', { backend: name });
              await setExperimentBackend(deps.db, input.experimentId, name);
            },
            onEpoch: async (hb) => {
              last = hb;
              ctx.heartbeat(hb);
              await recordEpoch(deps.db, input.experimentId, { ...hb.metrics, checkpointUri: hb.checkpointUri });
              await workflow.signal(epochCompletedSignal, hb.metrics).catch((err: unknown) => {
                // Progress display only: the durable record is the heartbeat and the epoch row.
                ctx.log.warn('could not signal epoch progress to the workflow', { error: String(err) });
              });
            },
          },
        );
        return outcome;
      } catch (err) {
        if (ctx.cancellationSignal.aborted) throw new CancelledFailure('training cancelled', [last?.epoch ?? 0]);
        if (err instanceof Error && err.name === ERROR_TYPES.trainingDiverged) {
          throw ApplicationFailure.nonRetryable(err.message, ERROR_TYPES.trainingDiverged);
        }
        throw err;
      } finally {
        clearInterval(beat);
      }
    },
  };
}
export type TrainingActivities = ReturnType<typeof createTrainingActivities>;
