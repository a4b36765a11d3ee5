import * as tf from '@tensorflow/tfjs-core';
import { afterEpoch, NO_BEST_YET, type EarlyStoppingState } from './early-stopping.js';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ArtifactStore } from '../../artifacts/types.js';
import { getFloat32 } from '../../artifacts/codecs.js';
import type { TrainingOutcome } from '../../contracts/activity-io/training.js';
import type { Architecture, EpochMetrics, TrainHyperparameters, TrainingHeartbeat } from '../../contracts/training.js';
import { buildModel, compileModel, deserializeModel, disposeModel, serializeModel, setDropoutStep } from '../model/index.js';
import { mixSeed, mulberry32, permutation } from '../random.js';
import { splitSignals, type SplitSignal } from '../data/split.js';
import { augmentWindows } from '../data/augment.js';
import { buildWindows, classBalance, recordingStats, type WindowOptions, type WindowSet, type WindowSource } from '../data/windows.js';
import { adaptBatchNorm } from './adabn.js';
import { TrainingDivergedError, throwIfAborted } from './errors.js';
import { evaluateModel, yieldToEventLoop } from './evaluate.js';

/**
 * The training engine: real tfjs training of a 1D CNN on windows of stored signals, with
 * per-epoch checkpoints, early stopping and exact resumption. Temporal-free: the activity passes
 * `onEpoch` (heartbeat) and an AbortSignal (cancellation); a child process wraps it (process.ts).
 *
 * Epochs are numbered from 1 and are absolute across continuations: `hyperparameters.epochs` is
 * the epoch number to reach, so a run continued from epoch 3 with epochs = 9 trains epochs 4..9
 * (what an ASHA promotion to a 9-epoch rung means).
 */

/** A signal to train on; its recording, offset, load and rpm matter to the time and condition splits. */
export interface TrainingSignalRef extends SplitSignal {
  /** Artifact URI of the signal's float32 samples. */
  uri: string;
}

export interface TrainingJob {
  experimentId: string;
  /** Class names in label-index order (the model's output order). */
  classes: string[];
  signals: TrainingSignalRef[];
  hyperparameters: TrainHyperparameters;
  architecture: Architecture;
  /** Last heartbeat of a previous attempt of this same run: continue after its epoch. */
  resume?: TrainingHeartbeat;
  /** Continue a finished run (its last checkpoint, with optimizer state) for more epochs. */
  startFrom?: { checkpointUri: string; epoch: number };
}

export interface TrainingEnv {
  artifacts: ArtifactStore;
  /** Called after every epoch, once its checkpoint is stored; training waits for it. */
  onEpoch(report: TrainingHeartbeat): Promise<void>;
  signal?: AbortSignal;
  log?(msg: string, meta?: object): void;
}

export type { TrainingOutcome };

export const MODEL_MEDIA_TYPE = 'application/x-faultline-model';

interface Splits {
  train: WindowSet;
  validation: WindowSet;
  test: WindowSet;
}

/** Early-stopping state: exactly what a heartbeat carries, so a resume restores it whole. */
type BestState = EarlyStoppingState;

export async function runTraining(job: TrainingJob, env: TrainingEnv): Promise<TrainingOutcome> {
  const hp = job.hyperparameters;
  checkJob(job);
  const log = env.log ?? (() => undefined);
  throwIfAborted(env.signal, 'before start');

  const splits = await loadSplits(job, env);
  const balance = classBalance(splits, job.classes);
  log('training data ready', {
    experimentId: job.experimentId,
    windows: { train: splits.train.count, validation: splits.validation.count, test: splits.test.count },
  });

  let model: tfl.LayersModel | undefined;
  try {
    const start = await prepareModel(job, env);
    model = start.model;
    checkModelShape(model, hp.windowLength, job.classes.length);
    let best = start.best;
    if (!best) {
      // Continuing a finished run without its heartbeat: the loaded weights are the baseline
      // later epochs must beat, and they are the "best" until something improves on them.
      const base = await evaluateModel(model, splits.validation, job.classes.length, { batchSize: hp.batchSize, signal: env.signal });
      assertFinite(base.loss, `validation loss of the checkpoint to continue from (epoch ${start.epoch})`);
      best = { bestValLoss: base.loss, bestEpoch: start.epoch, bestCheckpointUri: start.checkpointUri, epochsWithoutImprovement: 0 };
    }

    let lastEpoch = start.epoch;
    let lastCheckpointUri = start.checkpointUri;
    // A resumed run whose last heartbeat already triggered early stopping only has to finish.
    let stoppedEarly = hp.patience > 0 && best.epochsWithoutImprovement >= hp.patience && lastEpoch < hp.epochs;
    let trainedSamples = 0;
    let trainMs = 0;

    for (let epoch = lastEpoch + 1; epoch <= hp.epochs && !stoppedEarly; epoch++) {
      const t0 = performance.now();
      const train = await trainOneEpoch(model, augmentedTrain(splits.train, epoch, hp), epoch, hp, env.signal);
      const t1 = performance.now();
      const val = await evaluateModel(model, splits.validation, job.classes.length, { batchSize: hp.batchSize, signal: env.signal });
      assertFinite(val.loss, `validation loss in epoch ${epoch}`);
      const durationMs = performance.now() - t0;

      const checkpoint = await env.artifacts.put(await serializeModel(model, { includeOptimizer: true }), {
        kind: 'checkpoint',
        mediaType: MODEL_MEDIA_TYPE,
      });
      best = afterEpoch(best, epoch, val.loss, checkpoint.uri, hp.minDelta);
      const metrics: EpochMetrics = {
        epoch,
        loss: train.loss,
        accuracy: train.accuracy,
        valLoss: val.loss,
        valAccuracy: val.accuracy,
        durationMs,
        samplesPerSec: splits.train.count / ((t1 - t0) / 1000),
      };
      trainedSamples += splits.train.count;
      trainMs += t1 - t0;
      lastEpoch = epoch;
      lastCheckpointUri = checkpoint.uri;
      stoppedEarly = hp.patience > 0 && best.epochsWithoutImprovement >= hp.patience && epoch < hp.epochs;
      log('epoch done', { experimentId: job.experimentId, ...metrics, bestEpoch: best.bestEpoch, stoppedEarly });
      await env.onEpoch({ epoch, checkpointUri: checkpoint.uri, metrics, ...best });
      throwIfAborted(env.signal, `after epoch ${epoch}`);
    }

    const parameterCount = model.countParams();
    // Model selection on validation loss: the weights we keep are the best epoch's, whether or
    // not early stopping ended the run. The test split is used once, here, after selection.
    if (best.bestEpoch !== lastEpoch) {
      const bestModel = await deserializeModel(await env.artifacts.get(best.bestCheckpointUri));
      disposeModel(model);
      model = bestModel;
    }
    const finalVal = await evaluateModel(model, splits.validation, job.classes.length, { batchSize: hp.batchSize, signal: env.signal });
    // After validation (source condition) and before the test (target): the only use of the test
    // windows before scoring them is their unlabelled batch-norm statistics.
    if (hp.adaBN) {
      const adapted = await adaptBatchNorm(model, splits.test, hp.batchSize * 8);
      log('batch-norm statistics adapted to the test windows', { experimentId: job.experimentId, layers: adapted });
    }
    const test = await evaluateModel(model, splits.test, job.classes.length, { batchSize: hp.batchSize, signal: env.signal });
    assertFinite(test.loss, 'test loss');
    const inferenceMsPerWindow = measureInferenceMs(model, splits.test);
    const stored = await env.artifacts.put(await serializeModel(model, { includeOptimizer: false }), {
      kind: 'model',
      mediaType: MODEL_MEDIA_TYPE,
    });
    const outcome: TrainingOutcome = {
      testAccuracy: test.accuracy,
      testLoss: test.loss,
      bestValAccuracy: finalVal.accuracy,
      bestValLoss: best.bestValLoss,
      confusionMatrix: test.confusionMatrix,
      classes: [...job.classes],
      modelUri: stored.uri,
      checkpointUri: lastCheckpointUri,
      epochsCompleted: lastEpoch,
      bestEpoch: best.bestEpoch,
      stoppedEarly,
      backend: tf.getBackend(),
      parameterCount,
      classBalance: balance,
      trainSamplesPerSec: trainMs > 0 ? trainedSamples / (trainMs / 1000) : 0,
      inferenceMsPerWindow,
    };
    log('training done', { experimentId: job.experimentId, ...outcome, confusionMatrix: undefined, classBalance: undefined });
    return outcome;
  } finally {
    if (model) disposeModel(model);
  }
}

/** Windows timed for the latency figure (after one warm-up prediction). */
const LATENCY_SAMPLES = 16;

/**
 * Median latency of predicting one window, ms, on the backend that trained the model: NAS uses it
 * as an objective, so it is measured where the model really runs rather than estimated.
 */
function measureInferenceMs(model: tfl.LayersModel, windows: WindowSet): number {
  const n = Math.min(LATENCY_SAMPLES, windows.count);
  if (n === 0) return Number.NaN;
  const len = windows.windowLength;
  const one = (i: number) => tf.tidy(() => (model.predict(tf.tensor3d(windows.x.subarray(i * len, (i + 1) * len), [1, len, 1])) as tf.Tensor).dataSync());
  one(0);
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    one(i);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/**
 * One pass over the training windows in a batch order fixed by (seed, epoch): a resumed epoch
 * sees exactly the batches the interrupted one would have.
 *
 * trainOnBatch rather than fit: both run the same train function, and on wasm (reference CNN,
 * batch 32, same process, interleaved runs) trainOnBatch measured 775 samples/s median vs 707
 * for fit with one epoch. Our own loop also lets abort and NaN checks happen per batch; fit
 * can only be stopped softly from a callback.
 */
async function trainOneEpoch(
  model: tfl.LayersModel,
  data: WindowSet,
  epoch: number,
  hp: TrainHyperparameters,
  signal: AbortSignal | undefined,
): Promise<{ loss: number; accuracy: number }> {
  const order = permutation(data.count, mulberry32(mixSeed(hp.seed, 'epoch', epoch)));
  const w = data.windowLength;
  const xBuf = new Float32Array(hp.batchSize * w);
  const yBuf = new Float32Array(hp.batchSize);
  let lossSum = 0;
  let accSum = 0;
  for (let start = 0; start < data.count; start += hp.batchSize) {
    throwIfAborted(signal, `in epoch ${epoch}`);
    const n = Math.min(hp.batchSize, data.count - start);
    for (let i = 0; i < n; i++) {
      const row = order[start + i];
      xBuf.set(data.x.subarray(row * w, (row + 1) * w), i * w);
      yBuf[i] = data.y[row];
    }
    // A scope around the whole step: a trainOnBatch that throws midway would otherwise leak
    // its intermediate tensors. Variables (weights, optimizer slots) are not scope-tracked.
    tf.engine().startScope();
    let result: number | number[];
    try {
      const x = tf.tensor3d(xBuf.subarray(0, n * w), [n, w, 1]);
      const y = tf.tensor2d(yBuf.subarray(0, n), [n, 1]);
      // Dropout masks follow (seed, epoch, batch), like the batch order: a resumed epoch draws the same ones.
      setDropoutStep(model, mixSeed('epoch', epoch, 'batch', start / hp.batchSize));
      result = await model.trainOnBatch(x, y);
    } finally {
      tf.engine().endScope();
    }
    const [loss, accuracy] = Array.isArray(result) ? result : [result, NaN];
    if (!Number.isFinite(loss)) {
      throw new TrainingDivergedError(
        `training diverged: loss ${loss} in epoch ${epoch}, batch ${start / hp.batchSize + 1} (learning rate ${hp.learningRate}, optimizer ${hp.optimizer})`,
      );
    }
    lossSum += loss * n;
    accSum += accuracy * n;
    await yieldToEventLoop();
  }
  return { loss: lossSum / data.count, accuracy: accSum / data.count };
}

interface ModelStart {
  model: tfl.LayersModel;
  /** Last completed epoch (0 for a fresh model). */
  epoch: number;
  checkpointUri: string;
  /** Early-stopping state when known (fresh run or heartbeat), undefined for startFrom. */
  best?: BestState;
}

async function prepareModel(job: TrainingJob, env: TrainingEnv): Promise<ModelStart> {
  const hp = job.hyperparameters;
  if (job.resume) {
    const r = job.resume;
    const model = await loadCheckpoint(r.checkpointUri, env.artifacts, hp);
    env.log?.('resuming', { experimentId: job.experimentId, afterEpoch: r.epoch, checkpointUri: r.checkpointUri });
    return {
      model,
      epoch: r.epoch,
      checkpointUri: r.checkpointUri,
      best: {
        bestValLoss: r.bestValLoss,
        bestEpoch: r.bestEpoch,
        bestCheckpointUri: r.bestCheckpointUri,
        epochsWithoutImprovement: r.epochsWithoutImprovement,
      },
    };
  }
  if (job.startFrom) {
    const s = job.startFrom;
    const model = await loadCheckpoint(s.checkpointUri, env.artifacts, hp);
    env.log?.('continuing', { experimentId: job.experimentId, afterEpoch: s.epoch, checkpointUri: s.checkpointUri });
    return { model, epoch: s.epoch, checkpointUri: s.checkpointUri };
  }
  const model = buildModel(job.architecture, { inputLength: hp.windowLength, numClasses: job.classes.length, seed: hp.seed });
  compileOrDispose(model, hp);
  return {
    model,
    epoch: 0,
    checkpointUri: '',
    best: NO_BEST_YET,
  };
}

/** A checkpoint comes back compiled with its optimizer state; a bare model gets a fresh optimizer. */
async function loadCheckpoint(uri: string, artifacts: ArtifactStore, hp: TrainHyperparameters): Promise<tfl.LayersModel> {
  const model = await deserializeModel(await artifacts.get(uri));
  if (!model.optimizer) compileOrDispose(model, hp);
  return model;
}

/** Give `model` a fresh optimizer from `hp`; a model that cannot be compiled is released. */
function compileOrDispose(model: tfl.LayersModel, hp: TrainHyperparameters): void {
  try {
    compileModel(model, { optimizer: hp.optimizer, learningRate: hp.learningRate });
  } catch (e) {
    disposeModel(model);
    throw e;
  }
}

/** The epoch's training windows: augmented afresh from (seed, epoch), or as they are. */
function augmentedTrain(train: WindowSet, epoch: number, hp: TrainHyperparameters): WindowSet {
  const a = hp.augmentation;
  if (!a || (a.speedStretch === 0 && a.amplitudeScale === 0 && a.noise === 0)) return train;
  return { ...train, x: augmentWindows(train, a, mulberry32(mixSeed(hp.seed, 'augment', epoch))) };
}

async function loadSplits(job: TrainingJob, env: TrainingEnv): Promise<Splits> {
  const hp = job.hyperparameters;
  const split = splitSignals(job.signals, hp);
  const byIndex = new Map(job.signals.map((s) => [s.index, s]));
  const labelIndex = new Map(job.classes.map((c, i) => [c, i]));
  const opts: WindowOptions = { windowLength: hp.windowLength, windowHop: hp.windowHop, maxWindowsPerSignal: hp.maxWindowsPerSignal };
  const load = async (indices: number[]): Promise<WindowSet> => {
    const sources: WindowSource[] = [];
    for (const index of indices) {
      throwIfAborted(env.signal, 'while loading signals');
      const ref = byIndex.get(index)!;
      sources.push({ index, labelIndex: labelIndex.get(ref.label)!, samples: await getFloat32(env.artifacts, ref.uri) });
    }
    if (hp.normalization === 'recording') {
      // Statistics per recording within this split part: a test recording is scaled by its own
      // samples only, as a new recording would be in use.
      const groups = new Map<string, WindowSource[]>();
      for (const src of sources) {
        const key = byIndex.get(src.index)!.recording ?? `signal:${src.index}`;
        groups.set(key, [...(groups.get(key) ?? []), src]);
      }
      for (const group of groups.values()) {
        const scale = recordingStats(group.map((g) => g.samples));
        for (const g of group) g.scale = scale;
      }
    }
    return buildWindows(sources, opts);
  };
  return { train: await load(split.train), validation: await load(split.validation), test: await load(split.test) };
}

function checkJob(job: TrainingJob): void {
  const hp = job.hyperparameters;
  const fail = (msg: string): never => {
    const err = new Error(`invalid training job ${job.experimentId}: ${msg}`);
    // Named so the activity can tell a deterministic input problem from a crash.
    err.name = 'InvalidTrainingJob';
    throw err;
  };
  if (job.classes.length < 2) fail(`classes: need at least 2, got ${job.classes.length}`);
  if (new Set(job.classes).size !== job.classes.length) fail(`classes: duplicate names in ${JSON.stringify(job.classes)}`);
  const known = new Set(job.classes);
  for (const s of job.signals) {
    if (!known.has(s.label)) fail(`signals: signal ${s.index} has label '${s.label}', not one of ${JSON.stringify(job.classes)}`);
  }
  for (const c of job.classes) {
    if (!job.signals.some((s) => s.label === c)) fail(`signals: no signal of class '${c}'`);
  }
  for (const key of ['epochs', 'batchSize', 'windowLength', 'windowHop', 'maxWindowsPerSignal'] as const) {
    if (!Number.isInteger(hp[key]) || hp[key] < 1) fail(`hyperparameters.${key}: must be a positive integer, got ${hp[key]}`);
  }
  if (!(hp.patience >= 0) || !(hp.minDelta >= 0)) fail(`hyperparameters.patience/minDelta: must be >= 0`);
  if (job.resume && job.startFrom && job.resume.epoch < job.startFrom.epoch) {
    fail(`resume.epoch ${job.resume.epoch} is before startFrom.epoch ${job.startFrom.epoch}`);
  }
}

function checkModelShape(model: tfl.LayersModel, windowLength: number, numClasses: number): void {
  const inShape = model.inputs[0].shape;
  const outShape = model.outputs[0].shape;
  if (inShape[1] !== windowLength || inShape[2] !== 1) {
    throw new Error(`model input shape ${JSON.stringify(inShape)} does not match windowLength ${windowLength}`);
  }
  if (outShape[outShape.length - 1] !== numClasses) {
    throw new Error(`model output shape ${JSON.stringify(outShape)} does not match ${numClasses} classes`);
  }
}

function assertFinite(value: number, what: string): void {
  if (!Number.isFinite(value)) throw new TrainingDivergedError(`training diverged: ${what} is ${value}`);
}
