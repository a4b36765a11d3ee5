/**
 * Verification rows (issue 13). A run's row is keyed by its workflow id; its tests, coverage
 * files and findings are replaced whole in one transaction, so a retried activity leaves exactly
 * one set.
 */
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { VerifyKind, VerifyStatus } from '../../contracts/verify.js';
import { verifyCoverageFiles, verifyFindings, verifyRuns, verifyTestResults } from '../schema.js';
import { withTransaction } from '../tx.js';
import type { Database } from '../types.js';
import { chunks, excluded } from './util.js';

export type { VerifyRunRow } from '../schema.js';
import type { VerifyRunRow } from '../schema.js';
export type NewVerifyTestResult = Omit<typeof verifyTestResults.$inferInsert, 'runId'>;
export type NewVerifyCoverageFile = Omit<typeof verifyCoverageFiles.$inferInsert, 'runId'>;
export type NewVerifyFinding = Omit<typeof verifyFindings.$inferInsert, 'runId'>;

const CHUNK = 500;

/** The row of a run that is starting (again): RUNNING, request recorded, old outcome cleared. */
export async function startVerifyRun(db: Database, row: { id: string; kind: VerifyKind; request: Record<string, unknown>; workflowId: string }): Promise<void> {
  await db
    .insert(verifyRuns)
    .values({ ...row, status: 'RUNNING' })
    .onConflictDoUpdate({
      target: verifyRuns.id,
      set: { status: 'RUNNING', request: excluded(verifyRuns.request), error: null, completedAt: null },
    });
}

export interface VerifyOutcome {
  status: VerifyStatus;
  summary: Record<string, unknown>;
  junitUri?: string;
  coverageHtmlUri?: string;
  reportUri?: string;
  error?: string;
  tests?: NewVerifyTestResult[];
  coverageFiles?: NewVerifyCoverageFile[];
  findings?: NewVerifyFinding[];
}

/** Record a finished run: its outcome and, replacing any earlier attempt's, its child rows. */
export async function finishVerifyRun(db: Database, id: string, o: VerifyOutcome): Promise<void> {
  await withTransaction(db, async (tx) => {
    await tx.delete(verifyTestResults).where(eq(verifyTestResults.runId, id));
    await tx.delete(verifyCoverageFiles).where(eq(verifyCoverageFiles.runId, id));
    await tx.delete(verifyFindings).where(eq(verifyFindings.runId, id));
    for (const part of chunks(o.tests ?? [], CHUNK)) await tx.insert(verifyTestResults).values(part.map((r) => ({ ...r, runId: id })));
    for (const part of chunks(o.coverageFiles ?? [], CHUNK)) await tx.insert(verifyCoverageFiles).values(part.map((r) => ({ ...r, runId: id })));
    for (const part of chunks(o.findings ?? [], CHUNK)) await tx.insert(verifyFindings).values(part.map((r) => ({ ...r, runId: id })));
    await tx
      .update(verifyRuns)
      .set({
        status: o.status,
        summary: o.summary,
        junitUri: o.junitUri ?? null,
        coverageHtmlUri: o.coverageHtmlUri ?? null,
        reportUri: o.reportUri ?? null,
        error: o.error ?? null,
        completedAt: sql`now()`,
      })
      .where(eq(verifyRuns.id, id));
  });
}

/** A run that ended without an outcome of its own (cancelled, failed): status and reason only. */
/** True when it marked the row (false: the run had already ended, e.g. a retried call). */
export async function markVerifyRun(db: Database, id: string, status: VerifyStatus, error?: string): Promise<boolean> {
  const rows = await db
    .update(verifyRuns)
    .set({ status, error: error ?? null, completedAt: sql`now()` })
    .where(and(eq(verifyRuns.id, id), eq(verifyRuns.status, 'RUNNING')))
    .returning({ id: verifyRuns.id });
  return rows.length > 0;
}

export async function getVerifyRun(db: Database, id: string): Promise<VerifyRunRow | undefined> {
  const [row] = await db.select().from(verifyRuns).where(eq(verifyRuns.id, id));
  return row;
}

export async function listVerifyTests(db: Database, id: string) {
  return db.select().from(verifyTestResults).where(eq(verifyTestResults.runId, id)).orderBy(asc(verifyTestResults.idx));
}

export async function listVerifyCoverageFiles(db: Database, id: string) {
  return db.select().from(verifyCoverageFiles).where(eq(verifyCoverageFiles.runId, id)).orderBy(asc(verifyCoverageFiles.file));
}

export async function listVerifyFindings(db: Database, id: string) {
  return db.select().from(verifyFindings).where(eq(verifyFindings.runId, id)).orderBy(asc(verifyFindings.idx));
}

/** The newest finished run of a kind with a report, other than `exceptId` (the benchmark baseline). */
export async function lastFinishedVerifyRun(db: Database, kind: VerifyKind, exceptId: string, key?: string): Promise<VerifyRunRow | undefined> {
  const rows = await db
    .select()
    .from(verifyRuns)
    .where(
      and(
        eq(verifyRuns.kind, kind),
        sql`${verifyRuns.id} <> ${exceptId}`,
        sql`${verifyRuns.reportUri} IS NOT NULL`,
        key ? sql`${verifyRuns.summary}->>'key' = ${key}` : sql`true`,
      ),
    )
    .orderBy(desc(verifyRuns.completedAt))
    .limit(1);
  return rows[0];
}

/**
 * The last finished benchmark run that measured `bench` (same quick flag: quick figures are
 * noise next to full ones), other than `exceptId`: the baseline a new run is compared with.
 * Its figures are in the row's summary (`figures.<bench>`).
 */
export async function lastBenchRun(db: Database, bench: string, quick: boolean, exceptId: string): Promise<VerifyRunRow | undefined> {
  const rows = await db
    .select()
    .from(verifyRuns)
    .where(
      and(
        eq(verifyRuns.kind, 'bench'),
        sql`${verifyRuns.id} <> ${exceptId}`,
        sql`${verifyRuns.status} IN ('PASSED', 'FAILED')`,
        sql`${verifyRuns.summary} -> 'figures' ? ${bench}`,
        sql`(${verifyRuns.summary} ->> 'quick') = ${quick ? 'true' : 'false'}`,
      ),
    )
    .orderBy(desc(verifyRuns.completedAt))
    .limit(1);
  return rows[0];
}
