import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { WindowSet } from '../data/windows.js';

/**
 * AdaBN (Li et al. 2016): a network trained on one condition, run on another, sees shifted
 * activations; re-estimating every batch-norm layer's moving mean and variance on unlabelled
 * windows of the target condition removes much of that shift without any label or gradient.
 *
 * Layers are adapted in network order, each on the activations the already adapted layers before
 * it produce (the statistics a forward pass in the target domain would see). Returns how many
 * batch-norm layers were adapted (0: nothing to do, the model is unchanged).
 */
export async function adaptBatchNorm(model: tfl.LayersModel, windows: WindowSet, batchSize = 256): Promise<number> {
  if (windows.count === 0) return 0;
  const bns = model.layers.filter((l) => l.getClassName() === 'BatchNormalization');
  for (const bn of bns) {
    const input = bn.input as tfl.SymbolicTensor;
    const probe = tfl.model({ inputs: model.inputs, outputs: input });
    const channels = input.shape[input.shape.length - 1] as number;
    const sum = new Float64Array(channels);
    const sumSq = new Float64Array(channels);
    let n = 0;
    const w = windows.windowLength;
    for (let start = 0; start < windows.count; start += batchSize) {
      const count = Math.min(batchSize, windows.count - start);
      const [s, s2, rows] = tf.tidy(() => {
        const x = tf.tensor3d(windows.x.subarray(start * w, (start + count) * w), [count, w, 1]);
        const a = probe.predict(x) as tf.Tensor;
        const flat = tf.reshape(a, [-1, channels]);
        return [tf.sum(flat, 0).dataSync() as Float32Array, tf.sum(tf.square(flat), 0).dataSync() as Float32Array, flat.shape[0]] as const;
      });
      for (let c = 0; c < channels; c++) {
        sum[c] += s[c];
        sumSq[c] += s2[c];
      }
      n += rows;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const mean = Float32Array.from(sum, (v) => v / n);
    const variance = Float32Array.from(sumSq, (v, c) => Math.max(0, v / n - mean[c] * mean[c]));
    // BatchNormalization weights: [gamma?, beta?, movingMean, movingVariance].
    const weights = bn.getWeights();
    const replaced = [...weights.slice(0, weights.length - 2), tf.tensor1d(mean), tf.tensor1d(variance)];
    bn.setWeights(replaced);
    replaced.slice(-2).forEach((t) => t.dispose());
  }
  return bns.length;
}
