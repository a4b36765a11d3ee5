import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { z } from 'zod';
import {
  ERROR_TYPES,
  REFERENCE_ARCHITECTURE,
  architectureIssue,
  TrainActivityInputSchema,
  epochCompletedSignal,
  progressQuery,
  type EpochMetrics,
  type TrainActivityInput,
  type TrainingOutcome,
  type TrainingHeartbeat,
} from '../contracts/index.js';
import { getDataset, listSignals } from '../db/repos/datasets.js';
import { listEpochs, recordEpoch, setExperimentBackend } from '../db/repos/experiments.js';
import { runTrainingInChildProcess } from '../ml/train/index.js';
import type { ActivityDeps } from './deps.js';
import { splitSignalOf } from './lib/eval-data.js';
import { classifyingOutages, invalidState, notFound, validateActivityInput } from './lib/failures.js';
import { missingEpochRow, reportEpoch, unsignalledEpochs } from './lib/epoch-report.js';
import { laterResume, resumeFromEpochs, type RecordedEpoch } from './lib/resume.js';
import { threadsPerTraining } from '../config/train-slots.js';

/** Errors of the training engine that mean "this input can never train" (ml/data, ml/train). */
const DETERMINISTIC_INPUT_ERRORS = new Set(['SplitError', 'WindowError', 'InvalidTrainingJob']);

/** How often the main thread heartbeats, independent of epoch length (SDK throttles further). */
const HEARTBEAT_EVERY_MS = 2_000;

/** A resumed attempt asks its workflow which epochs it has seen; no answer by then means "do not re-signal". */
const PROGRESS_QUERY_MS = 10_000;

function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The training activity (faultline-train queue). Training runs in a child process so this event
 * loop stays free to heartbeat; each epoch's heartbeat carries the checkpoint URI and the
 * early-stopping state, and a retry after a crash resumes from exactly there.
 */
export function createTrainingActivities(deps: ActivityDeps) {
  /**
   * Where a (re)started attempt picks up: the later of the last heartbeat and the recorded epoch
   * rows, after writing the row of an epoch the heartbeat reports but the rows lack (see
   * missingEpochRow). A run continued from an explicit checkpoint (`resumeFrom`) has a baseline
   * the rows do not hold, so it relies on the heartbeat alone. Returns the rows too, so that
   * epochs the workflow was never told about can be signalled.
   */
  async function resumeState(
    input: z.output<typeof TrainActivityInputSchema>,
    heartbeat: TrainingHeartbeat | undefined,
  ): Promise<{ resume: TrainingHeartbeat | undefined; rows: RecordedEpoch[] }> {
    const rows: RecordedEpoch[] = (await listEpochs(deps.db, input.experimentId)).map((r) => ({
      epoch: r.epoch,
      loss: r.loss,
      accuracy: r.accuracy,
      valLoss: r.valLoss ?? Number.NaN,
      valAccuracy: r.valAccuracy ?? Number.NaN,
      durationMs: r.durationMs ?? 0,
      samplesPerSec: r.samplesPerSec ?? 0,
      checkpointUri: r.checkpointUri,
    }));
    const missing = missingEpochRow(rows, heartbeat);
    if (missing) {
      await recordEpoch(deps.db, input.experimentId, missing);
      rows.push(missing);
    }
    if (input.resumeFrom) return { resume: heartbeat, rows };
    const chosen = laterResume(heartbeat, resumeFromEpochs(rows, input.hyperparameters.minDelta));
    // Nothing to resume, or already past the requested budget: a run with no finished epoch starts fresh.
    return { resume: chosen && chosen.epoch > 0 ? chosen : undefined, rows };
  }

  return {
    trainModel: (raw: TrainActivityInput): Promise<TrainingOutcome> => classifyingOutages(() => train(raw)),
  };

  /** One attempt of the training activity (see the doc comment above). */
  async function train(raw: TrainActivityInput): Promise<TrainingOutcome> {
    const input = validateActivityInput(TrainActivityInputSchema, raw, 'trainModel input');
    const ctx = Context.current();
    const dataset = await getDataset(deps.db, input.datasetId);
    if (!dataset) throw notFound(`datasetId "${input.datasetId}" does not exist`);
    if (dataset.status !== 'READY') throw invalidState(`dataset "${input.datasetId}" is ${dataset.status}, not READY`);
    const signals = await listSignals(deps.db, input.datasetId);
    const classes = [...new Set(signals.map((s) => s.label))].sort();
    if (classes.length < 2) throw invalidState(`dataset "${input.datasetId}" has ${classes.length} class(es); training needs at least 2`);
    // The workflow checked the model with the fewest classes; the real count can only add parameters.
    const architecture = input.hyperparameters.architecture ?? REFERENCE_ARCHITECTURE;
    const problem = architectureIssue(architecture, { inputLength: input.hyperparameters.windowLength, numClasses: classes.length });
    if (problem) {
      const field = input.hyperparameters.architecture
        ? `hyperparameters.architecture.${problem.path.join('.')}`
        : `hyperparameters.windowLength (default architecture ${problem.path.join('.')})`;
      throw ApplicationFailure.nonRetryable(`invalid trainModel input: ${field}: ${problem.message} for ${classes.length} classes`, ERROR_TYPES.invalidInput);
    }
    if (input.resumeFrom && !(await deps.artifacts.has(input.resumeFrom.checkpointUri))) {
      throw notFound(`resumeFrom.checkpointUri: no artifact ${input.resumeFrom.checkpointUri} in the artifact store`);
    }

    const { resume, rows } = await resumeState(input, ctx.info.heartbeatDetails as TrainingHeartbeat | undefined);
    if (resume) ctx.log.info('resuming training from checkpoint', { epoch: resume.epoch, checkpointUri: resume.checkpointUri, attempt: ctx.info.attempt });

    // The periodic heartbeat repeats the newest epoch whose row is written, never a newer one.
    let last: TrainingHeartbeat | undefined = resume;
    const beat = setInterval(() => ctx.heartbeat(last), HEARTBEAT_EVERY_MS);
    const workflow = deps.client.workflow.getHandle(input.workflowId);
    const signalEpoch = async (metrics: EpochMetrics): Promise<void> => {
      await workflow.signal(epochCompletedSignal, metrics).catch((err: unknown) => {
        // Not fatal: a later attempt signals what the workflow has not seen (resignal below).
        ctx.log.warn('could not signal epoch progress to the workflow', { epoch: metrics.epoch, error: String(err) });
      });
    };
    const sinks = {
      record: (hb: TrainingHeartbeat) => recordEpoch(deps.db, input.experimentId, { ...hb.metrics, checkpointUri: hb.checkpointUri }),
      heartbeat: (hb: TrainingHeartbeat) => {
        last = hb;
        ctx.heartbeat(hb);
      },
      signal: signalEpoch,
    };
    if (resume) {
      // Epochs recorded by an earlier attempt that died (or lost Temporal) before signalling them.
      const seen = await withDeadline(workflow.query(progressQuery), PROGRESS_QUERY_MS, 'progress query').then(
        (p) => p.completed,
        (err: unknown) => {
          ctx.log.warn('could not ask the workflow which epochs it has seen; not re-signalling', { error: String(err) });
          return Infinity;
        },
      );
      for (const row of unsignalledEpochs(rows, Math.max(seen, input.resumeFrom?.epoch ?? 0), resume.epoch)) {
        const { checkpointUri: _uri, ...metrics } = row;
        await signalEpoch(metrics);
      }
    }
    try {
      const outcome = await runTrainingInChildProcess(
        {
          experimentId: input.experimentId,
          classes,
          // What the split rules read of a signal, by the one mapping evaluation and the feature baseline use too
          // (simulated signals have no recording: each is its own).
          signals: signals.map((s) => ({ ...splitSignalOf(s), uri: s.artifactUri })),
          hyperparameters: input.hyperparameters,
          architecture,
          resume,
          startFrom: resume ? undefined : input.resumeFrom,
        },
        {
          artifacts: deps.config.artifacts,
          backend: deps.config.tfjsBackend,
          signal: ctx.cancellationSignal,
          threads: threadsPerTraining(deps.config.worker),
          onBackend: async (name, version) => {
            ctx.log.info('training backend selected', { backend: name, version });
            await setExperimentBackend(deps.db, input.experimentId, name, version);
          },
          // Row, then heartbeat, then signal (epoch-report.ts says why).
          onEpoch: (hb) => reportEpoch(sinks, hb),
        },
      );
      return outcome;
    } catch (err) {
      if (ctx.cancellationSignal.aborted) throw new CancelledFailure('training cancelled', [last?.epoch ?? 0]);
      if (err instanceof Error && err.name === ERROR_TYPES.trainingDiverged) {
        throw ApplicationFailure.nonRetryable(err.message, ERROR_TYPES.trainingDiverged);
      }
      // The data cannot be split or windowed as asked (e.g. a window longer than the signals):
      // retrying the same input fails the same way.
      if (err instanceof Error && DETERMINISTIC_INPUT_ERRORS.has(err.name)) {
        throw ApplicationFailure.nonRetryable(err.message, ERROR_TYPES.invalidInput);
      }
      throw err;
    } finally {
      clearInterval(beat);
    }
  }
}
export type TrainingActivities = ReturnType<typeof createTrainingActivities>;
