/**
 * Evaluation: predictions per second over the whole test split of the 10-class CWRU benchmark,
 * and the cost of each analysis against scikit-learn's metrics on the same probabilities.
 *   npx tsx bench/eval.ts [--quick]
 *
 * Data: the ten 0 hp drive-end CWRU recordings (../shared/data/cwru), the 48 kHz baseline
 * resampled to 12 kHz, cut into 2,048-sample windows every 512 samples; the test split is the last 20 % of each
 * recording (a contiguous time range, as the issue-9 split does). Model: the reference CNN with
 * 10 outputs (throughput does not depend on the weights). Predictions run three ways: in this
 * process (ml/eval/predict.ts, the function the child processes run), and through the XAI
 * process pool of size 1 and 2 (the prediction activity's path, IPC and artifact reads included).
 *
 * Analyses: n = 20,000 samples × 10 classes of seeded probabilities written to one file that
 * both sides read; ROC = every class's ROC and PR curve plus AUC/AP macro and micro; errors =
 * normalised confusion matrix, precision/recall/F1, reliability bins; bootstrap = B resamples of
 * macro and micro AUC (ours weighted over orders sorted once; the peer resamples and calls
 * roc_auc_score). Peer: FAULTLINE_BENCH_PYTHON, then .venv-py/bin/python, .venv/bin/python,
 * python3 (the first with scikit-learn). The last stdout line is the figures as JSON.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileArtifactStore } from '../artifacts/file-store.js';
import { encodeFloat32 } from '../artifacts/codecs.js';
import { classLabel, schemeClasses } from '../contracts/index.js';
import { windowStarts } from '../ml/data/windows.js';
import { calibration, classify, errorAnalysis, rocAnalysis, type Scores } from '../ml/eval/index.js';
import { predictWindows, type PredictJob } from '../ml/eval/predict.js';
import { channelVariable, parseCwruName } from '../ml/mat/cwru.js';
import { readMat, toFloat64 } from '../ml/mat/index.js';
import { buildModel, REFERENCE_ARCHITECTURE, serializeModel } from '../ml/model/index.js';
import { mulberry32 } from '../ml/random.js';
import { resample } from '../ml/signal/resample.js';
import { initBackend } from '../ml/tf/index.js';
import { MODEL_MEDIA_TYPE } from '../ml/train/index.js';
import { XaiProcessPool } from '../ml/xai/pool.js';
import type { MatNumericVariable } from '../ml/mat/types.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CWRU = process.env.CWRU_DIR ?? path.resolve(ROOT, '../shared/data/cwru');
const quick = process.argv.includes('--quick');
const REPEAT = quick ? 2 : 5;
const RATE = 12_000;
const WINDOW = 2048;
/** A quarter-window hop, as dense as evaluation windows usually are: ~400 test windows. */
const HOP = 512;
const HINT = 'python3 -m venv .venv-py && .venv-py/bin/pip install scikit-learn, or set FAULTLINE_BENCH_PYTHON';

function findPython(): string | undefined {
  const candidates = [process.env.FAULTLINE_BENCH_PYTHON, path.join(ROOT, '.venv-py/bin/python'), path.join(ROOT, '.venv/bin/python'), 'python3'];
  for (const python of candidates) {
    if (!python || (python.includes('/') && !existsSync(python))) continue;
    if (spawnSync(python, ['-c', 'import sklearn'], { encoding: 'utf8' }).status === 0) return python;
  }
  return undefined;
}

async function testSplit(): Promise<{ signals: Float32Array[]; starts: number[][]; labels: string[] }> {
  const signals: Float32Array[] = [];
  const starts: number[][] = [];
  const labels: string[] = [];
  for (const file of readdirSync(CWRU)
    .filter((f) => f.endsWith('.mat'))
    .sort()) {
    const name = parseCwruName(file)!;
    const mat = await readMat(new Uint8Array(readFileSync(path.join(CWRU, file))));
    const v = channelVariable(mat, 'DE', name.recordingId) as MatNumericVariable;
    const raw = toFloat64(v);
    const x = name.samplingRateHz === RATE ? raw : resample(raw, name.samplingRateHz, RATE);
    // The last 20 % of the recording, whole windows only.
    const from = Math.floor(x.length * 0.8);
    const test = Float32Array.from(x.subarray(from));
    signals.push(test);
    starts.push(windowStarts(test.length, { windowLength: WINDOW, windowHop: HOP, maxWindowsPerSignal: 10_000 }));
    labels.push(classLabel('fault-type-size', name.faultType, name.faultSizeIn));
  }
  return { signals, starts, labels };
}

function bestOf<T>(fn: () => T, repeat = REPEAT): { seconds: number; value: T } {
  let best = Infinity;
  let value!: T;
  for (let r = 0; r < repeat; r++) {
    const t0 = performance.now();
    value = fn();
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return { seconds: best, value };
}

function syntheticScores(n: number, k: number): Scores & { labels: number[]; probabilities: Float64Array } {
  const random = mulberry32(20261203);
  const labels: number[] = [];
  const probabilities = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const y = Math.floor(random() * k);
    labels.push(y);
    let sum = 0;
    for (let c = 0; c < k; c++) {
      const z = Math.exp(2 * (random() + random() + random() - 1.5) + (c === y ? 2 : 0));
      probabilities[i * k + c] = z;
      sum += z;
    }
    // Rounded to 6 digits so the JSON both sides read holds exactly these values.
    for (let c = 0; c < k; c++) probabilities[i * k + c] = Number((probabilities[i * k + c] / sum).toFixed(6));
  }
  return { probabilities, labels, classes: Array.from({ length: k }, (_, c) => `c${c}`) };
}

async function main(): Promise<void> {
  const classes = schemeClasses('fault-type-size');
  const backend = await initBackend(process.env.TFJS_BACKEND as never);
  const { signals, starts } = await testSplit();
  const windows = starts.reduce((a, s) => a + s.length, 0);
  const model = buildModel(REFERENCE_ARCHITECTURE, { inputLength: WINDOW, numClasses: classes.length, seed: 1 });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'faultline-bench-eval-'));
  const prediction: Record<string, number> = {};
  try {
    const store = new FileArtifactStore(dir);
    const uris = await Promise.all(signals.map(async (s) => (await store.put(encodeFloat32(s), { kind: 'signal', mediaType: 'application/x-float32le' })).uri));
    const job: PredictJob = { windowLength: WINDOW, batchSize: 256, signals: uris.map((uri, i) => ({ uri, starts: starts[i] })) };
    predictWindows(model, signals, job); // warm-up
    prediction.inProcess = windows / bestOf(() => predictWindows(model, signals, job)).seconds;
    const { uri: modelUri } = await store.put(await serializeModel(model, { includeOptimizer: false }), { kind: 'model', mediaType: MODEL_MEDIA_TYPE });
    for (const size of [1, 2]) {
      const pool = new XaiProcessPool({ size, artifacts: dir, backend: backend.name as never });
      try {
        // The activity's split: jobs of 16 signals; here one job per recording, all submitted at once.
        const perSignal = job.signals.map((s) => ({ ...job, signals: [s] }));
        await Promise.all(perSignal.map((j) => pool.predict(modelUri, j)));
        let best = Infinity;
        for (let r = 0; r < REPEAT; r++) {
          const t0 = performance.now();
          await Promise.all(perSignal.map((j) => pool.predict(modelUri, j)));
          best = Math.min(best, (performance.now() - t0) / 1000);
        }
        prediction[`pool${size}`] = windows / best;
      } finally {
        await pool.close();
      }
    }

    const n = quick ? 5_000 : 20_000;
    const replicates = quick ? 50 : 200;
    const s = syntheticScores(n, 10);
    const info = s.labels.map((_, i) => ({ signal: `ds:${Math.floor(i / 12)}`, windowStart: (i % 12) * WINDOW, conditions: { load: String(i % 4) } }));
    const ours = {
      rocSec: bestOf(() => rocAnalysis(s, { replicates: 0 })).seconds,
      errorsSec: bestOf(() => (classify(s), calibration(s, 10), errorAnalysis(s, info))).seconds,
      bootstrapSec: bestOf(() => rocAnalysis(s, { replicates, seed: 0 }), 1).seconds,
    };
    const file = path.join(dir, 'scores.json');
    const rows: number[][] = [];
    for (let i = 0; i < n; i++) rows.push(Array.from(s.probabilities.subarray(i * 10, (i + 1) * 10)));
    writeFileSync(file, JSON.stringify({ classes: 10, labels: s.labels, probabilities: rows, replicates }));
    const python = findPython();
    let peer: Record<string, unknown> = { status: 'skipped', reason: 'no python with scikit-learn', hint: HINT };
    if (python) {
      const run = spawnSync(python, [path.join(ROOT, 'bench/peers/sklearn_eval.py'), file, String(REPEAT)], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
      if (run.status === 0) peer = { status: 'ok', python, ...(JSON.parse(run.stdout.trim().split('\n').pop()!) as Record<string, unknown>) };
      else peer = { status: 'skipped', reason: `peer failed: ${run.stderr.slice(-400)}`, hint: HINT };
    }
    const report = {
      backend: backend.name,
      windows,
      recordings: signals.length,
      classes: classes.length,
      windowsPerSec: prediction,
      analyses: { samples: n, classes: 10, replicates, ours, peer },
    };
    console.log(
      `predictions: ${windows} test windows, ${backend.name}: in process ${Math.round(prediction.inProcess)}/s, pool×1 ${Math.round(prediction.pool1)}/s, pool×2 ${Math.round(prediction.pool2)}/s`,
    );
    console.log(
      `analyses (${n} × 10): ours roc ${ours.rocSec.toFixed(3)} s, errors ${ours.errorsSec.toFixed(3)} s, bootstrap×${replicates} ${ours.bootstrapSec.toFixed(3)} s; peer ${JSON.stringify(peer)}`,
    );
    if (!quick)
      writeFileSync(
        path.join(ROOT, 'bench/results/eval.json'),
        `${JSON.stringify({ date: new Date().toISOString(), loadAverage: os.loadavg(), ...report }, null, 2)}\n`,
      );
    console.log(JSON.stringify(report));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
