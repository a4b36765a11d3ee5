/**
 * Batch XAI rows. A batch is keyed by its id and every explanation by (batch, dataset, signal,
 * method), so a retried activity, a replayed workflow or a re-run of the same request writes each
 * row once.
 */
import { and, asc, count, countDistinct, eq, gt, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { RunStatus } from '../../contracts/status.js';
import { signals, xaiBatches, xaiExplanations, type NewXaiExplanation, type SignalRow, type XaiBatchRow, type XaiExplanationRow } from '../schema.js';
import { isTerminalRunStatus, runStatusesAllowingTransitionTo, type TransitionOptions } from '../status.js';
import type { Database } from '../types.js';
import { chunks, definedOnly, excluded, storedRow } from './util.js';

export type { XaiBatchRow, XaiExplanationRow } from '../schema.js';

export interface XaiBatchInput {
  id: string;
  modelId: string;
  config: Record<string, unknown>;
  methods: string[];
  totalSignals: number;
  backgroundUri?: string | null;
  workflowId?: string | null;
  status?: RunStatus;
}

/**
 * Create the batch or refresh it for a new run of the same id. A re-run is allowed after any
 * outcome (its rows are reused, not duplicated), so `reopen` covers COMPLETED too here.
 */
export async function upsertXaiBatch(db: Database, input: XaiBatchInput): Promise<XaiBatchRow> {
  const status = input.status ?? 'RUNNING';
  const [row] = await db
    .insert(xaiBatches)
    .values({ ...input, status })
    .onConflictDoUpdate({
      target: xaiBatches.id,
      set: {
        ...definedOnly({
          modelId: input.modelId,
          config: input.config,
          methods: input.methods,
          totalSignals: input.totalSignals,
          backgroundUri: input.backgroundUri,
          workflowId: input.workflowId,
        }),
        status,
        error: null,
        completedAt: null,
        updatedAt: sql`now()`,
      },
    })
    .returning();
  return storedRow(row, () => getXaiBatch(db, input.id), `xai batch ${input.id}`);
}

export interface XaiBatchStatusUpdate extends TransitionOptions {
  error?: string | null;
  summaryUri?: string;
  summaryJsonUri?: string;
  completedSignals?: number;
  failedSignals?: number;
}

export async function setXaiBatchStatus(db: Database, id: string, status: RunStatus, update: XaiBatchStatusUpdate = {}): Promise<XaiBatchRow | undefined> {
  const error = update.error !== undefined ? update.error : status === 'FAILED' ? undefined : null;
  const [row] = await db
    .update(xaiBatches)
    .set({
      ...definedOnly({
        error,
        summaryUri: update.summaryUri,
        summaryJsonUri: update.summaryJsonUri,
        completedSignals: update.completedSignals,
        failedSignals: update.failedSignals,
      }),
      status,
      completedAt: isTerminalRunStatus(status) ? sql`now()` : null,
      updatedAt: sql`now()`,
    })
    .where(and(eq(xaiBatches.id, id), inArray(xaiBatches.status, runStatusesAllowingTransitionTo(status, update))))
    .returning();
  return row ?? getXaiBatch(db, id);
}

export async function getXaiBatch(db: Database, id: string): Promise<XaiBatchRow | undefined> {
  const [row] = await db.select().from(xaiBatches).where(eq(xaiBatches.id, id));
  return row;
}

export type XaiExplanationInput = Omit<NewXaiExplanation, 'createdAt'>;

/** Rows per INSERT: 25 columns × 200 rows, far below pg's 65,535 parameters. */
const BATCH = 200;

/** Write completed explanations; a recompute of the same key replaces the row. */
export async function upsertXaiExplanations(db: Database, rows: readonly XaiExplanationInput[]): Promise<void> {
  for (const batch of chunks(rows, BATCH)) {
    const set: Record<string, SQL> = {};
    for (const col of UPDATABLE) set[col] = excluded(xaiExplanations[col]);
    await db
      .insert(xaiExplanations)
      .values(batch)
      .onConflictDoUpdate({ target: [xaiExplanations.batchId, xaiExplanations.datasetId, xaiExplanations.signalIdx, xaiExplanations.method], set });
  }
}

const UPDATABLE = [
  'status',
  'label',
  'targetLabel',
  'predictedLabel',
  'probability',
  'windowStarts',
  'attributionUri',
  'pictureUri',
  'topSegments',
  'segmentShares',
  'bandShares',
  'dominantBandLowHz',
  'dominantBandHighHz',
  'peakHz',
  'faithfulness',
  'aucMethod',
  'aucRandom',
  'completenessError',
  'durationMs',
  'error',
] as const satisfies readonly (keyof typeof xaiExplanations.$inferInsert)[];

/**
 * Record a signal that could not be explained: one FAILED row per method that has no row yet.
 * A method that did complete before the failure keeps its result (nothing is lost).
 */
export async function recordXaiFailure(
  db: Database,
  f: { batchId: string; datasetId: string; signalIdx: number; methods: readonly string[]; error: string; label?: string | null },
): Promise<void> {
  await db
    .insert(xaiExplanations)
    .values(
      f.methods.map((method) => ({
        batchId: f.batchId,
        datasetId: f.datasetId,
        signalIdx: f.signalIdx,
        method,
        status: 'FAILED' as const,
        error: f.error,
        label: f.label ?? null,
      })),
    )
    .onConflictDoNothing();
}

/** Explanations of one batch, optionally of one signal, in (dataset, signal, method) order. */
export async function listXaiExplanations(
  db: Database,
  batchId: string,
  filter: { datasetId?: string; signalIdx?: number; status?: 'COMPLETED' | 'FAILED' } = {},
): Promise<XaiExplanationRow[]> {
  const where = [eq(xaiExplanations.batchId, batchId)];
  if (filter.datasetId !== undefined) where.push(eq(xaiExplanations.datasetId, filter.datasetId));
  if (filter.signalIdx !== undefined) where.push(eq(xaiExplanations.signalIdx, filter.signalIdx));
  if (filter.status !== undefined) where.push(eq(xaiExplanations.status, filter.status));
  return db
    .select()
    .from(xaiExplanations)
    .where(and(...where))
    .orderBy(asc(xaiExplanations.datasetId), asc(xaiExplanations.signalIdx), asc(xaiExplanations.method));
}

/** Signals with at least one row, and those with a FAILED row, in one batch. */
export async function countXaiSignals(db: Database, batchId: string): Promise<{ signals: number; failed: number; rows: number }> {
  const key = sql`(${xaiExplanations.datasetId}, ${xaiExplanations.signalIdx})`;
  const [all] = await db
    .select({ signals: countDistinct(key), rows: count() })
    .from(xaiExplanations)
    .where(eq(xaiExplanations.batchId, batchId));
  const [failed] = await db
    .select({ n: countDistinct(key) })
    .from(xaiExplanations)
    .where(and(eq(xaiExplanations.batchId, batchId), eq(xaiExplanations.status, 'FAILED')));
  return { signals: all?.signals ?? 0, rows: all?.rows ?? 0, failed: failed?.n ?? 0 };
}

export interface SignalFilter {
  datasetId: string;
  labels?: readonly string[];
  fromIndex?: number;
  toIndex?: number;
}

function signalWhere(f: SignalFilter): SQL | undefined {
  const where = [eq(signals.datasetId, f.datasetId)];
  if (f.labels && f.labels.length > 0) where.push(inArray(signals.label, [...f.labels]));
  if (f.fromIndex !== undefined) where.push(gte(signals.idx, f.fromIndex));
  if (f.toIndex !== undefined) where.push(lt(signals.idx, f.toIndex));
  return and(...where);
}

/** Signals matching a filter. */
export async function countMatchingSignals(db: Database, f: SignalFilter): Promise<number> {
  const [row] = await db.select({ n: count() }).from(signals).where(signalWhere(f));
  return row?.n ?? 0;
}

/** A page of matching signals after `afterIndex` (keyset pagination: stable while rows are added). */
export async function pageMatchingSignals(db: Database, f: SignalFilter, afterIndex: number, limit: number): Promise<SignalRow[]> {
  return db
    .select()
    .from(signals)
    .where(and(signalWhere(f), gt(signals.idx, afterIndex)))
    .orderBy(asc(signals.idx))
    .limit(limit);
}

export async function getSignal(db: Database, datasetId: string, idx: number): Promise<SignalRow | undefined> {
  const [row] = await db
    .select()
    .from(signals)
    .where(and(eq(signals.datasetId, datasetId), eq(signals.idx, idx)));
  return row;
}
