/**
 * Training/prediction throughput of REFERENCE_ARCHITECTURE (2048x1, 4 classes, Adam, batch 32)
 * on the selected tfjs backend, on pure-JS `cpu` (short run), and on PyTorch CPU as a peer.
 *
 *   npx tsx bench/training-throughput.ts            # backend chosen like a worker (TFJS_BACKEND)
 *   BENCH_SECONDS=5 npx tsx bench/training-throughput.ts
 *
 * Prints JSON and a table; writes bench/results/training-throughput.json. Not part of npm test.
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
const SECONDS = Number(process.env.BENCH_SECONDS ?? 12);
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
}

function runTorchPeer(): TorchResult & { python: string } {
  const venvPython = path.join(ROOT, '.venv/bin/python');
  const candidates = [venvPython, 'python3'].filter((p) => p === 'python3' || existsSync(p));
  const script = path.join(ROOT, 'bench/peers/torch_cnn.py');
  let last: TorchResult & { python: string } = { python: 'python3', skipped: 'no python interpreter found' };
  for (const python of candidates) {
    const r = spawnSync(python, [script, '--train-seconds', String(SECONDS), '--predict-seconds', String(SECONDS / 2)], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    const line = (r.stdout ?? '').trim().split('\n').pop() ?? '';
    try {
      const parsed = JSON.parse(line) as TorchResult;
      last = { python, ...parsed };
      if (!parsed.skipped) return last;
    } catch {
      last = { python, skipped: `peer failed (exit ${r.status}): ${(r.stderr ?? '').trim().split('\n').pop() ?? r.error?.message}` };
    }
  }
  return last;
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
    model: { architecture: 'REFERENCE_ARCHITECTURE', params: REFERENCE_PARAM_COUNT, input: [INPUT, 1], batch: BATCH, predictBatch: PREDICT_BATCH, optimizer: 'adam' },
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
  const outDir = path.join(ROOT, 'bench/results');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, 'training-throughput.json'), JSON.stringify(report, null, 2) + '\n');
  console.log(JSON.stringify(report, null, 2));

  const rows = [
    ...results.map((r) => ({ runtime: `tfjs ${r.backend}`, train: r.trainSamplesPerSec, predict: r.predictSamplesPerSec })),
    torchPeer.skipped
      ? { runtime: `pytorch (skipped: ${torchPeer.skipped})`, train: NaN, predict: NaN }
      : { runtime: `pytorch ${torchPeer.torch} cpu (${torchPeer.threads} threads)`, train: torchPeer.trainSamplesPerSec ?? NaN, predict: torchPeer.predictSamplesPerSec ?? NaN },
  ];
  const fmt = (v: number): string => (Number.isFinite(v) ? v.toFixed(0) : '-');
  console.log(`\n${'runtime'.padEnd(52)} ${'train samples/s'.padStart(16)} ${'predict samples/s'.padStart(18)}`);
  for (const r of rows) console.log(`${r.runtime.padEnd(52)} ${fmt(r.train).padStart(16)} ${fmt(r.predict).padStart(18)}`);
  if (report.ratio) {
    console.log(
      `\npytorch / tfjs ${selected.backend}: train x${report.ratio.trainTorchOverTfjs.toFixed(2)}, predict x${report.ratio.predictTorchOverTfjs.toFixed(2)}`,
    );
  }
}

await main();
