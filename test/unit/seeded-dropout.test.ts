import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { deserializeModel, serializeModel, SeededDropout } from '../../ml/model/index.js';
import { initBackend } from '../../ml/tf/index.js';

beforeAll(async () => {
  await initBackend('wasm');
});

/** The layer applied to 4,000 ones at `step`, as plain numbers. */
function applyAt(layer: SeededDropout, step: number, training: boolean): number[] {
  layer.step = step;
  return tf.tidy(() => Array.from((layer.apply(tf.ones([40, 100]), { training }) as tf.Tensor).dataSync()));
}

describe('SeededDropout', () => {
  it('draws the same mask for the same seed and step, another for another step or seed', () => {
    const a = new SeededDropout({ rate: 0.3, seed: 5 });
    const b = new SeededDropout({ rate: 0.3, seed: 5 });
    expect(applyAt(a, 7, true)).toEqual(applyAt(b, 7, true));
    expect(applyAt(a, 8, true)).not.toEqual(applyAt(a, 7, true));
    expect(applyAt(new SeededDropout({ rate: 0.3, seed: 6 }), 7, true)).not.toEqual(applyAt(a, 7, true));
  });

  it('drops about `rate` of the inputs and scales the rest by 1 / (1 − rate)', () => {
    const out = applyAt(new SeededDropout({ rate: 0.3, seed: 1 }), 0, true);
    const dropped = out.filter((v) => v === 0).length / out.length;
    expect(dropped).toBeGreaterThan(0.27);
    expect(dropped).toBeLessThan(0.33);
    for (const v of out.filter((x) => x !== 0)) expect(v).toBeCloseTo(1 / 0.7, 6);
  });

  it('is the identity outside training', () => {
    expect(applyAt(new SeededDropout({ rate: 0.5, seed: 1 }), 3, false)).toEqual(Array(4000).fill(1));
  });

  it('refuses a rate outside [0, 1) and a non-integer seed, naming the value', () => {
    expect(() => new SeededDropout({ rate: 1, seed: 1 })).toThrow(/rate must be in \[0, 1\), got 1/);
    expect(() => new SeededDropout({ rate: 0.2, seed: 1.5 })).toThrow(/seed must be an integer, got 1.5/);
  });

  it('survives a save and load with its rate and seed', async () => {
    const input = tfl.input({ shape: [8] });
    const output = new SeededDropout({ rate: 0.25, seed: 42, name: 'drop' }).apply(input) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: output });
    const loaded = await deserializeModel(await serializeModel(model, { includeOptimizer: false }));
    const layer = loaded.getLayer('drop');
    expect(layer).toBeInstanceOf(SeededDropout);
    expect(layer.getConfig()).toMatchObject({ rate: 0.25, seed: 42 });
    model.dispose();
    loaded.dispose();
  });
});
