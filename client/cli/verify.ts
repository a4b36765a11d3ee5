import { InvalidArgumentError, type Command } from 'commander';
import { VERIFY_WORKFLOW_IDS, type RunTestSuiteResult } from '../../contracts/index.js';
import type { StartTestSuiteRequest } from '../verify.js';
import { InterruptedError, outputOf, unlessInterrupted, withSession, type CliDeps, type CommandGroup } from './context.js';
import { formatRun, formatStarted } from './output.js';
import { followToResult } from './run-commands.js';

const PREFIX = VERIFY_WORKFLOW_IDS.tests('');
const workflowIdOf = (id: string) => (id.startsWith(PREFIX) ? id : VERIFY_WORKFLOW_IDS.tests(id));

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
 * `faultline verify tests|coverage|progress|cancel|stop|result`: the operators' checks of the
 * platform itself. Quality checks and benchmarks are not built yet (issue 13).
 */
export const verifyCommands: CommandGroup = {
  name: 'verify',
  register(program, deps: CliDeps) {
    const group = program.command('verify').description("run the project's own tests and coverage as sandboxed, durable runs (runTestSuiteWorkflow)");

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
      .command('progress')
      .description('status and progress of a run (--follow: live bar until it ends)')
      .argument('<id>', 'run id or workflow id')
      .option('--follow', 'keep polling with a live progress bar until the run ends')
      .action(async (id: string, opts: { follow?: boolean }, cmd: Command) => {
        const out = outputOf(cmd, deps);
        await withSession(cmd, deps, async (session) => {
          const workflowId = workflowIdOf(id);
          const webUiUrl = session.webUiUrl(workflowId);
          if (opts.follow) {
            const result = await followToResult<RunTestSuiteResult>(session, out, deps, workflowId, `faultline verify progress ${id} --follow`);
            out.result({ workflowId, result }, () => formatTestSuiteResult(result));
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
        .action(async (id: string, _opts: unknown, cmd: Command) => {
          const out = outputOf(cmd, deps);
          await withSession(cmd, deps, async (session) => {
            const workflowId = workflowIdOf(id);
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
      .action(async (id: string, _opts: unknown, cmd: Command) => {
        const out = outputOf(cmd, deps);
        await withSession(cmd, deps, async (session) => {
          const workflowId = workflowIdOf(id);
          const result = await unlessInterrupted(
            session.api.getResult<RunTestSuiteResult>(workflowId),
            deps.interrupt,
            () => new InterruptedError(workflowId, `faultline verify result ${id}`),
          );
          out.result({ workflowId, status: 'COMPLETED', result }, () => formatTestSuiteResult(result));
        });
      });
  },
};
