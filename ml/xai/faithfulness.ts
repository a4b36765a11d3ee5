import type * as tfl from '@tensorflow/tfjs-layers';
import { mulberry32, permutation } from '../random.js';
import { checkClass, checkInt, checkWindow, modelShape, predictTarget, resolveBaseline, segmentBounds, type Baseline } from './common.js';

export interface FaithfulnessOptions {
  targetClass: number;
  /** The window is cut into this many equal segments; one is removed per step. Default 16. */
  steps?: number;
  baseline?: Baseline;
  /** Random orders averaged for the reference curve. Default 8. */
  randomOrders?: number;
  seed: number;
  batchSize?: number;
}

export interface DeletionCurves {
  /** Fraction of segments removed at each point: 0, 1/k, …, 1. */
  fractions: number[];
  /** Target probability after removing the most-attributed segments first. */
  method: number[];
  /** Mean target probability over the random orders. */
  random: number[];
  /** Trapezoid area under `method` over [0, 1]. */
  aucMethod: number;
  aucRandom: number;
  /** aucRandom − aucMethod: > 0 when the attribution finds evidence faster than chance. */
  score: number;
  /** Segment order used for `method` (indices, most attributed first). */
  order: number[];
}

/**
 * Deletion-curve faithfulness (Petsiuk et al. 2018, RISE): segments are ranked by their summed
 * *signed* attribution (evidence for the target class first; for a non-negative map like
 * Grad-CAM this is the same as by magnitude) and replaced by the baseline one at a time. A
 * faithful explanation makes the target probability fall fastest, so its curve has less area
 * than random orders'. All (k + 1)(1 + randomOrders) windows are predicted in batches.
 */
export function deletionFaithfulness(model: tfl.LayersModel, x: Float32Array, attributions: Float32Array, opts: FaithfulnessOptions): DeletionCurves {
  const { inputLength, numClasses } = modelShape(model);
  checkWindow(x, inputLength);
  checkWindow(attributions, inputLength, 'attributions');
  checkClass(opts.targetClass, numClasses);
  const k = opts.steps ?? 16;
  checkInt('steps', k, 1, inputLength);
  const R = opts.randomOrders ?? 8;
  checkInt('randomOrders', R, 1);
  checkInt('seed', opts.seed, -(2 ** 31), 2 ** 32 - 1);
  const baseline = resolveBaseline(opts.baseline, x);
  const bounds = segmentBounds(inputLength, k);

  const segSum = new Float64Array(k);
  for (let s = 0; s < k; s++) for (let i = bounds[s]; i < bounds[s + 1]; i++) segSum[s] += attributions[i];
  // Stable tie-break by index so equal attributions give a reproducible order.
  const order = Array.from({ length: k }, (_, i) => i).sort((a, b) => segSum[b] - segSum[a] || a - b);
  const random = mulberry32(opts.seed);
  const orders: number[][] = [order];
  for (let r = 0; r < R; r++) orders.push(Array.from(permutation(k, random)));

  const rowsPerOrder = k + 1;
  const xs = new Float32Array(orders.length * rowsPerOrder * inputLength);
  orders.forEach((ord, o) => {
    const cur = Float32Array.from(x);
    xs.set(cur, o * rowsPerOrder * inputLength);
    for (let step = 1; step <= k; step++) {
      const seg = ord[step - 1];
      cur.set(baseline.subarray(bounds[seg], bounds[seg + 1]), bounds[seg]);
      xs.set(cur, (o * rowsPerOrder + step) * inputLength);
    }
  });
  const p = predictTarget(model, xs, orders.length * rowsPerOrder, inputLength, opts.targetClass, opts.batchSize ?? 128);

  const method = Array.from(p.subarray(0, rowsPerOrder));
  const randomCurve = new Array<number>(rowsPerOrder).fill(0);
  for (let o = 1; o < orders.length; o++) for (let j = 0; j < rowsPerOrder; j++) randomCurve[j] += p[o * rowsPerOrder + j] / R;
  const fractions = Array.from({ length: rowsPerOrder }, (_, j) => j / k);
  const aucMethod = trapezoid(method, k);
  const aucRandom = trapezoid(randomCurve, k);
  return { fractions, method, random: randomCurve, aucMethod, aucRandom, score: aucRandom - aucMethod, order };
}

/** Area under points equally spaced on [0, 1] (k intervals). */
function trapezoid(y: number[], k: number): number {
  let s = 0;
  for (let j = 0; j < k; j++) s += (y[j] + y[j + 1]) / 2;
  return s / k;
}
