import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel, REFERENCE_ARCHITECTURE } from '../../ml/model/index.js';
import { Rng } from '../../ml/random.js';
import { initBackend } from '../../ml/tf/index.js';
import { completenessGap, deletionFaithfulness, gradCam, integratedGradients, kernelShap, occlusion } from '../../ml/xai/index.js';

/**
 * The methods on the pure-JS cpu backend (its own process: the backend is chosen once per
 * process) with the reference architecture (strided wide first conv, batch norm): they need no
 * weight gradients, so they run wherever a model can predict. Untrained model, small inputs.
 */

const L = 512; // the reference architecture at a quarter of its input length keeps this quick
let model: ReturnType<typeof buildModel>;
let x: Float32Array;

beforeAll(async () => {
  const info = await initBackend('cpu');
  expect(info.name).toBe('cpu');
  model = buildModel(REFERENCE_ARCHITECTURE, { inputLength: L, numClasses: 4, seed: 3 });
  const rng = new Rng(1);
  x = Float32Array.from({ length: L }, () => rng.normal());
});

afterAll(() => model.dispose());

describe('xai on the cpu backend', () => {
  it('IG is complete within 1 % and nothing leaks', () => {
    const before = tf.memory().numTensors;
    const opts = { targetClass: 2, steps: 256, score: 'logit' as const };
    const attr = integratedGradients(model, x, opts);
    const gap = completenessGap(model, x, attr, opts);
    expect(gap.relativeError, `sum ${gap.sum} vs ${gap.expected}`).toBeLessThan(0.01);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('Grad-CAM, occlusion, KernelSHAP and the deletion curve run without leaks', () => {
    const before = tf.memory().numTensors;
    const cam = gradCam(model, x, { targetClass: 1 });
    expect(cam).toHaveLength(L);
    const occ = occlusion(model, x, { targetClass: 1, window: 64, stride: 32 });
    expect(occ).toHaveLength(L);
    const rng = new Rng(2);
    const background = [0, 1, 2].map(() => Float32Array.from({ length: L }, () => rng.normal()));
    const shap = kernelShap(model, x, { targetClass: 1, segments: 8, background, samples: 40, seed: 1 });
    expect(shap.segments.reduce((s, g) => s + g.value, 0)).toBeCloseTo(shap.full - shap.base, 6);
    const f = deletionFaithfulness(model, x, occ, { targetClass: 1, steps: 8, seed: 1 });
    expect(f.method).toHaveLength(9);
    expect(tf.memory().numTensors).toBe(before);
  });
});
