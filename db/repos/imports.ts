/** Files of MAT imports (`dataset_files`): claims, outcomes and the signal ranges they own. */
import { and, asc, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import { datasetFiles, datasets, signals, type DatasetFileRow } from '../schema.js';
import { withTransaction } from '../tx.js';
import type { Database } from '../types.js';
import { definedOnly } from './util.js';

export type { DatasetFileRow } from '../schema.js';

export interface FileFacts {
  contentHash: string;
  source: string;
  bytes: number;
  label: string;
  faultType: string;
  faultSizeIn: number;
  loadHp: number | null;
  rpm: number;
  channel: string;
  variable: string;
  sourceRateHz: number;
  sourceSamples: number;
  segments: number;
}

export type Claim =
  | { kind: 'claimed'; row: DatasetFileRow }
  /** This file's bytes were already imported into the dataset (by this name: a re-run). */
  | { kind: 'imported'; row: DatasetFileRow }
  /** Another file of the dataset has the same bytes. */
  | { kind: 'duplicate'; of: string; row: DatasetFileRow }
  /** This name was imported before with other bytes: refused, the old signals stay. */
  | { kind: 'conflict'; row: DatasetFileRow };

export async function getDatasetFile(db: Database, datasetId: string, fileName: string): Promise<DatasetFileRow | undefined> {
  const [row] = await db
    .select()
    .from(datasetFiles)
    .where(and(eq(datasetFiles.datasetId, datasetId), eq(datasetFiles.fileName, fileName)));
  return row;
}

export async function listDatasetFiles(db: Database, datasetId: string): Promise<DatasetFileRow[]> {
  return db.select().from(datasetFiles).where(eq(datasetFiles.datasetId, datasetId)).orderBy(asc(datasetFiles.fileName));
}

/**
 * Claim a file for import: decide, under a lock on the dataset row (concurrent files of one
 * import serialise here and nowhere else), whether its bytes are new, and if so reserve the
 * signal indices [firstIdx, firstIdx + segments). A retried attempt finds its own claim and gets
 * the same range back, so it rewrites the same rows.
 */
export async function claimDatasetFile(db: Database, datasetId: string, fileName: string, facts: FileFacts): Promise<Claim> {
  return withTransaction(db, async (tx) => {
    await tx.execute(sql`SELECT 1 FROM ${datasets} WHERE ${datasets.id} = ${datasetId} FOR UPDATE`);
    const [same] = await tx
      .select()
      .from(datasetFiles)
      .where(
        and(eq(datasetFiles.datasetId, datasetId), eq(datasetFiles.contentHash, facts.contentHash), inArray(datasetFiles.status, ['IMPORTING', 'IMPORTED'])),
      );
    if (same && same.fileName === fileName) return same.status === 'IMPORTED' ? { kind: 'imported', row: same } : { kind: 'claimed', row: same };
    if (same) {
      const [row] = await tx
        .insert(datasetFiles)
        .values({ datasetId, fileName, ...facts, segments: 0, status: 'DUPLICATE', duplicateOf: same.fileName })
        .onConflictDoUpdate({
          target: [datasetFiles.datasetId, datasetFiles.fileName],
          set: { status: 'DUPLICATE', duplicateOf: same.fileName, contentHash: facts.contentHash, error: null, updatedAt: sql`now()` },
        })
        .returning();
      return { kind: 'duplicate', of: same.fileName, row };
    }
    const [mine] = await tx
      .select()
      .from(datasetFiles)
      .where(and(eq(datasetFiles.datasetId, datasetId), eq(datasetFiles.fileName, fileName)));
    if (mine?.status === 'IMPORTED') return { kind: 'conflict', row: mine };
    // A file that failed before (or was a duplicate of a file since failed) is claimed afresh.
    const [{ next }] = await tx
      .select({ next: sql<number>`coalesce(max(${datasetFiles.firstIdx} + ${datasetFiles.segments}), 0)::int` })
      .from(datasetFiles)
      .where(eq(datasetFiles.datasetId, datasetId));
    const [row] = await tx
      .insert(datasetFiles)
      .values({ datasetId, fileName, ...facts, status: 'IMPORTING', firstIdx: next, duplicateOf: null, error: null })
      .onConflictDoUpdate({
        target: [datasetFiles.datasetId, datasetFiles.fileName],
        set: { ...facts, status: 'IMPORTING', firstIdx: next, duplicateOf: null, error: null, updatedAt: sql`now()` },
      })
      .returning();
    return { kind: 'claimed', row };
  });
}

export async function markDatasetFileImported(db: Database, datasetId: string, fileName: string): Promise<void> {
  await db
    .update(datasetFiles)
    .set({ status: 'IMPORTED', updatedAt: sql`now()` })
    .where(and(eq(datasetFiles.datasetId, datasetId), eq(datasetFiles.fileName, fileName)));
}

/**
 * Record that a file could not be imported, and drop any signals a partial attempt wrote in its
 * range, so the dataset never holds half a recording. An imported file is never marked failed.
 */
export async function recordDatasetFileFailure(
  db: Database,
  datasetId: string,
  fileName: string,
  reason: string,
  facts: Partial<FileFacts> = {},
): Promise<void> {
  await withTransaction(db, async (tx) => {
    const [row] = await tx
      .select()
      .from(datasetFiles)
      .where(and(eq(datasetFiles.datasetId, datasetId), eq(datasetFiles.fileName, fileName)));
    if (row?.status === 'IMPORTED' || row?.status === 'DUPLICATE') return;
    if (row?.firstIdx != null && row.segments != null) {
      await tx.delete(signals).where(and(eq(signals.datasetId, datasetId), gte(signals.idx, row.firstIdx), lt(signals.idx, row.firstIdx + row.segments)));
    }
    await tx
      .insert(datasetFiles)
      .values({ datasetId, fileName, ...definedOnly(facts), status: 'FAILED', error: reason })
      .onConflictDoUpdate({
        target: [datasetFiles.datasetId, datasetFiles.fileName],
        set: { status: 'FAILED', error: reason, updatedAt: sql`now()` },
      });
  });
}

export async function countDatasetFiles(db: Database, datasetId: string): Promise<Record<string, number>> {
  const rows = await db
    .select({ status: datasetFiles.status, n: sql<number>`count(*)::int` })
    .from(datasetFiles)
    .where(eq(datasetFiles.datasetId, datasetId))
    .groupBy(datasetFiles.status);
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}
