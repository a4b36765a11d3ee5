import { describe, expect, it } from 'vitest';
import { formatTestSuiteResult } from '../../client/cli/verify.js';
import type { Progress, RunTestSuiteResult } from '../../contracts/index.js';
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
