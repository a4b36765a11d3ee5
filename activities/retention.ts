import { Context } from '@temporalio/activity';
import { RetentionInputSchema, type RetentionConfig, type RetentionRowsReport, type RetentionSweepReport } from '../contracts/index.js';
import { expireRows, listArtifactMarks, markArtifacts, referencedArtifactUris, unmarkArtifacts } from '../db/repos/retention.js';
import type { ActivityDeps } from './deps.js';
import { validateActivityInput } from './lib/failures.js';

export interface ExpireRowsInput {
  config: RetentionConfig;
  /** ISO time the run judges ages against. */
  now: string;
}

export interface SweepArtifactsInput {
  dryRun: boolean;
  artifactGraceHours: number;
  now: string;
}

/**
 * Retention's two steps, on faultline-cpu (a full store listing is long I/O). Both are
 * idempotent: a retry of expireRows finds fewer rows; a retry of the sweep re-derives every
 * decision from the store, the rows and the marks.
 */
export function createRetentionActivities(deps: ActivityDeps) {
  return {
    async expireRetentionRows(input: ExpireRowsInput): Promise<RetentionRowsReport> {
      const config = validateActivityInput(RetentionInputSchema, input.config, 'expireRetentionRows config');
      return expireRows(deps.db, config, new Date(input.now));
    },

    /**
     * Mark → grace → sweep. An unreferenced artifact is marked; one marked at least the grace
     * period ago, still unreferenced and with bytes older than the grace period (a re-put
     * refreshes them) is deleted, after the references are read once more just before. An
     * artifact referenced again is unmarked.
     */
    async sweepArtifacts(input: SweepArtifactsInput): Promise<RetentionSweepReport> {
      const ctx = Context.current();
      const now = new Date(input.now);
      const graceEdge = now.getTime() - input.artifactGraceHours * 3_600_000;
      const referenced = await referencedArtifactUris(deps.db);
      const marks = await listArtifactMarks(deps.db);
      const report: RetentionSweepReport = {
        dryRun: input.dryRun,
        scanned: 0,
        referenced: 0,
        newlyMarked: 0,
        unmarked: 0,
        waiting: 0,
        deleted: 0,
        deletedBytes: 0,
      };
      const toMark: { uri: string; bytes: number }[] = [];
      const toUnmark: string[] = [];
      const candidates: { uri: string; bytes: number }[] = [];
      const seen = new Set<string>();
      for await (const a of deps.artifacts.list()) {
        report.scanned++;
        seen.add(a.uri);
        if (report.scanned % 500 === 0) ctx.heartbeat({ scanned: report.scanned });
        const markedAt = marks.get(a.uri);
        if (referenced.has(a.uri)) {
          report.referenced++;
          if (markedAt !== undefined) toUnmark.push(a.uri);
        } else if (markedAt === undefined) {
          toMark.push({ uri: a.uri, bytes: a.bytes });
        } else if (markedAt.getTime() <= graceEdge && a.modifiedAt.getTime() <= graceEdge) {
          candidates.push({ uri: a.uri, bytes: a.bytes });
        } else {
          report.waiting++;
        }
      }
      // Marks of artifacts no longer in the store (deleted by hand, or by an earlier attempt).
      const gone = [...marks.keys()].filter((uri) => !seen.has(uri));
      report.newlyMarked = toMark.length;
      report.unmarked = toUnmark.length;
      // A row may have come to refer to a candidate while we listed: read the references again.
      const again = candidates.length > 0 ? await referencedArtifactUris(deps.db) : referenced;
      const doomed = candidates.filter((c) => !again.has(c.uri));
      report.unmarked += candidates.length - doomed.length;
      if (!input.dryRun) {
        await markArtifacts(deps.db, toMark, now);
        await unmarkArtifacts(deps.db, [...toUnmark, ...candidates.filter((c) => again.has(c.uri)).map((c) => c.uri)]);
        await unmarkArtifacts(deps.db, gone, { forget: true });
      }
      for (const [i, c] of doomed.entries()) {
        if (!input.dryRun) {
          await deps.artifacts.delete(c.uri);
          await unmarkArtifacts(deps.db, [c.uri], { forget: true });
        }
        report.deleted++;
        report.deletedBytes += c.bytes;
        if (i % 200 === 199) ctx.heartbeat({ scanned: report.scanned, deleted: report.deleted });
      }
      return report;
    },
  };
}

export type RetentionActivities = ReturnType<typeof createRetentionActivities>;
