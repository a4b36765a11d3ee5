/** Datasets and their signals' metadata (the arrays themselves are artifacts). */
import { and, asc, count, eq, inArray, sql } from 'drizzle-orm';
import type { DatasetStatus } from '../../contracts/status.js';
import { datasets, signals, type DatasetRow, type NewSignal, type SignalRow } from '../schema.js';
import { datasetStatusesAllowingTransitionTo, isTerminalDatasetStatus, type TransitionOptions } from '../status.js';
import { withTransaction } from '../tx.js';
import type { Database } from '../types.js';
import { chunks, definedOnly, excluded, storedRow } from './util.js';

export type { DatasetRow, SignalRow } from '../schema.js';

export interface DatasetInput {
  id: string;
  name: string;
  source: 'synthetic' | 'mat';
  /** The request that defines the dataset (simulator config, import spec). */
  config: Record<string, unknown>;
  /** Default 'PENDING'. */
  status?: DatasetStatus;
  samplingRateHz?: number | null;
  signalLength?: number | null;
  workflowId?: string | null;
}

/**
 * Create the dataset, or refresh its definition when it exists. The status follows db/status.ts:
 * an existing READY/FAILED/CANCELLED dataset is returned untouched unless `opts.reopen`
 * (FAILED/CANCELLED only). Always returns the row as stored.
 */
export async function upsertDataset(db: Database, input: DatasetInput, opts: TransitionOptions = {}): Promise<DatasetRow> {
  const status = input.status ?? 'PENDING';
  const reset = isTerminalDatasetStatus(status) ? {} : { error: null, completedAt: null };
  const [row] = await db
    .insert(datasets)
    .values({ ...input, status })
    .onConflictDoUpdate({
      target: datasets.id,
      set: {
        ...definedOnly({
          name: input.name,
          source: input.source,
          config: input.config,
          samplingRateHz: input.samplingRateHz,
          signalLength: input.signalLength,
          workflowId: input.workflowId,
        }),
        status,
        ...reset,
        updatedAt: sql`now()`,
      },
      setWhere: inArray(datasets.status, datasetStatusesAllowingTransitionTo(status, opts)),
    })
    .returning();
  return storedRow(row, () => getDataset(db, input.id), `dataset ${input.id}`);
}

export interface DatasetStatusUpdate extends TransitionOptions {
  error?: string | null;
  /** Defaults to now() when moving to a terminal status (kept if already in that status). */
  completedAt?: Date;
  numSignals?: number;
  classCounts?: Record<string, number>;
  workflowId?: string;
}

/**
 * Move a dataset to `status` if db/status.ts allows it. Returns the row as stored afterwards
 * (compare `row.status` to see whether the move happened), or undefined if there is no such dataset.
 */
export async function setDatasetStatus(db: Database, id: string, status: DatasetStatus, update: DatasetStatusUpdate = {}): Promise<DatasetRow | undefined> {
  const terminal = isTerminalDatasetStatus(status);
  const completedAt =
    update.completedAt ??
    (terminal ? sql`CASE WHEN ${datasets.status} = ${status} AND ${datasets.completedAt} IS NOT NULL THEN ${datasets.completedAt} ELSE now() END` : null);
  // A success or a re-run clears an earlier failure message; FAILED without a message keeps the old one.
  const error = update.error !== undefined ? update.error : status === 'FAILED' ? undefined : null;
  const [row] = await db
    .update(datasets)
    .set({
      ...definedOnly({
        error,
        numSignals: update.numSignals,
        classCounts: update.classCounts,
        workflowId: update.workflowId,
      }),
      status,
      completedAt,
      updatedAt: sql`now()`,
    })
    .where(and(eq(datasets.id, id), inArray(datasets.status, datasetStatusesAllowingTransitionTo(status, update))))
    .returning();
  return row ?? getDataset(db, id);
}

export async function getDataset(db: Database, id: string): Promise<DatasetRow | undefined> {
  const [row] = await db.select().from(datasets).where(eq(datasets.id, id));
  return row;
}

export type SignalInput = Omit<NewSignal, 'datasetId'>;

/** Rows per INSERT: 19 columns x 500 rows = 9,500 parameters, far below pg's 65,535. */
const SIGNAL_BATCH = 500;

/**
 * Insert or refresh signal metadata keyed by (datasetId, idx), in multi-row batches. Several
 * batches run in one transaction so readers never see half a chunk. Returns rows written.
 */
export async function upsertSignals(db: Database, datasetId: string, rows: readonly SignalInput[]): Promise<number> {
  if (rows.length === 0) return 0;
  const write = async (target: Database, batch: SignalInput[]) => {
    await target
      .insert(signals)
      .values(batch.map((r) => ({ ...r, datasetId })))
      .onConflictDoUpdate({
        target: [signals.datasetId, signals.idx],
        set: {
          label: excluded(signals.label),
          severityIn: excluded(signals.severityIn),
          loadHp: excluded(signals.loadHp),
          shaftHz: excluded(signals.shaftHz),
          snrDb: excluded(signals.snrDb),
          seed: excluded(signals.seed),
          artifactUri: excluded(signals.artifactUri),
          length: excluded(signals.length),
          samplingRateHz: excluded(signals.samplingRateHz),
          rms: excluded(signals.rms),
          kurtosis: excluded(signals.kurtosis),
          faultType: excluded(signals.faultType),
          sourceFile: excluded(signals.sourceFile),
          fileHash: excluded(signals.fileHash),
          channel: excluded(signals.channel),
          rpm: excluded(signals.rpm),
          offsetSamples: excluded(signals.offsetSamples),
        },
      });
  };
  const batches = chunks(rows, SIGNAL_BATCH);
  if (batches.length === 1) await write(db, batches[0]);
  else
    await withTransaction(db, async (tx) => {
      for (const batch of batches) await write(tx, batch);
    });
  return rows.length;
}

export interface Page {
  /** Rows to return; omitted: all of them (a silent default cap would truncate a training set). */
  limit?: number;
  offset?: number;
}

/** Signal metadata in index order (small rows: the arrays stay in the artifact store). */
export async function listSignals(db: Database, datasetId: string, page: Page = {}): Promise<SignalRow[]> {
  const q = db.select().from(signals).where(eq(signals.datasetId, datasetId)).orderBy(asc(signals.idx)).$dynamic();
  if (page.limit !== undefined) q.limit(page.limit);
  if (page.offset !== undefined) q.offset(page.offset);
  return q;
}

export async function countSignals(db: Database, datasetId: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(signals).where(eq(signals.datasetId, datasetId));
  return row?.n ?? 0;
}

/** Signals per label, e.g. { normal: 10, ball: 10 }. */
export async function classCounts(db: Database, datasetId: string): Promise<Record<string, number>> {
  const rows = await db
    .select({ label: signals.label, n: count() })
    .from(signals)
    .where(eq(signals.datasetId, datasetId))
    .groupBy(signals.label)
    .orderBy(asc(signals.label));
  return Object.fromEntries(rows.map((r) => [r.label, r.n]));
}
