import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../config/index.js';
import { initBackend, nativeTfInstalled } from '../../ml/tf/index.js';
import { nativeTfThreadEnv } from '../../ml/tf/threads.js';
import { threadsPerTraining } from '../../config/train-slots.js';
import { Rng } from '../../ml/random.js';

/**
 * The native TensorFlow backend that `npm run setup` builds into native/ (skipped where setup
 * could not build it), and the thread sizing every TensorFlow process gets.
 */

describe('TensorFlow thread pools', () => {
  it('get the cores divided by the training slots, one inter-op thread and quiet logs', () => {
    expect(nativeTfThreadEnv(2, {})).toEqual({ TF_NUM_INTRAOP_THREADS: '2', TF_NUM_INTEROP_THREADS: '1', TF_CPP_MIN_LOG_LEVEL: '2' });
    expect(nativeTfThreadEnv(0.5, {}).TF_NUM_INTRAOP_THREADS).toBe('1');
    expect(nativeTfThreadEnv(2, { TF_NUM_INTRAOP_THREADS: '7', TF_CPP_MIN_LOG_LEVEL: '0' })).toMatchObject({
      TF_NUM_INTRAOP_THREADS: '7',
      TF_CPP_MIN_LOG_LEVEL: '0',
    });
    const worker: Config['worker'] = { queues: ['train'], controlSlots: 50 };
    expect(threadsPerTraining({ ...worker, trainSlots: 1 }, 8)).toBe(8);
    expect(threadsPerTraining({ ...worker, trainSlots: 2 }, 2)).toBe(1);
    expect(threadsPerTraining({ ...worker, trainSlots: 4 }, 2)).toBe(1);
    // Default slots on 2 cores: two trainings, one thread each.
    expect(threadsPerTraining(worker, 2)).toBe(1);
  });
});

describe.skipIf(!nativeTfInstalled())('native TensorFlow backend (built by npm run setup)', () => {
  it('is chosen automatically and reports tfjs-node and TensorFlow versions', async () => {
    const info = await initBackend();
    expect(info.name).toBe('tensorflow');
    expect(info.version).toMatch(/^tfjs-node 4\.22\.0, TensorFlow \d+\.\d+\.\d+$/);
  });

  it('computes a Conv1D + bias + ReLU layer and its gradients like the pure-JS cpu backend (1e-3)', async () => {
    await initBackend();
    const rng = new Rng(5);
    const data = (n: number) => Float32Array.from({ length: n }, () => rng.uniform() * 2 - 1);
    const x = data(4 * 64 * 3);
    const w = data(9 * 3 * 8);
    const b = data(8);
    const run = (): Float32Array[] =>
      tf.tidy(() => {
        const xt = tf.tensor3d(x, [4, 64, 3]);
        const wt = tf.tensor3d(w, [9, 3, 8]);
        const bt = tf.tensor1d(b);
        // Dilation 2, as the dilated blocks of our CNNs use (their gradient is ours: gradients/conv2d-dilated.ts).
        const f = (xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) =>
          tf.mean(tf.square(tf.relu(tf.add(tf.conv1d(xi as tf.Tensor3D, wi as tf.Tensor3D, 1, 'same', 'NWC', 2), bi))));
        const { value, grads } = tf.valueAndGrads(f)([xt, wt, bt]);
        return [value, ...grads].map((t) => t.dataSync() as Float32Array);
      });
    const native = run();
    await tf.setBackend('cpu');
    try {
      const cpu = run();
      cpu.forEach((ref, i) => {
        expect(native[i].length).toBe(ref.length);
        const worst = ref.reduce((m, v, j) => Math.max(m, Math.abs(v - native[i][j])), 0);
        expect(worst, `output ${i}`).toBeLessThan(1e-3);
      });
    } finally {
      await tf.setBackend('tensorflow');
    }
  });
});
