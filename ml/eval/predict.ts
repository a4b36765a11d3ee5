import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { scaleInto, zNormalizeInto } from '../data/windows.js';
import { runWindows, type OrtSession } from '../onnx/runtime.js';
import { INPUT_NAME as ONNX_INPUT, OUTPUT_NAME as ONNX_OUTPUT } from '../onnx/export.js';

/**
 * Class probabilities of a model over many windows, in batches (the one module of ml/eval that
 * needs tfjs: the XAI child processes run it for the prediction activity, and the benchmark
 * calls it directly). Windows are normalised exactly as in training: z-scored alone, or scaled
 * by their recording's statistics for a model trained with `normalization: "recording"`.
 */
export interface PredictJob {
  windowLength: number;
  /** Each signal's artifact and the start offsets of its windows (in window order). */
  signals: { uri: string; starts: number[]; scale?: { mean: number; std: number } }[];
  batchSize: number;
  /**
   * An exported ONNX version of the same model (validated within 1e-4 of it) to run instead of
   * tfjs, chosen by the activity when its benchmark showed onnxruntime faster.
   */
  onnx?: { uri: string; versionId: string };
}

export class PredictInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PredictInputError';
  }
}

/** Probabilities of every window of `signals` (already read), windows × classes, row-major. */
export function predictWindows(model: tfl.LayersModel, samples: readonly Float32Array[], job: PredictJob): Float32Array {
  const L = job.windowLength;
  const shape = model.inputs[0].shape;
  if (shape[1] !== L) throw new PredictInputError(`the model takes windows of ${shape[1]} samples, not ${L}`);
  const k = (model.outputs[0].shape as number[])[1];
  const windows = windowList(samples, job);
  const out = new Float32Array(windows.length * k);
  const batch = Math.max(1, job.batchSize);
  const x = new Float32Array(batch * L);
  for (let b = 0; b < windows.length; b += batch) {
    const n = Math.min(batch, windows.length - b);
    normaliseInto(samples, job, windows, b, n, x);
    const probs = tf.tidy(() => model.predict(tf.tensor3d(x.subarray(0, n * L), [n, L, 1])) as tf.Tensor);
    try {
      out.set(probs.dataSync() as Float32Array, b * k);
    } finally {
      probs.dispose();
    }
  }
  return out;
}

/**
 * The same windows, normalised the same way, through an onnxruntime session of the exported
 * model (input `signal` [batch, L, 1], output `probabilities`, as ml/onnx/export.ts writes them).
 */
export async function predictWindowsOrt(session: OrtSession, samples: readonly Float32Array[], job: PredictJob, classes: number): Promise<Float32Array> {
  const L = job.windowLength;
  const windows = windowList(samples, job);
  const x = new Float32Array(windows.length * L);
  normaliseInto(samples, job, windows, 0, windows.length, x);
  const result = await runWindows(session, x, windows.length, L, { inputName: ONNX_INPUT, outputNames: [ONNX_OUTPUT], batchSize: Math.max(1, job.batchSize) });
  const probs = result.get(ONNX_OUTPUT);
  if (!probs || probs.data.length !== windows.length * classes)
    throw new PredictInputError(`the ONNX model gave ${probs?.data.length ?? 0} probabilities for ${windows.length} windows of ${classes} classes`);
  return probs.data;
}

/** Every window of the job in order, each checked to lie inside its signal. */
function windowList(samples: readonly Float32Array[], job: PredictJob): { s: number; start: number }[] {
  const L = job.windowLength;
  const flat: { s: number; start: number }[] = [];
  job.signals.forEach((sig, s) => {
    for (const start of sig.starts) {
      if (start < 0 || start + L > samples[s].length)
        throw new PredictInputError(`signal ${sig.uri}: window at ${start} runs past its ${samples[s].length} samples`);
      flat.push({ s, start });
    }
  });
  return flat;
}

/** Windows `from` … `from + n - 1`, normalised as in training, into `x` from its start. */
function normaliseInto(
  samples: readonly Float32Array[],
  job: PredictJob,
  windows: readonly { s: number; start: number }[],
  from: number,
  n: number,
  x: Float32Array,
): void {
  const L = job.windowLength;
  for (let i = 0; i < n; i++) {
    const { s, start } = windows[from + i];
    const scale = job.signals[s].scale;
    if (scale) scaleInto(samples[s], start, L, scale, x, i * L);
    else zNormalizeInto(samples[s], start, L, x, i * L);
  }
}
