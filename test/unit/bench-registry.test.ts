import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { BENCHES } from '../../bench/lib/registry.js';
import { BENCH_NAMES } from '../../contracts/index.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

function runBench(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
}

describe('benchmark registry', () => {
  it('lists every bench script once, each with its own file', () => {
    const names = BENCHES.map((b) => b.name);
    expect(new Set(names).size).toBe(names.length);
    // The deployment comparison (tfjs vs onnxruntime fp32 / int8) whose figures the README quotes.
    expect(names).toContain('deploy');
    for (const b of BENCHES) {
      expect(b.file).toBe(`bench/${b.name}.ts`);
      expect(existsSync(path.join(ROOT, b.file))).toBe(true);
    }
    const scripts = readdirSync(path.join(ROOT, 'bench')).filter((f) => f.endsWith('.ts') && f !== 'run.ts');
    expect(scripts.map((f) => f.replace(/\.ts$/, '')).sort()).toEqual([...names].sort());
  });

  it("the contract's BENCH_NAMES (what runBenchmarksWorkflow accepts) are the registry's, in its order", () => {
    expect([...BENCH_NAMES]).toEqual(BENCHES.map((b) => b.name));
  });

  it('reads each recorded report into figures of its kind and a table', () => {
    let read = 0;
    for (const b of BENCHES) {
      const file = path.join(ROOT, 'bench/results', `${b.name}.json`);
      if (!existsSync(file)) continue;
      const recorded: unknown = JSON.parse(readFileSync(file, 'utf8'));
      // training-throughput's stdout line adds the loop length to the report it records.
      const report = b.name === 'training-throughput' ? { seconds: 12, ...(recorded as object) } : recorded;
      const { figures, table } = b.summarize(report);
      expect(figures.kind).toBe(b.name);
      expect(table.length).toBeGreaterThan(0);
      for (const line of table) expect(line.startsWith('  ')).toBe(true);
      read++;
    }
    expect(read).toBeGreaterThanOrEqual(5);
  });

  it('refuses a report of the wrong shape, naming the field', () => {
    const simulator = BENCHES.find((b) => b.name === 'simulator');
    expect(() => simulator?.summarize({ signals: 3, signalsPerSec: 'fast' })).toThrow(ZodError);
    try {
      simulator?.summarize({ signals: 3, signalsPerSec: 'fast' });
    } catch (e) {
      expect((e as ZodError).issues.map((i) => i.path.join('.'))).toContain('signalsPerSec');
    }
  });
});

describe('npm run bench arguments', () => {
  it('--list prints the selected benches and runs nothing', () => {
    const all = runBench(['--list']);
    expect(all.status).toBe(0);
    expect(
      all.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(/\s+/)[0]),
    ).toEqual(BENCHES.map((b) => b.name));
    const two = runBench(['--list', 'eval', '--only', 'simulator']);
    expect(
      two.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(/\s+/)[0]),
    ).toEqual(['simulator', 'eval']);
  });

  it('refuses an unknown bench or option with the usage, exit code 2', () => {
    const unknown = runBench(['--list', 'nope']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown benchmark nope');
    expect(unknown.stderr).toContain('usage: npm run bench');
    const option = runBench(['--bogus']);
    expect(option.status).toBe(2);
    expect(option.stderr).toContain('--bogus');
  });
});
