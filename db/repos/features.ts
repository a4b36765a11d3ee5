/**
 * Feature-set rows, keyed by the set's id (`<datasetId>-<hash>`): a retried registration or a
 * repeated request writes the one row.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { RunStatus } from '../../contracts/status.js';
import { featureAnalyses, featureSets, type FeatureAnalysisRow, type FeatureSetRow } from '../schema.js';
import { isTerminalRunStatus, runStatusesAllowingTransitionTo } from '../status.js';
import type { Database } from '../types.js';
import { definedOnly, storedRow } from './util.js';

export type { FeatureAnalysisRow, FeatureSetRow } from '../schema.js';

export async function getFeatureSet(db: Database, id: string): Promise<FeatureSetRow | undefined> {
  const [row] = await db.select().from(featureSets).where(eq(featureSets.id, id));
  return row;
}

export async function listFeatureSets(db: Database, datasetId: string): Promise<FeatureSetRow[]> {
  return db.select().from(featureSets).where(eq(featureSets.datasetId, datasetId));
}

export interface FeatureSetInput {
  id: string;
  datasetId: string;
  version: number;
  settings: Record<string, unknown>;
  workflowId: string;
}

/** Create the set, or reopen it for a new run of the same id (a failed or cancelled one). */
export async function upsertFeatureSet(db: Database, input: FeatureSetInput): Promise<FeatureSetRow> {
  const [row] = await db
    .insert(featureSets)
    .values({ ...input, status: 'RUNNING' })
    .onConflictDoUpdate({
      target: featureSets.id,
      set: { ...input, status: 'RUNNING', error: null, completedAt: null, updatedAt: sql`now()` },
    })
    .returning();
  return storedRow(row, () => getFeatureSet(db, input.id), `feature set ${input.id}`);
}

export interface FeatureSetStatusUpdate {
  error?: string | null;
  numRows?: number;
  numFeatures?: number;
  featureNames?: string[];
  matrixUri?: string;
  indexUri?: string;
  catalogUri?: string;
  rowsPerSec?: number | null;
}

export async function setFeatureSetStatus(
  db: Database,
  id: string,
  status: RunStatus,
  update: FeatureSetStatusUpdate = {},
): Promise<FeatureSetRow | undefined> {
  const error = update.error !== undefined ? update.error : status === 'FAILED' ? undefined : null;
  const [row] = await db
    .update(featureSets)
    .set({
      ...definedOnly({ ...update, error }),
      status,
      completedAt: isTerminalRunStatus(status) ? sql`now()` : null,
      updatedAt: sql`now()`,
    })
    .where(and(eq(featureSets.id, id), inArray(featureSets.status, runStatusesAllowingTransitionTo(status))))
    .returning();
  return row;
}

export async function getFeatureAnalysis(db: Database, id: string): Promise<FeatureAnalysisRow | undefined> {
  const [row] = await db.select().from(featureAnalyses).where(eq(featureAnalyses.id, id));
  return row;
}

/** Create the analysis, or reopen it for a new run of the same id. */
export async function upsertFeatureAnalysis(
  db: Database,
  input: { id: string; featureSetId: string; mode: FeatureAnalysisRow['mode']; options: Record<string, unknown>; workflowId: string },
): Promise<FeatureAnalysisRow> {
  const [row] = await db
    .insert(featureAnalyses)
    .values({ ...input, status: 'RUNNING' })
    .onConflictDoUpdate({ target: featureAnalyses.id, set: { ...input, status: 'RUNNING', error: null, completedAt: null, updatedAt: sql`now()` } })
    .returning();
  return storedRow(row, () => getFeatureAnalysis(db, input.id), `feature analysis ${input.id}`);
}

export async function setFeatureAnalysisStatus(
  db: Database,
  id: string,
  status: RunStatus,
  update: { error?: string | null; summary?: Record<string, unknown>; features?: string[]; resultUri?: string; pictureUri?: string } = {},
): Promise<FeatureAnalysisRow | undefined> {
  const error = update.error !== undefined ? update.error : status === 'FAILED' ? undefined : null;
  const [row] = await db
    .update(featureAnalyses)
    .set({ ...definedOnly({ ...update, error }), status, completedAt: isTerminalRunStatus(status) ? sql`now()` : null, updatedAt: sql`now()` })
    .where(and(eq(featureAnalyses.id, id), inArray(featureAnalyses.status, runStatusesAllowingTransitionTo(status))))
    .returning();
  return row;
}
