/**
 * Runs one benchmark as a child process (`node --import tsx <file> [--quick]`), passing its output
 * through, and turns its last stdout line (its JSON report) into the figures and table its
 * definition declares.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Bench } from './bench.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface BenchResult {
  name: string;
  status: 'ok' | 'failed';
  exitCode: number | null;
  durationSec: number;
  /** 1/5/15-minute load average when this bench started (includes the tail of the previous bench). */
  loadAverageAtStart: number[];
  figures?: { kind: string };
  error?: string;
}

/** A bench's result as summary.json records it, and its section of the printed table. */
export interface Ran {
  result: BenchResult;
  table: string[];
}

export const loadavg = (): number[] => os.loadavg().map((v) => Math.round(v * 100) / 100);

/**
 * Runs one bench, passing its output through live but holding back each latest stdout line: the
 * last one is the JSON report, which is parsed rather than echoed (it is long and unreadable).
 */
function runChild(def: Bench, quick: boolean): Promise<{ exitCode: number | null; lastLine: string; error?: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', def.file, ...(quick ? ['--quick'] : [])], {
      cwd: ROOT, // `--import tsx` resolves from the working directory
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let pending = '';
    let held: string | null = null;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (held !== null) process.stdout.write(held + '\n');
        held = line;
      }
    });
    let timedOut = false;
    const timer = setTimeout(
      () => {
        timedOut = true;
        child.kill('SIGKILL');
      },
      quick ? def.timeoutMs.quick : def.timeoutMs.full,
    );
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ exitCode: null, lastLine: '', error: err.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      // Output may end without a newline; then the unterminated rest is the last line.
      const tail = pending.trim();
      let lastLine = held ?? '';
      if (tail.length > 0) {
        if (held !== null) process.stdout.write(held + '\n');
        lastLine = tail;
      }
      resolve({ exitCode: code, lastLine, ...(timedOut ? { error: `timed out after ${(quick ? def.timeoutMs.quick : def.timeoutMs.full) / 1000} s` } : {}) });
    });
  });
}

export async function runBench(def: Bench, quick: boolean): Promise<Ran> {
  const loadAverageAtStart = loadavg();
  console.log(`\n=== ${def.name}${quick ? ' (quick)' : ''} — load average ${loadAverageAtStart.join(' / ')} ===`);
  const t0 = performance.now();
  const { exitCode, lastLine, error } = await runChild(def, quick);
  const base = { name: def.name, exitCode, durationSec: Math.round((performance.now() - t0) / 100) / 10, loadAverageAtStart };
  if (error !== undefined || exitCode !== 0) {
    if (lastLine && !lastLine.startsWith('{')) console.log(lastLine);
    return { result: { ...base, status: 'failed', error: error ?? `exited with code ${exitCode}` }, table: [] };
  }
  try {
    const { figures, table } = def.summarize(JSON.parse(lastLine) as unknown);
    return { result: { ...base, status: 'ok', figures }, table };
  } catch (e) {
    console.log(lastLine);
    const why = e instanceof z.ZodError ? e.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') : e instanceof Error ? e.message : String(e);
    return { result: { ...base, status: 'failed', error: `last stdout line is not the expected JSON report: ${why}` }, table: [] };
  }
}
