import { sql, type SQL } from 'drizzle-orm';
import { RETENTION_KINDS, type RetentionConfig, type RetentionKind, type RetentionRowsReport } from '../../contracts/retention.js';
import { DATASET_TERMINAL, RUN_TERMINAL } from '../status.js';
import { withTransaction } from '../tx.js';
import type { Database, Transaction } from '../types.js';

/** Ids listed per kind in a report (the counts are exact; the lists are for a person to check). */
const LISTED_IDS = 50;

/** Tables whose rows go with their parents (ON DELETE CASCADE, or deleted here with them). */
const DEPENDENTS = ['signals', 'dataset_files', 'evaluation_predictions', 'epoch_metrics', 'models', 'trials', 'xai_explanations'] as const;

const list = (values: readonly string[]): SQL =>
  sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  );

/** Every table that may refer to an artifact, anywhere in its columns (JSON configs included). */
const REFERRING_TABLES = [
  'datasets',
  'signals',
  'dataset_files',
  'experiments',
  'epoch_metrics',
  'models',
  'campaigns',
  'trials',
  'notifications',
  'xai_batches',
  'xai_explanations',
  'evaluation_predictions',
  'evaluations',
  'feature_sets',
  'feature_analyses',
  'model_versions',
  'verify_runs',
] as const;

/** Both drivers (node-postgres, PGlite) answer a raw query with `{ rows }`. */
async function query<T>(db: Database | Transaction, q: SQL): Promise<T[]> {
  const r = (await db.execute(q)) as { rows?: T[] };
  return r.rows ?? [];
}

async function ids(tx: Transaction, q: SQL): Promise<string[]> {
  return (await query<{ id: string }>(tx, q)).map((row) => row.id);
}

async function counts(tx: Transaction): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of DEPENDENTS) {
    const [row] = await query<{ n: string | number }>(tx, sql`SELECT count(*) AS n FROM ${sql.identifier(t)}`);
    out[t] = Number(row?.n ?? 0);
  }
  return out;
}

class DryRunRollback extends Error {
  constructor(readonly report: RetentionRowsReport) {
    super('dry run: rolled back');
  }
}

/**
 * Delete every finished row past its kind's retention at `now`, in one transaction (a dry run
 * does the same and rolls back, so its counts are exactly what a real run would delete).
 * Order matters: campaigns first (so a campaign that goes no longer protects its best
 * experiment), then experiments (except a remaining campaign's best), batches, evaluations, and
 * datasets only when nothing that remains refers to them; notifications last.
 */
export async function expireRows(db: Database, config: Pick<RetentionConfig, 'days' | 'dryRun'>, now: Date): Promise<RetentionRowsReport> {
  const cutoff = (k: RetentionKind) => new Date(now.getTime() - config.days[k] * 86_400_000);
  const iso = (k: RetentionKind) => cutoff(k).toISOString();
  const run = list(RUN_TERMINAL);
  const ds = list(DATASET_TERMINAL);
  const work = async (tx: Transaction): Promise<RetentionRowsReport> => {
    const before = await counts(tx);
    const rows = {} as RetentionRowsReport['rows'];
    const record = (k: RetentionKind, deleted: string[]) => (rows[k] = { cutoff: iso(k), deleted: deleted.length, ids: deleted.slice(0, LISTED_IDS) });

    record(
      'campaigns',
      await ids(tx, sql`DELETE FROM campaigns WHERE status IN (${run}) AND coalesce(completed_at, created_at) < ${iso('campaigns')}::timestamptz RETURNING id`),
    );
    const best = await ids(
      tx,
      sql`SELECT t.experiment_id AS id FROM campaigns c JOIN trials t ON t.campaign_id = c.id AND t.number = c.best_trial WHERE t.experiment_id IS NOT NULL`,
    );
    const expired = await ids(
      tx,
      sql`SELECT id FROM experiments WHERE status IN (${run}) AND coalesce(completed_at, created_at) < ${iso('experiments')}::timestamptz`,
    );
    const bestSet = new Set(best);
    const goingExperiments = expired.filter((id) => !bestSet.has(id));
    if (goingExperiments.length > 0) {
      await tx.execute(sql`DELETE FROM models WHERE experiment_id IN (${list(goingExperiments)}) OR id IN (${list(goingExperiments)})`);
      await tx.execute(sql`DELETE FROM experiments WHERE id IN (${list(goingExperiments)})`);
    }
    record('experiments', goingExperiments);
    const keptAsCampaignBest = expired.filter((id) => bestSet.has(id));

    record(
      'xai',
      await ids(tx, sql`DELETE FROM xai_batches WHERE status IN (${run}) AND coalesce(completed_at, created_at) < ${iso('xai')}::timestamptz RETURNING id`),
    );
    record(
      'evaluations',
      await ids(
        tx,
        sql`DELETE FROM evaluations WHERE status IN (${run}) AND coalesce(completed_at, created_at) < ${iso('evaluations')}::timestamptz RETURNING id`,
      ),
    );
    record(
      'datasets',
      await ids(
        tx,
        sql`DELETE FROM datasets d WHERE d.status IN (${ds}) AND coalesce(d.completed_at, d.created_at) < ${iso('datasets')}::timestamptz
          AND NOT EXISTS (SELECT 1 FROM experiments e WHERE e.dataset_id = d.id)
          AND NOT EXISTS (SELECT 1 FROM campaigns c WHERE c.dataset_id = d.id)
          AND NOT EXISTS (SELECT 1 FROM xai_explanations x WHERE x.dataset_id = d.id)
          AND NOT EXISTS (SELECT 1 FROM evaluations v WHERE v.dataset_id = d.id)
          RETURNING d.id`,
      ),
    );
    record('notifications', await ids(tx, sql`DELETE FROM notifications WHERE created_at < ${iso('notifications')}::timestamptz RETURNING id`));

    const after = await counts(tx);
    const dependents = Object.fromEntries(DEPENDENTS.map((t) => [t, before[t] - after[t]]));
    // The ordered deletes above leave a kind absent only if RETENTION_KINDS grew without a rule here.
    for (const k of RETENTION_KINDS) if (rows[k] === undefined) throw new Error(`retention: no rule for kind ${k}`);
    const report: RetentionRowsReport = { dryRun: config.dryRun, rows, keptAsCampaignBest, dependents };
    if (config.dryRun) throw new DryRunRollback(report);
    return report;
  };
  try {
    return await withTransaction(db, work);
  } catch (err) {
    if (err instanceof DryRunRollback) return err.report;
    throw err;
  }
}

/** Every artifact URI some row refers to, in any column (JSON configs and details included). */
export async function referencedArtifactUris(db: Database): Promise<Set<string>> {
  const out = new Set<string>();
  for (const t of REFERRING_TABLES) {
    const rows = await query<{ uri: string }>(
      db,
      sql`SELECT DISTINCT m[1] AS uri FROM ${sql.identifier(t)} AS x, regexp_matches(row_to_json(x)::text, '(artifact:sha256/[0-9a-f]{64})', 'g') AS m`,
    );
    for (const row of rows) out.add(row.uri);
  }
  return out;
}

export async function listArtifactMarks(db: Database): Promise<Map<string, Date>> {
  const rows = await query<{ uri: string; marked_at: string | Date }>(db, sql`SELECT uri, marked_at FROM artifact_marks`);
  return new Map(rows.map((row) => [row.uri, new Date(row.marked_at)]));
}

export async function markArtifacts(db: Database, marks: { uri: string; bytes: number }[], at: Date): Promise<void> {
  for (let i = 0; i < marks.length; i += 500) {
    const part = marks.slice(i, i + 500);
    await db.execute(
      sql`INSERT INTO artifact_marks (uri, marked_at, bytes) VALUES ${sql.join(
        part.map((m) => sql`(${m.uri}, ${at.toISOString()}::timestamptz, ${m.bytes})`),
        sql`, `,
      )} ON CONFLICT (uri) DO NOTHING`,
    );
  }
}

/** Drop marks (the artifact is referenced again, or gone); with `forget`, its registry row too (it was deleted). */
export async function unmarkArtifacts(db: Database, uris: readonly string[], opts: { forget?: boolean } = {}): Promise<void> {
  for (let i = 0; i < uris.length; i += 500) {
    const part = uris.slice(i, i + 500);
    await db.execute(sql`DELETE FROM artifact_marks WHERE uri IN (${list(part)})`);
    if (opts.forget) await db.execute(sql`DELETE FROM artifacts WHERE uri IN (${list(part)})`);
  }
}
