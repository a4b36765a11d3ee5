import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/**
 * Shared plumbing of the explanation methods: input checks, baselines, and a layer-by-layer
 * forward pass that can (a) stop before the final softmax to expose logits and (b) substitute a
 * tensor for one layer's output, which is what Grad-CAM needs to differentiate w.r.t. an inner
 * activation.
 *
 * Everything here works on whatever tfjs backend the caller initialised. The gradients the
 * methods take are w.r.t. inputs and activations only (Conv2DBackpropInput, MaxPoolGrad,
 * element-wise ops), never w.r.t. weights, so the stock wasm backend suffices even without the
 * project's Conv2DBackpropFilter kernel.
 */

/** Bad caller input (wrong length, class index, step count...). The message names the field. */
export class XaiInputError extends RangeError {
  constructor(message: string) {
    super(message);
    this.name = 'XaiInputError';
  }
}

/**
 * What a gradient method differentiates:
 * - 'probability': the softmax output of the target class (the model's own output). Attributions
 *   are in probability units, comparable with occlusion and the deletion curve.
 * - 'logit': the pre-softmax score of the target class. Does not saturate when the model is
 *   confident, which matters for Grad-CAM on a well-trained model.
 */
export type Score = 'probability' | 'logit';

/**
 * Reference input for "feature absent":
 * - 'zeros': all zeros. Windows are z-scored per window, so zero is the window mean, i.e. "no
 *   vibration".
 * - 'mean': a constant at the mean of `x` itself (≈ zeros for z-scored windows; differs for raw
 *   windows).
 * - a Float32Array of the window length (e.g. a healthy-class average window).
 */
export type Baseline = 'zeros' | 'mean' | Float32Array;

export interface ModelShape {
  inputLength: number;
  numClasses: number;
}

/** Input length and class count of a [batch, length, 1] → [batch, classes] model. */
export function modelShape(model: tfl.LayersModel): ModelShape {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new XaiInputError(`model must have one input and one output, got ${model.inputs.length} and ${model.outputs.length}`);
  }
  const inShape = model.inputs[0].shape;
  const outShape = model.outputs[0].shape;
  if (inShape.length !== 3 || inShape[2] !== 1 || typeof inShape[1] !== 'number') {
    throw new XaiInputError(`model input must be [batch, length, 1], got [${inShape.join(', ')}]`);
  }
  if (outShape.length !== 2 || typeof outShape[1] !== 'number') {
    throw new XaiInputError(`model output must be [batch, classes], got [${outShape.join(', ')}]`);
  }
  return { inputLength: inShape[1], numClasses: outShape[1] };
}

export function checkWindow(x: Float32Array, inputLength: number, field = 'x'): void {
  if (!(x instanceof Float32Array)) throw new XaiInputError(`${field} must be a Float32Array`);
  if (x.length !== inputLength) {
    throw new XaiInputError(`${field} has length ${x.length}, the model expects ${inputLength}`);
  }
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) throw new XaiInputError(`${field}[${i}] is not finite (${x[i]})`);
  }
}

export function checkClass(targetClass: number, numClasses: number): void {
  if (!Number.isInteger(targetClass) || targetClass < 0 || targetClass >= numClasses) {
    throw new XaiInputError(`targetClass must be an integer in [0, ${numClasses - 1}], got ${targetClass}`);
  }
}

export function checkInt(field: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new XaiInputError(`${field} must be an integer ${range}, got ${value}`);
  }
}

export function resolveBaseline(baseline: Baseline | undefined, x: Float32Array, field = 'baseline'): Float32Array {
  const b = baseline ?? 'zeros';
  if (b === 'zeros') return new Float32Array(x.length);
  if (b === 'mean') {
    let s = 0; // float64 sum: float32 loses digits over thousands of samples
    for (let i = 0; i < x.length; i++) s += x[i];
    return new Float32Array(x.length).fill(s / x.length);
  }
  if (b instanceof Float32Array) {
    checkWindow(b, x.length, field);
    return b;
  }
  throw new XaiInputError(`${field} must be 'zeros', 'mean' or a Float32Array, got ${String(b)}`);
}

// ---------------------------------------------------------------------------------------------
// Forward pass

interface ForwardOptions {
  score: Score;
  /** Use this tensor as the output of the named layer instead of computing it. */
  replace?: { layer: string; value: tf.Tensor };
  /** Also return the output of the named layer. */
  capture?: string;
}

interface ForwardResult {
  /** [batch, classes]: probabilities or logits per `score`. */
  out: tf.Tensor2D;
  captured?: tf.Tensor;
}

/**
 * Runs the model layer by layer in topological order (`model.layers` is sorted so) on concrete
 * tensors, so tf.grad sees every op. A hand-walk rather than a functional sub-model from the
 * chosen layer: residual blocks (buildModel's `residual`) feed the block *input* to the add
 * layer, so the part after an inner conv is not a closed graph of that conv's output alone, and
 * re-applying shared layers symbolically would add nodes to the caller's model on every call.
 *
 * Each layer is assumed to be used once in the model (its first inbound node), as buildModel
 * produces. Call inside tf.tidy: intermediate tensors are not disposed here.
 */
export function forward(outer: tfl.LayersModel, input: tf.Tensor, opts: ForwardOptions): ForwardResult {
  const model = graphOf(outer);
  const outputs = new Map<string, tf.Tensor>();
  if (model.inputLayers.length !== 1) throw new XaiInputError('model must have exactly one input layer');
  outputs.set(model.inputLayers[0].name, input);
  const last = model.outputLayers[0];
  let captured: tf.Tensor | undefined;
  for (const layer of model.layers) {
    if (outputs.has(layer.name)) continue; // the input layer
    if (opts.replace && opts.replace.layer === layer.name) {
      outputs.set(layer.name, opts.replace.value);
    } else {
      const node = layer.inboundNodes[0];
      const ins = node.inboundLayers.map((l) => {
        const t = outputs.get(l.name);
        if (!t) throw new Error(`forward: layer '${layer.name}' needs '${l.name}', which has not run yet`);
        return t;
      });
      const arg = ins.length === 1 ? ins[0] : ins;
      const out = layer === last && opts.score === 'logit' ? denseLogits(layer, ins[0]) : (layer.apply(arg, { training: false }) as tf.Tensor);
      outputs.set(layer.name, out);
    }
    if (layer.name === opts.capture) captured = outputs.get(layer.name);
  }
  const out = outputs.get(last.name);
  if (!out) throw new Error(`forward: output layer '${last.name}' did not run`);
  if (opts.capture !== undefined && !captured) throw new XaiInputError(`layer '${opts.capture}' is not in the model`);
  return { out: out as tf.Tensor2D, captured };
}

/**
 * The functional graph behind a model. A tfl.Sequential keeps its graph in a private inner
 * LayersModel, created lazily on first build/predict; its own `inputLayers` are empty until then.
 */
function graphOf(model: tfl.LayersModel): tfl.LayersModel {
  if (model.getClassName() !== 'Sequential') return model;
  const holder = model as unknown as { model?: tfl.LayersModel };
  if (!holder.model) model.build(model.inputs[0].shape);
  if (!holder.model) throw new XaiInputError('Sequential model could not be built');
  return holder.model;
}

/** Pre-activation output of the final Dense (softmax) layer: x·W + b. */
function denseLogits(layer: tfl.layers.Layer, x: tf.Tensor): tf.Tensor {
  const cfg = layer.getConfig();
  if (layer.getClassName() !== 'Dense' || cfg.activation !== 'softmax') {
    throw new XaiInputError(`score 'logit' needs a final Dense layer with softmax activation, got ${layer.getClassName()} (${String(cfg.activation)})`);
  }
  const [kernel, bias] = layer.getWeights();
  const z = tf.matMul(x as tf.Tensor2D, kernel as tf.Tensor2D);
  return bias ? tf.add(z, bias) : z;
}

/** Score of `targetClass` per batch row, as a [batch] tensor. Call inside tf.tidy. */
export function targetScore(model: tfl.LayersModel, input: tf.Tensor, targetClass: number, score: Score): tf.Tensor1D {
  const { out } = forward(model, input, { score });
  return tf.squeeze(tf.slice(out, [0, targetClass], [-1, 1]), [1]) as tf.Tensor1D;
}

/**
 * Target-class probabilities of `count` windows stored row-major in `xs`, in chunks of
 * `batchSize` so a large occlusion/SHAP batch never materialises at once.
 */
export function predictTarget(
  model: tfl.LayersModel,
  xs: Float32Array,
  count: number,
  inputLength: number,
  targetClass: number,
  batchSize = 128,
  score: Score = 'probability',
): Float64Array {
  const out = new Float64Array(count);
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const scores = tf.tidy(() => {
      const t = tf.tensor3d(xs.subarray(start * inputLength, (start + n) * inputLength), [n, inputLength, 1]);
      if (score === 'probability') {
        const p = model.predict(t, { batchSize: n }) as tf.Tensor2D;
        return tf.squeeze(tf.slice(p, [0, targetClass], [-1, 1]), [1]);
      }
      return targetScore(model, t, targetClass, score);
    });
    // The tensor a tidy returns survives it: read it, then dispose it.
    out.set(scores.dataSync(), start);
    scores.dispose();
  }
  return out;
}

/** Boundaries of `segments` near-equal segments of [0, length): segment k is [b[k], b[k+1]). */
export function segmentBounds(length: number, segments: number): Int32Array {
  const b = new Int32Array(segments + 1);
  for (let k = 0; k <= segments; k++) b[k] = Math.round((k * length) / segments);
  return b;
}
