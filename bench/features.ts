/**
 * Feature-library throughput and random-forest fit time, each against its Python peer in the
 * same run:
 * - features of one 102,400-sample signal (12 kHz, ~8.5 s), per domain and all together, best of
 *   REPEAT, ours (ml/features) vs numpy / scipy / PyWavelets (bench/peers/features_numpy.py);
 * - a 100-tree forest on a 2,000 × 40 matrix with 4 classes, ours (ml/features/analysis/forest.ts)
 *   vs scikit-learn's RandomForestClassifier (bench/peers/sklearn_forest.py), one core each.
 * Peer: FAULTLINE_BENCH_PYTHON, then .venv-py/bin/python, .venv/bin/python, python3 (the first
 * with numpy, scipy, pywt and scikit-learn). The last stdout line is the figures as JSON.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FEATURE_DOMAINS, SIGNAL_LENGTH } from '../contracts/index.js';
import { fitForest, predict, accuracy } from '../ml/features/analysis/index.js';
import { extractFeatures, featureCatalog, normaliseFeatureSettings } from '../ml/features/index.js';
import { Rng } from '../ml/random.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
const REPEAT = quick ? 2 : 5;
const FS = 12_000;
const SHAFT_HZ = 1797 / 60;
const FOREST = { rows: quick ? 500 : 2_000, columns: 40, classes: 4, trees: quick ? 20 : 100, maxDepth: 16 };
const HINT = 'python3 -m venv .venv-py && .venv-py/bin/pip install numpy scipy PyWavelets scikit-learn, or set FAULTLINE_BENCH_PYTHON';

function findPython(): string | undefined {
  const candidates = [process.env.FAULTLINE_BENCH_PYTHON, path.join(ROOT, '.venv-py/bin/python'), path.join(ROOT, '.venv/bin/python'), 'python3'];
  for (const python of candidates) {
    if (!python || (python.includes('/') && !existsSync(python))) continue;
    if (spawnSync(python, ['-c', 'import numpy, scipy, pywt, sklearn'], { encoding: 'utf8' }).status === 0) return python;
  }
  return undefined;
}

function best(fn: () => void): number {
  let t = Infinity;
  for (let i = 0; i < REPEAT; i++) {
    const t0 = performance.now();
    fn();
    t = Math.min(t, (performance.now() - t0) / 1000);
  }
  return t;
}

function runPeer(python: string | undefined, args: string[]): Record<string, unknown> {
  if (!python) return { status: 'skipped', reason: 'no python with numpy, scipy, pywt and scikit-learn', hint: HINT };
  const run = spawnSync(python, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  if (run.status !== 0) return { status: 'skipped', reason: `peer failed: ${run.stderr.slice(-400)}`, hint: HINT };
  return { status: 'ok', ...(JSON.parse(run.stdout.trim().split('\n').pop()!) as Record<string, unknown>) };
}

function main(): void {
  const python = findPython();
  const rng = new Rng(0);
  const x = Float64Array.from({ length: SIGNAL_LENGTH }, (_, i) => Math.sin((2 * Math.PI * SHAFT_HZ * i) / FS) + 0.3 * rng.normal(0, 1));
  const context = { samplingRateHz: FS, shaftHz: SHAFT_HZ };
  const ours: Record<string, number> = {};
  for (const d of FEATURE_DOMAINS) {
    const settings = normaliseFeatureSettings({ domains: [d] });
    extractFeatures(x, context, settings); // warm-up (JIT, FFT plans)
    ours[d] = best(() => extractFeatures(x, context, settings));
  }
  const all = normaliseFeatureSettings();
  ours.all = best(() => extractFeatures(x, context, all));
  const features = featureCatalog(all).length;
  const peer = runPeer(python, [path.join(ROOT, 'bench/peers/features_numpy.py'), 'bench', String(SIGNAL_LENGTH), String(REPEAT)]);

  // The forest: a planted 4-class problem over 40 columns (8 informative, the rest noise).
  const { rows, columns, classes, trees, maxDepth } = FOREST;
  const mx = new Float32Array(rows * columns);
  const my = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    my[r] = r % classes;
    for (let j = 0; j < columns; j++) mx[r * columns + j] = rng.normal(j < 8 ? 0.6 * my[r] * (1 + (j % 3)) : 0, 1);
  }
  const table = { x: mx, rows, columns, y: my, classes };
  let trainAccuracy = 0;
  const fitSec = best(() => {
    const forest = fitForest(table, { trees, maxDepth, seed: 0 });
    trainAccuracy = accuracy(predict(forest, mx, rows), my);
  });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'faultline-bench-forest-'));
  let forestPeer: Record<string, unknown>;
  try {
    writeFileSync(path.join(dir, 'x.f32'), Buffer.from(mx.buffer));
    writeFileSync(path.join(dir, 'y.i32'), Buffer.from(my.buffer));
    forestPeer = runPeer(python, [
      path.join(ROOT, 'bench/peers/sklearn_forest.py'),
      path.join(dir, 'x.f32'),
      path.join(dir, 'y.i32'),
      String(rows),
      String(columns),
      String(trees),
      String(maxDepth),
      String(REPEAT),
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const peerAll = peer.status === 'ok' ? (peer.seconds as Record<string, number>).all : undefined;
  console.log(
    `features of one ${SIGNAL_LENGTH}-sample signal (${features} columns): ours ${(ours.all * 1000).toFixed(1)} ms (${(1 / ours.all).toFixed(1)} signals/s)` +
      `${peerAll ? `, numpy/scipy ${(peerAll * 1000).toFixed(1)} ms` : ', peer skipped'}; forest ${trees} trees on ${rows} × ${columns}: ours ${fitSec.toFixed(2)} s` +
      `${forestPeer.status === 'ok' ? `, scikit-learn ${(forestPeer.fitSec as number).toFixed(2)} s` : ', peer skipped'}`,
  );
  console.log(
    JSON.stringify({
      signalLength: SIGNAL_LENGTH,
      features,
      ours: { seconds: ours, featuresPerSec: features / ours.all, signalsPerSec: 1 / ours.all },
      peer,
      forest: { rows, columns, classes, trees, maxDepth, ours: { fitSec, trainAccuracy }, peer: forestPeer },
    }),
  );
}

main();
