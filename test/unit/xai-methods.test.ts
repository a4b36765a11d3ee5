import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Architecture } from '../../contracts/training.js';
import { zNormalizeInto } from '../../ml/data/windows.js';
import { buildModel, compileModel, disposeModel } from '../../ml/model/index.js';
import { Rng } from '../../ml/random.js';
import { initBackend } from '../../ml/tf/index.js';
import {
  completenessGap,
  deletionFaithfulness,
  gradCam,
  integratedGradients,
  kernelShap,
  occlusion,
  summarizeAttribution,
  XaiInputError,
} from '../../ml/xai/index.js';
import { TEST_BACKEND, TEST_BACKEND_NAME } from '../support/test-backend.js';

/**
 * The explanation methods on a small 1D CNN trained so that class 1 means "an impulse somewhere
 * in samples 96–128" and class 0 is noise alone: every method must point at that window. Runs on
 * wasm (or TFJS_BACKEND: `.ci/run` repeats it on native TensorFlow), which has the input-side
 * gradients these methods need.
 */

const L = 256;
const WIN_START = 96;
const WIN_END = 128;
const argmax = (a: ArrayLike<number>): number => {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
};

/** A z-scored window: unit noise, plus (class 1) a decaying 8-cycle burst starting in [100, 116]. */
function makeWindow(rng: Rng, label: number): Float32Array {
  const raw = new Float32Array(L);
  for (let i = 0; i < L; i++) raw[i] = rng.normal();
  if (label === 1) {
    const at = 100 + Math.floor(rng.uniform(0, 17));
    for (let t = 0; t < 12; t++) raw[at + t] += 6 * Math.exp(-t / 4) * Math.sin((2 * Math.PI * t) / 4 + 0.5);
  }
  const out = new Float32Array(L);
  zNormalizeInto(raw, 0, L, out, 0);
  return out;
}

function dataset(n: number, seed: number): { x: Float32Array; y: Int32Array; windows: Float32Array[] } {
  const rng = new Rng(seed);
  const x = new Float32Array(n * L);
  const y = new Int32Array(n);
  const windows: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    y[i] = i % 2; // alternating labels: balanced and already mixed, so fit needs no (unseeded) shuffle
    const w = makeWindow(rng, y[i]);
    x.set(w, i * L);
    windows.push(w);
  }
  return { x, y, windows };
}

const ARCH: Architecture = {
  blocks: [
    { filters: 8, kernelSize: 9, stride: 2, dilation: 1, pool: 'max', poolSize: 2, batchNorm: false, residual: false },
    // No batch norm: its moving statistics (momentum 0.99) would still be near their initial
    // values after the ~160 steps of this training, so inference would not match training.
    { filters: 16, kernelSize: 5, stride: 1, dilation: 1, pool: 'max', poolSize: 2, batchNorm: false, residual: false },
  ],
  // Global max: "is there a burst anywhere" is a detection task; an average over 32 positions
  // dilutes one burst into the noise floor.
  head: 'global-max',
  denseUnits: 16,
  dropout: 0,
};

let model: tfl.LayersModel;
let test: ReturnType<typeof dataset>;
/** A class-1 test window the model gets right, and noise windows as SHAP background. */
let xPos: Float32Array;
let background: Float32Array[];
let lastHistory: string[] = [];

beforeAll(async () => {
  const info = await initBackend(TEST_BACKEND);
  expect(info.name).toBe(TEST_BACKEND_NAME);
  model = buildModel(ARCH, { inputLength: L, numClasses: 2, seed: 11 });
  compileModel(model, { optimizer: 'adam', learningRate: 0.01 });
  const train = dataset(512, 1);
  const xt = tf.tensor3d(train.x, [512, L, 1]);
  const yt = tf.tensor1d(train.y, 'float32');
  const h = await model.fit(xt, yt, { epochs: 10, batchSize: 32, shuffle: false, verbose: 0 });
  lastHistory = (h.history.loss as number[]).map((v) => v.toFixed(3));
  tf.dispose([xt, yt]);
  test = dataset(64, 2);
  const pt = tf.tidy(() => tf.argMax(model.predict(tf.tensor3d(test.x, [64, L, 1])) as tf.Tensor, 1));
  const pred = Array.from(pt.dataSync());
  pt.dispose();
  const acc = pred.reduce((n, p, i) => n + (p === test.y[i] ? 1 : 0), 0) / 64;
  expect(acc, `accuracy (train loss ${lastHistory.join(', ')})`).toBeGreaterThanOrEqual(0.95);
  xPos = test.windows.find((_, i) => test.y[i] === 1 && pred[i] === 1) as Float32Array;
  background = test.windows.filter((_, i) => test.y[i] === 0).slice(0, 16);
}, 60_000);

afterAll(() => {
  disposeModel(model);
});

/** Runs fn and checks it left no tensor behind. */
function noLeak<T>(fn: () => T): T {
  const before = tf.memory().numTensors;
  const out = fn();
  expect(tf.memory().numTensors).toBe(before);
  return out;
}

describe('integrated gradients', () => {
  it('is complete within 1 % (probability and logit scores)', () => {
    for (const score of ['probability', 'logit'] as const) {
      const opts = { targetClass: 1, steps: 256, score, baseline: 'zeros' as const };
      const attr = noLeak(() => integratedGradients(model, xPos, opts));
      const gap = completenessGap(model, xPos, attr, opts);
      expect(Math.abs(gap.expected)).toBeGreaterThan(0.1);
      expect(gap.relativeError, `${score}: sum ${gap.sum} vs ${gap.expected}`).toBeLessThan(0.01);
    }
  });

  it('is complete on an untrained model with a non-trivial baseline', () => {
    const fresh = buildModel(ARCH, { inputLength: L, numClasses: 2, seed: 5 });
    try {
      // From a noise baseline the path crosses many ReLU/max-pool switches: more steps needed.
      const opts = { targetClass: 0, steps: 1024, score: 'logit' as const, baseline: background[0] };
      const attr = integratedGradients(fresh, xPos, opts);
      const gap = completenessGap(fresh, xPos, attr, opts);
      expect(gap.relativeError, `sum ${gap.sum} vs ${gap.expected}`).toBeLessThan(0.01);
    } finally {
      fresh.dispose();
    }
  });
});

describe('methods find the impulse window', () => {
  it('IG, Grad-CAM and occlusion put their maximum inside samples 96–128', () => {
    const ig = noLeak(() => integratedGradients(model, xPos, { targetClass: 1, steps: 64 }));
    const cam = noLeak(() => gradCam(model, xPos, { targetClass: 1 }));
    const camRelu = noLeak(() => gradCam(model, xPos, { targetClass: 1, layer: 'b1_relu' }));
    const occ = noLeak(() => occlusion(model, xPos, { targetClass: 1, window: 16, stride: 4 }));
    for (const [name, a] of [
      ['ig', ig],
      ['grad-cam', cam],
      ['grad-cam b1_relu', camRelu],
      ['occlusion', occ],
    ] as const) {
      expect(a).toHaveLength(L);
      const at = argmax(a);
      expect(at, `${name} argmax`).toBeGreaterThanOrEqual(WIN_START);
      expect(at, `${name} argmax`).toBeLessThan(WIN_END);
    }
  });

  it("KernelSHAP's top segment is the impulse window (sampled and exact)", () => {
    for (const samples of [64, 254]) {
      const r = noLeak(() => kernelShap(model, xPos, { targetClass: 1, segments: 8, background, samples, seed: 3 }));
      expect(r.exact).toBe(samples === 254);
      const top = r.segments.reduce((a, b) => (b.value > a.value ? b : a));
      expect(top).toMatchObject({ start: WIN_START, end: WIN_END });
      // Efficiency: the values add up to f(x) − E f(background).
      const sum = r.segments.reduce((s, g) => s + g.value, 0);
      expect(sum).toBeCloseTo(r.full - r.base, 6);
      expect(r.attributions.reduce((s, v) => s + v, 0)).toBeCloseTo(r.full - r.base, 4);
    }
  });

  it('KernelSHAP is reproducible from its seed and uses the background it is given', () => {
    const opts = { targetClass: 1, segments: 16, background: background.slice(0, 4), samples: 100, seed: 9 };
    const a = kernelShap(model, xPos, opts);
    const b = kernelShap(model, xPos, opts);
    expect(Array.from(a.attributions)).toEqual(Array.from(b.attributions));
    const c = kernelShap(model, xPos, { ...opts, background: background.slice(4, 12) });
    expect(c.base).not.toBe(a.base);
  });

  it('IG is more faithful than a random attribution on the deletion curve', () => {
    const ig = integratedGradients(model, xPos, { targetClass: 1, steps: 64 });
    const rng = new Rng(77);
    const rand = Float32Array.from({ length: L }, () => rng.normal());
    const opts = { targetClass: 1, steps: 16, seed: 4 };
    const fIg = noLeak(() => deletionFaithfulness(model, xPos, ig, opts));
    const fRand = deletionFaithfulness(model, xPos, rand, opts);
    expect(fIg.method).toHaveLength(17);
    expect([6, 7]).toContain(fIg.order[0]); // segments [96, 112) and [112, 128) hold the burst
    expect(fIg.score).toBeGreaterThan(0.2);
    expect(fIg.score).toBeGreaterThan(fRand.score);
  });

  it('summarises an attribution into top segments and a frequency band', () => {
    const ig = integratedGradients(model, xPos, { targetClass: 1, steps: 64 });
    const s = summarizeAttribution(xPos, ig, { samplingRateHz: 12_000, segments: 8, topK: 2 });
    expect(s.topSegments).toHaveLength(2);
    expect(s.topSegments[0]).toMatchObject({ start: WIN_START, end: WIN_END });
    expect(s.topSegments[0].share).toBeGreaterThan(0.3);
    // The burst oscillates at fs/4 = 3 kHz: the band of 8 over 0–6 kHz holding it is 2.25–3 or 3–3.75.
    expect(s.dominantBand.lowHz).toBeGreaterThanOrEqual(2250);
    expect(s.dominantBand.highHz).toBeLessThanOrEqual(3750);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });
});

describe('model shapes', () => {
  it('handles residual models and tfl.sequential models', () => {
    const residual = buildModel({ ...ARCH, blocks: ARCH.blocks.map((b) => ({ ...b, residual: true })) }, { inputLength: L, numClasses: 3, seed: 2 });
    const seq = tfl.sequential({
      layers: [
        tfl.layers.conv1d({ inputShape: [L, 1], filters: 4, kernelSize: 5, padding: 'same', activation: 'relu', name: 'c0' }),
        tfl.layers.maxPooling1d({ poolSize: 4 }),
        tfl.layers.conv1d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c1' }),
        tfl.layers.globalAveragePooling1d({}),
        tfl.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    try {
      for (const m of [residual, seq]) {
        const cam = noLeak(() => gradCam(m, xPos, { targetClass: 2 }));
        expect(cam.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
        const opts = { targetClass: 2, steps: 128, score: 'logit' as const };
        const gap = completenessGap(m, xPos, integratedGradients(m, xPos, opts), opts);
        expect(gap.relativeError).toBeLessThan(0.01);
      }
    } finally {
      residual.dispose();
      seq.dispose();
    }
  });
});

describe('bad inputs are rejected, naming the field and value', () => {
  const short = new Float32Array(100);
  it.each([
    ['IG wrong length', () => integratedGradients(model, short, { targetClass: 1, steps: 8 }), /x has length 100, the model expects 256/],
    ['IG bad class', () => integratedGradients(model, xPos, { targetClass: 2, steps: 8 }), /targetClass must be an integer in \[0, 1\], got 2/],
    ['IG steps 0', () => integratedGradients(model, xPos, { targetClass: 1, steps: 0 }), /steps must be an integer >= 1, got 0/],
    ['IG baseline length', () => integratedGradients(model, xPos, { targetClass: 1, steps: 4, baseline: short }), /baseline has length 100/],
    ['Grad-CAM unknown layer', () => gradCam(model, xPos, { targetClass: 1, layer: 'nope' }), /layer 'nope' is not in the model/],
    ['Grad-CAM bad class', () => gradCam(model, xPos, { targetClass: -1 }), /targetClass .* got -1/],
    ['occlusion window', () => occlusion(model, xPos, { targetClass: 1, window: 300, stride: 4 }), /window must be an integer in \[1, 256\], got 300/],
    ['occlusion stride', () => occlusion(model, xPos, { targetClass: 1, window: 8, stride: 0.5 }), /stride must be an integer >= 1, got 0.5/],
    [
      'SHAP empty background',
      () => kernelShap(model, xPos, { targetClass: 1, segments: 8, background: [], samples: 10, seed: 1 }),
      /background must be a non-empty array/,
    ],
    [
      'SHAP background length',
      () => kernelShap(model, xPos, { targetClass: 1, segments: 8, background: [short], samples: 10, seed: 1 }),
      /background\[0\] has length 100/,
    ],
    [
      'SHAP segments',
      () => kernelShap(model, xPos, { targetClass: 1, segments: 1, background, samples: 10, seed: 1 }),
      /segments must be an integer in \[2, 256\], got 1/,
    ],
    ['faithfulness attributions', () => deletionFaithfulness(model, xPos, short, { targetClass: 1, seed: 1 }), /attributions has length 100/],
    [
      'NaN sample',
      () =>
        occlusion(
          model,
          Float32Array.from(xPos, (v, i) => (i === 7 ? NaN : v)),
          { targetClass: 1, window: 8, stride: 8 },
        ),
      /x\[7\] is not finite/,
    ],
  ])('%s', (_name, call, message) => {
    const before = tf.memory().numTensors;
    expect(call).toThrow(XaiInputError);
    expect(call).toThrow(message);
    expect(tf.memory().numTensors).toBe(before);
  });
});
