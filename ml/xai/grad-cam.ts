import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { checkClass, checkWindow, forward, modelShape, XaiInputError, type Score } from './common.js';

export interface GradCamOptions {
  targetClass: number;
  /** Name of the layer whose activations are weighted. Default: the last Conv1D layer. */
  layer?: string;
  /**
   * Default 'logit' (as in Selvaraju et al.): the probability of a confident prediction is
   * saturated, and its gradient w.r.t. activations vanishes in float32.
   */
  score?: Score;
}

/** Name of the last Conv1D layer in topological order. */
export function lastConvLayer(model: tfl.LayersModel): string {
  const convs = model.layers.filter((l) => l.getClassName() === 'Conv1D');
  if (convs.length === 0) throw new XaiInputError('layer: the model has no Conv1D layer for Grad-CAM');
  return convs[convs.length - 1].name;
}

/**
 * Grad-CAM for 1D convolutions: with A[t, c] the chosen layer's activations and g = ∂score/∂A,
 * channel weights w_c = mean_t g[t, c]; cam[t] = ReLU(Σ_c w_c A[t, c]); cam is then linearly
 * interpolated from the layer's length T to the input length. Unnormalised (the caller's summary
 * turns it into shares), non-negative.
 *
 * The gradient is taken w.r.t. the activation itself: the forward pass is re-run with the
 * layer's output replaced by a tensor tf.grad can see (see `forward`).
 */
export function gradCam(model: tfl.LayersModel, x: Float32Array, opts: GradCamOptions): Float32Array {
  const { inputLength, numClasses } = modelShape(model);
  checkWindow(x, inputLength);
  checkClass(opts.targetClass, numClasses);
  const layerName = opts.layer ?? lastConvLayer(model);
  if (!model.layers.some((l) => l.name === layerName)) {
    throw new XaiInputError(`layer '${layerName}' is not in the model (layers: ${model.layers.map((l) => l.name).join(', ')})`);
  }
  const score = opts.score ?? 'logit';
  const cam = tf.tidy(() => {
    const input = tf.tensor3d(x, [1, inputLength, 1]);
    const { captured } = forward(model, input, { score, capture: layerName });
    if (!captured || captured.rank !== 3) {
      throw new XaiInputError(`layer '${layerName}' must output [batch, time, channels], got [${captured?.shape.join(', ')}]`);
    }
    const activations = captured as tf.Tensor3D;
    const grad = tf.grad((a: tf.Tensor) => {
      const { out } = forward(model, input, { score, replace: { layer: layerName, value: a } });
      return tf.sum(tf.slice(out, [0, opts.targetClass], [-1, 1]));
    })(activations);
    const weights = tf.mean(grad, [1], true); // [1, 1, C]
    return tf.reshape(tf.relu(tf.sum(tf.mul(activations, weights), [2])), [-1]); // [T]
  });
  const small = cam.dataSync() as Float32Array;
  cam.dispose();
  return upsampleLinear(small, inputLength);
}

/**
 * Linear interpolation from T to L samples with half-sample alignment: feature t covers the
 * input span [t·L/T, (t+1)·L/T), so its value sits at that span's centre. Ends are held.
 */
export function upsampleLinear(src: Float32Array, length: number): Float32Array {
  const T = src.length;
  const out = new Float32Array(length);
  if (T === 1) return out.fill(src[0]);
  for (let i = 0; i < length; i++) {
    const p = Math.min(Math.max(((i + 0.5) * T) / length - 0.5, 0), T - 1);
    const lo = Math.floor(p);
    const hi = Math.min(lo + 1, T - 1);
    const f = p - lo;
    out[i] = src[lo] * (1 - f) + src[hi] * f;
  }
  return out;
}
