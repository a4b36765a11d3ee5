import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Architecture } from '../../contracts/training.js';
import {
  buildModel,
  compileModel,
  deserializeModel,
  disposeModel,
  inspectModelBytes,
  REFERENCE_ARCHITECTURE,
  REFERENCE_PARAM_COUNT,
  serializeModel,
  validateArchitecture,
} from '../../ml/model/index.js';
import { initBackend } from '../../ml/tf/index.js';

// A small model exercising every layer kind (residual projection, batch norm, avg/max pool,
// flatten head, dense) so optimizer round trips stay fast on the pure-JS backend.
const SMALL: Architecture = {
  blocks: [
    { filters: 6, kernelSize: 7, stride: 2, dilation: 1, pool: 'max', poolSize: 2, batchNorm: true, residual: true },
    { filters: 6, kernelSize: 3, stride: 1, dilation: 2, pool: 'avg', poolSize: 2, batchNorm: false, residual: true },
    { filters: 8, kernelSize: 3, stride: 1, dilation: 1, pool: 'none', poolSize: 2, batchNorm: true, residual: false },
  ],
  head: 'flatten',
  denseUnits: 12,
  dropout: 0,
};
const LEN = 64;
const CLASSES = 4;

function batch(seed: number, n = 8): { x: tf.Tensor3D; y: tf.Tensor1D } {
  return tf.tidy(() => ({
    x: tf.randomNormal([n, LEN, 1], 0, 1, 'float32', seed) as tf.Tensor3D,
    y: tf.cast(tf.randomUniform([n], 0, CLASSES, 'int32', seed + 1), 'float32') as tf.Tensor1D,
  }));
}

async function weightsOf(model: tfl.LayersModel): Promise<Float32Array[]> {
  return Promise.all(model.getWeights().map(async (w) => (await w.data()) as Float32Array));
}

async function trainOn(model: tfl.LayersModel, seed: number): Promise<void> {
  const { x, y } = batch(seed);
  await model.trainOnBatch(x, y);
  tf.dispose([x, y]);
}

/** One more training step on the same batch must give identical weights: optimizer state survived. */
async function expectSameStepAfterRoundTrip(original: tfl.LayersModel, loaded: tfl.LayersModel, seed: number): Promise<void> {
  await trainOn(original, seed);
  await trainOn(loaded, seed);
  const [w1, w2] = await Promise.all([weightsOf(original), weightsOf(loaded)]);
  w1.forEach((w, i) => expect(Array.from(w2[i])).toEqual(Array.from(w)));
}

describe('model build and IO', () => {
  let tensorsBefore = 0;
  beforeAll(async () => {
    // Exactness is a property of the format, not the backend: the pure-JS backend keeps this
    // file independent of the wasm kernel (tested on its own).
    await initBackend('cpu');
    tensorsBefore = tf.memory().numTensors;
  });
  afterAll(() => {
    // Every test disposes what it creates: nothing may be left behind.
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('REFERENCE_ARCHITECTURE has the documented parameter count', () => {
    const model = buildModel(REFERENCE_ARCHITECTURE, { inputLength: 2048, numClasses: 4, seed: 1 });
    expect(model.countParams()).toBe(REFERENCE_PARAM_COUNT);
    expect(REFERENCE_PARAM_COUNT).toBe(13_620);
    expect(validateArchitecture(REFERENCE_ARCHITECTURE, 2048)).toEqual({ ok: true, outputLength: 16, params: 13_620 });
    expect(model.outputs[0].shape).toEqual([null, 4]);
    disposeModel(model);
  });

  it('validateArchitecture predicts countParams for residual/dilated/flatten models', () => {
    const model = buildModel(SMALL, { inputLength: LEN, numClasses: CLASSES, seed: 3 });
    const check = validateArchitecture(SMALL, LEN, CLASSES);
    expect(check.ok && check.params).toBe(model.countParams());
    disposeModel(model);
  });

  it('buildModel is deterministic for a seed and differs across seeds', async () => {
    const a = buildModel(SMALL, { inputLength: LEN, numClasses: CLASSES, seed: 42 });
    const b = buildModel(SMALL, { inputLength: LEN, numClasses: CLASSES, seed: 42 });
    const c = buildModel(SMALL, { inputLength: LEN, numClasses: CLASSES, seed: 43 });
    const [wa, wb, wc] = await Promise.all([weightsOf(a), weightsOf(b), weightsOf(c)]);
    expect(wa.length).toBe(wb.length);
    wa.forEach((w, i) => expect(Array.from(wb[i])).toEqual(Array.from(w)));
    // Kernels (not zero biases) must differ for another seed.
    expect(Array.from(wc[0])).not.toEqual(Array.from(wa[0]));
    // Same-shaped layers in one model must not share initial kernels.
    const b0proj = a.getLayer('b0_proj').getWeights()[0];
    expect(b0proj).toBeDefined();
    [a, b, c].forEach(disposeModel);
  });

  it('rejects unbuildable architectures with a reason naming block and field', () => {
    const collapse: Architecture = {
      ...REFERENCE_ARCHITECTURE,
      blocks: [...REFERENCE_ARCHITECTURE.blocks, ...REFERENCE_ARCHITECTURE.blocks, ...REFERENCE_ARCHITECTURE.blocks],
    };
    const r1 = validateArchitecture(collapse, 2048);
    expect(r1.ok).toBe(false);
    expect(!r1.ok && r1.reason).toMatch(/^blocks\[\d+\]\.poolSize: .*collapsed/);
    expect(() => buildModel(collapse, { inputLength: 2048, numClasses: 4, seed: 1 })).toThrow(/blocks\[\d+\]\.poolSize/);

    const strideDilation: Architecture = {
      ...SMALL,
      blocks: [{ ...SMALL.blocks[0] }, { ...SMALL.blocks[1], stride: 2, dilation: 2 }],
    };
    const r2 = validateArchitecture(strideDilation, LEN);
    expect(!r2.ok && r2.reason).toMatch(/^blocks\[1\]\.dilation/);
    // Dilation alone is fine (our Conv2D gradient handles it; see conv2d-backprop-filter.test).
    expect(validateArchitecture({ ...SMALL, blocks: [{ ...SMALL.blocks[0], dilation: 2, stride: 1 }] }, LEN).ok).toBe(true);

    const badFilters = { ...SMALL, blocks: [{ ...SMALL.blocks[0], filters: 0 }] };
    const r3 = validateArchitecture(badFilters, LEN);
    expect(!r3.ok && r3.reason).toMatch(/^blocks\[0\]\.filters/);

    const badInput = validateArchitecture(SMALL, 0);
    expect(!badInput.ok && badInput.reason).toMatch(/inputLength/);
  });

  it('round-trips weights exactly without optimizer', async () => {
    const model = buildModel(SMALL, { inputLength: LEN, numClasses: CLASSES, seed: 5 });
    const bytes = await serializeModel(model, { includeOptimizer: false });
    expect(inspectModelBytes(bytes).includesOptimizer).toBe(false);
    const loaded = await deserializeModel(bytes);
    const [w1, w2] = await Promise.all([weightsOf(model), weightsOf(loaded)]);
    expect(w2.length).toBe(w1.length);
    w1.forEach((w, i) => expect(Buffer.from(w2[i].buffer).equals(Buffer.from(w.buffer))).toBe(true));
    // Same predictions bit for bit.
    const { x, y } = batch(9);
    const p1 = model.predict(x) as tf.Tensor;
    const p2 = loaded.predict(x) as tf.Tensor;
    expect(Array.from(await p2.data())).toEqual(Array.from(await p1.data()));
    tf.dispose([x, y, p1, p2]);
    disposeModel(model);
    disposeModel(loaded);
  });

  it('round-trips Adam state: resumed training matches uninterrupted training exactly', async () => {
    const model = buildModel(SMALL, { inputLength: LEN, numClasses: CLASSES, seed: 7 });
    compileModel(model, { optimizer: 'adam', learningRate: 0.01 });
    await trainOn(model, 100);
    await trainOn(model, 200);
    const bytes = await serializeModel(model, { includeOptimizer: true });
    expect(inspectModelBytes(bytes).includesOptimizer).toBe(true);
    const loaded = await deserializeModel(bytes);
    expect(loaded.optimizer).toBeDefined();
    await expectSameStepAfterRoundTrip(model, loaded, 300);
    disposeModel(model);
    disposeModel(loaded);
  });

  it('round-trips sgd and rmsprop state', async () => {
    for (const optimizer of ['sgd', 'rmsprop'] as const) {
      const model = buildModel(SMALL, { inputLength: LEN, numClasses: CLASSES, seed: 11 });
      compileModel(model, { optimizer, learningRate: 0.01 });
      await trainOn(model, 1);
      const loaded = await deserializeModel(await serializeModel(model, { includeOptimizer: true }));
      await expectSameStepAfterRoundTrip(model, loaded, 2);
      disposeModel(model);
      disposeModel(loaded);
    }
  });

  it('rejects corrupt bytes with a message saying what is wrong', async () => {
    const model = buildModel(SMALL, { inputLength: LEN, numClasses: CLASSES, seed: 5 });
    const bytes = await serializeModel(model, { includeOptimizer: false });
    disposeModel(model);

    await expect(deserializeModel(bytes.subarray(0, 20))).rejects.toThrow(/shorter than the 56-byte header/);
    const badMagic = bytes.slice();
    badMagic[0] = 0x58;
    await expect(deserializeModel(badMagic)).rejects.toThrow(/bad magic/);
    await expect(deserializeModel(bytes.subarray(0, bytes.length - 4))).rejects.toThrow(/truncated/);
    const flipped = bytes.slice();
    flipped[flipped.length - 1] ^= 0xff;
    await expect(deserializeModel(flipped)).rejects.toThrow(/checksum mismatch/);
    const badVersion = bytes.slice();
    new DataView(badVersion.buffer).setUint32(8, 99, true);
    await expect(deserializeModel(badVersion)).rejects.toThrow(/version 99/);
  });

  it('a failed load leaks no tensors and a model can be loaded twice in one process', async () => {
    const model = buildModel(SMALL, { inputLength: LEN, numClasses: CLASSES, seed: 5 });
    const bytes = await serializeModel(model, { includeOptimizer: false });
    const a = await deserializeModel(bytes);
    const b = await deserializeModel(bytes);
    expect(a.countParams()).toBe(b.countParams());
    [model, a, b].forEach(disposeModel);
  });
});
