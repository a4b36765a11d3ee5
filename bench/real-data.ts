/**
 * Models on real data: what the issue-9 options buy, measured.
 *   npx tsx bench/real-data.ts [--quick]      (npm run bench -- --only real-data)
 *
 * (a) The 10-class 0 hp CWRU benchmark on the ten shared recordings (../shared/data/cwru, or
 *     CWRU_DIR): drive end, the 48 kHz normal recording resampled to 12 kHz with the import's
 *     resampler, each recording cut into signals of 4,096 samples in order (what
 *     `faultline import` stores) and split by time (`split: time`, one signal left out at each
 *     boundary: no window of one side within a window of the other). Test accuracy of the
 *     reference CNN, with per-window and with per-recording normalisation.
 * (b) Sim-to-real: the reference CNN trained on simulated 4-class signals only (fault type; loads
 *     0–3, split by signal for validation), then scored on every window of the ten real
 *     recordings, labelled by fault type. No real window is seen in training.
 * (c) The simulator's cross-load test: a 4-class simulated dataset at loads 0–3, trained at load 0
 *     and tested at loads 1–3 (`split: condition`, holdOut loads 1–3), without any option, with
 *     each option alone (per-recording normalisation, augmentation, AdaBN) and with all of them.
 *
 * Training is the trainer the activity runs (ml/train runTraining, in process, wasm), on the
 * reference CNN, a few epochs (two shared cores); each run's seed is fixed, so a figure repeats
 * on the same machine and backend. Runs are single seeds: differences of a point or two are noise.
 * The last stdout line is the report as JSON.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getFloat32, putFloat32 } from '../artifacts/codecs.js';
import { FileArtifactStore } from '../artifacts/file-store.js';
import {
  REFERENCE_ARCHITECTURE,
  SimulatorConfigSchema,
  TrainHyperparametersSchema,
  type TrainHyperparameters,
  type TrainSettings,
} from '../contracts/index.js';
import { countSignals, planSignal, simulateSignal } from '../ml/signal/index.js';
import { initBackend } from '../ml/tf/index.js';
import { cwruSignals as loadCwru } from './lib/cwru.js';
import { buildWindows } from '../ml/data/windows.js';
import { deserializeModel } from '../ml/model/io.js';
import { evaluateModel, runTraining, type TrainingSignalRef } from '../ml/train/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
/** REAL_DATA_PARTS=b runs only the sim-to-real part (a, b, c; default all); results are written only for a full run. */
const parts = new Set((process.env.REAL_DATA_PARTS ?? 'a,b,c').split(',').map((p) => p.trim()));
const full = !quick && ['a', 'b', 'c'].every((p) => parts.has(p));
const RATE = 12_000;
const SIGNAL = 4096;

interface Run {
  name: string;
  testAccuracy: number;
  bestValAccuracy: number;
  epochs: number;
  windows: { train: number; validation: number; test: number };
  seconds: number;
}

async function train(store: FileArtifactStore, name: string, signals: TrainingSignalRef[], settings: TrainSettings): Promise<Run> {
  const classes = [...new Set(signals.map((s) => s.label))].sort();
  const hyperparameters: TrainHyperparameters = TrainHyperparametersSchema.parse(settings);
  const t0 = performance.now();
  const outcome = await runTraining(
    { experimentId: `bench-${name}`, classes, signals, hyperparameters, architecture: REFERENCE_ARCHITECTURE },
    { artifacts: store, onEpoch: async () => undefined },
  );
  const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  const run: Run = {
    name,
    testAccuracy: outcome.testAccuracy,
    bestValAccuracy: outcome.bestValAccuracy,
    epochs: outcome.epochsCompleted,
    windows: { train: sum(outcome.classBalance.train), validation: sum(outcome.classBalance.validation), test: sum(outcome.classBalance.test) },
    seconds: (performance.now() - t0) / 1000,
  };
  console.log(
    `${name.padEnd(34)} test ${(100 * run.testAccuracy).toFixed(1).padStart(5)} %  val ${(100 * run.bestValAccuracy).toFixed(1).padStart(5)} %  ` +
      `(${run.windows.train}/${run.windows.validation}/${run.windows.test} windows, ${run.epochs} epochs, ${run.seconds.toFixed(0)} s)`,
  );
  return run;
}

/** The ten recordings as the import stores them: drive end, 12 kHz, consecutive 4,096-sample signals with offsets. */
async function cwruSignals(store: FileArtifactStore): Promise<TrainingSignalRef[]> {
  return (await loadCwru(store, { rate: RATE, signalLength: SIGNAL })).map(({ name: _name, ...signal }) => signal);
}

/** A 4-class simulated dataset at loads 0–3: each signal its own recording, as the simulator's are. */
async function simulatedSignals(store: FileArtifactStore): Promise<TrainingSignalRef[]> {
  const config = SimulatorConfigSchema.parse({ seed: 11, signalsPerClass: quick ? 24 : 48, signalLength: 16_384, snrDb: [6, 14], speedJitter: 0.01 });
  const out: TrainingSignalRef[] = [];
  for (let i = 0; i < countSignals(config); i++) {
    const spec = planSignal(config, i);
    const { uri } = await putFloat32(store, simulateSignal(spec, config.samplingRateHz, config.signalLength), 'signal');
    out.push({ index: i, label: spec.label, uri, recording: null, offset: null, loadHp: spec.loadHp, rpm: spec.shaftHz * 60 });
  }
  return out;
}

/** (b): train on simulated signals only, score every window of the real recordings (fault-type labels). */
async function simToReal(store: FileArtifactStore, sim: TrainingSignalRef[], real: TrainingSignalRef[], settings: TrainSettings) {
  const classes = [...new Set(sim.map((s) => s.label))].sort();
  const outcome = await runTraining(
    {
      experimentId: 'bench-sim-to-real-model',
      classes,
      signals: sim,
      hyperparameters: TrainHyperparametersSchema.parse({ ...settings, split: { kind: 'signal' } }),
      architecture: REFERENCE_ARCHITECTURE,
    },
    { artifacts: store, onEpoch: async () => undefined },
  );
  console.log(`sim-to-real: trained on sim only          test ${(100 * outcome.testAccuracy).toFixed(1).padStart(5)} %  (held-out simulated signals)`);
  const model = await deserializeModel(await store.get(outcome.modelUri));
  // The 10-class labels of the real signals, folded to their fault type (inner_race_007 → inner_race).
  const faultType = (label: string) => label.replace(/_\d{3}$/, '');
  const sources = await Promise.all(
    real.map(async (s) => ({ index: s.index, labelIndex: classes.indexOf(faultType(s.label)), samples: await getFloat32(store, s.uri) })),
  );
  if (sources.some((s) => s.labelIndex < 0)) throw new Error(`a real label is not among the simulated classes ${classes.join(', ')}`);
  const windows = buildWindows(sources, { windowLength: settings.windowLength!, windowHop: settings.windowLength!, maxWindowsPerSignal: 2 });
  const scored = await evaluateModel(model, windows, classes.length, { batchSize: 128 });
  model.dispose();
  console.log(
    `sim-to-real: real recordings               test ${(100 * scored.accuracy).toFixed(1).padStart(5)} %  (${scored.count} real windows, classes ${classes.join(', ')})`,
  );
  return {
    simValidationAccuracy: outcome.bestValAccuracy,
    simTestAccuracy: outcome.testAccuracy,
    realAccuracy: scored.accuracy,
    realWindows: scored.count,
    classes,
    confusionMatrix: scored.confusionMatrix,
  };
}

async function main(): Promise<void> {
  const backend = await initBackend(process.env.TFJS_BACKEND as never);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'faultline-bench-real-'));
  try {
    const store = new FileArtifactStore(dir);
    const epochs = Number(process.env.REAL_DATA_EPOCHS ?? (quick ? 4 : 20));

    const real = await cwruSignals(store);
    const timeSplit: TrainSettings = {
      windowLength: 2048,
      windowHop: 512,
      maxWindowsPerSignal: 8,
      epochs,
      batchSize: 32,
      learningRate: 0.003,
      patience: 0,
      seed: 1,
      validationFraction: 0.15,
      testFraction: 0.2,
      split: { kind: 'time', gapSignals: 1 },
    };
    const tenClass = parts.has('a')
      ? [
          await train(store, 'cwru10 time split', real, timeSplit),
          await train(store, 'cwru10 time split, recording norm', real, { ...timeSplit, normalization: 'recording' }),
        ]
      : [];

    const sim = await simulatedSignals(store);
    const crossLoad: TrainSettings = {
      windowLength: 2048,
      windowHop: 1024,
      maxWindowsPerSignal: 16,
      epochs,
      // Small batches: enough steps for the batch-norm moving statistics to settle in a few epochs.
      batchSize: 16,
      learningRate: 0.003,
      patience: 0,
      seed: 1,
      validationFraction: 0.2,
      split: { kind: 'condition', holdOut: { loadHp: [1, 2, 3] }, within: 'signal', gapSignals: 1 },
    };
    const augmentation = { speedStretch: 0.04, amplitudeScale: 0.2, noise: 0.1 };
    const variants: [string, TrainSettings][] = [
      ['sim cross-load, no option', {}],
      ['sim cross-load, recording norm', { normalization: 'recording' }],
      ['sim cross-load, augmentation', { augmentation }],
      ['sim cross-load, AdaBN', { adaBN: true }],
      ['sim cross-load, all three', { normalization: 'recording', augmentation, adaBN: true }],
    ];
    const simToRealReport = parts.has('b') ? await simToReal(store, sim, real, { ...crossLoad, validationFraction: 0.15, testFraction: 0.15 }) : null;
    const cross: Run[] = [];
    if (parts.has('c')) for (const [name, extra] of variants) cross.push(await train(store, name, sim, { ...crossLoad, ...extra }));

    const report = {
      backend: backend.name,
      epochs,
      architecture: 'REFERENCE_ARCHITECTURE',
      cwru10: { recordings: 10, signals: real.length, signalLength: SIGNAL, split: 'time, 1 signal gap', runs: tenClass },
      simToReal: simToRealReport,
      simCrossLoad: { signals: sim.length, train: 'load 0', test: 'loads 1-3', augmentation, runs: cross },
    };
    if (full)
      writeFileSync(
        path.join(ROOT, 'bench/results/real-data.json'),
        `${JSON.stringify({ date: new Date().toISOString(), loadAverage: os.loadavg(), ...report }, null, 2)}\n`,
      );
    console.log(JSON.stringify(report));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
