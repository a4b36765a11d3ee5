import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../ml/random.js';
import { initBackend } from '../../ml/tf/index.js';

/**
 * The wasm Conv2DBackpropFilter kernel against the cpu backend's stock kernel (and, for
 * dilation > 1, which the cpu kernel ignores, against a direct float64 sum).
 */

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
interface Case {
  b: number;
  h: number;
  w: number;
  ci: number;
  co: number;
  kh: number;
  kw: number;
  stride: [number, number];
  dilation: [number, number];
  pad: Pad;
}

/** Deterministic pseudo-random floats in [-1, 1) (mulberry32). */
function randoms(n: number, seed: number): Float32Array {
  const random = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = 2 * random() - 1;
  return out;
}

function convInfo(c: Case): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo([c.b, c.h, c.w, c.ci], [c.kh, c.kw, c.ci, c.co], c.stride, c.dilation, c.pad);
}

function runKernel(backend: 'cpu' | 'wasm', c: Case, x: Float32Array, dy: Float32Array, dyShape: number[]): Float32Array {
  const before = tf.getBackend();
  if (before !== backend) throw new Error(`expected active backend ${backend}, got ${before}`);
  const xt = tf.tensor4d(x, [c.b, c.h, c.w, c.ci]);
  const dyt = tf.tensor(dy, dyShape);
  const attrs: Record<string, unknown> = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', filterShape: [c.kh, c.kw, c.ci, c.co] };
  if (c.dilation[0] !== 1 || c.dilation[1] !== 1) attrs.dilations = c.dilation;
  const out = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x: xt, dy: dyt }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
  const values = out.dataSync() as Float32Array;
  expect(out.shape).toEqual([c.kh, c.kw, c.ci, c.co]);
  tf.dispose([xt, dyt, out]);
  return values;
}

/** dW by the definition, in float64. */
function reference(c: Case, x: Float32Array, dy: Float32Array): Float32Array {
  const info = convInfo(c);
  const dW = new Float64Array(c.kh * c.kw * c.ci * c.co);
  for (let b = 0; b < c.b; b++)
    for (let oh = 0; oh < info.outHeight; oh++)
      for (let ow = 0; ow < info.outWidth; ow++)
        for (let kh = 0; kh < c.kh; kh++)
          for (let kw = 0; kw < c.kw; kw++) {
            const ih = oh * c.stride[0] + kh * c.dilation[0] - info.padInfo.top;
            const iw = ow * c.stride[1] + kw * c.dilation[1] - info.padInfo.left;
            if (ih < 0 || ih >= c.h || iw < 0 || iw >= c.w) continue;
            for (let ci = 0; ci < c.ci; ci++)
              for (let co = 0; co < c.co; co++)
                dW[((kh * c.kw + kw) * c.ci + ci) * c.co + co] +=
                  x[((b * c.h + ih) * c.w + iw) * c.ci + ci] * dy[((b * info.outHeight + oh) * info.outWidth + ow) * c.co + co];
          }
  return Float32Array.from(dW);
}

function expectClose(actual: Float32Array, expected: Float32Array, label: string): void {
  expect(actual.length, label).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    // Relative error, with 1 as the floor of the scale so sums that cancel to ~0 compare absolutely.
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i])));
  }
  expect(worst, label).toBeLessThanOrEqual(1e-4);
}

function cases(): Case[] {
  const out: Case[] = [];
  const channels: [number, number][] = [
    [1, 4],
    [3, 16],
    [16, 3],
    [16, 16],
  ];
  for (const w of [16, 67])
    for (const k of [1, 3, 8])
      for (const s of [1, 2, 4])
        for (const d of [1, 2])
          for (const pad of ['same', 'valid', 2] as const)
            for (const b of [1, 8])
              for (const [ci, co] of channels) {
                if (pad === 'valid' && (k - 1) * d + 1 > w) continue;
                out.push({ b, h: 1, w, ci, co, kh: 1, kw: k, stride: [1, s], dilation: [1, d], pad });
              }
  // A few genuinely 2D shapes and explicit per-side padding.
  out.push({ b: 2, h: 9, w: 11, ci: 3, co: 5, kh: 3, kw: 3, stride: [2, 1], dilation: [1, 1], pad: 'same' });
  out.push({ b: 3, h: 7, w: 7, ci: 4, co: 2, kh: 2, kw: 3, stride: [1, 2], dilation: [1, 1], pad: 'valid' });
  out.push({
    b: 2,
    h: 1,
    w: 30,
    ci: 2,
    co: 3,
    kh: 1,
    kw: 5,
    stride: [1, 3],
    dilation: [1, 1],
    pad: [
      [0, 0],
      [0, 0],
      [1, 3],
      [0, 0],
    ],
  });
  return out;
}

describe('Conv2DBackpropFilter on wasm', () => {
  beforeAll(async () => {
    const info = await initBackend('wasm');
    expect(info.name).toBe('wasm');
  });

  it('matches the cpu kernel (dilation 1) and the definition (dilation 2) on many shapes', async () => {
    const all = cases();
    expect(all.length).toBeGreaterThan(400);
    const results: { c: Case; x: Float32Array; dy: Float32Array; dyShape: number[]; wasm: Float32Array }[] = [];
    const tensorsBefore = tf.memory().numTensors;
    for (const [i, c] of all.entries()) {
      const info = convInfo(c);
      const dyShape = [c.b, info.outHeight, info.outWidth, c.co];
      const x = randoms(c.b * c.h * c.w * c.ci, 2 * i + 1);
      const dy = randoms(
        dyShape.reduce((a, v) => a * v, 1),
        2 * i + 2,
      );
      results.push({ c, x, dy, dyShape, wasm: runKernel('wasm', c, x, dy, dyShape) });
    }
    expect(tf.memory().numTensors).toBe(tensorsBefore);

    await tf.setBackend('cpu');
    try {
      for (const { c, x, dy, dyShape, wasm } of results) {
        const label = JSON.stringify(c);
        if (c.dilation[0] === 1 && c.dilation[1] === 1) {
          expectClose(wasm, runKernel('cpu', c, x, dy, dyShape), `cpu ${label}`);
        } else {
          expectClose(wasm, reference(c, x, dy), `reference ${label}`);
        }
      }
    } finally {
      await tf.setBackend('wasm');
    }
  });

  it('gives the same Conv1D weight gradient as the cpu backend through tf.grads', async () => {
    const x = randoms(4 * 50 * 3, 77);
    const kernel = randoms(5 * 3 * 6, 78);
    const bias = randoms(6, 79);
    const gradsOn = async (backend: 'cpu' | 'wasm'): Promise<Float32Array[]> => {
      await tf.setBackend(backend);
      const before = tf.memory().numTensors;
      const layer = tfl.layers.conv1d({ filters: 6, kernelSize: 5, strides: 2, padding: 'same', inputShape: [50, 3] });
      const input = tf.tensor3d(x, [4, 50, 3]);
      layer.build([null, 50, 3]);
      const k = tf.tensor3d(kernel, [5, 3, 6]);
      const bt = tf.tensor1d(bias);
      layer.setWeights([k, bt]);
      // Weighted sum so every output position contributes a distinct upstream gradient.
      const wts = tf.tensor3d(randoms(4 * 25 * 6, 80), [4, 25, 6]);
      const [gK, gB] = tf.grads((kk: tf.Tensor, bb: tf.Tensor) =>
        tf.sum(tf.mul(tf.add(tf.conv1d(input as tf.Tensor3D, kk as tf.Tensor3D, 2, 'same'), bb), wts)),
      )([k, bt]);
      // And through the layer itself (tfjs-layers' Conv1D -> conv2d -> this kernel).
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(input) as tf.Tensor, wts)) as tf.Scalar);
      const layerGrad = grads[(layer.trainableWeights[0].read() as tf.Variable).name];
      const out = [gK.dataSync() as Float32Array, gB.dataSync() as Float32Array, layerGrad.dataSync() as Float32Array];
      tf.dispose([input, k, bt, wts, gK, gB, value, ...Object.values(grads)]);
      // Layer.dispose() refuses layers never called symbolically: free its variables directly.
      layer.weights.forEach((w) => w.dispose());
      expect(tf.memory().numTensors).toBe(before);
      return out;
    };
    let cpu: Float32Array[];
    try {
      cpu = await gradsOn('cpu');
    } finally {
      await tf.setBackend('wasm');
    }
    const wasm = await gradsOn('wasm');
    cpu.forEach((g, i) => expectClose(wasm[i], g, `gradient ${i}`));
    // The layer's kernel gradient equals the functional one.
    expectClose(wasm[2], wasm[0], 'layer vs functional');
  });

  it('trains dilated Conv1D: gradients equal those of the zero-inserted undilated kernel', async () => {
    // conv1d(x, k, dilation d) == conv1d(x, kd) where kd has k's taps every d positions and
    // zeros between; the stock (dilation 1) gradient of the latter is the ground truth.
    const [b, len, ci, co, k, d] = [3, 40, 2, 4, 3, 3];
    const xv = randoms(b * len * ci, 90);
    const kv = randoms(k * ci * co, 91);
    const wv = randoms(b * len * co, 92);
    for (const pad of ['same', 'valid'] as const) {
      for (const backend of ['cpu', 'wasm'] as const) {
        await tf.setBackend(backend);
        const before = tf.memory().numTensors;
        const x = tf.tensor3d(xv, [b, len, ci]);
        const kern = tf.tensor3d(kv, [k, ci, co]);
        const outLen = pad === 'same' ? len : len - (k - 1) * d;
        const w = tf.tensor3d(wv.subarray(0, b * outLen * co), [b, outLen, co]);
        const expanded = tf.tidy(() => {
          const taps: tf.Tensor[] = [];
          for (let t = 0; t < (k - 1) * d + 1; t++) {
            taps.push(t % d === 0 ? tf.slice(kern, [t / d, 0, 0], [1, ci, co]) : tf.zeros([1, ci, co]));
          }
          return tf.concat(taps, 0) as tf.Tensor3D;
        });
        const [gx, gk] = tf.grads((xx: tf.Tensor, kk: tf.Tensor) => tf.sum(tf.mul(tf.conv1d(xx as tf.Tensor3D, kk as tf.Tensor3D, 1, pad, 'NWC', d), w)))([
          x,
          kern,
        ]);
        const [gxRef, gkExpanded] = tf.grads((xx: tf.Tensor, kk: tf.Tensor) => tf.sum(tf.mul(tf.conv1d(xx as tf.Tensor3D, kk as tf.Tensor3D, 1, pad), w)))([
          x,
          expanded,
        ]);
        const gkRef = tf.tidy(() =>
          tf.gather(
            gkExpanded,
            Array.from({ length: k }, (_, t) => t * d),
          ),
        );
        const label = `${backend} ${pad}`;
        expectClose(gx.dataSync() as Float32Array, gxRef.dataSync() as Float32Array, `dx ${label}`);
        expectClose(gk.dataSync() as Float32Array, gkRef.dataSync() as Float32Array, `dW ${label}`);
        tf.dispose([x, kern, w, expanded, gx, gk, gxRef, gkExpanded, gkRef]);
        expect(tf.memory().numTensors, label).toBe(before);
      }
    }
    await tf.setBackend('wasm');
  });

  it('rejects NCHW with a clear error', () => {
    const x = tf.zeros([1, 2, 1, 8]);
    const dy = tf.zeros([1, 2, 1, 8]);
    expect(() =>
      tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, {
        strides: 1,
        pad: 'same',
        dataFormat: 'NCHW',
        filterShape: [1, 1, 2, 2],
      } as unknown as tf.NamedAttrMap),
    ).toThrow(/dataFormat 'NCHW' is not supported/);
    tf.dispose([x, dy]);
  });
});
