/**
 * MAT reader throughput: our reader (ml/mat) against scipy.io.loadmat (h5py for v7.3) on the
 * same files in the same run: the ten CWRU recordings as they are (v5, uncompressed), and
 * compressed v5 and v7.3 copies the Python peer writes into a temporary folder. Also the worst
 * time to reject a damaged file (a recording cut at 200 points, 200 bit-flipped copies).
 *   npx tsx bench/mat-reader.ts [--quick]
 * Peer: FAULTLINE_BENCH_PYTHON, then .venv-py/bin/python, then .venv/bin/python, then python3
 * (the first with scipy and h5py). The last stdout line is the figures as JSON (bench/run.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MatFormatError, readMat } from '../ml/mat/index.js';
import { mulberry32 } from '../ml/random.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CWRU = process.env.CWRU_DIR ?? path.resolve(ROOT, '../shared/data/cwru');
const quick = process.argv.includes('--quick');
const REPEAT = quick ? 2 : 5;
const HINT = 'python3 -m venv .venv-py && .venv-py/bin/pip install numpy scipy h5py, or set FAULTLINE_BENCH_PYTHON';

function findPython(): string | undefined {
  const candidates = [process.env.FAULTLINE_BENCH_PYTHON, path.join(ROOT, '.venv-py/bin/python'), path.join(ROOT, '.venv/bin/python'), 'python3'];
  for (const python of candidates) {
    if (!python || (python.includes('/') && !existsSync(python))) continue;
    if (spawnSync(python, ['-c', 'import scipy, h5py'], { encoding: 'utf8' }).status === 0) return python;
  }
  return undefined;
}

async function ours(files: string[]): Promise<{ mb: number; seconds: number; mbPerSec: number }> {
  const buffers = files.map((f) => readFileSync(f));
  const size = buffers.reduce((n, b) => n + b.byteLength, 0);
  for (const b of buffers) await readMat(b); // warm-up: JIT and h5wasm instantiation
  let best = Infinity;
  for (let r = 0; r < REPEAT; r++) {
    const t0 = performance.now();
    for (const b of buffers) await readMat(b);
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return { mb: size / 1e6, seconds: best, mbPerSec: size / 1e6 / best };
}

async function worstRejectMs(file: string): Promise<{ cases: number; worstMs: number; rejected: number }> {
  const bytes = new Uint8Array(readFileSync(file));
  const rand = mulberry32(11);
  let worst = 0;
  let rejected = 0;
  const cases: Uint8Array[] = [];
  for (let i = 1; i <= 200; i++) cases.push(bytes.subarray(0, Math.floor((bytes.byteLength * i) / 201)));
  for (let i = 0; i < 200; i++) {
    const b = bytes.slice(0, 4096);
    b[128 + Math.floor(rand() * 3968)] ^= 1 << Math.floor(rand() * 8);
    cases.push(b);
  }
  for (const c of cases) {
    const t0 = performance.now();
    try {
      await readMat(c);
    } catch (e) {
      if (!(e instanceof MatFormatError)) throw e;
      rejected++;
    }
    worst = Math.max(worst, performance.now() - t0);
  }
  return { cases: cases.length, worstMs: worst, rejected };
}

const sources = readdirSync(CWRU)
  .filter((f) => f.endsWith('.mat'))
  .map((f) => path.join(CWRU, f));
const python = findPython();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'faultline-mat-bench-'));
try {
  const groups: Record<string, string[]> = { v5: sources };
  if (python) {
    const prep = spawnSync(python, [path.join(ROOT, 'bench/peers/mat_loadmat.py'), '--prepare', tmp, ...sources], { encoding: 'utf8' });
    if (prep.status !== 0) throw new Error(`peer --prepare failed: ${prep.stderr}`);
    const made = readdirSync(tmp);
    groups['v5-compressed'] = made.filter((f) => f.endsWith('.v7.mat')).map((f) => path.join(tmp, f));
    groups['v7.3'] = made.filter((f) => f.endsWith('.v73.mat')).map((f) => path.join(tmp, f));
  }
  const load = os.loadavg().map((x) => Math.round(x * 100) / 100);
  const oursByFormat: Record<string, { mb: number; seconds: number; mbPerSec: number }> = {};
  for (const [fmt, files] of Object.entries(groups)) {
    oursByFormat[fmt] = await ours(files);
    console.log(
      `ours   ${fmt.padEnd(14)} ${oursByFormat[fmt].mb.toFixed(1)} MB in ${oursByFormat[fmt].seconds.toFixed(3)} s = ${oursByFormat[fmt].mbPerSec.toFixed(0)} MB/s`,
    );
  }
  let peer:
    | { status: 'ok'; python: string; scipy: string; formats: Record<string, { mbPerSec: number; seconds: number }> }
    | { status: 'skipped'; reason: string; hint: string };
  if (python) {
    const items = Object.entries(groups).flatMap(([fmt, files]) => files.map((f) => `${fmt === 'v7.3' ? 'v7.3' : fmt}:${f}`));
    const r = spawnSync(python, [path.join(ROOT, 'bench/peers/mat_loadmat.py'), '--measure', '--repeat', String(REPEAT), ...items], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`peer --measure failed: ${r.stderr}`);
    const parsed = JSON.parse(r.stdout.trim().split('\n').pop()!) as { scipy: string; formats: Record<string, { mbPerSec: number; seconds: number }> };
    peer = { status: 'ok', python, scipy: parsed.scipy, formats: parsed.formats };
    for (const [fmt, f] of Object.entries(parsed.formats))
      console.log(`${fmt === 'v7.3' ? 'h5py ' : 'scipy'}  ${fmt.padEnd(14)} ${f.seconds.toFixed(3)} s = ${f.mbPerSec.toFixed(0)} MB/s`);
  } else {
    peer = { status: 'skipped', reason: 'no python with scipy and h5py', hint: HINT };
    console.log(`peer skipped: ${HINT}`);
  }
  const hostile = await worstRejectMs(sources[0]);
  console.log(`damaged copies of ${path.basename(sources[0])}: ${hostile.rejected}/${hostile.cases} rejected, worst ${hostile.worstMs.toFixed(1)} ms`);
  console.log(JSON.stringify({ quick, repeat: REPEAT, loadAverage: load, ours: oursByFormat, peer, hostile }));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
