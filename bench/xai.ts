/**
 * Batch XAI throughput: what one signal's explanation costs per method, whether the
 * pool of XAI child processes uses both cores, and what `explainSignalsWorkflow`'s in-flight
 * window (maxInFlight) does to the wall time of a batch.
 *
 *   npx tsx bench/xai.ts            # part 1: 32 held-out signals per method, pools of 1 and 2 on ≥ 32 signals;
 *                                   # part 2: 4 classes × 16 signals × 16,384 samples, maxInFlight 1, 2, 4, 8, 16
 *                                   # (about 2 minutes on 2 cores)
 *   npx tsx bench/xai.ts --quick    # 4 signals per method, pools on ≥ 4; 4 × 4 signals × 8,192 samples,
 *                                   # maxInFlight 1 and 4 (under a minute); results file untouched
 *
 * Part 1, in this process on the main thread (tfjs backend chosen like a worker: TFJS_BACKEND,
 * else the first that loads; wasm here). The reference CNN (REFERENCE_ARCHITECTURE, 2048-sample
 * windows, 4 classes) is trained briefly on simulated signals (the first 8 per class, every
 * window; 10 epochs in a seeded order) so attributions are those of a model that has learned
 * something (held-out accuracy is reported); the signals explained are held out (the next signals
 * of the same simulated rig, one middle window each, z-normalised as the activity does). Every method runs with the defaults of contracts/xai.ts (parsed from the
 * contract, not restated), target = the predicted class:
 *   method ms/window      the attribution function alone (integratedGradients, gradCam, occlusion,
 *                         kernelShap with a 16-window background drawn from the training windows)
 *   explain ms/window     `explainSignal(model, job)` for one signal with windowsPerSignal 1: the
 *                         prediction, the method, IG's completeness check, the deletion curve
 *                         (16 steps, 8 random orders) and the summary — what the activity's child
 *                         process computes per signal
 *   signals/s             1000 / explain ms/window
 *   pool ×1, ×2           the same jobs through XaiProcessPool of size 1 and 2, all submitted at
 *                         once: 32 signals, or more for cheap methods (at least ~4 s of work at one
 *                         process; the held-out signals in turn); wall clock after each child has
 *                         started and loaded the model (one untimed job per child)
 *   in-child ms           the methods' own time per signal inside the children (durationMs), at
 *                         ×1 and ×2: above ×1's when two children slow each other down
 *
 * Part 2, through the real workflow on the stack of bench/lib/stack.ts (dev server, PGlite or
 * DATABASE_URL's Postgres, all workers in this process) with CPU_SLOTS 16 and XAI_PROCESSES 2 (set
 * here), so only the workflow's window bounds what runs at once. A dataset is generated through
 * generateDatasetWorkflow and the reference CNN trained on it through trainModelWorkflow (8
 * epochs); then `explainSignalsWorkflow` explains all its signals, once per (method set, window):
 * grad-cam + occlusion (cheap: orchestration is a visible share) and integrated-gradients (heavy),
 * maxInFlight ascending, a fresh batchId per run (rows are reused by batch id). An untimed 4-signal
 * batch first starts both XAI child processes and loads the model in each.
 *   wall                  client start → result (register, every signal, the per-class summary)
 *   signals/s             signals / wall
 *   compute ms/signal     the methods' own time in the child, mean per signal (rows' durationMs:
 *                         attribution + faithfulness + summary; not the window prediction or IPC)
 *   activity ms           explainSignal scheduled → started (queue) and started → completed, from
 *                         the workflow history; started → completed includes waiting for a free
 *                         child when more signals are in flight than the pool has processes
 *   pool busy             Σ compute / (wall × XAI_PROCESSES): how much of the two processes' time
 *                         went into explaining
 *   worker CPU            CPU time of this process (workers' event loop, activities, pictures,
 *                         artifact writes, PGlite, the client) per signal during the batch; the XAI
 *                         children and the dev server are other processes
 *
 * Prints tables, then the report as JSON on the last stdout line (bench/run.ts parses it); writes
 * bench/results/xai.json except with --quick. Not part of npm test.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { tsToMs } from '@temporalio/common/lib/time.js';
import { eq } from 'drizzle-orm';
import { FileArtifactStore } from '../artifacts/file-store.js';
import { getTrainingResult, startTraining } from '../client/api.js';
import type { TfjsBackendChoice } from '../config/index.js';
import {
  ExplainSignalsInputSchema,
  SimulatorConfigSchema,
  WORKFLOW_TASK_QUEUE,
  workflowIds,
  XaiMethodsSchema,
  signalRef,
  type ExplainSignalsResult,
  type XaiMethod,
  type XaiMethods,
  type XaiMethodsRequest,
} from '../contracts/index.js';
import { xaiExplanations } from '../db/schema.js';
import { buildWindows, windowStarts, zNormalizeInto } from '../ml/data/index.js';
import { buildModel, compileModel, disposeModel, REFERENCE_ARCHITECTURE, serializeModel } from '../ml/model/index.js';
import { mixSeed, mulberry32, permutation } from '../ml/random.js';
import { planSignal, simulateSignal } from '../ml/signal/index.js';
import { initBackend } from '../ml/tf/index.js';
import { MODEL_MEDIA_TYPE } from '../ml/train/index.js';
import { attributeWindow, explainSignal, predictWindows, type ExplainJob } from '../ml/xai/index.js';
import { XaiProcessPool } from '../ml/xai/pool.js';
import { generateBenchDataset, loadavg, startBenchStack, type BenchStack } from './lib/stack.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const QUICK = process.argv.includes('--quick');

const WINDOW = 2048;
/** Part 1: simulated rig, training signals, held-out signals explained. */
const LOCAL = QUICK
  ? { trainPerClass: 8, heldOutPerClass: 1, epochs: 3, poolSignals: 4 }
  : { trainPerClass: 8, heldOutPerClass: 8, epochs: 10, poolSignals: 32 };
const LOCAL_SIGNAL_LENGTH = 16_384;
const LOCAL_SNR_DB: [number, number] = [4, 12];
const LOCAL_SEED = 21;
const POOL_SIZES = [1, 2];
/** A pool batch holds at least this much work (at the in-process rate), so cheap methods are timed over seconds. */
const POOL_MIN_MS = QUICK ? 500 : 4_000;
/** Part 2: dataset, training, windows. */
const BATCH = QUICK
  ? { signalsPerClass: 4, signalLength: 8_192, epochs: 2, windows: [1, 4] }
  : { signalsPerClass: 16, signalLength: 16_384, epochs: 8, windows: [1, 2, 4, 8, 16] };
const BATCH_SNR_DB: [number, number] = [4, 12];
const XAI_PROCESSES = 2;
const CPU_SLOTS = 16;
const METHOD_SETS: readonly { name: string; methods: XaiMethodsRequest }[] = [
  { name: 'grad-cam+occlusion', methods: { 'grad-cam': {}, occlusion: {} } },
  { name: 'integrated-gradients', methods: { 'integrated-gradients': {} } },
];
const METHODS: readonly XaiMethod[] = ['integrated-gradients', 'grad-cam', 'occlusion', 'kernel-shap'];

// The defaults of contracts/xai.ts, as the workflow fills them in.
const DEFAULTS = ExplainSignalsInputSchema.parse({
  batchId: 'defaults',
  modelId: 'defaults',
  selection: { kind: 'ids', ids: ['defaults:0'] },
  methods: { 'grad-cam': {} },
});
const methodSettings = (m: XaiMethod): XaiMethods => XaiMethodsSchema.parse({ [m]: {} });

// ---------------------------------------------------------------------------------------------
// Report

interface PoolRow {
  size: number;
  signals: number;
  wallSec: number;
  signalsPerSec: number;
  /** The methods' own time per signal inside the children (durationMs): above the in-process figure = the children slowed each other. */
  childMsPerSignal: number;
}

interface MethodRow {
  method: XaiMethod;
  settings: unknown;
  signals: number;
  /** Mean (and median) ms of the attribution function alone, per window. */
  msPerWindowMethod: number;
  msPerWindowMethodMedian: number;
  /** Mean (and median) ms of explainSignal for one signal of one window. */
  msPerWindowExplain: number;
  msPerWindowExplainMedian: number;
  /** explain − method: prediction, completeness check (IG), deletion curve, summary. */
  msPerWindowAround: number;
  signalsPerSec: number;
  /** explainSignal's own per-method time (durationMs: method + faithfulness + summary, not the window prediction), as the pool rows report it. */
  computeMsPerSignal: number;
  meanFaithfulness: number;
  pool: PoolRow[];
  /** Pool of 2 over pool of 1, signals/s. */
  poolSpeedup: number | null;
}

interface WindowRow {
  methods: string;
  maxInFlight: number;
  batchId: string;
  signals: number;
  wallSec: number;
  signalsPerSec: number;
  computeMsPerSignal: number;
  scheduleToStartMs: number;
  startToCloseMs: number;
  /** Most explainSignal activities open at once in the history. */
  maxInFlightObserved: number;
  poolBusy: number;
  /**
   * CPU time of this process (workers' event loop: activities, artifact writes, pictures, PGlite;
   * the workflow client) per signal during the batch; the XAI children and the dev server are
   * separate processes, not included.
   */
  workerCpuMsPerSignal: number;
}

interface Report {
  quick: boolean;
  date: string;
  machine: { cpus: number; model: string | undefined; node: string };
  backend: string;
  model: {
    architecture: 'REFERENCE_ARCHITECTURE';
    inputLength: number;
    classes: string[];
    params: number;
    epochs: number;
    trainWindows: number;
    trainSec: number;
    trainAccuracy: number;
    heldOutSignals: number;
    heldOutAccuracy: number;
  };
  defaults: { faithfulness: typeof DEFAULTS.faithfulness; summary: typeof DEFAULTS.summary };
  methods: MethodRow[];
  workflow: {
    dataset: { id: string; signals: number; signalsPerClass: number; signalLength: number; snrDb: [number, number]; generationSec: number };
    model: { experimentId: string; epochs: number; trainingSec: number; valAccuracy: number; testAccuracy: number };
    stack: { database: string; slots: { control: number; cpu: number; train: number }; xaiProcesses: number; startupSec: number };
    signals: number;
    runs: WindowRow[];
  };
  totalSec: number;
  loadAverage: { start: number[]; afterPart1: number[]; end: number[] };
}

// ---------------------------------------------------------------------------------------------
// Helpers

const mean = (xs: readonly number[]): number => (xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length);
function median(xs: readonly number[]): number {
  const v = [...xs].sort((a, b) => a - b);
  if (v.length === 0) return Number.NaN;
  const m = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? v[m] : (v[m - 1] + v[m]) / 2;
}
const f = (v: number | null | undefined, d: number): string => (v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(d));

interface LocalSignal {
  index: number;
  labelIndex: number;
  window: Float32Array;
}

/** Simulated signals of one rig: the first `trainPerClass` per class train, the rest are held out. */
function simulateLocal(): {
  classes: string[];
  samplingRateHz: number;
  train: { index: number; labelIndex: number; samples: Float32Array }[];
  heldOut: LocalSignal[];
} {
  const config = SimulatorConfigSchema.parse({
    seed: LOCAL_SEED,
    signalsPerClass: LOCAL.trainPerClass + LOCAL.heldOutPerClass,
    signalLength: LOCAL_SIGNAL_LENGTH,
    snrDb: LOCAL_SNR_DB,
  });
  const classes = [...config.classes];
  const train: { index: number; labelIndex: number; samples: Float32Array }[] = [];
  const heldOut: LocalSignal[] = [];
  // Labels are interleaved (index i has class i % classes), so the first 8 × classes are 8 per class.
  const trainCount = LOCAL.trainPerClass * classes.length;
  const total = (LOCAL.trainPerClass + LOCAL.heldOutPerClass) * classes.length;
  for (let i = 0; i < total; i++) {
    const spec = planSignal(config, i);
    const samples = simulateSignal(spec, config.samplingRateHz, LOCAL_SIGNAL_LENGTH);
    const labelIndex = classes.indexOf(spec.label);
    if (i < trainCount) {
      train.push({ index: i, labelIndex, samples });
    } else {
      // One window per signal, as the activity cuts it with windowsPerSignal 1 (the middle one).
      const [start] = windowStarts(samples.length, { windowLength: WINDOW, windowHop: WINDOW, maxWindowsPerSignal: 1 });
      const window = new Float32Array(WINDOW);
      zNormalizeInto(samples, start, WINDOW, window, 0);
      heldOut.push({ index: i, labelIndex, window });
    }
  }
  return { classes, samplingRateHz: config.samplingRateHz, train, heldOut };
}

// ---------------------------------------------------------------------------------------------
// Part 1: per method, in process and through the pool

async function part1(backend: TfjsBackendChoice | undefined): Promise<{ model: Report['model']; methods: MethodRow[] }> {
  const sim = simulateLocal();
  const { classes, samplingRateHz } = sim;
  const set = buildWindows(sim.train, { windowLength: WINDOW, windowHop: WINDOW, maxWindowsPerSignal: LOCAL_SIGNAL_LENGTH / WINDOW });

  const model = buildModel(REFERENCE_ARCHITECTURE, { inputLength: WINDOW, numClasses: classes.length, seed: 1 });
  compileModel(model, { optimizer: 'adam', learningRate: 3e-3 });
  // fit's own shuffle uses Math.random: a seeded order per epoch instead, so every run trains the same model.
  const order = mulberry32(mixSeed(LOCAL_SEED, 'epochs'));
  const t0 = performance.now();
  let trainAccuracy = Number.NaN;
  for (let epoch = 0; epoch < LOCAL.epochs; epoch++) {
    const perm = permutation(set.count, order);
    const x = new Float32Array(set.x.length);
    const y = new Float32Array(set.count);
    perm.forEach((k, i) => {
      x.set(set.x.subarray(k * WINDOW, (k + 1) * WINDOW), i * WINDOW);
      y[i] = set.y[k];
    });
    const xs = tf.tensor3d(x, [set.count, WINDOW, 1]);
    const ys = tf.tensor1d(y, 'float32');
    const history = await model.fit(xs, ys, { epochs: 1, batchSize: 16, shuffle: false, verbose: 0 });
    tf.dispose([xs, ys]);
    trainAccuracy = ((history.history.acc ?? history.history.accuracy ?? []) as number[])[0] ?? Number.NaN;
  }
  const trainSec = (performance.now() - t0) / 1000;
  const probs = predictWindows(
    model,
    sim.heldOut.map((s) => s.window),
  );
  const predicted = probs.map((p) => p.indexOf(Math.max(...p)));
  const heldOutAccuracy = predicted.filter((c, i) => c === sim.heldOut[i].labelIndex).length / sim.heldOut.length;
  console.log(
    `reference CNN: ${LOCAL.epochs} epochs on ${set.count} windows in ${trainSec.toFixed(1)} s, train accuracy ${f(trainAccuracy, 3)}, ` +
      `held-out accuracy ${f(heldOutAccuracy, 3)} (${sim.heldOut.length} signals, one window each)`,
  );

  // KernelSHAP's background: 16 training windows at seeded positions (the activity draws them from the dataset).
  const shapDefaults = methodSettings('kernel-shap')['kernel-shap']!;
  const pick = mulberry32(mixSeed(LOCAL_SEED, 'background'));
  const background = Array.from({ length: shapDefaults.background.size }, () => {
    const k = Math.floor(pick() * set.count);
    return set.x.slice(k * WINDOW, (k + 1) * WINDOW);
  });

  const jobOf = (s: LocalSignal, settings: XaiMethods): ExplainJob => ({
    windows: [s.window],
    classes,
    target: 'predicted',
    methods: settings,
    background: settings['kernel-shap'] ? background : undefined,
    faithfulness: DEFAULTS.faithfulness,
    summary: DEFAULTS.summary,
    samplingRateHz,
    seed: mixSeed(DEFAULTS.seed, 'bench', s.index),
  });

  // The pool's children load the model from an artifact store, as in a worker.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'faultline-bench-xai-'));
  const store = new FileArtifactStore(dir);
  const { uri: modelUri } = await store.put(await serializeModel(model, { includeOptimizer: false }), { kind: 'model', mediaType: MODEL_MEDIA_TYPE });

  const params = model.countParams();
  const rows: MethodRow[] = [];
  try {
    for (const method of METHODS) {
      const settings = methodSettings(method);
      const signals = sim.heldOut;
      // Warm-up: first calls compile kernels and allocate; not what a batch pays per signal.
      explainSignal(model, jobOf(signals[0], settings));
      const before = tf.memory().numTensors;
      const methodMs: number[] = [];
      for (const [i, s] of signals.entries()) {
        const t = performance.now();
        attributeWindow(model, s.window, method, predicted[i], { methods: settings, background, seed: mixSeed(DEFAULTS.seed, 'bench', s.index) });
        methodMs.push(performance.now() - t);
      }
      const explainMs: number[] = [];
      const computeMs: number[] = [];
      const faith: number[] = [];
      for (const s of signals) {
        const t = performance.now();
        const e = explainSignal(model, jobOf(s, settings));
        explainMs.push(performance.now() - t);
        computeMs.push(e.methods[0].durationMs);
        faith.push(e.methods[0].faithfulness);
      }
      const leaked = tf.memory().numTensors - before;
      if (leaked !== 0) console.error(`${method}: ${leaked} tensors leaked`);

      const pool: PoolRow[] = [];
      // At least POOL_MIN_MS of work at one process, so cheap methods are not timed on a blink;
      // the held-out signals are reused in turn.
      const poolSignals = Math.max(LOCAL.poolSignals, 2 * Math.ceil(POOL_MIN_MS / mean(explainMs) / 2));
      const poolJobs = Array.from({ length: poolSignals }, (_, i) => jobOf(signals[i % signals.length], settings));
      for (const size of POOL_SIZES) {
        const p = new XaiProcessPool({ size, artifacts: dir, backend });
        try {
          // One untimed job per child: the child's tfjs start-up and model load happen once per process.
          await Promise.all(Array.from({ length: size }, (_, i) => p.run(modelUri, poolJobs[i % poolJobs.length])));
          const t = performance.now();
          const done = await Promise.all(poolJobs.map((j) => p.run(modelUri, j)));
          const wallSec = (performance.now() - t) / 1000;
          const childMsPerSignal = mean(done.map((e) => e.methods.reduce((a, m) => a + m.durationMs, 0)));
          pool.push({ size, signals: poolJobs.length, wallSec, signalsPerSec: poolJobs.length / wallSec, childMsPerSignal });
        } finally {
          await p.close();
        }
      }
      const p1 = pool.find((r) => r.size === 1);
      const p2 = pool.find((r) => r.size === 2);
      const row: MethodRow = {
        method,
        settings: settings[method],
        signals: signals.length,
        msPerWindowMethod: mean(methodMs),
        msPerWindowMethodMedian: median(methodMs),
        msPerWindowExplain: mean(explainMs),
        msPerWindowExplainMedian: median(explainMs),
        msPerWindowAround: mean(explainMs) - mean(methodMs),
        signalsPerSec: 1000 / mean(explainMs),
        computeMsPerSignal: mean(computeMs),
        meanFaithfulness: mean(faith),
        pool,
        poolSpeedup: p1 && p2 ? p2.signalsPerSec / p1.signalsPerSec : null,
      };
      rows.push(row);
      console.log(
        `${method.padEnd(21)} method ${f(row.msPerWindowMethod, 1).padStart(7)} ms/window, explain ${f(row.msPerWindowExplain, 1).padStart(7)} ms/window ` +
          `(${f(row.signalsPerSec, 2)} signals/s), faithfulness ${f(row.meanFaithfulness, 3)}; pool ${pool.map((r) => `×${r.size} ${f(r.signalsPerSec, 2)}`).join(', ')} signals/s ` +
          `(in-child ms/signal ${f(row.computeMsPerSignal, 1)} in process, ${pool.map((r) => `${f(r.childMsPerSignal, 1)} at ×${r.size}`).join(', ')})`,
      );
    }
  } finally {
    disposeModel(model);
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    model: {
      architecture: 'REFERENCE_ARCHITECTURE',
      inputLength: WINDOW,
      classes,
      params,
      epochs: LOCAL.epochs,
      trainWindows: set.count,
      trainSec,
      trainAccuracy,
      heldOutSignals: sim.heldOut.length,
      heldOutAccuracy,
    },
    methods: rows,
  };
}

// ---------------------------------------------------------------------------------------------
// Part 2: the workflow at several windows

interface HistoryStats {
  scheduleToStartMs: number;
  startToCloseMs: number;
  maxOpen: number;
  scheduled: number;
}

async function historyStats(stack: BenchStack, workflowId: string): Promise<HistoryStats> {
  const events = (await stack.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const scheduledAt = new Map<string, number>();
  const startedAt = new Map<string, number>();
  const queue: number[] = [];
  const run: number[] = [];
  let open = 0;
  let maxOpen = 0;
  for (const e of events) {
    const t = tsToMs(e.eventTime);
    if (e.activityTaskScheduledEventAttributes?.activityType?.name === 'explainSignal') {
      scheduledAt.set(String(e.eventId), t);
      maxOpen = Math.max(maxOpen, ++open);
      continue;
    }
    const started = e.activityTaskStartedEventAttributes;
    if (started && scheduledAt.has(String(started.scheduledEventId))) {
      startedAt.set(String(started.scheduledEventId), t);
      continue;
    }
    const closed =
      e.activityTaskCompletedEventAttributes ??
      e.activityTaskFailedEventAttributes ??
      e.activityTaskCanceledEventAttributes ??
      e.activityTaskTimedOutEventAttributes;
    const id = closed ? String(closed.scheduledEventId) : undefined;
    if (id !== undefined && scheduledAt.has(id)) {
      open--;
      const s = startedAt.get(id);
      if (s !== undefined) {
        queue.push(s - scheduledAt.get(id)!);
        run.push(t - s);
      }
    }
  }
  return { scheduleToStartMs: mean(queue), startToCloseMs: mean(run), maxOpen, scheduled: scheduledAt.size };
}

async function runBatch(
  stack: BenchStack,
  batchId: string,
  datasetId: string,
  modelId: string,
  set: (typeof METHOD_SETS)[number],
  maxInFlight: number,
  signals: number,
): Promise<WindowRow> {
  const input = ExplainSignalsInputSchema.parse({ batchId, modelId, selection: { kind: 'dataset', datasetId }, methods: set.methods, maxInFlight });
  const workflowId = workflowIds.xai(batchId);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const handle = await stack.client.workflow.start('explainSignalsWorkflow', { args: [input], taskQueue: WORKFLOW_TASK_QUEUE, workflowId });
  const result = (await handle.result()) as ExplainSignalsResult;
  const wallSec = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  if (result.status !== 'COMPLETED' || result.completed !== signals || result.failed !== 0) {
    throw new Error(
      `batch ${batchId}: ${result.status}, ${result.completed}/${signals} completed, ${result.failed} failed: ${JSON.stringify(result.failures.slice(0, 3))}`,
    );
  }
  const rows = await stack.db
    .select({ signalIdx: xaiExplanations.signalIdx, durationMs: xaiExplanations.durationMs })
    .from(xaiExplanations)
    .where(eq(xaiExplanations.batchId, batchId));
  const perSignal = new Map<number, number>();
  for (const r of rows) perSignal.set(r.signalIdx, (perSignal.get(r.signalIdx) ?? 0) + (r.durationMs ?? 0));
  const computeTotal = [...perSignal.values()].reduce((a, b) => a + b, 0);
  const h = await historyStats(stack, workflowId);
  return {
    methods: set.name,
    maxInFlight,
    batchId,
    signals,
    wallSec,
    signalsPerSec: signals / wallSec,
    computeMsPerSignal: computeTotal / Math.max(1, perSignal.size),
    scheduleToStartMs: h.scheduleToStartMs,
    startToCloseMs: h.startToCloseMs,
    maxInFlightObserved: h.maxOpen,
    poolBusy: computeTotal / (wallSec * 1000 * XAI_PROCESSES),
    workerCpuMsPerSignal: (cpu.user + cpu.system) / 1000 / signals,
  };
}

async function part2(): Promise<Report['workflow']> {
  // The batch's own window must be the only bound: more activity slots than any window, two
  // XAI processes (one per core). Set before the stack reads its configuration.
  process.env.CPU_SLOTS = String(CPU_SLOTS);
  process.env.XAI_PROCESSES = String(XAI_PROCESSES);
  const stack = await startBenchStack();
  const tag = Date.now().toString(36);
  try {
    const { dataset, generationSec } = await generateBenchDataset(stack, 'bench xai', {
      seed: 13,
      signalsPerClass: BATCH.signalsPerClass,
      signalLength: BATCH.signalLength,
      snrDb: BATCH_SNR_DB,
    });
    const signals = dataset.numSignals;

    const t0 = performance.now();
    const run = await startTraining(stack.client, {
      experimentId: `bench-xai-${tag}`,
      datasetId: dataset.datasetId,
      hyperparameters: {
        architecture: REFERENCE_ARCHITECTURE,
        windowLength: WINDOW,
        windowHop: WINDOW,
        maxWindowsPerSignal: BATCH.signalLength / WINDOW,
        epochs: BATCH.epochs,
        batchSize: 16,
        learningRate: 3e-3,
        patience: 0,
        seed: 3,
      },
    });
    const trained = await getTrainingResult(stack.client, run.workflowId);
    const trainingSec = (performance.now() - t0) / 1000;
    const modelId = trained.experimentId;
    console.log(
      `model ${modelId}: ${BATCH.epochs} epochs in ${trainingSec.toFixed(1)} s, val ${f(trained.bestValAccuracy, 3)}, test ${f(trained.testAccuracy, 3)}`,
    );

    // Untimed: both XAI children start (tfjs, model load) before the first measured batch.
    const warm = ExplainSignalsInputSchema.parse({
      batchId: `bench-${tag}-warmup`,
      modelId,
      selection: { kind: 'ids', ids: [0, 1, 2, 3].map((i) => signalRef(dataset.datasetId, i)) },
      methods: { 'grad-cam': {} },
      maxInFlight: 4,
    });
    await (
      await stack.client.workflow.start('explainSignalsWorkflow', { args: [warm], taskQueue: WORKFLOW_TASK_QUEUE, workflowId: workflowIds.xai(warm.batchId) })
    ).result();

    const runs: WindowRow[] = [];
    for (const set of METHOD_SETS) {
      for (const w of BATCH.windows) {
        const r = await runBatch(stack, `bench-${tag}-${set.name.replace(/\+/g, '-')}-w${w}`, dataset.datasetId, modelId, set, w, signals);
        runs.push(r);
        console.log(
          `${set.name.padEnd(21)} maxInFlight ${String(w).padStart(2)}: ${f(r.wallSec, 1).padStart(6)} s, ${f(r.signalsPerSec, 2).padStart(6)} signals/s; ` +
            `compute ${f(r.computeMsPerSignal, 0)} ms/signal, activity queue ${f(r.scheduleToStartMs, 0)} ms + run ${f(r.startToCloseMs, 0)} ms; ` +
            `max open ${r.maxInFlightObserved}; pool busy ${f(r.poolBusy * 100, 0)} %; worker CPU ${f(r.workerCpuMsPerSignal, 0)} ms/signal`,
        );
      }
    }
    return {
      dataset: {
        id: dataset.datasetId,
        signals,
        signalsPerClass: BATCH.signalsPerClass,
        signalLength: dataset.signalLength,
        snrDb: BATCH_SNR_DB,
        generationSec,
      },
      model: { experimentId: modelId, epochs: BATCH.epochs, trainingSec, valAccuracy: trained.bestValAccuracy, testAccuracy: trained.testAccuracy },
      stack: { database: stack.database, slots: stack.slots, xaiProcesses: stack.config.worker.xaiProcesses ?? XAI_PROCESSES, startupSec: stack.startupSec },
      signals,
      runs,
    };
  } catch (err) {
    console.error(`worker log tail (${stack.logFile}):\n${stack.logTail()}`);
    throw err;
  } finally {
    await stack.stop();
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const loadStart = loadavg();
  const t0 = performance.now();
  const preference = (process.env.TFJS_BACKEND || undefined) as TfjsBackendChoice | undefined;
  const info = await initBackend(preference);
  console.log(`Batch XAI${QUICK ? ' (quick)' : ''}: backend ${info.name}; ${os.cpus().length} cores; load average ${loadStart.join(' / ')}`);
  const local = await part1(preference);
  const loadAfterPart1 = loadavg();
  const workflow = await part2();

  const report: Report = {
    quick: QUICK,
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
    backend: info.name,
    model: local.model,
    defaults: { faithfulness: DEFAULTS.faithfulness, summary: DEFAULTS.summary },
    methods: local.methods,
    workflow,
    totalSec: (performance.now() - t0) / 1000,
    loadAverage: { start: loadStart, afterPart1: loadAfterPart1, end: loadavg() },
  };

  console.log(`\nper method, reference CNN, 1 window of ${WINDOW} per signal, ${info.name}, main thread; pool: n signals submitted at once`);
  console.log(
    `${'method'.padEnd(21)} ${'method ms/w'.padStart(12)} ${'explain ms/w'.padStart(13)} ${'signals/s'.padStart(10)} ${'pool n'.padStart(7)} ${'pool×1 sig/s'.padStart(13)} ${'pool×2 sig/s'.padStart(13)} ${'×2/×1'.padStart(6)} ${'in-child ms ×1/×2'.padStart(18)}`,
  );
  for (const r of report.methods) {
    const p = (size: number) => r.pool.find((x) => x.size === size)?.signalsPerSec;
    console.log(
      `${r.method.padEnd(21)} ${f(r.msPerWindowMethod, 1).padStart(12)} ${f(r.msPerWindowExplain, 1).padStart(13)} ${f(r.signalsPerSec, 2).padStart(10)} ${String(r.pool[0]?.signals ?? '-').padStart(7)} ` +
        `${f(p(1), 2).padStart(13)} ${f(p(2), 2).padStart(13)} ${f(r.poolSpeedup, 2).padStart(6)} ` +
        `${`${f(r.pool.find((x) => x.size === 1)?.childMsPerSignal, 1)} / ${f(r.pool.find((x) => x.size === 2)?.childMsPerSignal, 1)}`.padStart(18)}`,
    );
  }
  console.log(`\nexplainSignalsWorkflow, ${workflow.signals} signals, CPU_SLOTS ${workflow.stack.slots.cpu}, XAI_PROCESSES ${workflow.stack.xaiProcesses}`);
  console.log(
    `${'methods'.padEnd(21)} ${'W'.padStart(3)} ${'wall s'.padStart(7)} ${'signals/s'.padStart(10)} ${'compute ms'.padStart(11)} ${'queue ms'.padStart(9)} ${'run ms'.padStart(7)} ${'pool busy'.padStart(10)} ${'worker CPU ms'.padStart(14)}`,
  );
  for (const r of workflow.runs) {
    console.log(
      `${r.methods.padEnd(21)} ${String(r.maxInFlight).padStart(3)} ${f(r.wallSec, 1).padStart(7)} ${f(r.signalsPerSec, 2).padStart(10)} ${f(r.computeMsPerSignal, 0).padStart(11)} ` +
        `${f(r.scheduleToStartMs, 0).padStart(9)} ${f(r.startToCloseMs, 0).padStart(7)} ${`${f(r.poolBusy * 100, 0)} %`.padStart(10)} ${f(r.workerCpuMsPerSignal, 0).padStart(14)}`,
    );
  }
  console.log(`total ${report.totalSec.toFixed(0)} s; load average at end ${report.loadAverage.end.join(' / ')}`);
  if (!QUICK) {
    mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(path.join(ROOT, 'bench/results/xai.json'), JSON.stringify(report, null, 2) + '\n');
  }
  // Last stdout line, one line of JSON: the contract with bench/run.ts.
  console.log(JSON.stringify(report));
}

await main();
