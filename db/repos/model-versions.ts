/** Deployable model versions (deployModelWorkflow): lineage, status and the one published per experiment. */
import { and, asc, eq, inArray, ne } from 'drizzle-orm';
import type { ModelVersionStatus } from '../../contracts/deploy.js';
import { modelVersions, type ModelVersionRow, type NewModelVersion } from '../schema.js';
import { withTransaction } from '../tx.js';
import type { Database } from '../types.js';

export type { ModelVersionRow } from '../schema.js';
export type ModelVersionInput = Omit<NewModelVersion, 'createdAt' | 'published' | 'publishedAt' | 'replacesId'>;

/**
 * Insert or refresh a version (a retried step lands on the same row). A row already published
 * or rolled back keeps its status: a late retry must not bring it back to life.
 */
export async function upsertModelVersion(db: Database, input: ModelVersionInput): Promise<ModelVersionRow> {
  return withTransaction(db, async (tx) => {
    const [existing] = await tx.select().from(modelVersions).where(eq(modelVersions.id, input.id)).for('update');
    if (existing && (existing.published || existing.status === 'rolled_back')) return existing;
    const [row] = await tx
      .insert(modelVersions)
      .values(input)
      .onConflictDoUpdate({
        target: modelVersions.id,
        set: { artifactUri: input.artifactUri, bytes: input.bytes, metrics: input.metrics ?? {}, status: input.status, parentId: input.parentId ?? null },
      })
      .returning();
    return row;
  });
}

export async function getModelVersion(db: Database, id: string): Promise<ModelVersionRow | undefined> {
  const [row] = await db.select().from(modelVersions).where(eq(modelVersions.id, id));
  return row;
}

export async function listModelVersions(db: Database, experimentId: string): Promise<ModelVersionRow[]> {
  return db.select().from(modelVersions).where(eq(modelVersions.experimentId, experimentId)).orderBy(asc(modelVersions.createdAt), asc(modelVersions.id));
}

export async function getPublishedVersion(db: Database, experimentId: string): Promise<ModelVersionRow | undefined> {
  const [row] = await db
    .select()
    .from(modelVersions)
    .where(and(eq(modelVersions.experimentId, experimentId), eq(modelVersions.published, true)));
  return row;
}

/** Set a status and merge figures into metrics; a published or rolled-back row is left alone. */
export async function setModelVersionStatus(db: Database, id: string, status: ModelVersionStatus, metrics: Record<string, unknown> = {}): Promise<void> {
  await withTransaction(db, async (tx) => {
    const [row] = await tx.select().from(modelVersions).where(eq(modelVersions.id, id)).for('update');
    if (!row || row.published || row.status === 'rolled_back') return;
    await tx
      .update(modelVersions)
      .set({ status, metrics: { ...row.metrics, ...metrics } })
      .where(eq(modelVersions.id, id));
  });
}

/** Merge figures into a version's metrics (status unchanged). */
export async function mergeModelVersionMetrics(db: Database, id: string, metrics: Record<string, unknown>): Promise<void> {
  await withTransaction(db, async (tx) => {
    const [row] = await tx.select().from(modelVersions).where(eq(modelVersions.id, id)).for('update');
    if (!row) return;
    await tx
      .update(modelVersions)
      .set({ metrics: { ...row.metrics, ...metrics } })
      .where(eq(modelVersions.id, id));
  });
}

/**
 * Publish `id`: the experiment's published version (if another) is retired and remembered in
 * `replaces_id`, in one transaction. Idempotent: publishing the published version again returns
 * what it replaced.
 */
export async function publishModelVersion(db: Database, id: string): Promise<{ row: ModelVersionRow; previousId: string | null }> {
  return withTransaction(db, async (tx) => {
    const [row] = await tx.select().from(modelVersions).where(eq(modelVersions.id, id)).for('update');
    if (!row) throw new Error(`model version "${id}" does not exist`);
    if (row.published) return { row, previousId: row.replacesId };
    if (row.status !== 'validated') throw new Error(`model version "${id}" is ${row.status}, not validated`);
    const [current] = await tx
      .select()
      .from(modelVersions)
      .where(and(eq(modelVersions.experimentId, row.experimentId), eq(modelVersions.published, true), ne(modelVersions.id, id)))
      .for('update');
    if (current) await tx.update(modelVersions).set({ published: false, status: 'retired' }).where(eq(modelVersions.id, current.id));
    const [published] = await tx
      .update(modelVersions)
      .set({ published: true, status: 'published', replacesId: current?.id ?? null, publishedAt: new Date() })
      .where(eq(modelVersions.id, id))
      .returning();
    return { row: published, previousId: current?.id ?? null };
  });
}

/**
 * Undo a deployment's versions (all of them, or `versionIds`): each is marked rolled_back; one
 * that was published is unpublished and the version it replaced is published again. Idempotent.
 */
export async function rollBackModelVersions(
  db: Database,
  deploymentId: string,
  versionIds?: readonly string[],
): Promise<{ rolledBack: string[]; restored: string | null }> {
  return withTransaction(db, async (tx) => {
    const where = versionIds
      ? and(eq(modelVersions.deploymentId, deploymentId), inArray(modelVersions.id, [...versionIds]))
      : eq(modelVersions.deploymentId, deploymentId);
    const rows = versionIds && versionIds.length === 0 ? [] : await tx.select().from(modelVersions).where(where).for('update');
    let restored: string | null = null;
    const rolledBack: string[] = [];
    for (const row of rows) {
      if (row.published) {
        await tx.update(modelVersions).set({ published: false }).where(eq(modelVersions.id, row.id));
        if (row.replacesId) {
          const [previous] = await tx.select().from(modelVersions).where(eq(modelVersions.id, row.replacesId)).for('update');
          if (previous && previous.status === 'retired') {
            await tx.update(modelVersions).set({ published: true, status: 'published' }).where(eq(modelVersions.id, previous.id));
            restored = previous.id;
          }
        }
      }
      if (row.status !== 'rolled_back') {
        await tx.update(modelVersions).set({ status: 'rolled_back' }).where(eq(modelVersions.id, row.id));
        rolledBack.push(row.id);
      }
    }
    return { rolledBack, restored };
  });
}
