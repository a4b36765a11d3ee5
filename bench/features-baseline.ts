/**
 * The classical baseline next to the CNN, on the same split:
 *   npx tsx bench/features-baseline.ts [--quick]      (npm run bench -- --only features-baseline)
 *
 * (a) Simulated: a small generated 4-class dataset (fault type, loads 0–3, each signal its own
 *     recording), split by signal; and the same signals split by condition (train and validate at
 *     load 0, test at loads 1–3). (b) Real: the ten shared CWRU recordings (../shared/data/cwru,
 *     or CWRU_DIR) in the 10-class scheme, drive end at 12 kHz, cut into consecutive 4,096-sample
 *     signals as `faultline import` stores them, split by time with one signal left out at each
 *     boundary (the real-data bench's part a).
 *
 * For each: the reference CNN trained a few epochs (ml/train runTraining, in process, the backend
 * the activity would pick), then every window the CNN sees (same window length, hop and cap, via
 * ml/data windowStarts) featurised with the feature library (all four domains), and a random
 * forest (ml/features/analysis runBaseline, 100 trees) fitted on the training signals' rows and
 * scored on the test signals' rows — the split computed by the trainer's own splitSignals with the
 * experiment's hyperparameters, so both models see the same signals on each side. The forest is
 * run on all features, on mRMR's 10 best chosen on the training rows only, and on the 35 features
 * not in signal units (no mean, std, rms, peak, peak-to-peak: nothing that knows a recording's
 * level or DC offset, which on CWRU — one recording per class — would fingerprint the recording).
 * Accuracies are per window for both models. Seeds are fixed; one seed per figure.
 * The last stdout line is the report as JSON.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getFloat32, putFloat32 } from '../artifacts/codecs.js';
import { FileArtifactStore } from '../artifacts/file-store.js';
import {
  CWRU_SPEED_BY_LOAD_RPM,
  REFERENCE_ARCHITECTURE,
  SimulatorConfigSchema,
  TrainHyperparametersSchema,
  type TrainHyperparameters,
  type TrainSettings,
} from '../contracts/index.js';
import { splitSignals } from '../ml/data/split.js';
import { windowStarts } from '../ml/data/windows.js';
import { runBaseline } from '../ml/features/analysis/baseline.js';
import { featureCatalog, normaliseFeatureSettings } from '../ml/features/index.js';
import { runFeatureJob } from '../ml/features/job.js';
import { countSignals, planSignal, simulateSignal } from '../ml/signal/index.js';
import { initBackend } from '../ml/tf/index.js';
import { runTraining, type TrainingSignalRef } from '../ml/train/index.js';
import { cwruSignals as loadCwru } from './lib/cwru.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
const RATE = 12_000;
const SIGNAL = 4096;

interface Signal extends TrainingSignalRef {
  samplingRateHz: number;
  shaftHz: number;
}

interface Comparison {
  name: string;
  classes: number;
  signals: { train: number; validation: number; test: number };
  cnn: { testAccuracy: number; bestValAccuracy: number; epochs: number; testWindows: number; seconds: number };
  forest: { testAccuracy: number; validationAccuracy: number; macroF1: number; testRows: number; features: number; fitSeconds: number };
  forestMrmr10: { testAccuracy: number; validationAccuracy: number; features: string[] };
  /** Without the five features in signal units (mean, std, rms, peak, peak-to-peak): nothing that knows the recording's level or offset. */
  forestScaleFree: { testAccuracy: number; validationAccuracy: number; features: number };
  featureSeconds: number;
  forestConfusion: number[][];
  classNames: string[];
}

async function cwruSignals(store: FileArtifactStore): Promise<Signal[]> {
  return (await loadCwru(store, { rate: RATE, signalLength: SIGNAL })).map(({ name, ...signal }) => {
    const rpm = signal.rpm ?? CWRU_SPEED_BY_LOAD_RPM[name.loadHp] ?? null;
    if (rpm === null) throw new Error(`${signal.recording}: no rpm and no nominal speed for load ${name.loadHp}`);
    return { ...signal, rpm, samplingRateHz: RATE, shaftHz: rpm / 60 };
  });
}

async function simulatedSignals(store: FileArtifactStore): Promise<Signal[]> {
  const config = SimulatorConfigSchema.parse({ seed: 23, signalsPerClass: quick ? 16 : 40, signalLength: 8192, snrDb: [0, 10], speedJitter: 0.01 });
  const out: Signal[] = [];
  for (let i = 0; i < countSignals(config); i++) {
    const spec = planSignal(config, i);
    const { uri } = await putFloat32(store, simulateSignal(spec, config.samplingRateHz, config.signalLength), 'signal');
    out.push({
      index: i,
      label: spec.label,
      uri,
      recording: null,
      offset: null,
      loadHp: spec.loadHp,
      rpm: spec.shaftHz * 60,
      samplingRateHz: config.samplingRateHz,
      shaftHz: spec.shaftHz,
    });
  }
  return out;
}

async function compare(store: FileArtifactStore, name: string, signals: Signal[], settings: TrainSettings): Promise<Comparison> {
  const classes = [...new Set(signals.map((s) => s.label))].sort();
  const hp: TrainHyperparameters = TrainHyperparametersSchema.parse(settings);
  const t0 = performance.now();
  const refs: TrainingSignalRef[] = signals.map(({ samplingRateHz: _r, shaftHz: _s, ...ref }) => ref);
  const cnn = await runTraining(
    { experimentId: `bench-baseline-${name}`, classes, signals: refs, hyperparameters: hp, architecture: REFERENCE_ARCHITECTURE },
    { artifacts: store, onEpoch: async () => undefined },
  );
  const cnnSeconds = (performance.now() - t0) / 1000;

  // The CNN's windows of every signal, featurised.
  const settingsF = normaliseFeatureSettings({});
  const columns = featureCatalog(settingsF);
  const t1 = performance.now();
  const parts: Float32Array[] = [];
  const signalOfRow: number[] = [];
  const labels: number[] = [];
  for (const s of signals) {
    const samples = await getFloat32(store, s.uri);
    const starts = windowStarts(samples.length, { windowLength: hp.windowLength, windowHop: hp.windowHop, maxWindowsPerSignal: hp.maxWindowsPerSignal });
    parts.push(
      runFeatureJob([samples], {
        settings: settingsF,
        windowLength: hp.windowLength,
        signals: [{ uri: s.uri, samplingRateHz: s.samplingRateHz, shaftHz: s.shaftHz, starts }],
      }),
    );
    for (const _ of starts) {
      signalOfRow.push(s.index);
      labels.push(classes.indexOf(s.label));
    }
  }
  const featureSeconds = (performance.now() - t1) / 1000;
  const x = new Float32Array(signalOfRow.length * columns.length);
  let at = 0;
  for (const p of parts) {
    x.set(p, at);
    at += p.length;
  }
  const table = { x, rows: signalOfRow.length, columns: columns.length, y: Int32Array.from(labels), classes: classes.length };
  // The trainer's split of the same signals with the experiment's hyperparameters.
  const split = splitSignals(refs, hp);
  const forest = { trees: 100, maxDepth: 16, minSamplesLeaf: 1, seed: 0 };
  const all = runBaseline(table, signalOfRow, classes, split, { forest, columns: null });
  const mrmr10 = runBaseline(table, signalOfRow, classes, split, { forest, columns: null, mrmrK: 10 });
  const scaleFreeColumns = columns.flatMap((d, j) => (d.unit === 'signal' ? [] : [j]));
  const scaleFree = runBaseline(table, signalOfRow, classes, split, { forest, columns: scaleFreeColumns });
  const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  const out: Comparison = {
    name,
    classes: classes.length,
    signals: all.signals,
    cnn: {
      testAccuracy: cnn.testAccuracy,
      bestValAccuracy: cnn.bestValAccuracy,
      epochs: cnn.epochsCompleted,
      testWindows: sum(cnn.classBalance.test),
      seconds: cnnSeconds,
    },
    forest: {
      testAccuracy: all.test.accuracy,
      validationAccuracy: all.validation.accuracy,
      macroF1: all.test.macroF1,
      testRows: all.rows.test,
      features: all.columns.length,
      fitSeconds: all.fitSeconds,
    },
    forestMrmr10: { testAccuracy: mrmr10.test.accuracy, validationAccuracy: mrmr10.validation.accuracy, features: mrmr10.columns.map((j) => columns[j].name) },
    forestScaleFree: { testAccuracy: scaleFree.test.accuracy, validationAccuracy: scaleFree.validation.accuracy, features: scaleFreeColumns.length },
    featureSeconds,
    forestConfusion: all.test.confusion,
    classNames: classes,
  };
  console.log(
    `${name.padEnd(28)} CNN test ${(100 * out.cnn.testAccuracy).toFixed(1)} % (${out.cnn.testWindows} windows, ${out.cnn.epochs} epochs, ${cnnSeconds.toFixed(0)} s)  ` +
      `forest test ${(100 * out.forest.testAccuracy).toFixed(1)} % (${out.forest.testRows} windows, ${out.forest.features} features)  ` +
      `forest mRMR-10 ${(100 * out.forestMrmr10.testAccuracy).toFixed(1)} %  forest scale-free ${(100 * out.forestScaleFree.testAccuracy).toFixed(1)} %`,
  );
  return out;
}

async function main(): Promise<void> {
  const backend = await initBackend(process.env.TFJS_BACKEND as never);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'faultline-bench-baseline-'));
  try {
    const store = new FileArtifactStore(dir);
    const epochs = Number(process.env.BASELINE_EPOCHS ?? (quick ? 3 : 8));
    const sim = await simulatedSignals(store);
    const simulated = await compare(store, 'simulated 4-class, by signal', sim, {
      windowLength: 2048,
      windowHop: 1024,
      maxWindowsPerSignal: 8,
      epochs,
      batchSize: 16,
      learningRate: 0.003,
      patience: 0,
      seed: 1,
      validationFraction: 0.15,
      testFraction: 0.2,
    });
    // Harder: train at load 0 only, test at loads 1–3 (the real-data bench's part c, no option).
    const crossLoad = await compare(store, 'simulated cross-load 0 → 1-3', sim, {
      windowLength: 2048,
      windowHop: 1024,
      maxWindowsPerSignal: 8,
      epochs,
      batchSize: 16,
      learningRate: 0.003,
      patience: 0,
      seed: 1,
      validationFraction: 0.2,
      split: { kind: 'condition', holdOut: { loadHp: [1, 2, 3] }, within: 'signal', gapSignals: 1 },
    });
    const real = await cwruSignals(store);
    const cwru = await compare(store, 'CWRU 10-class, time split', real, {
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
    });
    const report = { backend: backend.name, epochs, simulated, crossLoad, cwru };
    if (!quick)
      writeFileSync(
        path.join(ROOT, 'bench/results/features-baseline.json'),
        `${JSON.stringify({ date: new Date().toISOString(), loadAverage: os.loadavg(), ...report }, null, 2)}\n`,
      );
    console.log(JSON.stringify(report));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
