import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import {
  RunTestSuiteInputSchema,
  verifyProgressSignal,
  VERIFY_REPORT_ENV,
  type RunTestSuiteConfig,
  type RunTestSuiteResult,
  type TestCaseResult,
  type TestRunProgress,
  type TestTotals,
  type VerifyKind,
  type VerifyStatus,
  type VitestReport,
} from '../contracts/index.js';
import { encodeJson } from '../artifacts/codecs.js';
import { registerArtifact } from '../db/repos/artifacts.js';
import { finishVerifyRun, markVerifyRun, startVerifyRun } from '../db/repos/verify.js';
import type { ActivityDeps } from './deps.js';
import { validateActivityInput } from './lib/failures.js';
import { PROJECT_ROOT, runSandboxed, type SandboxResult } from './lib/sandbox/index.js';
import { withVerifySlot } from './lib/verify/slot.js';
import { bundleDirectory, outputsIn, parseProgressLine, planTestRun, readCoverage } from './lib/verify/vitest-run.js';

const HEARTBEAT_MS = 5_000;
/** The workflow's progress is refreshed at most this often (a signal per test would flood its history). */
const SIGNAL_EVERY_MS = 2_000;
const MAX_OUTPUT_BYTES = 2 * 1024 * 1024;
/** Failures carried in the result; all of them are rows. */
const LISTED_FAILURES = 20;

export interface RunTestSuiteActivityInput {
  /** The workflow that ran it: the row's id, and where progress is signalled. */
  workflowId: string;
  config: RunTestSuiteConfig;
}

export interface VerifyEndedInput {
  workflowId: string;
  status: Extract<VerifyStatus, 'CANCELLED' | 'ERROR'>;
  error?: string;
}

function totalsOf(report: VitestReport, durationMs: number): TestTotals {
  const count = (s: TestCaseResult['status']) => report.tests.filter((t) => t.status === s).length;
  return {
    files: report.files.length,
    tests: report.tests.length,
    passed: count('passed'),
    failed: count('failed'),
    skipped: count('skipped'),
    todo: count('todo'),
    errors: report.fileErrors.length + report.unhandledErrors.length,
    durationMs,
  };
}

const tail = (s: string, n = 4_000) => (s.length > n ? `…${s.slice(-n)}` : s);

/**
 * The verification activities, on faultline-cpu. runTestSuite is the sandboxed vitest run: its
 * files and pattern are checked before anything starts, one run per worker at a time, progress
 * parsed from the reporter's lines while it runs (heartbeats and a throttled signal to the
 * workflow), cancellation killing the whole process group. A retry runs the suite again and
 * replaces the rows.
 */
export function createVerifyActivities(deps: ActivityDeps) {
  const { db, artifacts } = deps;

  async function store(bytes: Uint8Array, kind: string, mediaType: string): Promise<string> {
    const s = await artifacts.put(bytes, { kind, mediaType });
    await registerArtifact(db, { ...s, kind, mediaType });
    return s.uri;
  }

  return {
    async runTestSuite(input: RunTestSuiteActivityInput): Promise<RunTestSuiteResult> {
      const ctx = Context.current();
      const config = validateActivityInput(RunTestSuiteInputSchema, input.config, 'runTestSuite config');
      const dir = mkdtempSync(path.join(os.tmpdir(), 'faultline-verify-'));
      const out = outputsIn(dir);
      try {
        // Refused input fails here, before the row, the slot or any process.
        const command = planTestRun(config, PROJECT_ROOT, out);
        await startVerifyRun(db, { id: input.workflowId, kind: 'tests' satisfies VerifyKind, request: config, workflowId: input.workflowId });
        let progress: TestRunProgress = { filesTotal: 0, filesDone: 0, testsTotal: 0, testsDone: 0, failed: 0 };
        let lastSignal = 0;
        let pending: NodeJS.Timeout | undefined;
        const workflow = deps.client.workflow.getHandle(input.workflowId);
        // Throttled, with a trailing send: the newest progress always arrives, even when the next line is a minute away.
        const signal = (force = false) => {
          const wait = SIGNAL_EVERY_MS - (Date.now() - lastSignal);
          if (!force && wait > 0) {
            pending ??= setTimeout(() => {
              pending = undefined;
              signal(true);
            }, wait);
            return;
          }
          if (pending) clearTimeout(pending);
          pending = undefined;
          lastSignal = Date.now();
          workflow.signal(verifyProgressSignal, progress).catch((err: unknown) => ctx.log.warn('could not signal verify progress', { error: String(err) }));
        };
        const run: SandboxResult = await withVerifySlot(
          () =>
            runSandboxed(command, {
              timeoutMs: config.timeoutMinutes * 60_000,
              maxOutputBytes: MAX_OUTPUT_BYTES,
              signal: ctx.cancellationSignal,
              heartbeatMs: HEARTBEAT_MS,
              onTick: () => ctx.heartbeat({ progress }),
              env: { [VERIFY_REPORT_ENV]: out.report },
              onStdoutLine: (line) => {
                const p = parseProgressLine(line);
                if (!p) return;
                progress = p;
                signal();
              },
            }),
          () => ctx.heartbeat({ waiting: 'another verification run holds this worker' }),
          ctx.cancellationSignal,
        );
        signal(true);
        if (run.cancelled) throw new CancelledFailure('test run cancelled; its process group was killed');
        let report: VitestReport | undefined;
        try {
          report = JSON.parse(readFileSync(out.report, 'utf8')) as VitestReport;
        } catch {
          report = undefined;
        }
        if (run.timedOut || !report) {
          const status: VerifyStatus = run.timedOut ? 'TIMED_OUT' : 'ERROR';
          const error = run.timedOut
            ? `vitest exceeded its ${config.timeoutMinutes} min limit and was killed`
            : `vitest exited ${run.exitCode ?? run.signal} without a report: ${tail(run.stderr || run.stdout)}`;
          await finishVerifyRun(db, input.workflowId, { status, summary: { progress }, error });
          const totals: TestTotals = {
            files: progress.filesDone,
            tests: progress.testsDone,
            passed: 0,
            failed: progress.failed,
            skipped: 0,
            todo: 0,
            errors: 1,
            durationMs: run.durationMs,
          };
          return { runId: config.runId, status, totals, failures: [], exitCode: run.exitCode, runnerError: error };
        }
        const totals = totalsOf(report, run.durationMs);
        const junitUri = await store(readFileSync(out.junit), 'junit-report', 'application/xml').catch(() => undefined);
        let coverage: RunTestSuiteResult['coverage'];
        let coverageHtmlUri: string | undefined;
        let coverageFiles: {
          file: string;
          linesPct: number;
          branchesPct: number;
          functionsPct: number;
          statementsPct: number;
          figures: Record<string, { covered: number; total: number }>;
        }[] = [];
        if (config.coverage) {
          const c = readCoverage(out.coverageDir, PROJECT_ROOT, config.coverageThreshold);
          coverage = c.summary;
          coverageFiles = c.files.map((f) => ({
            file: f.file,
            linesPct: f.figures.lines.pct,
            branchesPct: f.figures.branches.pct,
            functionsPct: f.figures.functions.pct,
            statementsPct: f.figures.statements.pct,
            figures: Object.fromEntries(Object.entries(f.figures).map(([k, v]) => [k, { covered: v.covered, total: v.total }])),
          }));
          coverageHtmlUri = await store(encodeJson(bundleDirectory(out.coverageDir)), 'coverage-html', 'application/x-faultline-files+json');
        }
        const failed = totals.failed > 0 || totals.errors > 0 || report.reason === 'failed' || (coverage !== undefined && !coverage.meetsThreshold);
        const status: VerifyStatus = failed ? 'FAILED' : 'PASSED';
        const failures = report.tests.filter((t) => t.status === 'failed');
        await finishVerifyRun(db, input.workflowId, {
          status,
          summary: {
            totals,
            coverage,
            fileErrors: report.fileErrors.slice(0, LISTED_FAILURES),
            unhandledErrors: report.unhandledErrors.slice(0, LISTED_FAILURES),
          },
          junitUri,
          coverageHtmlUri,
          tests: report.tests.map((t, idx) => ({
            idx,
            file: t.file,
            name: t.name,
            status: t.status,
            durationMs: t.durationMs,
            failureMessage: t.failureMessage ?? null,
          })),
          coverageFiles,
        });
        ctx.log.info('test run finished', { status, ...totals });
        return {
          runId: config.runId,
          status,
          totals,
          failures: failures.slice(0, LISTED_FAILURES),
          coverage,
          junitUri,
          coverageHtmlUri,
          exitCode: run.exitCode,
        };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },

    /** The row of a run that ended without its own outcome (cancelled, or failed for good). */
    async verifyRunEnded(input: VerifyEndedInput): Promise<void> {
      await markVerifyRun(db, input.workflowId, input.status, input.error);
    },
  };
}

export type VerifyActivities = ReturnType<typeof createVerifyActivities>;
