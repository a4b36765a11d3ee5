import { beforeAll, describe, expect, it } from 'vitest';
import { REFERENCE_ARCHITECTURE } from '../../contracts/architecture.js';
import { SimulatorConfigSchema } from '../../contracts/dataset.js';
import { predictWindows, predictWindowsOrt, type PredictJob } from '../../ml/eval/predict.js';
import { buildModel, disposeModel } from '../../ml/model/index.js';
import { createSession, exportToOnnx } from '../../ml/onnx/index.js';
import { planSignal, simulateSignal } from '../../ml/signal/simulator.js';
import { initBackend } from '../../ml/tf/index.js';

/**
 * Batch inference on onnxruntime (what the evaluation's predictions run on when an exported
 * version benchmarked faster) against tfjs: the same windows, cut and normalised by the same
 * code, give the same probabilities and the same predicted classes.
 */
const L = 1024;

beforeAll(async () => {
  await initBackend('cpu');
});

function signals(count: number, length: number): Float32Array[] {
  const config = SimulatorConfigSchema.parse({ seed: 11, signalsPerClass: 2, signalLength: length });
  return Array.from({ length: count }, (_, i) => simulateSignal(planSignal(config, i), config.samplingRateHz, config.signalLength));
}

describe('predictions on onnxruntime and on tfjs', () => {
  it.each([
    ['z-normalised windows', false],
    ['windows scaled by their recording', true],
  ])('%s: probabilities within 1e-4, identical classes', async (_name, scaled) => {
    const model = buildModel(REFERENCE_ARCHITECTURE, { inputLength: L, numClasses: 4, seed: 5 });
    try {
      const samples = signals(8, 6 * L);
      const job: PredictJob = {
        windowLength: L,
        batchSize: 7, // not a divisor of the 40 windows: a short last batch on both engines
        signals: samples.map((s, i) => ({
          uri: `signal-${i}`,
          starts: [0, L, 2 * L + 17, 3 * L, 5 * L - 1],
          ...(scaled ? { scale: { mean: 0.01 * i, std: 0.5 + 0.1 * i } } : {}),
        })),
      };
      const session = await createSession(exportToOnnx(model).bytes, { threads: 1 });
      const ort = await predictWindowsOrt(session, samples, job, 4);
      const tfjs = predictWindows(model, samples, job);
      expect(ort.length).toBe(40 * 4);
      expect(tfjs.length).toBe(ort.length);
      let diff = 0;
      for (let i = 0; i < ort.length; i++) diff = Math.max(diff, Math.abs(ort[i] - tfjs[i]));
      expect(diff).toBeLessThanOrEqual(1e-4);
      const argmax = (p: Float32Array, w: number) => [0, 1, 2, 3].reduce((best, c) => (p[w * 4 + c] > p[w * 4 + best] ? c : best), 0);
      for (let w = 0; w < 40; w++) expect(argmax(ort, w)).toBe(argmax(tfjs, w));
      await session.release();
    } finally {
      disposeModel(model);
    }
  });

  it('refuses a window past the end of its signal on onnxruntime too', async () => {
    const model = buildModel(REFERENCE_ARCHITECTURE, { inputLength: L, numClasses: 4, seed: 5 });
    try {
      const samples = signals(1, 2 * L);
      const session = await createSession(exportToOnnx(model).bytes, { threads: 1 });
      await expect(predictWindowsOrt(session, samples, { windowLength: L, batchSize: 4, signals: [{ uri: 's', starts: [L + 1] }] }, 4)).rejects.toThrow(
        /window at 1025 runs past its 2048 samples/,
      );
      await session.release();
    } finally {
      disposeModel(model);
    }
  });
});
