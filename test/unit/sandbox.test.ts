import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { spawn } from 'node:child_process';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkName,
  checkNamePattern,
  groupAlive,
  resolveInside,
  resolveTestFiles,
  runSandboxed,
  type SandboxCommand,
  type SandboxOptions,
} from '../../activities/lib/sandbox/index.js';

let root: string;
let outside: string;
let canary: string;
let spawned = 0;
const countingSpawn = (command: string, args: readonly string[], options: SpawnOptions): ChildProcess => {
  spawned++;
  return spawn(command, [...args], options);
};

// A fake project: test/ with two test files, a symlink out, a symlinked folder out; and a fake
// `tsx` entry point whose behaviour the first argument chooses (print env, flood, sleep, fork).
const FAKE_TSX = `
import { spawn } from 'node:child_process';
const mode = process.argv[2];
if (mode === 'env') console.log(JSON.stringify(process.env));
if (mode === 'flood') process.stdout.write('x'.repeat(1_000_000) + '\\nlast\\n');
if (mode === 'sleep') setInterval(() => {}, 1000);
if (mode === 'fork') {
  const c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  console.log('grandchild ' + c.pid);
  setInterval(() => {}, 1000);
}
`;

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'sandbox-root-'));
  outside = mkdtempSync(path.join(os.tmpdir(), 'sandbox-outside-'));
  canary = path.join(outside, 'canary');
  mkdirSync(path.join(root, 'test/unit'), { recursive: true });
  writeFileSync(path.join(root, 'test/unit/a.test.ts'), '');
  writeFileSync(path.join(root, 'test/unit/b.test.ts'), '');
  writeFileSync(path.join(outside, 'secret.test.ts'), '');
  mkdirSync(path.join(root, 'test/evil'));
  symlinkSync(path.join(outside, 'secret.test.ts'), path.join(root, 'test/evil/escape.test.ts'));
  symlinkSync(outside, path.join(root, 'test/linked'));
  mkdirSync(path.join(root, 'node_modules/tsx/dist'), { recursive: true });
  writeFileSync(path.join(root, 'node_modules/tsx/dist/cli.mjs'), FAKE_TSX);
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

const touch = `touch ${'CANARY'}`;
const shellish = (c: string) => [
  `; ${c}`,
  `unit/a.test.ts; ${c}`,
  `$(${c})`,
  `\`${c}\``,
  `unit/a.test.ts && ${c}`,
  `unit/a.test.ts | ${c}`,
  `unit/a.test.ts > /etc/passwd`,
  `unit/a.test.ts\n${c}`,
  `${c} #`,
  `'; ${c}; '`,
  `"; ${c}; "`,
  `unit/a.test.ts & ${c}`,
  `\${IFS}${c}`,
];

/** File entries refused as text or on disk: shell, traversal, absolute, control characters, size, options, symlinks. */
const HOSTILE_FILES: unknown[] = [
  ...shellish(touch),
  '; rm -rf /',
  '../etc/passwd',
  '../../',
  'unit/../../outside',
  'unit/../a.test.ts',
  './unit/a.test.ts',
  '..',
  '/etc/passwd',
  '/tmp/x.test.ts',
  '//etc',
  'unit//a.test.ts',
  'unit/a\0.test.ts',
  'unit/a.test.ts\0',
  'unit/a.test.ts\r',
  'unit/\ta.test.ts',
  'unit/ a.test.ts',
  'x'.repeat(10_000),
  `unit/${'a/'.repeat(5_000)}`,
  '-rf',
  '--config=/tmp/evil.ts',
  'unit/--reporter=x',
  '~/x.test.ts',
  'ünit/a.test.ts',
  'unit\\..\\..\\x',
  '%2e%2e/etc',
  '{unit,..}/a.test.ts',
  'unit/[ab].test.ts',
  'unit/?.test.ts',
  'unit/**x/a.test.ts',
  '',
  'nothing/matches.test.ts',
  'evil/escape.test.ts',
  'evil',
  'evil/*',
  '**/*.test.ts',
  'linked/secret.test.ts',
  'linked/*.test.ts',
  12,
  null,
  { $gt: '' },
  ['unit'],
];

const HOSTILE_PATTERNS: unknown[] = [...shellish(touch), 'a\nb', 'a\0b', 'y'.repeat(10_000), '(x)', '.*', 'a\\b', ' leading', 'trailing ', '', 7];

const HOSTILE_NAMES: unknown[] = ['../x', 'A', 'x y', '$(x)', '`x`', 'a;b', 'a\nb', '-rf', 'z'.repeat(65), '', 'a/b', '__proto__'];

function refusal(fn: () => unknown): ApplicationFailure {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ApplicationFailure);
    return err as ApplicationFailure;
  }
  throw new Error('expected a refusal');
}

describe('sandbox input checks', () => {
  it('accepts plain files, globs and folders inside test/', () => {
    expect(resolveTestFiles('files', ['unit/a.test.ts'], root)).toEqual(['test/unit/a.test.ts']);
    expect(resolveTestFiles('files', ['unit/*.test.ts'], root)).toEqual(['test/unit/a.test.ts', 'test/unit/b.test.ts']);
    expect(resolveTestFiles('files', ['unit/a*'], root)).toEqual(['test/unit/a.test.ts']);
    expect(resolveTestFiles('files', ['unit'], root)).toEqual(['test/unit/a.test.ts', 'test/unit/b.test.ts']);
    expect(checkNamePattern('namePattern', 'parses a header|refuses NaN')).toBe('parses a header|refuses NaN');
    expect(resolveInside('path', 'test/unit', root, '.')).toBe('test/unit');
  });

  it(`refuses ${HOSTILE_FILES.length + HOSTILE_PATTERNS.length + HOSTILE_NAMES.length + 8} hostile inputs before any process starts, naming the field`, async () => {
    let count = 0;
    HOSTILE_FILES.forEach((value) => {
      const f = refusal(() => resolveTestFiles('files', [value], root));
      expect(f.type).toBe('InvalidInput');
      expect(f.message).toMatch(/^files(\.0)?: /);
      count++;
    });
    for (const value of HOSTILE_PATTERNS) {
      expect(refusal(() => checkNamePattern('namePattern', value)).message).toMatch(/^namePattern: /);
      count++;
    }
    for (const value of HOSTILE_NAMES) {
      expect(refusal(() => checkName('bench.0', value)).message).toMatch(/^bench\.0: /);
      count++;
    }
    // Paths for the quality checks: inside the project root, not through a symlink out.
    for (const value of ['test/linked', '../', '/etc', 'test/linked/secret.test.ts']) {
      expect(refusal(() => resolveInside('path', value, root, '.')).message).toMatch(/^path: /);
      count++;
    }
    // Whole-list shapes: not a list, empty, too many.
    for (const value of ['unit', [], Array.from({ length: 33 }, () => 'unit')]) {
      expect(refusal(() => resolveTestFiles('files', value, root)).message).toMatch(/^files: /);
      count++;
    }
    // The runner's own last check: program by name only, plain arguments only.
    const bad: SandboxCommand[] = [
      { program: 'bash' as 'tsx', args: ['-c', touch] },
      { program: 'tsx', args: [`$(${touch})`] },
      { program: 'tsx', args: ['a\nb'] },
      { program: 'constructor' as 'tsx', args: [] },
    ];
    for (const cmd of bad) {
      expect(() => runSandboxed(cmd, { timeoutMs: 1_000, maxOutputBytes: 1_000, root, spawn: countingSpawn })).toThrow(ApplicationFailure);
      count++;
    }
    expect(count).toBeGreaterThanOrEqual(50);
    expect(spawned).toBe(0);
    expect(existsSync(canary)).toBe(false);
    expect(existsSync(path.join(root, 'CANARY'))).toBe(false);
  });

  it('shows a 10 kB value shortened, with its length', () => {
    const f = refusal(() => resolveTestFiles('files', ['x'.repeat(10_000)], root));
    expect(f.message.length).toBeLessThan(300);
    expect(f.message).toContain('10000 chars');
  });
});

describe('runSandboxed', () => {
  const opts = (extra: Partial<SandboxOptions> = {}): SandboxOptions => ({ timeoutMs: 60_000, maxOutputBytes: 64_000, root, killGraceMs: 500, ...extra });

  it('passes only the allow-listed environment (no credentials)', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      DATABASE_URL: 'postgres://u:p@h/db',
      PAYLOAD_KEYS: 'k1',
      AWS_SECRET_ACCESS_KEY: 's',
      S3_SECRET_KEY: 's',
      PGPASSWORD: 'p',
      TEMPORAL_API_KEY: 't',
      NODE_OPTIONS: '--require /tmp/evil.js',
      FAULTLINE_BENCH_OPTUNA_URL: 'postgresql://u:p@h/optuna',
      FAULTLINE_BENCH_PYTHON: '/opt/py/bin/python',
    });
    try {
      const r = await runSandboxed({ program: 'tsx', args: ['env'] }, opts());
      const env = JSON.parse(r.stdout) as Record<string, string>;
      for (const k of [
        'DATABASE_URL',
        'PAYLOAD_KEYS',
        'AWS_SECRET_ACCESS_KEY',
        'S3_SECRET_KEY',
        'PGPASSWORD',
        'TEMPORAL_API_KEY',
        'NODE_OPTIONS',
        'FAULTLINE_BENCH_OPTUNA_URL',
      ])
        expect(env[k]).toBeUndefined();
      // The peers' Python is a path the benchmarks need, not a secret.
      expect(env.FAULTLINE_BENCH_PYTHON).toBe('/opt/py/bin/python');
      expect(env.FAULTLINE_SANDBOX).toBe('1');
      expect(r.exitCode).toBe(0);
    } finally {
      process.env = saved;
    }
  });

  it('caps output and still delivers lines', async () => {
    const lines: string[] = [];
    const r = await runSandboxed({ program: 'tsx', args: ['flood'] }, opts({ maxOutputBytes: 1_000, onStdoutLine: (l) => lines.push(l) }));
    expect(r.stdout.length).toBe(1_000);
    expect(r.stdoutTruncatedBytes).toBe(1_000_006 - 1_000);
    expect(lines).toContain('last');
  });

  it('kills the process group at its time limit', async () => {
    const r = await runSandboxed({ program: 'tsx', args: ['sleep'] }, opts({ timeoutMs: 1_000 }));
    expect(r.timedOut).toBe(true);
    expect(groupAlive(r.pid)).toBe(false);
  });

  it('cancel kills the whole process group, grandchildren included', async () => {
    const ac = new AbortController();
    let grandchild = 0;
    const ticks: number[] = [];
    const r = await runSandboxed(
      { program: 'tsx', args: ['fork'] },
      opts({
        signal: ac.signal,
        heartbeatMs: 50,
        onTick: () => ticks.push(1),
        onStdoutLine: (l) => {
          const m = /^grandchild (\d+)$/.exec(l);
          if (m) {
            grandchild = Number(m[1]);
            setTimeout(() => ac.abort(), 200);
          }
        },
      }),
    );
    expect(r.cancelled).toBe(true);
    expect(grandchild).toBeGreaterThan(0);
    expect(ticks.length).toBeGreaterThan(0);
    await expect.poll(() => groupAlive(r.pid), { timeout: 10_000 }).toBe(false);
    expect(() => process.kill(grandchild, 0)).toThrow();
  });
});
