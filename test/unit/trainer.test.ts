import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FileArtifactStore } from '../../artifacts/file-store.js';
import type { TfjsBackendChoice } from '../../config/index.js';
import type { TrainingHeartbeat } from '../../contracts/training.js';
import { deserializeModel, disposeModel } from '../../ml/model/index.js';
import { initBackend } from '../../ml/tf/index.js';
import { runTraining, type TrainingJob, type TrainingOutcome, type TrainingSignalRef } from '../../ml/train/index.js';
import { SMALL_ARCHITECTURE, smallJob, storeSyntheticSignals, TEST_CLASSES } from './training-fixtures.js';

const BACKEND = (process.env.TFJS_BACKEND as TfjsBackendChoice | undefined) ?? 'wasm';

let dir: string;
let store: FileArtifactStore;
let signals: TrainingSignalRef[];
let tensorsBefore: number;

beforeAll(async () => {
  await initBackend(BACKEND);
  dir = await mkdtemp(path.join(tmpdir(), 'faultline-trainer-'));
  store = new FileArtifactStore(dir);
  signals = await storeSyntheticSignals(store, { perClass: 12, length: 256 * 8, seed: 1 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  tensorsBefore = tf.memory().numTensors;
});
afterEach(() => {
  // Every run, successful or failed, must release every tensor and optimizer variable.
  expect(tf.memory().numTensors).toBe(tensorsBefore);
});

async function train(job: TrainingJob, signal?: AbortSignal): Promise<{ outcome: TrainingOutcome; epochs: TrainingHeartbeat[] }> {
  const epochs: TrainingHeartbeat[] = [];
  const outcome = await runTraining(job, { artifacts: store, signal, onEpoch: async (r) => void epochs.push(r) });
  return { outcome, epochs };
}

/**
 * What must repeat exactly across runs: everything except wall-clock measurements and checkpoint
 * URIs. Checkpoint bytes embed the optimizer's variable names, which tfjs makes unique per
 * process (`b0_conv/kernel_1/m` for the second model built), so equal states can differ in URI;
 * checkpointValues compares their contents instead.
 */
const deterministic = (h: TrainingHeartbeat) => {
  const { durationMs: _d, samplesPerSec: _s, ...metrics } = h.metrics;
  return { epoch: h.epoch, metrics, bestValLoss: h.bestValLoss, bestEpoch: h.bestEpoch, epochsWithoutImprovement: h.epochsWithoutImprovement };
};

/** Every weight and optimizer slot of a checkpoint, as plain arrays (names excluded, order kept). */
async function checkpointValues(uri: string): Promise<{ weights: number[][]; optimizer: number[][] }> {
  const model = await deserializeModel(await store.get(uri));
  // getWeights() creates a fresh 'iter' scalar each call: the scope disposes it.
  tf.engine().startScope();
  try {
    const weights = model.getWeights().map((t) => Array.from(t.dataSync()));
    const optimizer = (await model.optimizer.getWeights()).map((w) => Array.from(w.tensor.dataSync()));
    return { weights, optimizer };
  } finally {
    tf.engine().endScope();
    disposeModel(model);
  }
}

describe('runTraining', () => {
  it('learns the synthetic classes, reports every epoch and stores a loadable model', async () => {
    const { outcome, epochs } = await train(smallJob(signals, { epochs: 10 }));
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(outcome.backend).toBe(BACKEND === 'wasm' ? 'wasm' : outcome.backend);
    expect(outcome.testAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(outcome.epochsCompleted).toBe(10);
    expect(outcome.stoppedEarly).toBe(false);
    expect(outcome.classes).toEqual(TEST_CLASSES);
    expect(outcome.checkpointUri).toBe(epochs[9].checkpointUri);
    expect(outcome.bestValLoss).toBe(Math.min(...epochs.map((e) => e.metrics.valLoss)));
    expect(outcome.bestEpoch).toBe(epochs.find((e) => e.metrics.valLoss === outcome.bestValLoss)?.epoch);
    expect(outcome.trainSamplesPerSec).toBeGreaterThan(0);
    expect(outcome.inferenceMsPerWindow).toBeGreaterThan(0);
    expect(outcome.parameterCount).toBeGreaterThan(0);
    // 12 signals/class → 2 test, 2 validation, 8 train signals per class; 8 windows each.
    for (const c of TEST_CLASSES) expect(outcome.classBalance).toMatchObject({ train: { [c]: 64 }, validation: { [c]: 16 }, test: { [c]: 16 } });
    const cm = outcome.confusionMatrix;
    expect(cm.map((row) => row.reduce((a, b) => a + b, 0))).toEqual([16, 16, 16, 16]);
    expect(cm.reduce((a, row, i) => a + row[i], 0) / 64).toBeCloseTo(outcome.testAccuracy, 10);

    const model = await deserializeModel(await store.get(outcome.modelUri));
    expect(model.optimizer).toBeFalsy(); // final model is stored without optimizer state
    expect(model.countParams()).toBe(outcome.parameterCount);
    disposeModel(model);
  });

  it('trains on the split the request asks for: time ranges of each recording (a signal left out between), or a held-out load', async () => {
    // Each class one recording of 12 consecutive signals, the first 6 at 0 hp and the rest at 1 hp.
    const recorded = signals.map((s, i) => ({ ...s, recording: s.label, offset: (i % 12) * 2048, loadHp: i % 12 < 6 ? 0 : 1 }));
    const time = await train(smallJob(recorded, { epochs: 1, split: { kind: 'time', gapSignals: 1 } }));
    // 12 − 2 left out = 10: test 2, validation 2, train 6 signals per class; 8 windows each.
    for (const c of TEST_CLASSES) expect(time.outcome.classBalance).toMatchObject({ train: { [c]: 48 }, validation: { [c]: 16 }, test: { [c]: 16 } });
    const cond = await train(smallJob(recorded, { epochs: 1, split: { kind: 'condition', holdOut: { loadHp: [1] }, within: 'signal', gapSignals: 1 } }));
    // The 6 signals at 1 hp are the test set; the 6 at 0 hp: round(6 × 0.2) = 1 validation, 5 train.
    for (const c of TEST_CLASSES) expect(cond.outcome.classBalance).toMatchObject({ train: { [c]: 40 }, validation: { [c]: 8 }, test: { [c]: 48 } });
  });

  it('stops early when validation loss stops improving', async () => {
    // minDelta larger than any possible improvement: only epoch 1 (vs. Infinity) counts.
    const { outcome, epochs } = await train(smallJob(signals, { epochs: 10, patience: 2, minDelta: 100 }));
    expect(epochs.map((e) => [e.epoch, e.epochsWithoutImprovement])).toEqual([
      [1, 0],
      [2, 1],
      [3, 2],
    ]);
    expect(outcome).toMatchObject({ stoppedEarly: true, epochsCompleted: 3, bestEpoch: 1, bestValLoss: epochs[0].metrics.valLoss });
    expect(epochs[2].bestCheckpointUri).toBe(epochs[0].checkpointUri);
  });

  it('resumes from a heartbeat exactly: same epochs 3–4 and the same final model as a straight run', async () => {
    const straight = await train(smallJob(signals, { epochs: 4 }));
    const firstHalf = await train(smallJob(signals, { epochs: 2 }));
    expect(firstHalf.epochs.map(deterministic)).toEqual(straight.epochs.slice(0, 2).map(deterministic));

    const resumed = await train({ ...smallJob(signals, { epochs: 4 }), resume: firstHalf.epochs[1] });
    expect(resumed.epochs.map((e) => e.epoch)).toEqual([3, 4]); // no finished epoch is redone
    expect(resumed.epochs.map(deterministic)).toEqual(straight.epochs.slice(2).map(deterministic));
    // Bit-identical weights and optimizer state after epoch 4 ...
    expect(await checkpointValues(resumed.outcome.checkpointUri)).toEqual(await checkpointValues(straight.outcome.checkpointUri));
    // ... and the same final model artifact (content-addressed: same URI = same bytes).
    expect(resumed.outcome.modelUri).toBe(straight.outcome.modelUri);
    // Throughput and latency are timings, and checkpoint URIs differ by process (see model IO).
    const comparable = ({ trainSamplesPerSec: _t, inferenceMsPerWindow: _l, checkpointUri: _c, ...rest }: TrainingOutcome) => rest;
    expect(comparable(resumed.outcome)).toEqual(comparable(straight.outcome));
  });

  it('with augmentation, per-recording normalisation and AdaBN: an epoch differs from plain training, and a resumed run is still exact', async () => {
    const robust = { augmentation: { speedStretch: 0.04, amplitudeScale: 0.2, noise: 0.1 }, normalization: 'recording' as const, adaBN: true };
    const bnArch = { ...smallJob(signals).architecture, blocks: smallJob(signals).architecture.blocks.map((b) => ({ ...b, batchNorm: true })) };
    const job = (epochs: number, extra: object = robust) => ({ ...smallJob(signals, { epochs, ...extra }), architecture: bnArch });
    const plain = await train(job(2, {}));
    const straight = await train(job(3));
    // The options change what is trained on (the first epoch's loss), so they are really applied.
    expect(straight.epochs[0].metrics.loss).not.toBe(plain.epochs[0].metrics.loss);
    const first = await train(job(2));
    const resumed = await train({ ...job(3), resume: first.epochs[1] });
    expect(resumed.epochs.map(deterministic)).toEqual(straight.epochs.slice(2).map(deterministic));
    expect(resumed.outcome.modelUri).toBe(straight.outcome.modelUri);
    expect(resumed.outcome.testAccuracy).toBe(straight.outcome.testAccuracy);
  });

  describe('with dropout (seeded: ml/model/seeded-dropout.ts)', () => {
    const withDropout = (hp: Parameters<typeof smallJob>[1]): TrainingJob => ({
      ...smallJob(signals, hp),
      architecture: { ...SMALL_ARCHITECTURE, denseUnits: 16, dropout: 0.4 },
    });

    it('trains to identical numbers from the same parameters and seed', async () => {
      const a = await train(withDropout({ epochs: 3 }));
      const b = await train(withDropout({ epochs: 3 }));
      expect(b.epochs.map(deterministic)).toEqual(a.epochs.map(deterministic));
      expect(b.outcome.modelUri).toBe(a.outcome.modelUri);
      // The masks are really drawn: without dropout the same run trains differently.
      const none = await train({ ...withDropout({ epochs: 3 }), architecture: { ...SMALL_ARCHITECTURE, denseUnits: 16, dropout: 0 } });
      expect(none.epochs[0].metrics.loss).not.toBe(a.epochs[0].metrics.loss);
      // A different seed draws different masks (and initial weights).
      const other = await train(withDropout({ epochs: 3, seed: 99 }));
      expect(other.outcome.modelUri).not.toBe(a.outcome.modelUri);
    });

    it('resumed from a heartbeat ends bit-identical to a straight run', async () => {
      const straight = await train(withDropout({ epochs: 4 }));
      const firstHalf = await train(withDropout({ epochs: 2 }));
      const resumed = await train({ ...withDropout({ epochs: 4 }), resume: firstHalf.epochs[1] });
      expect(resumed.epochs.map(deterministic)).toEqual(straight.epochs.slice(2).map(deterministic));
      expect(await checkpointValues(resumed.outcome.checkpointUri)).toEqual(await checkpointValues(straight.outcome.checkpointUri));
      expect(resumed.outcome.modelUri).toBe(straight.outcome.modelUri);
      expect(resumed.outcome.testAccuracy).toBe(straight.outcome.testAccuracy);
    });

    it('stores a model that loads again with its dropout layer', async () => {
      const { outcome } = await train(withDropout({ epochs: 1 }));
      const model = await deserializeModel(await store.get(outcome.modelUri));
      try {
        expect(model.layers.some((l) => l.getClassName() === 'FaultlineSeededDropout')).toBe(true);
        expect(model.countParams()).toBe(outcome.parameterCount);
      } finally {
        disposeModel(model);
      }
    });
  });

  it('finishes without training when resumed after the last epoch', async () => {
    const first = await train(smallJob(signals, { epochs: 2 }));
    const again = await train({ ...smallJob(signals, { epochs: 2 }), resume: first.epochs[1] });
    expect(again.epochs).toEqual([]);
    expect(again.outcome.modelUri).toBe(first.outcome.modelUri);
    expect(again.outcome.trainSamplesPerSec).toBe(0);
  });

  it('continues a finished run from its checkpoint (startFrom) for more epochs', async () => {
    const straight = await train(smallJob(signals, { epochs: 4 }));
    const rung1 = await train(smallJob(signals, { epochs: 2 }));
    const rung2 = await train({ ...smallJob(signals, { epochs: 4 }), startFrom: { checkpointUri: rung1.outcome.checkpointUri, epoch: 2 } });
    expect(rung2.epochs.map((e) => e.epoch)).toEqual([3, 4]);
    expect(rung2.outcome.epochsCompleted).toBe(4);
    // The training itself continues exactly (optimizer state included) ...
    const trainingPart = (h: TrainingHeartbeat) => deterministic(h).metrics;
    expect(rung2.epochs.map(trainingPart)).toEqual(straight.epochs.slice(2).map(trainingPart));
    expect(await checkpointValues(rung2.outcome.checkpointUri)).toEqual(await checkpointValues(straight.outcome.checkpointUri));
    // ... with early stopping restarted from the checkpoint's own validation loss.
    expect(rung2.epochs[0].bestValLoss).toBeLessThanOrEqual(rung1.epochs[1].metrics.valLoss);
  });

  it('stops within an epoch when aborted, releasing every tensor', async () => {
    const ac = new AbortController();
    const seen: number[] = [];
    const run = runTraining(smallJob(signals, { epochs: 4 }), {
      artifacts: store,
      signal: ac.signal,
      onEpoch: async (r) => {
        seen.push(r.epoch);
        // Fires while epoch 2's batches run (the trainer yields to the event loop per batch).
        setTimeout(() => ac.abort(new Error('test cancel')), 0);
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError', message: expect.stringMatching(/in epoch 2: test cancel/) });
    expect(seen).toEqual([1]);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(train(smallJob(signals), ac.signal)).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('throws TrainingDiverged on a NaN/Infinity loss', async () => {
    const run = train(smallJob(signals, { optimizer: 'sgd', learningRate: 1e30, epochs: 3 }));
    await expect(run).rejects.toMatchObject({ name: 'TrainingDiverged', message: expect.stringMatching(/diverged/) });
  });

  it('names bad input: unknown label, too few signals', async () => {
    const bad = signals.map((s, i) => (i === 0 ? { ...s, label: 'cage' } : s));
    await expect(train(smallJob(bad))).rejects.toThrow(/signal 0 has label 'cage'/);
    const few = signals.filter((s) => s.label !== 'tone' || s.index % 12 < 2);
    await expect(train(smallJob(few))).rejects.toThrow(/class 'tone' has 2/);
  });
});
