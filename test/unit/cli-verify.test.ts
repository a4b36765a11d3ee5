import { describe, expect, it } from 'vitest';
import { formatBenchResult, formatTestSuiteResult } from '../../client/cli/verify.js';
import type { Progress, RunBenchmarksResult, RunQualityChecksResult, RunTestSuiteResult } from '../../contracts/index.js';
import { fakeCli, type FakeWorkflow } from '../support/fake-cli.js';

const done: Progress = { phase: 'completed', completed: 9, total: 9, fraction: 1 };
const result: RunTestSuiteResult = {
  runId: 'x',
  status: 'FAILED',
  totals: { files: 3, tests: 9, passed: 5, failed: 2, skipped: 1, todo: 1, errors: 0, durationMs: 2_500 },
  failures: [
    { file: 'test/fixtures/verify-suite/failing.test.ts', name: 'failing > throws on purpose', status: 'failed', durationMs: 1, failureMessage: 'boom' },
  ],
  coverage: {
    totals: {
      lines: { total: 6, covered: 5, pct: 83.33 },
      branches: { total: 6, covered: 5, pct: 83.33 },
      functions: { total: 3, covered: 2, pct: 66.66 },
      statements: { total: 9, covered: 7, pct: 77.77 },
    },
    threshold: { lines: 80, branches: 80, functions: 80, statements: 80 },
    meetsThreshold: false,
    below: ['functions', 'statements'],
    files: 1,
  },
  junitUri: 'artifact:sha256/aa',
  exitCode: 1,
};
const wf: FakeWorkflow = {
  workflowId: 'verify-tests-x',
  type: 'runTestSuiteWorkflow',
  minutes: 1,
  progress: () => done,
  follow: () => [done],
  result: () => result,
};

describe('faultline verify', () => {
  it('tests and coverage pass files, pattern, threshold and limit as the request', async () => {
    const cli = fakeCli(wf);
    expect(await cli.run(['verify', 'tests', '--file', 'unit/sandbox.test.ts', '--file', 'workflow', '--name', 'refuses', '--run-id', 'r1'])).toBe(0);
    expect(cli.argsOf('startTestSuite')).toEqual([{ files: ['unit/sandbox.test.ts', 'workflow'], coverage: false, runId: 'r1', namePattern: 'refuses' }]);
    const cov = fakeCli(wf);
    expect(await cov.run(['verify', 'coverage', '--threshold', '80', '--timeout-minutes', '20'])).toBe(0);
    expect(cov.argsOf('startTestSuite')).toEqual([
      { files: ['unit'], coverage: true, coverageThreshold: { lines: 80, branches: 80, functions: 80, statements: 80 }, timeoutMinutes: 20 },
    ]);
  });

  it('refuses a bad threshold naming the value', async () => {
    const cli = fakeCli(wf);
    expect(await cli.run(['verify', 'coverage', '--threshold', '101'])).toBe(2);
    expect(cli.stderr()).toContain('expected a percentage 0..100, got "101"');
  });

  it('result, cancel and stop address verify-tests-<id>', async () => {
    const cli = fakeCli(wf);
    expect(await cli.run(['verify', 'result', 'x'])).toBe(0);
    expect(cli.argsOf('getResult')).toEqual(['verify-tests-x']);
    expect(cli.stdout()).toContain('Tests FAILED: 5 passed, 2 failed, 1 skipped, 1 todo in 3 files');
    const c = fakeCli(wf);
    expect(await c.run(['verify', 'cancel', 'verify-tests-x'])).toBe(0);
    expect(c.argsOf('cancelRun')).toEqual(['verify-tests-x']);
  });

  it('formats failures and coverage against its threshold', () => {
    const text = formatTestSuiteResult(result);
    expect(text).toContain('FAIL test/fixtures/verify-suite/failing.test.ts > failing > throws on purpose');
    expect(text).toContain('coverage BELOW threshold: lines 83.33% (5/6, min 80%)');
    expect(text).toContain('functions 66.66% (2/3, min 80%)');
  });
});

describe('faultline verify quality|bench', () => {
  const quality: RunQualityChecksResult = {
    runId: 'q',
    status: 'FAILED',
    path: 'test/fixtures/verify-quality',
    tools: [
      { tool: 'tsc', config: 'test/fixtures/verify-quality/tsconfig.json', exitCode: 2, findings: 2, errors: 2, warnings: 0, passed: false, durationMs: 1_200 },
      { tool: 'prettier', config: '.prettierignore', exitCode: 0, findings: 0, errors: 0, warnings: 0, passed: true, durationMs: 300 },
    ],
    countsByRule: { 'tsc:TS2322': 1, 'tsc:TS2339': 1 },
    totals: { findings: 2, errors: 2, warnings: 0 },
    findings: [
      { tool: 'tsc', file: 'test/fixtures/verify-quality/types.ts', line: 2, column: 14, rule: 'TS2322', severity: 'error', message: 'Type mismatch.' },
    ],
  };
  const bench: RunBenchmarksResult = {
    runId: 'b',
    status: 'FAILED',
    quick: true,
    benches: [
      {
        name: 'simulator',
        status: 'ok',
        durationSec: 2.1,
        baselineRunId: 'verify-bench-a',
        comparisons: [
          { figure: 'signalsPerSec', baseline: 100, current: 70, ratio: 0.7, direction: 'higher', regression: true },
          { figure: 'signals', baseline: 20, current: 20, ratio: 1, direction: 'unknown', regression: false },
        ],
        regressions: 1,
      },
    ],
    regressions: 1,
    summaryUri: 'artifact:sha256/bb',
    exitCode: 0,
  };

  it('quality passes path, tools and limit as the request, and prints findings by rule with --wait', async () => {
    const cli = fakeCli({ ...wf, workflowId: 'verify-quality-x', type: 'runQualityChecksWorkflow', result: () => quality });
    expect(
      await cli.run([
        'verify',
        'quality',
        '--path',
        'test/fixtures/verify-quality',
        '--tool',
        'tsc',
        '--tool',
        'prettier',
        '--run-id',
        'q',
        '--timeout-minutes',
        '5',
        '--wait',
      ]),
    ).toBe(0);
    expect(cli.argsOf('startQualityChecks')).toEqual([{ path: 'test/fixtures/verify-quality', tools: ['tsc', 'prettier'], runId: 'q', timeoutMinutes: 5 }]);
    expect(cli.stdout()).toContain('Quality checks FAILED over test/fixtures/verify-quality: 2 errors, 0 warnings');
    expect(cli.stdout()).toContain('ERROR test/fixtures/verify-quality/types.ts:2:14 TS2322: Type mismatch.');
    const bad = fakeCli(wf);
    expect(await bad.run(['verify', 'quality', '--tool', 'bash'])).toBe(2);
    expect(bad.stderr()).toContain('expected one of tsc, eslint, prettier, got "bash"');
  });

  it('bench takes names or --only lists, refuses unknown names before starting, and prints regressions', async () => {
    const cli = fakeCli({ ...wf, workflowId: 'verify-bench-x', type: 'runBenchmarksWorkflow', result: () => bench });
    expect(await cli.run(['verify', 'bench', 'simulator', '--only', 'xai,eval', '--quick', '--threshold', '0.3', '--json'])).toBe(0);
    expect(cli.argsOf('startBenchmarks')).toEqual([{ benches: ['simulator', 'xai', 'eval'], quick: true, regressionThreshold: 0.3 }]);
    expect(JSON.parse(cli.stdout())).toMatchObject({ kind: 'verify-bench', workflowId: 'verify-bench-x' });
    const unknown = fakeCli(wf);
    expect(await unknown.run(['verify', 'bench', '--only', 'simulator,rm -rf'])).toBe(2);
    expect(unknown.stderr()).toContain('unknown benchmark "rm -rf"');
    expect(unknown.argsOf('startBenchmarks')).toBeUndefined();
    const none = fakeCli(wf);
    expect(await none.run(['verify', 'bench'])).toBe(2);
    expect(none.stderr()).toContain('name at least one benchmark');
    const text = formatBenchResult(bench);
    expect(text).toContain('REGRESSION signalsPerSec: 100 → 70 (×0.7, higher is better)');
    expect(text).not.toContain('signals: 20');
  });

  it('result, progress and cancel address quality and bench runs by full id or --kind', async () => {
    const cli = fakeCli({ ...wf, workflowId: 'verify-quality-q', type: 'runQualityChecksWorkflow', result: () => quality });
    expect(await cli.run(['verify', 'result', 'q', '--kind', 'quality'])).toBe(0);
    expect(cli.argsOf('getResult')).toEqual(['verify-quality-q']);
    expect(cli.stdout()).toContain('by rule:');
    const b = fakeCli({ ...wf, workflowId: 'verify-bench-b', type: 'runBenchmarksWorkflow', result: () => bench });
    expect(await b.run(['verify', 'cancel', 'verify-bench-b'])).toBe(0);
    expect(b.argsOf('cancelRun')).toEqual(['verify-bench-b']);
    const k = fakeCli(wf);
    expect(await k.run(['verify', 'result', 'x', '--kind', 'lint'])).toBe(2);
  });
});
