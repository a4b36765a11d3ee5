/**
 * Evaluation rows. Predictions are keyed by (model, dataset, split) and evaluations by their
 * workflow id, so a retried activity or a repeated request writes each row once.
 */
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { RunStatus } from '../../contracts/status.js';
import {
  evaluationPredictions,
  evaluations,
  experiments,
  xaiBatches,
  xaiExplanations,
  type EvaluationPredictionsRow,
  type EvaluationRow,
  type NewEvaluationPredictions,
} from '../schema.js';
import { isTerminalRunStatus, runStatusesAllowingTransitionTo } from '../status.js';
import type { Database } from '../types.js';
import { definedOnly, excluded, storedRow } from './util.js';

export type { EvaluationPredictionsRow, EvaluationRow } from '../schema.js';

export async function getPredictions(db: Database, modelId: string, datasetId: string, split: string): Promise<EvaluationPredictionsRow | undefined> {
  const [row] = await db
    .select()
    .from(evaluationPredictions)
    .where(
      and(
        eq(evaluationPredictions.modelId, modelId),
        eq(evaluationPredictions.datasetId, datasetId),
        eq(evaluationPredictions.split, split as EvaluationPredictionsRow['split']),
      ),
    );
  return row;
}

/** Same key, same model and data: a recompute writes the same artifacts, so replacing is safe. */
export async function upsertPredictions(db: Database, input: Omit<NewEvaluationPredictions, 'createdAt'>): Promise<EvaluationPredictionsRow> {
  const cols = ['probabilitiesUri', 'indexUri', 'windows', 'signals', 'classes', 'windowLength', 'backend', 'windowsPerSec'] as const;
  const [row] = await db
    .insert(evaluationPredictions)
    .values(input)
    .onConflictDoUpdate({
      target: [evaluationPredictions.modelId, evaluationPredictions.datasetId, evaluationPredictions.split],
      set: Object.fromEntries(cols.map((c) => [c, excluded(evaluationPredictions[c])])),
    })
    .returning();
  return storedRow(
    row,
    () => getPredictions(db, input.modelId, input.datasetId, input.split),
    `predictions ${input.modelId}/${input.datasetId}/${input.split}`,
  );
}

export interface EvaluationInput {
  id: string;
  kind: EvaluationRow['kind'];
  experimentIds: string[];
  datasetId: string;
  split: EvaluationRow['split'];
  config: Record<string, unknown>;
  workflowId: string;
}

/** Create the evaluation or reopen it for a new run of the same id (its predictions are reused). */
export async function upsertEvaluation(db: Database, input: EvaluationInput): Promise<EvaluationRow> {
  const [row] = await db
    .insert(evaluations)
    .values({ ...input, status: 'RUNNING' })
    .onConflictDoUpdate({
      target: evaluations.id,
      set: { ...input, status: 'RUNNING', error: null, completedAt: null, updatedAt: sql`now()` },
    })
    .returning();
  return storedRow(row, () => getEvaluation(db, input.id), `evaluation ${input.id}`);
}

export interface EvaluationStatusUpdate {
  error?: string | null;
  summary?: Record<string, unknown>;
  resultUri?: string;
  pictureUri?: string;
}

export async function setEvaluationStatus(
  db: Database,
  id: string,
  status: RunStatus,
  update: EvaluationStatusUpdate = {},
): Promise<EvaluationRow | undefined> {
  const error = update.error !== undefined ? update.error : status === 'FAILED' ? undefined : null;
  const [row] = await db
    .update(evaluations)
    .set({
      ...definedOnly({ error, summary: update.summary, resultUri: update.resultUri, pictureUri: update.pictureUri }),
      status,
      completedAt: isTerminalRunStatus(status) ? sql`now()` : null,
      updatedAt: sql`now()`,
    })
    .where(and(eq(evaluations.id, id), inArray(evaluations.status, runStatusesAllowingTransitionTo(status))))
    .returning();
  return row;
}

export async function getEvaluation(db: Database, id: string): Promise<EvaluationRow | undefined> {
  const [row] = await db.select().from(evaluations).where(eq(evaluations.id, id));
  return row;
}

/**
 * The XAI picture of each of `signalIdxs` explained for this model (any batch, newest first),
 * so an error list can link a misclassified window to its explanation.
 */
export async function xaiPicturesFor(db: Database, modelId: string, datasetId: string, signalIdxs: readonly number[]): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  if (signalIdxs.length === 0) return out;
  const rows = await db
    .select({ idx: xaiExplanations.signalIdx, uri: xaiExplanations.pictureUri })
    .from(xaiExplanations)
    .innerJoin(xaiBatches, eq(xaiBatches.id, xaiExplanations.batchId))
    .where(
      and(
        eq(xaiBatches.modelId, modelId),
        eq(xaiExplanations.datasetId, datasetId),
        eq(xaiExplanations.status, 'COMPLETED'),
        inArray(xaiExplanations.signalIdx, [...new Set(signalIdxs)]),
      ),
    )
    .orderBy(desc(xaiExplanations.createdAt));
  for (const r of rows) if (r.uri && !out.has(r.idx)) out.set(r.idx, r.uri);
  return out;
}

/** Completed evaluations that involve `experimentId` (alone or in a comparison), oldest first. */
export async function listCompletedEvaluationsOf(db: Database, experimentId: string): Promise<EvaluationRow[]> {
  return db
    .select()
    .from(evaluations)
    .where(and(eq(evaluations.status, 'COMPLETED'), sql`${evaluations.experimentIds} @> ${JSON.stringify([experimentId])}::jsonb`))
    .orderBy(asc(evaluations.completedAt), asc(evaluations.id));
}

export async function setExperimentReport(db: Database, experimentId: string, reportUri: string): Promise<void> {
  await db.update(experiments).set({ reportUri }).where(eq(experiments.id, experimentId));
}
