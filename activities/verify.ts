import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import {
  BENCH_NAMES,
  RunBenchmarksInputSchema,
  RunQualityChecksInputSchema,
  RunTestSuiteInputSchema,
  verifyProgressSignal,
  verifyStepSignal,
  VERIFY_REPORT_ENV,
  type BenchName,
  type BenchOutcome,
  type EventType,
  type QualityFinding,
  type QualityToolResult,
  type RunBenchmarksConfig,
  type RunBenchmarksResult,
  type RunQualityChecksConfig,
  type RunQualityChecksResult,
  type VerifyStepProgress,
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
import { finishVerifyRun, lastBenchRun, markVerifyRun, startVerifyRun } from '../db/repos/verify.js';
import type { ActivityDeps } from './deps.js';
import { validateActivityInput } from './lib/failures.js';
import { checkCommand, PROJECT_ROOT, runSandboxed, type SandboxResult } from './lib/sandbox/index.js';
import { benchProgress, compareFigures, parseBenchStartLine } from './lib/verify/bench-compare.js';
import {
  countByRule,
  exitIsFindings,
  insideTarget,
  nearestConfig,
  parseEslintOutput,
  parsePrettierOutput,
  parseTscOutput,
  qualityCommand,
  resolveQualityTarget,
} from './lib/verify/quality.js';
import { progressSignaller } from './lib/verify/signal.js';
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

export interface RunQualityChecksActivityInput {
  workflowId: string;
  config: RunQualityChecksConfig;
}

export interface RunBenchmarksActivityInput {
  workflowId: string;
  config: RunBenchmarksConfig;
}

/** What bench/run.ts --out writes: the machine, then one result per bench (bench/lib/runner.ts BenchResult). */
interface BenchSummaryFile {
  machine: Record<string, unknown>;
  benches: { name: string; status: 'ok' | 'failed'; durationSec: number; figures?: { kind: string }; error?: string }[];
}

/** The outcome's notification: one event type per outcome (ERROR and TIMED_OUT are failures; details.status says which). */
const EVENT_OF: Record<VerifyStatus, EventType> = {
  PASSED: 'VERIFY_PASSED',
  FAILED: 'VERIFY_FAILED',
  ERROR: 'VERIFY_FAILED',
  TIMED_OUT: 'VERIFY_FAILED',
  CANCELLED: 'VERIFY_CANCELLED',
};

const KIND_OF_ID: [string, VerifyKind][] = [
  ['verify-tests-', 'tests'],
  ['verify-quality-', 'quality'],
  ['verify-bench-', 'bench'],
];
const kindOfWorkflowId = (id: string): VerifyKind | undefined => KIND_OF_ID.find(([p]) => id.startsWith(p))?.[1];

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

  /** The run's outcome, once per (outcome, run): a retried activity reuses the stored notification. */
  async function notifyOutcome(workflowId: string, kind: VerifyKind | undefined, status: VerifyStatus, message: string, details: Record<string, unknown>) {
    await deps.notifier.notify({
      eventType: EVENT_OF[status],
      entityKind: 'verify-run',
      entityId: workflowId,
      title: `Verification ${kind ?? 'run'} ${workflowId} ${status.toLowerCase().replace('_', ' ')}`,
      message,
      details: { status, ...(kind ? { kind } : {}), ...details },
    });
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
          await notifyOutcome(input.workflowId, 'tests', status, error, { progress });
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
        await notifyOutcome(
          input.workflowId,
          'tests',
          status,
          `${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped in ${totals.files} files${coverage ? `; coverage ${coverage.meetsThreshold ? 'meets' : 'below'} threshold` : ''}`,
          { ...totals },
        );
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

    /**
     * The quality checks (the seed's run_quality_checks_task): tsc, eslint and prettier --check
     * over a path, one after another in the sandbox, each with the configuration nearest to the
     * path; findings parsed from their machine-readable output into rows. Every command line is
     * built (and refused) before the row, the slot or any process.
     */
    async runQualityChecks(input: RunQualityChecksActivityInput): Promise<RunQualityChecksResult> {
      const ctx = Context.current();
      const config = validateActivityInput(RunQualityChecksInputSchema, input.config, 'runQualityChecks config');
      const target = resolveQualityTarget('path', config.path, PROJECT_ROOT);
      const plan = config.tools.map((tool) => {
        const file = nearestConfig(tool, target, PROJECT_ROOT);
        return { tool, config: file, command: qualityCommand(tool, target, file) };
      });
      await startVerifyRun(db, { id: input.workflowId, kind: 'quality' satisfies VerifyKind, request: config, workflowId: input.workflowId });
      const progress = progressSignaller<VerifyStepProgress>(
        deps.client,
        input.workflowId,
        verifyStepSignal,
        { completed: 0, total: plan.length, findings: 0 },
        (m, meta) => ctx.log.warn(m, meta),
      );
      const findings: QualityFinding[] = [];
      const tools: QualityToolResult[] = [];
      let timedOut = false;
      await withVerifySlot(
        async () => {
          for (const [i, step] of plan.entries()) {
            progress.update({ completed: i, total: plan.length, current: step.tool, findings: findings.length });
            const run = await runSandboxed(step.command, {
              timeoutMs: config.timeoutMinutes * 60_000,
              maxOutputBytes: MAX_OUTPUT_BYTES,
              signal: ctx.cancellationSignal,
              heartbeatMs: HEARTBEAT_MS,
              onTick: () => ctx.heartbeat({ progress: progress.current }),
            });
            if (run.cancelled) throw new CancelledFailure(`quality checks cancelled during ${step.tool}; its process group was killed`);
            const base = { tool: step.tool, config: step.config, exitCode: run.exitCode, durationMs: run.durationMs };
            let found: QualityFinding[] = [];
            let error: string | undefined;
            if (run.timedOut) {
              timedOut = true;
              error = `${step.tool} exceeded its ${config.timeoutMinutes} min limit and was killed`;
            } else if (run.stdoutTruncatedBytes > 0) {
              error = `${step.tool} printed more than ${MAX_OUTPUT_BYTES} bytes; its findings were not read`;
            } else {
              try {
                if (step.tool === 'tsc') found = parseTscOutput(run.stdout, PROJECT_ROOT).filter((f) => f.file === '' || insideTarget(f.file, target));
                else if (step.tool === 'eslint') found = parseEslintOutput(run.stdout, PROJECT_ROOT);
                else found = parsePrettierOutput(run.stdout, PROJECT_ROOT);
              } catch (err) {
                error = `${step.tool}'s output could not be read (${String(err)}): ${tail(run.stderr || run.stdout, 1_000)}`;
              }
              if (error === undefined && !exitIsFindings(step.tool, run.exitCode)) {
                error = `${step.tool} exited ${run.exitCode ?? run.signal}: ${tail(run.stderr || run.stdout, 1_000)}`;
              }
            }
            const errors = found.filter((f) => f.severity === 'error').length;
            tools.push({
              ...base,
              findings: found.length,
              errors,
              warnings: found.filter((f) => f.severity === 'warning').length,
              passed: error === undefined && errors === 0,
              ...(error !== undefined ? { error } : {}),
            });
            findings.push(...found);
          }
        },
        () => ctx.heartbeat({ waiting: 'another verification run holds this worker' }),
        ctx.cancellationSignal,
      );
      progress.update({ completed: plan.length, total: plan.length, findings: findings.length });
      progress.flush();
      const totals = {
        findings: findings.length,
        errors: findings.filter((f) => f.severity === 'error').length,
        warnings: findings.filter((f) => f.severity === 'warning').length,
      };
      const status: VerifyStatus = timedOut ? 'TIMED_OUT' : tools.some((t) => t.error !== undefined) ? 'ERROR' : totals.errors > 0 ? 'FAILED' : 'PASSED';
      const countsByRule = countByRule(findings);
      const firstError = tools.find((t) => t.error !== undefined)?.error;
      await finishVerifyRun(db, input.workflowId, {
        status,
        summary: { path: target.path, tools, countsByRule, totals },
        ...(firstError !== undefined ? { error: firstError } : {}),
        findings: findings.map((f, idx) => ({ idx, ...f })),
      });
      await notifyOutcome(
        input.workflowId,
        'quality',
        status,
        `${target.path}: ${totals.errors} errors, ${totals.warnings} warnings (${tools.map((t) => `${t.tool} ${t.passed ? 'passed' : 'failed'}`).join(', ')})`,
        { ...totals },
      );
      ctx.log.info('quality checks finished', { status, path: target.path, ...totals });
      return { runId: config.runId, status, path: target.path, tools, countsByRule, totals, findings: findings.slice(0, LISTED_FAILURES) };
    },

    /**
     * The benchmarks (the seed's run_benchmarks_task): `tsx bench/run.ts --only <list>` in the
     * sandbox, its summary written to a temporary file (never over bench/results/), stored as an
     * artifact, and each bench's figures compared with the last stored run of that bench.
     */
    async runBenchmarks(input: RunBenchmarksActivityInput): Promise<RunBenchmarksResult> {
      const ctx = Context.current();
      const config = validateActivityInput(RunBenchmarksInputSchema, input.config, 'runBenchmarks config');
      // bench/run.ts runs them in the registry's order, so progress follows that order.
      const names = BENCH_NAMES.filter((n) => config.benches.includes(n));
      const dir = mkdtempSync(path.join(os.tmpdir(), 'faultline-bench-'));
      const summaryFile = path.join(dir, 'summary.json');
      try {
        const command = {
          program: 'tsx' as const,
          args: ['bench/run.ts', ...(config.quick ? ['--quick'] : []), '--only', names.join(','), '--out', summaryFile],
        };
        checkCommand(command);
        await startVerifyRun(db, { id: input.workflowId, kind: 'bench' satisfies VerifyKind, request: config, workflowId: input.workflowId });
        const progress = progressSignaller<VerifyStepProgress>(deps.client, input.workflowId, verifyStepSignal, benchProgress(names, undefined), (m, meta) =>
          ctx.log.warn(m, meta),
        );
        const run = await withVerifySlot(
          () =>
            runSandboxed(command, {
              timeoutMs: config.timeoutMinutes * 60_000,
              maxOutputBytes: MAX_OUTPUT_BYTES,
              signal: ctx.cancellationSignal,
              heartbeatMs: HEARTBEAT_MS,
              onTick: () => ctx.heartbeat({ progress: progress.current }),
              onStdoutLine: (line) => {
                const started = parseBenchStartLine(line, names);
                if (started) progress.update(benchProgress(names, started));
              },
            }),
          () => ctx.heartbeat({ waiting: 'another verification run holds this worker' }),
          ctx.cancellationSignal,
        );
        if (run.cancelled) throw new CancelledFailure('benchmark run cancelled; its process group was killed');
        progress.update({ completed: names.length, total: names.length });
        progress.flush();
        let summary: BenchSummaryFile | undefined;
        let bytes: Buffer | undefined;
        try {
          bytes = readFileSync(summaryFile);
          summary = JSON.parse(bytes.toString('utf8')) as BenchSummaryFile;
        } catch {
          summary = undefined;
        }
        if (run.timedOut || !summary || !bytes) {
          const status: VerifyStatus = run.timedOut ? 'TIMED_OUT' : 'ERROR';
          const error = run.timedOut
            ? `bench/run.ts exceeded its ${config.timeoutMinutes} min limit and was killed`
            : `bench/run.ts exited ${run.exitCode ?? run.signal} without a summary: ${tail(run.stderr || run.stdout)}`;
          await finishVerifyRun(db, input.workflowId, { status, summary: { quick: config.quick, progress: progress.current }, error });
          await notifyOutcome(input.workflowId, 'bench', status, error, { benches: names });
          return { runId: config.runId, status, quick: config.quick, benches: [], regressions: 0, exitCode: run.exitCode, runnerError: error };
        }
        const summaryUri = await store(bytes, 'bench-summary', 'application/json');
        const benches: BenchOutcome[] = [];
        const figures: Record<string, unknown> = {};
        for (const name of names) {
          const r = summary.benches.find((b) => b.name === name);
          if (!r) {
            benches.push({ name, status: 'failed', durationSec: 0, error: 'missing from the summary', comparisons: [], regressions: 0 });
            continue;
          }
          if (r.status !== 'ok' || !r.figures) {
            benches.push({ name, status: 'failed', durationSec: r.durationSec, error: r.error ?? 'no figures', comparisons: [], regressions: 0 });
            continue;
          }
          figures[name] = r.figures;
          const baseline = await lastBenchRun(db, name, config.quick, input.workflowId);
          const before = (baseline?.summary as { figures?: Record<string, unknown> } | null)?.figures?.[name];
          const comparisons = before === undefined ? [] : compareFigures(before, r.figures, config.regressionThreshold);
          benches.push({
            name: name satisfies BenchName,
            status: 'ok',
            durationSec: r.durationSec,
            ...(baseline ? { baselineRunId: baseline.id } : {}),
            comparisons,
            regressions: comparisons.filter((c) => c.regression).length,
          });
        }
        const regressions = benches.reduce((n, b) => n + b.regressions, 0);
        const status: VerifyStatus = benches.some((b) => b.status === 'failed') || regressions > 0 ? 'FAILED' : 'PASSED';
        await finishVerifyRun(db, input.workflowId, {
          status,
          summary: { quick: config.quick, regressionThreshold: config.regressionThreshold, figures, benches, regressions },
          reportUri: summaryUri,
        });
        await notifyOutcome(
          input.workflowId,
          'bench',
          status,
          benches.map((b) => `${b.name} ${b.status}${b.regressions ? ` (${b.regressions} regressions)` : ''}`).join(', '),
          { regressions, summaryUri },
        );
        ctx.log.info('benchmark run finished', { status, benches: names, regressions });
        return { runId: config.runId, status, quick: config.quick, benches, regressions, summaryUri, exitCode: run.exitCode };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },

    /** The row of a run that ended without its own outcome (cancelled, or failed for good), and its notification. */
    async verifyRunEnded(input: VerifyEndedInput): Promise<void> {
      const marked = await markVerifyRun(db, input.workflowId, input.status, input.error);
      if (!marked) return;
      await notifyOutcome(input.workflowId, kindOfWorkflowId(input.workflowId), input.status, input.error ?? input.status, {});
    },
  };
}

export type VerifyActivities = ReturnType<typeof createVerifyActivities>;
