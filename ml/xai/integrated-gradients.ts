import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { checkClass, checkInt, checkWindow, modelShape, resolveBaseline, targetScore, type Baseline, type Score } from './common.js';

export interface IntegratedGradientsOptions {
  targetClass: number;
  /** Default 'zeros' (the z-scored window's mean: "no vibration"). */
  baseline?: Baseline;
  /** Intervals of the path integral (steps + 1 gradient evaluations). Default 64. */
  steps: number;
  /**
   * Default 'probability': attributions sum to p(x) − p(baseline) for the target class, the
   * same units as occlusion and the deletion curve. 'logit' sums to the logit difference.
   */
  score?: Score;
  /** Interpolated windows per forward/backward pass. Default 32. */
  batchSize?: number;
}

/**
 * Integrated Gradients (Sundararajan et al. 2017): attr_i = (x_i − b_i) ∫₀¹ ∂f/∂x_i(b + α(x − b)) dα,
 * with the integral taken by the trapezoid rule over `steps` equal intervals. The trapezoid rule
 * (rather than the left Riemann sum) is exact for a path-linear gradient and converges as 1/steps²
 * for smooth f, so completeness — sum(attr) ≈ f(x) − f(baseline) — is reached with fewer steps;
 * ReLU kinks make the error decay more slowly, so check it with `completenessGap`.
 */
export function integratedGradients(model: tfl.LayersModel, x: Float32Array, opts: IntegratedGradientsOptions): Float32Array {
  const { inputLength, numClasses } = modelShape(model);
  checkWindow(x, inputLength);
  checkClass(opts.targetClass, numClasses);
  checkInt('steps', opts.steps, 1);
  const batchSize = opts.batchSize ?? 32;
  checkInt('batchSize', batchSize, 1);
  const baseline = resolveBaseline(opts.baseline, x);
  const score = opts.score ?? 'probability';
  const { steps, targetClass } = opts;

  const points = steps + 1;
  // Trapezoid weights: half weight at both ends of the path.
  const weight = (k: number): number => (k === 0 || k === steps ? 0.5 : 1) / steps;
  const avgGrad = new Float64Array(inputLength);
  const delta = new Float32Array(inputLength);
  for (let i = 0; i < inputLength; i++) delta[i] = x[i] - baseline[i];

  for (let start = 0; start < points; start += batchSize) {
    const n = Math.min(batchSize, points - start);
    const alphas = new Float32Array(n);
    const weights = new Float32Array(n);
    for (let j = 0; j < n; j++) {
      alphas[j] = (start + j) / steps;
      weights[j] = weight(start + j);
    }
    const summed = tf.tidy(() => {
      const b = tf.tensor3d(baseline, [1, inputLength, 1]);
      const d = tf.tensor3d(delta, [1, inputLength, 1]);
      const path = tf.add(b, tf.mul(tf.tensor3d(alphas, [n, 1, 1]), d));
      // Rows are independent, so the gradient of the summed score gives each row's own gradient.
      const grad = tf.grad((inp: tf.Tensor) => tf.sum(targetScore(model, inp, targetClass, score)))(path);
      return tf.sum(tf.mul(grad, tf.tensor3d(weights, [n, 1, 1])), [0]);
    });
    const g = summed.dataSync();
    summed.dispose();
    for (let i = 0; i < inputLength; i++) avgGrad[i] += g[i];
  }
  const attr = new Float32Array(inputLength);
  for (let i = 0; i < inputLength; i++) attr[i] = delta[i] * avgGrad[i];
  return attr;
}

export interface CompletenessCheck {
  /** sum(attributions) */
  sum: number;
  /** f(x) − f(baseline) */
  expected: number;
  /** |sum − expected| / max(|expected|, 1e-12) */
  relativeError: number;
}

/** How far IG attributions are from completeness (use the options the attributions came from). */
export function completenessGap(
  model: tfl.LayersModel,
  x: Float32Array,
  attributions: Float32Array,
  opts: Pick<IntegratedGradientsOptions, 'targetClass' | 'baseline' | 'score'>,
): CompletenessCheck {
  const { inputLength } = modelShape(model);
  checkWindow(x, inputLength);
  checkWindow(attributions, inputLength, 'attributions');
  const baseline = resolveBaseline(opts.baseline, x);
  const f = tf.tidy(() => {
    const both = tf.concat([tf.tensor3d(x, [1, inputLength, 1]), tf.tensor3d(baseline, [1, inputLength, 1])]);
    return targetScore(model, both, opts.targetClass, opts.score ?? 'probability');
  });
  const [fx, fb] = f.dataSync();
  f.dispose();
  let sum = 0;
  for (let i = 0; i < attributions.length; i++) sum += attributions[i];
  const expected = fx - fb;
  return { sum, expected, relativeError: Math.abs(sum - expected) / Math.max(Math.abs(expected), 1e-12) };
}
