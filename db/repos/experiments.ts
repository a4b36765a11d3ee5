/** Experiments (training runs, HPO trials, NAS candidates) and their per-epoch metrics. */
import { and, asc, eq, inArray, notInArray, sql } from 'drizzle-orm';
import type { RunStatus } from '../../contracts/status.js';
import type { EpochMetrics, TrainModelResult } from '../../contracts/training.js';
import { epochMetrics, experiments, type EpochMetricsRow, type ExperimentRow } from '../schema.js';
import { isTerminalRunStatus, runStatusesAllowingTransitionTo, type TransitionOptions } from '../status.js';
import type { Database } from '../types.js';
import { definedOnly, excluded, storedRow } from './util.js';

export type { EpochMetricsRow, ExperimentRow } from '../schema.js';

export interface ExperimentInput {
  id: string;
  /** Default 'train'. */
  kind?: 'train' | 'hpo-trial' | 'nas-candidate';
  datasetId: string;
  campaignId?: string | null;
  hyperparameters?: Record<string, unknown>;
  /** Default 'PENDING'. */
  status?: RunStatus;
  backend?: string | null;
  workflowId?: string | null;
}

/**
 * Create the experiment or refresh its definition. A terminal experiment is returned untouched
 * (a retried "start" never turns COMPLETED back into RUNNING); `opts.reopen` lets a FAILED,
 * CANCELLED or STOPPED one run again. Returns the row as stored: callers can check
 * `row.status === 'COMPLETED'` to skip work already done.
 */
export async function upsertExperiment(db: Database, input: ExperimentInput, opts: TransitionOptions = {}): Promise<ExperimentRow> {
  const status = input.status ?? 'PENDING';
  const running = status === 'RUNNING' ? { startedAt: sql`coalesce(${experiments.startedAt}, now())` } : {};
  const reset = isTerminalRunStatus(status) ? {} : { error: null, completedAt: null };
  const [row] = await db
    .insert(experiments)
    .values({ ...input, status, startedAt: status === 'RUNNING' ? sql`now()` : undefined })
    .onConflictDoUpdate({
      target: experiments.id,
      set: {
        ...definedOnly({
          kind: input.kind,
          datasetId: input.datasetId,
          campaignId: input.campaignId,
          hyperparameters: input.hyperparameters,
          backend: input.backend,
          workflowId: input.workflowId,
        }),
        status,
        ...running,
        ...reset,
      },
      setWhere: inArray(experiments.status, runStatusesAllowingTransitionTo(status, opts)),
    })
    .returning();
  return storedRow(row, () => getExperiment(db, input.id), `experiment ${input.id}`);
}

export interface ExperimentStatusUpdate extends TransitionOptions {
  error?: string | null;
  backend?: string;
  workflowId?: string;
}

/**
 * Move an experiment to `status` if db/status.ts allows it; RUNNING stamps started_at once,
 * terminal statuses stamp completed_at. Returns the stored row (compare `row.status`), or
 * undefined if there is no such experiment.
 */
export async function setExperimentStatus(
  db: Database,
  id: string,
  status: RunStatus,
  update: ExperimentStatusUpdate = {},
): Promise<ExperimentRow | undefined> {
  const terminal = isTerminalRunStatus(status);
  const error = update.error !== undefined ? update.error : status === 'FAILED' ? undefined : null;
  const [row] = await db
    .update(experiments)
    .set({
      ...definedOnly({ error, backend: update.backend, workflowId: update.workflowId }),
      status,
      startedAt: status === 'RUNNING' ? sql`coalesce(${experiments.startedAt}, now())` : undefined,
      completedAt: terminal ? keepOrNow(status) : null,
    })
    .where(and(eq(experiments.id, id), inArray(experiments.status, runStatusesAllowingTransitionTo(status, update))))
    .returning();
  return row ?? getExperiment(db, id);
}

/** completed_at: kept when re-writing the same terminal status (retries), else now(). */
function keepOrNow(status: RunStatus) {
  return sql`CASE WHEN ${experiments.status} = ${status} AND ${experiments.completedAt} IS NOT NULL THEN ${experiments.completedAt} ELSE now() END`;
}

/** Record the tfjs backend actually in use (DESIGN: recorded with every experiment) without touching the status. */
export async function setExperimentBackend(db: Database, id: string, backend: string, backendVersion?: string): Promise<void> {
  await db.update(experiments).set({ backend, backendVersion }).where(eq(experiments.id, id));
}

export type EpochInput = EpochMetrics & { checkpointUri?: string | null };

/** Record one epoch; a retried epoch overwrites its own row (keyed by experiment and epoch). */
export async function recordEpoch(db: Database, experimentId: string, metrics: EpochInput): Promise<void> {
  await db
    .insert(epochMetrics)
    .values({ experimentId, ...metrics })
    .onConflictDoUpdate({
      target: [epochMetrics.experimentId, epochMetrics.epoch],
      set: {
        loss: excluded(epochMetrics.loss),
        accuracy: excluded(epochMetrics.accuracy),
        valLoss: excluded(epochMetrics.valLoss),
        valAccuracy: excluded(epochMetrics.valAccuracy),
        durationMs: excluded(epochMetrics.durationMs),
        samplesPerSec: excluded(epochMetrics.samplesPerSec),
        checkpointUri: excluded(epochMetrics.checkpointUri),
        recordedAt: sql`now()`,
      },
    });
}

export async function listEpochs(db: Database, experimentId: string): Promise<EpochMetricsRow[]> {
  return db.select().from(epochMetrics).where(eq(epochMetrics.experimentId, experimentId)).orderBy(asc(epochMetrics.epoch));
}

/** The result fields stored on the experiment row; a TrainModelResult can be passed as is. */
export type ExperimentResult = Partial<Pick<TrainModelResult, 'bestValAccuracy' | 'bestValLoss'>> &
  Pick<
    TrainModelResult,
    | 'testAccuracy'
    | 'testLoss'
    | 'confusionMatrix'
    | 'classes'
    | 'modelUri'
    | 'checkpointUri'
    | 'epochsCompleted'
    | 'bestEpoch'
    | 'stoppedEarly'
    | 'backend'
    | 'parameterCount'
    | 'classBalance'
    | 'trainSamplesPerSec'
  > &
  Partial<Pick<TrainModelResult, 'inferenceMsPerWindow'>>;

/**
 * Mark the experiment COMPLETED with its results, whatever its status was (a success recorded
 * by a retry beats an earlier failure record). Repeating it rewrites the same values and keeps
 * the first completed_at. Returns undefined if there is no such experiment.
 */
export async function completeExperiment(db: Database, id: string, result: ExperimentResult): Promise<ExperimentRow | undefined> {
  const [row] = await db
    .update(experiments)
    .set({
      status: 'COMPLETED',
      testAccuracy: result.testAccuracy,
      testLoss: result.testLoss,
      bestValAccuracy: result.bestValAccuracy ?? null,
      bestValLoss: result.bestValLoss ?? null,
      confusionMatrix: result.confusionMatrix,
      classes: result.classes,
      modelUri: result.modelUri,
      checkpointUri: result.checkpointUri,
      epochsCompleted: result.epochsCompleted,
      bestEpoch: result.bestEpoch,
      stoppedEarly: result.stoppedEarly,
      backend: result.backend,
      parameterCount: result.parameterCount,
      classBalance: result.classBalance,
      trainSamplesPerSec: result.trainSamplesPerSec,
      inferenceMsPerWindow: Number.isFinite(result.inferenceMsPerWindow) ? result.inferenceMsPerWindow : null,
      error: null,
      startedAt: sql`coalesce(${experiments.startedAt}, now())`,
      completedAt: keepOrNow('COMPLETED'),
    })
    .where(eq(experiments.id, id))
    .returning();
  return row;
}

/**
 * Mark the experiment FAILED with `error`, unless it already ended otherwise (COMPLETED,
 * CANCELLED, STOPPED): a late failure report never hides a result. Returns the stored row.
 */
export async function failExperiment(db: Database, id: string, error: string): Promise<ExperimentRow | undefined> {
  const [row] = await db
    .update(experiments)
    .set({ status: 'FAILED', error, completedAt: keepOrNow('FAILED') })
    .where(and(eq(experiments.id, id), notInArray(experiments.status, ['COMPLETED', 'CANCELLED', 'STOPPED'])))
    .returning();
  return row ?? getExperiment(db, id);
}

export async function getExperiment(db: Database, id: string): Promise<ExperimentRow | undefined> {
  const [row] = await db.select().from(experiments).where(eq(experiments.id, id));
  return row;
}
