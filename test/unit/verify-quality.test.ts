import { existsSync, mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import type { ActivityDeps } from '../../activities/deps.js';
import { createVerifyActivities } from '../../activities/verify.js';
import { rejectionOf } from '../support/errors.js';
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
} from '../../activities/lib/verify/quality.js';
import { checkCommand, PROJECT_ROOT } from '../../activities/lib/sandbox/index.js';
import { RunQualityChecksInputSchema } from '../../contracts/index.js';

const ROOT = '/proj';

describe('quality-check output parsers', () => {
  it('reads tsc --pretty false lines, joins message chains, keeps file-less errors', () => {
    const out = [
      "src/a.ts(3,14): error TS2322: Type 'string' is not assignable to type 'number'.",
      "src/b.ts(10,1): error TS2345: Argument of type '{ x: 1; }' is not assignable to parameter of type 'P'.",
      "  Object literal may only specify known properties, and 'x' does not exist in type 'P'.",
      "error TS5083: Cannot read file '/proj/tsconfig.base.json'.",
      '',
    ].join('\n');
    expect(parseTscOutput(out, ROOT)).toEqual([
      { tool: 'tsc', file: 'src/a.ts', line: 3, column: 14, rule: 'TS2322', severity: 'error', message: "Type 'string' is not assignable to type 'number'." },
      {
        tool: 'tsc',
        file: 'src/b.ts',
        line: 10,
        column: 1,
        rule: 'TS2345',
        severity: 'error',
        message:
          "Argument of type '{ x: 1; }' is not assignable to parameter of type 'P'.\nObject literal may only specify known properties, and 'x' does not exist in type 'P'.",
      },
      { tool: 'tsc', file: '', line: 0, column: 0, rule: 'TS5083', severity: 'error', message: "Cannot read file '/proj/tsconfig.base.json'." },
    ]);
  });

  it('reads eslint --format json: rule, severity, place; a parse error without a rule', () => {
    const out = JSON.stringify([
      {
        filePath: '/proj/src/a.ts',
        messages: [
          { ruleId: 'prefer-const', severity: 2, message: "'x' is never reassigned.", line: 2, column: 7 },
          { ruleId: 'no-console', severity: 1, message: 'Unexpected console statement.', line: 3, column: 1 },
        ],
      },
      { filePath: '/proj/src/b.ts', messages: [{ ruleId: null, fatal: true, severity: 2, message: 'Parsing error: ; expected', line: 1, column: 5 }] },
      { filePath: '/proj/src/c.ts', messages: [] },
    ]);
    expect(parseEslintOutput(out, ROOT).map((f) => [f.file, f.line, f.column, f.rule, f.severity])).toEqual([
      ['src/a.ts', 2, 7, 'prefer-const', 'error'],
      ['src/a.ts', 3, 1, 'no-console', 'warning'],
      ['src/b.ts', 1, 5, 'eslint/parse', 'error'],
    ]);
    expect(() => parseEslintOutput('Oops! Something went wrong!', ROOT)).toThrow();
  });

  it('reads prettier --list-different: one finding per file, rule prettier/format', () => {
    expect(parsePrettierOutput('src/a.ts\nsrc/b.json\n', ROOT).map((f) => [f.file, f.rule, f.severity, f.line])).toEqual([
      ['src/a.ts', 'prettier/format', 'error', 1],
      ['src/b.json', 'prettier/format', 'error', 1],
    ]);
  });

  it('tells findings from a tool failure by exit code, and counts by rule', () => {
    expect([0, 1, 2].map((c) => exitIsFindings('tsc', c))).toEqual([true, true, true]);
    expect([0, 1, 2, null].map((c) => exitIsFindings('eslint', c))).toEqual([true, true, false, false]);
    expect(exitIsFindings('prettier', 2)).toBe(false);
    const f = parsePrettierOutput('a.ts\nb.ts', ROOT);
    expect(countByRule([...f, ...parseTscOutput('a.ts(1,1): error TS1: m', ROOT)])).toEqual({ 'prettier:prettier/format': 2, 'tsc:TS1': 1 });
  });

  it('keeps tsc findings inside the target only', () => {
    const t = { path: 'test/fixtures', isDirectory: true };
    expect(insideTarget('test/fixtures/a.ts', t)).toBe(true);
    expect(insideTarget('test/fixtures-other/a.ts', t)).toBe(false);
    expect(insideTarget('anything.ts', { path: '.', isDirectory: true })).toBe(true);
  });
});

describe('quality-check targets and configurations', () => {
  it('uses the nearest configuration of each tool; the project root for the whole project', () => {
    const fixture = resolveQualityTarget('path', 'test/fixtures/verify-quality', PROJECT_ROOT);
    expect(fixture).toEqual({ path: 'test/fixtures/verify-quality', isDirectory: true });
    expect(nearestConfig('tsc', fixture, PROJECT_ROOT)).toBe('test/fixtures/verify-quality/tsconfig.json');
    expect(nearestConfig('eslint', fixture, PROJECT_ROOT)).toBe('test/fixtures/verify-quality/eslint.config.js');
    const file = resolveQualityTarget('path', 'contracts/verify.ts', PROJECT_ROOT);
    expect(nearestConfig('tsc', file, PROJECT_ROOT)).toBe('tsconfig.json');
    expect(nearestConfig('prettier', resolveQualityTarget('path', undefined, PROJECT_ROOT), PROJECT_ROOT)).toBe('.prettierignore');
    for (const tool of ['tsc', 'eslint', 'prettier'] as const)
      expect(() => checkCommand(qualityCommand(tool, fixture, nearestConfig(tool, fixture, PROJECT_ROOT)))).not.toThrow();
  });

  it('refuses paths outside the project, in node_modules or hidden folders, symlinks out, and missing ones, naming the field', () => {
    for (const bad of [
      '../etc',
      '/etc',
      'node_modules/vitest',
      '.git',
      'a/../../b',
      'src;rm -rf /',
      '$(id)',
      '`id`',
      'x\ny',
      'nul\u0000',
      'x'.repeat(10_000),
      'no/such/dir',
    ]) {
      expect(() => resolveQualityTarget('path', bad, PROJECT_ROOT), JSON.stringify(bad.slice(0, 20))).toThrow(/^path: /);
    }
    const root = mkdtempSync(path.join(os.tmpdir(), 'faultline-quality-'));
    mkdirSync(path.join(root, 'src'));
    writeFileSync(path.join(root, 'src', 'a.ts'), '');
    symlinkSync('/etc', path.join(root, 'src', 'out'));
    expect(() => resolveQualityTarget('path', 'src/out', root)).toThrow(/outside/);
    // No tsconfig.json anywhere up to the root: refused, not run with the tool's defaults.
    expect(() => nearestConfig('tsc', resolveQualityTarget('path', 'src', root), root)).toThrow(/has no tsconfig.json/);
  });

  it('the contract refuses the same text before the workflow starts', () => {
    for (const bad of ['../etc', '/etc', 'a;b', 'x y', '-rf']) {
      expect(RunQualityChecksInputSchema.safeParse({ runId: 'r', path: bad }).success, bad).toBe(false);
    }
    expect(RunQualityChecksInputSchema.safeParse({ runId: 'r', tools: ['tsc', 'tsc'] }).success).toBe(false);
    expect(RunQualityChecksInputSchema.safeParse({ runId: 'r', tools: ['bash'] }).success).toBe(false);
    expect(RunQualityChecksInputSchema.parse({ runId: 'r' }).tools).toEqual(['tsc', 'eslint', 'prettier']);
  });
});

describe('the quality and bench activities refuse hostile input before they touch anything', () => {
  const unreachable = <T extends object>(what: string): T =>
    new Proxy({} as T, {
      get: () => {
        throw new Error(`the activity reached ${what}`);
      },
    });
  const deps = {
    db: unreachable('the database'),
    artifacts: unreachable('the artifact store'),
    notifier: unreachable('the notifier'),
    client: unreachable('the Temporal client'),
    config: unreachable('the config'),
  } as unknown as ActivityDeps;
  const { runQualityChecks, runBenchmarks } = createVerifyActivities(deps);
  const canary = path.join(mkdtempSync(path.join(os.tmpdir(), 'faultline-canary-')), 'canary');
  const touch = `touch ${canary}`;
  const shellish = [
    `; ${touch}`,
    `src; ${touch}`,
    `$(${touch})`,
    `\`${touch}\``,
    `src && ${touch}`,
    `src | ${touch}`,
    `src\n${touch}`,
    `'; ${touch}; '`,
    `\${IFS}${touch}`,
  ];
  const HOSTILE_PATHS: unknown[] = [
    ...shellish,
    '; rm -rf /',
    '../etc/passwd',
    '../../',
    'contracts/../../outside',
    './contracts',
    '..',
    '/etc/passwd',
    '//etc',
    'contracts//verify.ts',
    'contracts/a\0.ts',
    'contracts/verify.ts\r',
    'contracts/\tverify.ts',
    'contracts/ verify.ts',
    'x'.repeat(10_000),
    '-rf',
    '--config=/tmp/evil.js',
    'contracts/--fix',
    '~/x',
    'cöntracts',
    'contracts\\..\\..\\x',
    '%2e%2e/etc',
    '{contracts,..}',
    'contracts/*.ts',
    'node_modules/typescript',
    'node_modules',
    '.git',
    '.venv/bin',
    'test/.hidden',
    'no/such/folder',
    '',
    12,
    null,
    { $gt: '' },
    ['contracts'],
  ];
  const HOSTILE_BENCHES: unknown[] = [
    ['nope'],
    [`simulator; ${touch}`],
    [`$(${touch})`],
    ['../simulator'],
    ['bench/simulator.ts'],
    ['simulator', 'simulator'],
    [],
    ['SIMULATOR'],
    ['simulator\n'],
    ['z'.repeat(10_000)],
    'simulator',
    [12],
    null,
    [{ name: 'simulator' }],
    ['--quick'],
  ];

  it(`refuses ${HOSTILE_PATHS.length} hostile paths and ${HOSTILE_BENCHES.length} hostile bench lists non-retryably, naming the field; nothing ran`, async () => {
    const env = new MockActivityEnvironment();
    for (const p of HOSTILE_PATHS) {
      const err = await rejectionOf(
        env.run(runQualityChecks, { workflowId: 'verify-quality-h', config: { runId: 'h', path: p } as never }),
        ApplicationFailure,
      );
      expect(err, JSON.stringify(p).slice(0, 40)).toMatchObject({ type: 'InvalidInput', nonRetryable: true });
      expect(err.message, JSON.stringify(p).slice(0, 40)).toMatch(/path/);
    }
    for (const benches of HOSTILE_BENCHES) {
      const err = await rejectionOf(env.run(runBenchmarks, { workflowId: 'verify-bench-h', config: { runId: 'h', benches } as never }), ApplicationFailure);
      expect(err, JSON.stringify(benches).slice(0, 40)).toMatchObject({ type: 'InvalidInput', nonRetryable: true });
      expect(err.message).toMatch(/benches/);
    }
    expect(HOSTILE_PATHS.length + HOSTILE_BENCHES.length).toBeGreaterThanOrEqual(50);
    expect(existsSync(canary)).toBe(false);
  });
});
