import type * as tfl from '@tensorflow/tfjs-layers';
import { checkClass, checkInt, checkWindow, modelShape, predictTarget, resolveBaseline, type Baseline } from './common.js';

export interface OcclusionOptions {
  targetClass: number;
  /** Occluded span in samples. */
  window: number;
  /** Step between spans. */
  stride: number;
  /** What an occluded span is replaced by. Default 'zeros'. */
  baseline?: Baseline;
  /** Occluded windows per predict call. Default 128. */
  batchSize?: number;
}

/** Start offsets: every `stride` from 0, plus a last span flush with the end so the tail is covered. */
export function occlusionStarts(length: number, window: number, stride: number): number[] {
  const starts: number[] = [];
  for (let s = 0; s + window <= length; s += stride) starts.push(s);
  if (starts[starts.length - 1] !== length - window) starts.push(length - window);
  return starts;
}

/**
 * Occlusion (Zeiler & Fergus 2014): attribution of sample i = mean, over the spans covering i,
 * of p(x) − p(x with the span replaced by the baseline), p = target-class probability. Positive
 * where hiding the span lowers the prediction.
 */
export function occlusion(model: tfl.LayersModel, x: Float32Array, opts: OcclusionOptions): Float32Array {
  const { inputLength, numClasses } = modelShape(model);
  checkWindow(x, inputLength);
  checkClass(opts.targetClass, numClasses);
  checkInt('window', opts.window, 1, inputLength);
  checkInt('stride', opts.stride, 1);
  const batchSize = opts.batchSize ?? 128;
  checkInt('batchSize', batchSize, 1);
  const baseline = resolveBaseline(opts.baseline, x);
  const starts = occlusionStarts(inputLength, opts.window, opts.stride);

  // Row 0 is the unoccluded window, then one row per span.
  const rows = starts.length + 1;
  const xs = new Float32Array(rows * inputLength);
  xs.set(x, 0);
  starts.forEach((s, r) => {
    const off = (r + 1) * inputLength;
    xs.set(x, off);
    xs.set(baseline.subarray(s, s + opts.window), off + s);
  });
  const p = predictTarget(model, xs, rows, inputLength, opts.targetClass, batchSize);

  const sum = new Float64Array(inputLength);
  const cover = new Float64Array(inputLength);
  starts.forEach((s, r) => {
    const drop = p[0] - p[r + 1];
    for (let i = s; i < s + opts.window; i++) {
      sum[i] += drop;
      cover[i]++;
    }
  });
  const attr = new Float32Array(inputLength);
  for (let i = 0; i < inputLength; i++) attr[i] = cover[i] > 0 ? sum[i] / cover[i] : 0;
  return attr;
}
