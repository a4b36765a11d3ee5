import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { WindowSet } from '../data/windows.js';
import { throwIfAborted } from './errors.js';

/**
 * Loss, accuracy and confusion matrix of a softmax classifier on a window set.
 *
 * Computed from predicted probabilities in JS rather than with `model.evaluate`, because we need
 * the confusion matrix anyway and one pass gives all three. The loss is the same sparse
 * categorical crossentropy tfjs trains with (probabilities clipped to [1e-7, 1 - 1e-7]).
 */

export interface Evaluation {
  loss: number;
  accuracy: number;
  /** rows = true class, columns = predicted class */
  confusionMatrix: number[][];
  count: number;
}

const EPSILON = 1e-7;

export async function evaluateModel(
  model: tfl.LayersModel,
  data: WindowSet,
  numClasses: number,
  opts: { batchSize: number; signal?: AbortSignal },
): Promise<Evaluation> {
  const confusionMatrix = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  if (data.count === 0) return { loss: NaN, accuracy: NaN, confusionMatrix, count: 0 };
  const w = data.windowLength;
  // Inference is cheap per sample; bigger batches amortise per-call overhead.
  const batch = Math.max(opts.batchSize, 128);
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < data.count; start += batch) {
    throwIfAborted(opts.signal, 'during evaluation');
    const n = Math.min(batch, data.count - start);
    const probs = tf.tidy(() => {
      const x = tf.tensor3d(data.x.subarray(start * w, (start + n) * w), [n, w, 1]);
      return model.predictOnBatch(x) as tf.Tensor;
    });
    let p: Float32Array;
    try {
      p = (await probs.data()) as Float32Array;
    } finally {
      probs.dispose();
    }
    for (let i = 0; i < n; i++) {
      const truth = data.y[start + i];
      const row = p.subarray(i * numClasses, (i + 1) * numClasses);
      let best = 0;
      for (let c = 1; c < numClasses; c++) if (row[c] > row[best]) best = c;
      const pt = Math.min(1 - EPSILON, Math.max(EPSILON, row[truth]));
      // NaN probabilities keep the loss NaN so divergence is detected, not clipped away.
      lossSum += Number.isNaN(row[truth]) ? NaN : -Math.log(pt);
      if (best === truth) correct++;
      confusionMatrix[truth][best]++;
    }
    await yieldToEventLoop();
  }
  return { loss: lossSum / data.count, accuracy: correct / data.count, confusionMatrix, count: data.count };
}

/**
 * tfjs' cpu and wasm backends resolve `data()` in a microtask, so a training loop never gives
 * the event loop a turn by itself: IPC messages, signals and abort events would queue up until
 * training ends. One setImmediate per batch costs microseconds.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
