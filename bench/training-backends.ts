/**
 * Training and prediction samples/s of REFERENCE_ARCHITECTURE on tfjs-node (native TensorFlow),
 * tfjs wasm and PyTorch CPU, each in its own fresh process, at 1 and 2 threads and batch 32 and
 * 256 — wall samples/s beside samples per CPU-second (all threads of the process), so systems
 * are compared at equal cores. wasm has no threads in Node: its 2-thread row is not run.
 *
 *   npx tsx bench/training-backends.ts             # 8 s train + 4 s predict per cell
 *   BENCH_SECONDS=3 npx tsx bench/training-backends.ts
 *   npx tsx bench/training-backends.ts --quick     # 2 s per cell (npm run bench -- --quick)
 *
 * PyTorch: FAULTLINE_BENCH_PYTHON, then bench/.venv-optuna/bin/python, then .venv/bin/python.
 * Prints a table and the report as JSON on the last line; writes bench/results/training-backends.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import type { TfjsBackendChoice } from '../config/index.js';
import { buildModel, compileModel, disposeModel, REFERENCE_ARCHITECTURE } from '../ml/model/index.js';
import { initBackend, nativeTfInstalled } from '../ml/tf/index.js';
import { nativeTfThreadEnv } from '../ml/tf/threads.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? (process.argv.includes('--quick') ? 2 : 8));
const INPUT = 2048;
const THREADS = [1, 2];
const BATCHES = [32, 256];

interface Cell {
  system: string;
  version: string;
  threads: number;
  batch: number;
  trainSamplesPerSec: number;
  trainSamplesPerCpuSec: number;
  predictSamplesPerSec: number;
  predictSamplesPerCpuSec: number;
}

/** One measurement in this (child) process: the backend, then train and predict loops with CPU time. */
async function child(backend: TfjsBackendChoice, batch: number, threads: number): Promise<void> {
  const info = await initBackend(backend);
  const model = buildModel(REFERENCE_ARCHITECTURE, { inputLength: INPUT, numClasses: 4, seed: 1 });
  compileModel(model, { optimizer: 'adam', learningRate: 1e-3 });
  const x = tf.randomNormal([batch, INPUT, 1], 0, 1, 'float32', 1);
  const y = tf.floor(tf.randomUniform([batch], 0, 4, 'float32', 2));
  const loop = async (step: () => Promise<void>, seconds: number): Promise<{ perSec: number; perCpuSec: number }> => {
    for (let i = 0; i < 3; i++) await step();
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    let n = 0;
    while (n < 3 || performance.now() - t0 < seconds * 1000) {
      await step();
      n++;
    }
    const wallS = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(c0);
    return { perSec: (n * batch) / wallS, perCpuSec: (n * batch) / ((cpu.user + cpu.system) / 1e6) };
  };
  const train = await loop(async () => {
    await model.trainOnBatch(x, y);
  }, SECONDS);
  const predict = await loop(async () => {
    const p = model.predict(x) as tf.Tensor;
    await p.data();
    p.dispose();
  }, SECONDS / 2);
  tf.dispose([x, y]);
  disposeModel(model);
  const cell: Cell = {
    system: info.name === 'tensorflow' ? 'tfjs-node' : `tfjs ${info.name}`,
    version: info.version,
    threads,
    batch,
    trainSamplesPerSec: train.perSec,
    trainSamplesPerCpuSec: train.perCpuSec,
    predictSamplesPerSec: predict.perSec,
    predictSamplesPerCpuSec: predict.perCpuSec,
  };
  console.log(JSON.stringify(cell));
}

function lastJson(stdout: string | null): unknown {
  try {
    return JSON.parse(stdout?.trim().split('\n').pop() ?? '');
  } catch {
    return undefined;
  }
}

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

function runTfjs(backend: TfjsBackendChoice, batch: number, threads: number): Cell | string {
  const r = spawnSync(process.execPath, ['--import', TSX, fileURLToPath(import.meta.url), '--child', backend, String(batch), String(threads)], {
    encoding: 'utf8',
    env: { ...process.env, ...nativeTfThreadEnv(threads, {}) },
    timeout: (SECONDS * 4 + 120) * 1000,
  });
  const out = lastJson(r.stdout) as Cell | undefined;
  return out?.system ? out : `${backend} failed (exit ${r.status}): ${(r.stderr ?? '').trim().slice(-300)}`;
}

function torchPython(): string | undefined {
  const candidates = [process.env.FAULTLINE_BENCH_PYTHON, path.join(ROOT, 'bench/.venv-optuna/bin/python'), path.join(ROOT, '.venv/bin/python')];
  return candidates.find((p) => p && existsSync(p) && spawnSync(p, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0);
}

function runTorch(python: string, batch: number, threads: number): Cell | string {
  const args = [
    '--train-seconds',
    String(SECONDS),
    '--predict-seconds',
    String(SECONDS / 2),
    '--batch',
    String(batch),
    '--predict-batch',
    String(batch),
    '--threads',
    String(threads),
  ];
  const r = spawnSync(python, [path.join(ROOT, 'bench/peers/torch_cnn.py'), ...args], { encoding: 'utf8', timeout: (SECONDS * 4 + 120) * 1000 });
  const o = lastJson(r.stdout) as
    { torch: string; trainSamplesPerSec: number; predictSamplesPerSec: number; trainSamplesPerCpuSec: number; predictSamplesPerCpuSec: number } | undefined;
  if (!o?.torch) return `torch failed (exit ${r.status}): ${(r.stderr ?? '').trim().slice(-300)}`;
  return {
    system: 'pytorch cpu',
    version: `torch ${o.torch}`,
    threads,
    batch,
    trainSamplesPerSec: o.trainSamplesPerSec,
    trainSamplesPerCpuSec: o.trainSamplesPerCpuSec,
    predictSamplesPerSec: o.predictSamplesPerSec,
    predictSamplesPerCpuSec: o.predictSamplesPerCpuSec,
  };
}

async function main(): Promise<void> {
  const cells: Cell[] = [];
  const skipped: string[] = [];
  const python = torchPython();
  if (!python) skipped.push('pytorch: no python with torch (bench/.venv-optuna/bin/pip install torch==2.13.0, or FAULTLINE_BENCH_PYTHON)');
  if (!nativeTfInstalled()) skipped.push('tfjs-node: not built (npm run setup)');
  const add = (c: Cell | string) => (typeof c === 'string' ? skipped.push(c) : cells.push(c));
  for (const batch of BATCHES) {
    for (const threads of THREADS) {
      if (nativeTfInstalled()) add(runTfjs('tensorflow', batch, threads));
      if (threads === 1) add(runTfjs('wasm', batch, 1));
      if (python) add(runTorch(python, batch, threads));
    }
  }
  console.log(`reference CNN, ${SECONDS} s train / ${SECONDS / 2} s predict per cell; samples/s (wall) and per CPU-second`);
  console.log(
    `${'system'.padEnd(12)} ${'thr'.padStart(3)} ${'batch'.padStart(5)} ${'train/s'.padStart(9)} ${'train/cpu-s'.padStart(11)} ${'pred/s'.padStart(9)} ${'pred/cpu-s'.padStart(11)}`,
  );
  for (const c of cells) {
    console.log(
      `${c.system.padEnd(12)} ${String(c.threads).padStart(3)} ${String(c.batch).padStart(5)} ${c.trainSamplesPerSec.toFixed(0).padStart(9)} ${c.trainSamplesPerCpuSec.toFixed(0).padStart(11)} ${c.predictSamplesPerSec.toFixed(0).padStart(9)} ${c.predictSamplesPerCpuSec.toFixed(0).padStart(11)}`,
    );
  }
  for (const s of skipped) console.log(`skipped: ${s}`);
  const report = { seconds: SECONDS, cells, skipped, versions: [...new Set(cells.map((c) => c.version))] };
  mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(path.join(ROOT, 'bench/results/training-backends.json'), JSON.stringify(report, null, 2) + '\n');
  console.log(JSON.stringify(report));
}

const at = process.argv.indexOf('--child');
if (at >= 0) await child(process.argv[at + 1] as TfjsBackendChoice, Number(process.argv[at + 2]), Number(process.argv[at + 3]));
else await main();
