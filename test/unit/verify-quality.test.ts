import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
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
