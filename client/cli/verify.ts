import { InvalidArgumentError, type Command } from 'commander';
import {
  BENCH_NAMES,
  QUALITY_TOOLS,
  VERIFY_KINDS,
  VERIFY_WORKFLOW_IDS,
  type BenchName,
  type QualityTool,
  type RunBenchmarksResult,
  type RunQualityChecksResult,
  type RunTestSuiteResult,
  type VerifyKind,
} from '../../contracts/index.js';
import type { StartBenchmarksRequest, StartQualityChecksRequest, StartTestSuiteRequest } from '../verify.js';
import { InterruptedError, outputOf, unlessInterrupted, withSession, type CliDeps, type CommandGroup } from './context.js';
import { formatRun, formatStarted } from './output.js';
import { followToResult } from './run-commands.js';

/** A full workflow id of any kind as it is; a bare run id is of `kind` (tests unless --kind says otherwise). */
function workflowIdOf(id: string, kind: VerifyKind = 'tests'): string {
  return VERIFY_KINDS.some((k) => id.startsWith(VERIFY_WORKFLOW_IDS[k](''))) ? id : VERIFY_WORKFLOW_IDS[kind](id);
}

function verifyKind(value: string): VerifyKind {
  if (!(VERIFY_KINDS as readonly string[]).includes(value))
    throw new InvalidArgumentError(`expected one of ${VERIFY_KINDS.join(', ')}, got ${JSON.stringify(value)}`);
  return value as VerifyKind;
}

function qualityTool(value: string, previous: QualityTool[] = []): QualityTool[] {
  if (!(QUALITY_TOOLS as readonly string[]).includes(value))
    throw new InvalidArgumentError(`expected one of ${QUALITY_TOOLS.join(', ')}, got ${JSON.stringify(value)}`);
  return [...previous, value as QualityTool];
}

/** Names, repeatable or comma-separated; each must be in the benchmark registry's list. */
function benchNames(value: string, previous: BenchName[] = []): BenchName[] {
  const names = value.split(',').map((s) => s.trim());
  for (const n of names) {
    if (!(BENCH_NAMES as readonly string[]).includes(n))
      throw new InvalidArgumentError(`unknown benchmark ${JSON.stringify(n)}; expected some of ${BENCH_NAMES.join(', ')}`);
  }
  return [...previous, ...(names as BenchName[])];
}

function fraction(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || n > 10)
    throw new InvalidArgumentError(`expected a fraction such as 0.2 (20 %), at most 10, got ${JSON.stringify(value)}`);
  return n;
}

function percent(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || n > 100) throw new InvalidArgumentError(`expected a percentage 0..100, got ${JSON.stringify(value)}`);
  return n;
}

function minutes(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`expected whole minutes, got ${JSON.stringify(value)}`);
  return Number(value);
}

export function formatTestSuiteResult(r: RunTestSuiteResult): string {
  const t = r.totals;
  const lines = [
    `Tests ${r.status}: ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped, ${t.todo} todo in ${t.files} files (${(t.durationMs / 1000).toFixed(1)} s)`,
  ];
  if (t.errors) lines.push(`  ${t.errors} file or unhandled errors`);
  for (const f of r.failures) lines.push(`  FAIL ${f.file} > ${f.name}`, `       ${(f.failureMessage ?? '').split('\n')[0]}`);
  if (r.coverage) {
    const c = r.coverage;
    const cell = (k: 'lines' | 'branches' | 'functions' | 'statements') =>
      `${k} ${c.totals[k].pct}% (${c.totals[k].covered}/${c.totals[k].total}, min ${c.threshold[k]}%)`;
    lines.push(
      `  coverage ${c.meetsThreshold ? 'meets' : 'BELOW'} threshold: ${cell('lines')}, ${cell('branches')}, ${cell('functions')}, ${cell('statements')}; ${c.files} files`,
    );
  }
  if (r.runnerError) lines.push(`  runner: ${r.runnerError.split('\n')[0]}`);
  if (r.junitUri) lines.push(`  JUnit XML: ${r.junitUri}`);
  if (r.coverageHtmlUri) lines.push(`  coverage HTML (bundle): ${r.coverageHtmlUri}`);
  return lines.join('\n');
}

export function formatQualityResult(r: RunQualityChecksResult): string {
  const lines = [`Quality checks ${r.status} over ${r.path}: ${r.totals.errors} errors, ${r.totals.warnings} warnings`];
  for (const t of r.tools) {
    lines.push(
      `  ${t.tool.padEnd(8)} ${t.passed ? 'passed' : 'FAILED'}  ${t.errors} errors, ${t.warnings} warnings (${t.config}, ${(t.durationMs / 1000).toFixed(1)} s)`,
    );
    if (t.error) lines.push(`           ${t.error.split('\n')[0]}`);
  }
  const rules = Object.entries(r.countsByRule);
  if (rules.length) lines.push('  by rule:', ...rules.map(([rule, n]) => `    ${String(n).padStart(4)}  ${rule}`));
  for (const f of r.findings)
    lines.push(`  ${f.severity === 'error' ? 'ERROR' : f.severity.toUpperCase()} ${f.file}:${f.line}:${f.column} ${f.rule}: ${f.message.split('\n')[0]}`);
  if (r.totals.findings > r.findings.length) lines.push(`  … ${r.totals.findings - r.findings.length} more findings (rows in verify_findings)`);
  return lines.join('\n');
}

export function formatBenchResult(r: RunBenchmarksResult): string {
  const lines = [`Benchmarks ${r.status}${r.quick ? ' (quick)' : ''}: ${r.benches.length} run, ${r.regressions} regressions`];
  for (const b of r.benches) {
    lines.push(`  ${b.name} ${b.status}, ${b.durationSec} s${b.baselineRunId ? `, against ${b.baselineRunId}` : ', no earlier run to compare with'}`);
    if (b.error) lines.push(`    ${b.error}`);
    for (const c of b.comparisons.filter((x) => x.regression || x.direction !== 'unknown')) {
      lines.push(`    ${c.regression ? 'REGRESSION ' : ''}${c.figure}: ${c.baseline} → ${c.current} (×${c.ratio ?? '∞'}, ${c.direction} is better)`);
    }
  }
  if (r.runnerError) lines.push(`  runner: ${r.runnerError.split('\n')[0]}`);
  if (r.summaryUri) lines.push(`  summary JSON: ${r.summaryUri}`);
  return lines.join('\n');
}

/** The result's text by the run's kind, read off its workflow id. */
function formatAny(workflowId: string, result: unknown): string {
  if (workflowId.startsWith(VERIFY_WORKFLOW_IDS.quality(''))) return formatQualityResult(result as RunQualityChecksResult);
  if (workflowId.startsWith(VERIFY_WORKFLOW_IDS.bench(''))) return formatBenchResult(result as RunBenchmarksResult);
  return formatTestSuiteResult(result as RunTestSuiteResult);
}

interface TestFlags {
  file?: string[];
  name?: string;
  runId?: string;
  threshold?: number;
  timeoutMinutes?: number;
  wait?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * `faultline verify tests|coverage|quality|bench|progress|cancel|stop|result`: the operators'
 * checks of the platform itself, each a sandboxed durable run.
 */
export const verifyCommands: CommandGroup = {
  name: 'verify',
  register(program, deps: CliDeps) {
    const group = program.command('verify').description("run the project's own tests, coverage, quality checks and benchmarks as sandboxed, durable runs");

    for (const coverage of [false, true]) {
      group
        .command(coverage ? 'coverage' : 'tests')
        .description(coverage ? 'run tests with v8 coverage against a threshold' : 'run tests (files or globs relative to test/)')
        .option('--file <path>', 'test file, folder or glob relative to test/ (repeatable; default: unit)', collect)
        .option('--name <pattern>', 'only tests whose full name matches (letters, digits, spaces, _.,:|-)')
        .option('--run-id <id>', 'run id (workflow verify-tests-<id>; default: the minute and a hash of the request)')
        .option('--threshold <pct>', 'coverage threshold for lines, branches, functions and statements', percent)
        .option('--timeout-minutes <n>', "the runner's time limit (default 30)", minutes)
        .option('--wait', 'show a progress bar and print the result')
        .action(async (opts: TestFlags, cmd: Command) => {
          const out = outputOf(cmd, deps);
          const t = opts.threshold;
          const request: StartTestSuiteRequest = {
            files: opts.file ?? ['unit'],
            coverage,
            ...(opts.runId ? { runId: opts.runId } : {}),
            ...(opts.name !== undefined ? { namePattern: opts.name } : {}),
            ...(t !== undefined ? { coverageThreshold: { lines: t, branches: t, functions: t, statements: t } } : {}),
            ...(opts.timeoutMinutes !== undefined ? { timeoutMinutes: opts.timeoutMinutes } : {}),
          };
          await withSession(cmd, deps, async (session) => {
            const started = await session.api.startTestSuite(request);
            const webUiUrl = session.webUiUrl(started.workflowId);
            const follow = `faultline verify progress ${started.entityId} --follow`;
            if (!opts.wait) {
              out.result({ kind: 'verify-tests', ...started, webUiUrl }, () => `${formatStarted('test run', started, webUiUrl)}\nFollow: ${follow}`);
              return;
            }
            out.line(formatStarted('test run', started, webUiUrl));
            const result = await followToResult<RunTestSuiteResult>(session, out, deps, started.workflowId, follow);
            out.result({ kind: 'verify-tests', ...started, status: 'COMPLETED', result }, () => `\n${formatTestSuiteResult(result)}`);
          });
        });
    }

    group
      .command('quality')
      .description('tsc, eslint and prettier --check over a path (runQualityChecksWorkflow); findings by file, line and rule')
      .option('--path <path>', 'file or folder relative to the project root (default: the whole project)')
      .option('--tool <tool>', `only this tool (repeatable): ${QUALITY_TOOLS.join(', ')}`, qualityTool)
      .option('--run-id <id>', 'run id (workflow verify-quality-<id>; default: the minute and a hash of the request)')
      .option('--timeout-minutes <n>', "each tool's time limit (default 15)", minutes)
      .option('--wait', 'show a progress bar and print the result')
      .action(async (opts: { path?: string; tool?: QualityTool[]; runId?: string; timeoutMinutes?: number; wait?: boolean }, cmd: Command) => {
        const out = outputOf(cmd, deps);
        const request: StartQualityChecksRequest = {
          ...(opts.path !== undefined ? { path: opts.path } : {}),
          ...(opts.tool ? { tools: opts.tool } : {}),
          ...(opts.runId ? { runId: opts.runId } : {}),
          ...(opts.timeoutMinutes !== undefined ? { timeoutMinutes: opts.timeoutMinutes } : {}),
        };
        await withSession(cmd, deps, async (session) => {
          const started = await session.api.startQualityChecks(request);
          const webUiUrl = session.webUiUrl(started.workflowId);
          const follow = `faultline verify progress ${started.workflowId} --follow`;
          if (!opts.wait) {
            out.result({ kind: 'verify-quality', ...started, webUiUrl }, () => `${formatStarted('quality checks', started, webUiUrl)}\nFollow: ${follow}`);
            return;
          }
          out.line(formatStarted('quality checks', started, webUiUrl));
          const result = await followToResult<RunQualityChecksResult>(session, out, deps, started.workflowId, follow);
          out.result({ kind: 'verify-quality', ...started, status: 'COMPLETED', result }, () => `\n${formatQualityResult(result)}`);
        });
      });

    group
      .command('bench')
      .description("the project's benchmarks on faultline-train (runBenchmarksWorkflow), compared with their last stored run")
      .argument('[names...]', `benchmarks: ${BENCH_NAMES.join(', ')}`)
      .option('--only <names>', 'benchmarks, comma-separated (repeatable; the same as naming them)', benchNames)
      .option('--quick', 'short loops (compared only with earlier quick runs)')
      .option('--threshold <fraction>', 'flag a figure worse than its baseline by more than this fraction (default 0.2)', fraction)
      .option('--run-id <id>', 'run id (workflow verify-bench-<id>; default: the minute and a hash of the request)')
      .option('--timeout-minutes <n>', "the whole run's time limit (default 60)", minutes)
      .option('--wait', 'show a progress bar and print the result')
      .action(
        async (
          names: string[],
          opts: { only?: BenchName[]; quick?: boolean; threshold?: number; runId?: string; timeoutMinutes?: number; wait?: boolean },
          cmd: Command,
        ) => {
          const out = outputOf(cmd, deps);
          const benches = [...names.reduce<BenchName[]>((acc, n) => benchNames(n, acc), []), ...(opts.only ?? [])];
          if (benches.length === 0) cmd.error(`error: name at least one benchmark: ${BENCH_NAMES.join(', ')}`, { exitCode: 2 });
          const request: StartBenchmarksRequest = {
            benches: [...new Set(benches)],
            ...(opts.quick ? { quick: true } : {}),
            ...(opts.threshold !== undefined ? { regressionThreshold: opts.threshold } : {}),
            ...(opts.runId ? { runId: opts.runId } : {}),
            ...(opts.timeoutMinutes !== undefined ? { timeoutMinutes: opts.timeoutMinutes } : {}),
          };
          await withSession(cmd, deps, async (session) => {
            const started = await session.api.startBenchmarks(request);
            const webUiUrl = session.webUiUrl(started.workflowId);
            const follow = `faultline verify progress ${started.workflowId} --follow`;
            if (!opts.wait) {
              out.result({ kind: 'verify-bench', ...started, webUiUrl }, () => `${formatStarted('benchmark run', started, webUiUrl)}\nFollow: ${follow}`);
              return;
            }
            out.line(formatStarted('benchmark run', started, webUiUrl));
            const result = await followToResult<RunBenchmarksResult>(session, out, deps, started.workflowId, follow);
            out.result({ kind: 'verify-bench', ...started, status: 'COMPLETED', result }, () => `\n${formatBenchResult(result)}`);
          });
        },
      );

    group
      .command('progress')
      .description('status and progress of a run (--follow: live bar until it ends)')
      .argument('<id>', 'run id or workflow id')
      .option('--kind <kind>', `the kind of a bare run id: ${VERIFY_KINDS.join(', ')} (default tests)`, verifyKind)
      .option('--follow', 'keep polling with a live progress bar until the run ends')
      .action(async (id: string, opts: { follow?: boolean; kind?: VerifyKind }, cmd: Command) => {
        const out = outputOf(cmd, deps);
        await withSession(cmd, deps, async (session) => {
          const workflowId = workflowIdOf(id, opts.kind);
          const webUiUrl = session.webUiUrl(workflowId);
          if (opts.follow) {
            const result = await followToResult<unknown>(session, out, deps, workflowId, `faultline verify progress ${workflowId} --follow`);
            out.result({ workflowId, result }, () => formatAny(workflowId, result));
            return;
          }
          const run = await session.api.describeRun(workflowId);
          out.result({ ...run, webUiUrl }, () => formatRun(run, webUiUrl));
        });
      });

    for (const [name, what] of [
      ['cancel', 'cancel a run now: its whole process group is killed; status CANCELLED'],
      ['stop', 'stop a run: kills it like cancel, but the workflow completes with a CANCELLED result'],
    ] as const) {
      group
        .command(name)
        .description(what)
        .argument('<id>', 'run id or workflow id')
        .option('--kind <kind>', `the kind of a bare run id: ${VERIFY_KINDS.join(', ')} (default tests)`, verifyKind)
        .action(async (id: string, opts: { kind?: VerifyKind }, cmd: Command) => {
          const out = outputOf(cmd, deps);
          await withSession(cmd, deps, async (session) => {
            const workflowId = workflowIdOf(id, opts.kind);
            if (name === 'cancel') await session.api.cancelRun(workflowId);
            else await session.api.stopRun(workflowId, 'stopped from the CLI');
            out.result({ workflowId, [`${name}Requested`]: true }, () => `${name === 'cancel' ? 'Cancellation' : 'Stop'} requested for ${workflowId}.`);
          });
        });
    }

    group
      .command('result')
      .description('wait for a run and print its structured result')
      .argument('<id>', 'run id or workflow id')
      .option('--kind <kind>', `the kind of a bare run id: ${VERIFY_KINDS.join(', ')} (default tests)`, verifyKind)
      .action(async (id: string, opts: { kind?: VerifyKind }, cmd: Command) => {
        const out = outputOf(cmd, deps);
        await withSession(cmd, deps, async (session) => {
          const workflowId = workflowIdOf(id, opts.kind);
          const result = await unlessInterrupted(
            session.api.getResult<unknown>(workflowId),
            deps.interrupt,
            () => new InterruptedError(workflowId, `faultline verify result ${workflowId}`),
          );
          out.result({ workflowId, status: 'COMPLETED', result }, () => formatAny(workflowId, result));
        });
      });
  },
};
