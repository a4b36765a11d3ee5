/**
 * Training/prediction throughput of REFERENCE_ARCHITECTURE (2048x1, 4 classes, Adam, batch 32)
 * on the selected tfjs backend, on pure-JS `cpu` (short run), and on PyTorch CPU as a peer.
 *
 *   npx tsx bench/training-throughput.ts            # backend chosen like a worker (TFJS_BACKEND)
 *   BENCH_SECONDS=5 npx tsx bench/training-throughput.ts
 *   npx tsx bench/training-throughput.ts --quick    # smoke check: 2 s loops, results file untouched
 *
 * Prints a table, then the report as JSON on the last stdout line (bench/run.ts parses it);
 * writes bench/results/training-throughput.json except with --quick. Not part of npm test.
 * PyTorch peer: FAULTLINE_BENCH_PYTHON, then .venv/bin/python, then python3 (the first with torch).
 */
import '@tensorflow/tfjs-backend-cpu';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type { TfjsBackendChoice } from '../config/index.js';
import { buildModel, compileModel, disposeModel, REFERENCE_ARCHITECTURE, REFERENCE_PARAM_COUNT } from '../ml/model/index.js';
import { initBackend } from '../ml/tf/index.js';
import { setBackpropFilterStrategy } from '../ml/tf/kernels/conv2d-backprop-filter-wasm.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const QUICK = process.argv.includes('--quick');
// --quick only changes the default: an explicit BENCH_SECONDS still wins.
const SECONDS = Number(process.env.BENCH_SECONDS ?? (QUICK ? 2 : 12));
const TORCH_INSTALL_HINT = 'python3 -m venv .venv && .venv/bin/pip install torch==2.13.0 (CPU wheel), or set FAULTLINE_BENCH_PYTHON to a python with torch';
const BATCH = 32;
const PREDICT_BATCH = 256;
const INPUT = 2048;

interface Measure {
  backend: string;
  trainSamplesPerSec: number;
  predictSamplesPerSec: number;
  trainBatches: number;
  predictBatches: number;
  note?: string;
}

/** Runs `step` for at least `minRuns` times and until `seconds` have passed. */
async function timeLoop(step: () => Promise<void>, seconds: number, minRuns: number): Promise<{ runs: number; ms: number }> {
  const t0 = performance.now();
  let runs = 0;
  while (runs < minRuns || performance.now() - t0 < seconds * 1000) {
    await step();
    runs++;
  }
  return { runs, ms: performance.now() - t0 };
}

async function measure(backend: string, opts: { trainSeconds: number; predictSeconds: number; warmup: number; minRuns: number }): Promise<Measure> {
  const model = buildModel(REFERENCE_ARCHITECTURE, { inputLength: INPUT, numClasses: 4, seed: 1 });
  compileModel(model, { optimizer: 'adam', learningRate: 1e-3 });
  const x = tf.randomNormal([BATCH, INPUT, 1], 0, 1, 'float32', 1);
  const y = tf.floor(tf.randomUniform([BATCH], 0, 4, 'float32', 2));
  const xp = tf.randomNormal([PREDICT_BATCH, INPUT, 1], 0, 1, 'float32', 3);
  const trainStep = async (): Promise<void> => {
    await model.trainOnBatch(x, y);
  };
  const predictStep = async (): Promise<void> => {
    const p = model.predict(xp) as tf.Tensor;
    await p.data(); // force the computation
    p.dispose();
  };
  for (let i = 0; i < opts.warmup; i++) await trainStep();
  const before = tf.memory().numTensors;
  const train = await timeLoop(trainStep, opts.trainSeconds, opts.minRuns);
  for (let i = 0; i < Math.min(2, opts.warmup); i++) await predictStep();
  const predict = await timeLoop(predictStep, opts.predictSeconds, opts.minRuns);
  const leaked = tf.memory().numTensors - before;
  tf.dispose([x, y, xp]);
  disposeModel(model);
  return {
    backend,
    trainSamplesPerSec: (train.runs * BATCH * 1000) / train.ms,
    predictSamplesPerSec: (predict.runs * PREDICT_BATCH * 1000) / predict.ms,
    trainBatches: train.runs,
    predictBatches: predict.runs,
    ...(leaked !== 0 ? { note: `${leaked} tensors leaked during the run` } : {}),
  };
}

interface TorchResult {
  torch?: string;
  threads?: number;
  params?: number;
  trainSamplesPerSec?: number;
  predictSamplesPerSec?: number;
  skipped?: string;
  /** How to get the peer running, when it was skipped. */
  hint?: string;
}

function runTorchPeer(): TorchResult & { python: string } {
  const venvPython = path.join(ROOT, '.venv/bin/python');
  const explicit = process.env.FAULTLINE_BENCH_PYTHON?.trim();
  const candidates = [...(explicit ? [explicit] : []), ...(existsSync(venvPython) ? [venvPython] : []), 'python3'];
  const script = path.join(ROOT, 'bench/peers/torch_cnn.py');
  const rejected: string[] = [];
  for (const python of candidates) {
    const r = spawnSync(python, [script, '--train-seconds', String(SECONDS), '--predict-seconds', String(SECONDS / 2)], {
      encoding: 'utf8',
      // The peer's own loops plus a slow torch import on a loaded machine; scales with BENCH_SECONDS.
      timeout: Math.max(120_000, (SECONDS * 1.5 + 90) * 1000),
    });
    const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
    let reason: string;
    try {
      const parsed = JSON.parse(line) as TorchResult;
      if (!parsed.skipped) return { python, ...parsed };
      reason = parsed.skipped;
    } catch {
      reason = `peer failed (exit ${r.status}): ${(r.stderr ?? '').trim().split('\n').pop() || r.error?.message}`;
    }
    // Said for each interpreter passed over, so a wrong FAULTLINE_BENCH_PYTHON is visible even
    // when a later candidate has torch.
    console.error(`pytorch peer: ${python}: ${reason}`);
    rejected.push(`${python}: ${reason}`);
  }
  // Never a made-up number: the peer is reported as skipped, with how to get torch.
  console.error(`pytorch peer skipped; to run it: ${TORCH_INSTALL_HINT}`);
  return { python: candidates.join(', '), skipped: rejected.join('; '), hint: TORCH_INSTALL_HINT };
}

async function main(): Promise<void> {
  const preference = process.env.TFJS_BACKEND as TfjsBackendChoice | undefined;
  const info = await initBackend(preference || undefined);
  const results: Measure[] = [];
  console.error(`backend: ${info.name} (tried ${info.tried.map((t) => `${t.backend}:${t.ok ? 'ok' : 'no'}`).join(', ')})`);

  results.push(await measure(info.name, { trainSeconds: SECONDS, predictSeconds: SECONDS / 2, warmup: 3, minRuns: 3 }));
  if (info.name === 'wasm') {
    // The kernel's alternative (pure JS multiply) for comparison; a short run.
    setBackpropFilterStrategy('js');
    const js = await measure('wasm (backprop-filter in JS)', { trainSeconds: SECONDS / 3, predictSeconds: 0, warmup: 2, minRuns: 3 });
    setBackpropFilterStrategy('wasm-matmul');
    results.push({ ...js, predictSamplesPerSec: NaN, note: 'train only: Conv2DBackpropFilter multiply as a JS loop' });
  }
  if (info.name !== 'cpu') {
    // Pure JS: ~5 s per training batch, so a minimal run.
    await tf.setBackend('cpu');
    results.push(await measure('cpu', { trainSeconds: 0, predictSeconds: 2, warmup: 1, minRuns: 2 }));
    await tf.setBackend(info.name);
  }

  const torchPeer = runTorchPeer();
  const selected = results[0];
  const report = {
    date: new Date().toISOString(),
    // Other processes share the 2 cores on dev machines: the load average says how contended the run was.
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, loadAverage1m: os.loadavg()[0] },
    model: {
      architecture: 'REFERENCE_ARCHITECTURE',
      params: REFERENCE_PARAM_COUNT,
      input: [INPUT, 1],
      batch: BATCH,
      predictBatch: PREDICT_BATCH,
      optimizer: 'adam',
    },
    backendSelection: info,
    tfjs: results,
    torch: torchPeer,
    ratio: torchPeer.trainSamplesPerSec
      ? {
          trainTorchOverTfjs: torchPeer.trainSamplesPerSec / selected.trainSamplesPerSec,
          predictTorchOverTfjs: (torchPeer.predictSamplesPerSec ?? NaN) / selected.predictSamplesPerSec,
        }
      : undefined,
  };
  if (!QUICK) {
    // A smoke run's short loops are noisy: they must not replace the recorded figures.
    const outDir = path.join(ROOT, 'bench/results');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(path.join(outDir, 'training-throughput.json'), JSON.stringify(report, null, 2) + '\n');
  }

  const rows = [
    ...results.map((r) => ({ runtime: `tfjs ${r.backend}`, train: r.trainSamplesPerSec, predict: r.predictSamplesPerSec })),
    torchPeer.skipped
      ? { runtime: `pytorch (skipped: ${torchPeer.skipped})`, train: NaN, predict: NaN }
      : {
          runtime: `pytorch ${torchPeer.torch} cpu (${torchPeer.threads} threads)`,
          train: torchPeer.trainSamplesPerSec ?? NaN,
          predict: torchPeer.predictSamplesPerSec ?? NaN,
        },
  ];
  const fmt = (v: number): string => (Number.isFinite(v) ? v.toFixed(0) : '-');
  console.log(`\n${'runtime'.padEnd(52)} ${'train samples/s'.padStart(16)} ${'predict samples/s'.padStart(18)}`);
  for (const r of rows) console.log(`${r.runtime.padEnd(52)} ${fmt(r.train).padStart(16)} ${fmt(r.predict).padStart(18)}`);
  if (report.ratio) {
    console.log(
      `\npytorch / tfjs ${selected.backend}: train x${report.ratio.trainTorchOverTfjs.toFixed(2)}, predict x${report.ratio.predictTorchOverTfjs.toFixed(2)}`,
    );
  }
  // Last stdout line, one line of JSON: the contract with bench/run.ts.
  console.log(JSON.stringify({ quick: QUICK, seconds: SECONDS, ...report }));
}

await main();
