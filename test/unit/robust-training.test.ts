import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { AugmentationSchema, type Architecture } from '../../contracts/training.js';
import { augmentWindows } from '../../ml/data/augment.js';
import { buildWindows, recordingStats, type WindowSet } from '../../ml/data/windows.js';
import { buildModel, disposeModel } from '../../ml/model/index.js';
import { mulberry32 } from '../../ml/random.js';
import { initBackend } from '../../ml/tf/index.js';
import { adaptBatchNorm } from '../../ml/train/adabn.js';

const W = 256;
const tone = (cyclesPerSample: number, amplitude: number, length = W) =>
  Float32Array.from({ length }, (_, i) => amplitude * Math.sin(2 * Math.PI * cyclesPerSample * i));
const set = (...windows: Float32Array[]): WindowSet => {
  const x = new Float32Array(windows.length * W);
  windows.forEach((w, i) => x.set(w, i * W));
  return { x, y: new Int32Array(windows.length), signalOf: new Int32Array(windows.length), count: windows.length, windowLength: W };
};
const rmsOf = (x: Float32Array) => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / x.length);

describe('per-recording normalisation (normalization: recording)', () => {
  it('scales every window by the recording statistics, so a louder stretch stays louder; per-window z-scores erase it', () => {
    const quiet = tone(0.05, 1, 1024);
    const loud = tone(0.05, 3, 1024);
    const stats = recordingStats([quiet, loud]);
    expect(stats.mean).toBeCloseTo(0, 2);
    expect(stats.std).toBeCloseTo(Math.sqrt((0.5 + 4.5) / 2), 2);
    const opts = { windowLength: W, windowHop: W, maxWindowsPerSignal: 4 };
    const scaled = buildWindows(
      [
        { index: 0, labelIndex: 0, samples: quiet, scale: stats },
        { index: 1, labelIndex: 0, samples: loud, scale: stats },
      ],
      opts,
    );
    const perWindow = buildWindows(
      [
        { index: 0, labelIndex: 0, samples: quiet },
        { index: 1, labelIndex: 0, samples: loud },
      ],
      opts,
    );
    const rmsAt = (s: WindowSet, i: number) => rmsOf(s.x.subarray(i * W, (i + 1) * W));
    expect(rmsAt(scaled, 4) / rmsAt(scaled, 0)).toBeCloseTo(3, 3);
    expect(rmsAt(perWindow, 4) / rmsAt(perWindow, 0)).toBeCloseTo(1, 3);
    // Over the whole recording: zero mean, unit deviation.
    expect(recordingStats([scaled.x]).std).toBeCloseTo(1, 2);
  });
});

describe('augmentWindows', () => {
  const windows = set(tone(0.21, 1), tone(0.02, 2));

  it('with every option at 0 leaves the windows as they are', () => {
    expect(augmentWindows(windows, AugmentationSchema.parse({}), mulberry32(1))).toEqual(windows.x);
  });

  it('a speed stretch of s moves the frequency by the factor 1 ± s about the centre; the gain multiplies the amplitude', () => {
    const slowTone = set(tone(0.05, 1));
    const c = (W - 1) / 2;
    const expected = (stretch: number, gain: number) => (i: number) => gain * Math.sin(2 * Math.PI * 0.05 * (c + (i - c) * stretch));
    // random() = 1 draws the largest stretch and gain (1 + s, 1 + a); random() = 0 the smallest.
    for (const [r, stretch, gain] of [
      [1, 1.1, 1.5],
      [0, 0.9, 0.5],
    ] as const) {
      const out = augmentWindows(slowTone, { speedStretch: 0.1, amplitudeScale: 0.5, noise: 0 }, () => r);
      const want = expected(stretch, gain);
      // Within linear interpolation error, everywhere the stretched time stays inside the window.
      for (let i = 16; i < W - 16; i++) expect(Math.abs(out[i] - want(i))).toBeLessThan(0.03);
    }
  });

  it('adds noise of the requested relative deviation; the same seed gives the same windows, another seed others', () => {
    const aug = { speedStretch: 0.03, amplitudeScale: 0.2, noise: 0.5 };
    const a = augmentWindows(windows, aug, mulberry32(7));
    expect(augmentWindows(windows, aug, mulberry32(7))).toEqual(a);
    expect(augmentWindows(windows, aug, mulberry32(8))).not.toEqual(a);
    const noiseOnly = augmentWindows(windows, { speedStretch: 0, amplitudeScale: 0, noise: 0.5 }, mulberry32(3));
    const residual = noiseOnly.subarray(0, W).map((v, i) => v - windows.x[i]);
    expect(rmsOf(residual) / rmsOf(windows.x.subarray(0, W))).toBeGreaterThan(0.4);
    expect(rmsOf(residual) / rmsOf(windows.x.subarray(0, W))).toBeLessThan(0.6);
  });
});

describe('adaptBatchNorm (adaBN)', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });
  const arch: Architecture = {
    blocks: [
      { filters: 4, kernelSize: 8, stride: 2, dilation: 1, pool: 'max', poolSize: 2, batchNorm: true, residual: false },
      { filters: 6, kernelSize: 3, stride: 1, dilation: 1, pool: 'max', poolSize: 2, batchNorm: true, residual: false },
    ],
    head: 'global-avg',
    denseUnits: 0,
    dropout: 0,
  };
  const target = () => {
    // The "target condition": louder and offset, as another load or sensor would make it.
    const r = mulberry32(5);
    return set(...Array.from({ length: 20 }, (_, k) => Float32Array.from({ length: W }, (_, i) => 3 * Math.sin(0.3 * i + k) + 2 + r())));
  };

  it('sets every batch-norm layer to the mean and variance of its input on the target windows, in network order', async () => {
    const model = buildModel(arch, { inputLength: W, numClasses: 3, seed: 1 });
    const windows = target();
    const before = tf.memory().numTensors;
    expect(await adaptBatchNorm(model, windows, 7)).toBe(2);
    expect(tf.memory().numTensors).toBe(before);
    const bns = model.layers.filter((l) => l.getClassName() === 'BatchNormalization');
    for (const bn of bns) {
      const probe = tfl.model({ inputs: model.inputs, outputs: bn.input as tfl.SymbolicTensor });
      const [mean, variance] = tf.tidy(() => {
        const a = probe.predict(tf.tensor3d(windows.x, [windows.count, W, 1])) as tf.Tensor;
        const m = tf.moments(a, [0, 1]);
        return [Array.from(m.mean.dataSync()), Array.from(m.variance.dataSync())];
      });
      const weights = bn.getWeights();
      const moving = weights.slice(-2).map((t) => Array.from(t.dataSync()));
      moving[0].forEach((v, c) => expect(v).toBeCloseTo(mean[c], 3));
      moving[1].forEach((v, c) => expect(v).toBeCloseTo(variance[c], 2));
    }
    disposeModel(model);
  });

  it('changes nothing in a model without batch norm', async () => {
    const model = buildModel({ ...arch, blocks: arch.blocks.map((b) => ({ ...b, batchNorm: false })) }, { inputLength: W, numClasses: 3, seed: 1 });
    const before = model.getWeights().map((t) => Array.from(t.dataSync()));
    expect(await adaptBatchNorm(model, target())).toBe(0);
    expect(model.getWeights().map((t) => Array.from(t.dataSync()))).toEqual(before);
    disposeModel(model);
  });
});
