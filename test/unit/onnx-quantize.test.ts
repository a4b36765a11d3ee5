import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatorConfigSchema } from '../../contracts/dataset.js';
import type { Architecture } from '../../contracts/training.js';
import { buildWindows, type WindowSet } from '../../ml/data/windows.js';
import { buildModel, compileModel, disposeModel } from '../../ml/model/index.js';
import {
  CalibrationError,
  createSession,
  decodeModel,
  exportToOnnx,
  foldForQuantization,
  INPUT_NAME,
  OUTPUT_NAME,
  quantizeDynamic,
  quantizeStatic,
  runWindows,
  tfjsPredict,
  windowsSha256,
  type CalibrationWindows,
} from '../../ml/onnx/index.js';
import { planSignal, simulateSignal } from '../../ml/signal/simulator.js';
import { initBackend } from '../../ml/tf/index.js';
import { checkGenome, DEFAULT_NAS_SPACE, Prng, randomGenome } from '../../workflows/search/index.js';

/**
 * int8 quantization of a model trained (briefly, for real) on simulated bearing windows: the
 * static QDQ model is calibrated on the training windows and scored on held-out signals; its
 * accuracy must stay within 1 pp of the fp32 model's, onnxruntime must fuse it into integer
 * kernels, and calibration must refuse windows that are not the ones it was given provenance for.
 */
const L = 512;
const CLASSES = 4;

/** Windows of `signals` simulated recordings (labels cycle through the 4 fault types), cut as a dataset is. */
function windowsOf(seed: number, signalsPerClass: number): WindowSet {
  const config = SimulatorConfigSchema.parse({ seed, signalsPerClass, signalLength: 16 * L });
  const sources = Array.from({ length: signalsPerClass * CLASSES }, (_, i) => {
    const spec = planSignal(config, i);
    return { index: i, labelIndex: i % CLASSES, samples: simulateSignal(spec, config.samplingRateHz, config.signalLength) };
  });
  return buildWindows(sources, { windowLength: L, windowHop: L / 2, maxWindowsPerSignal: 16 });
}

/** Trained for real; no batch norm, whose moving statistics would still be near their initial values after so short a training. */
const ARCH: Architecture = {
  blocks: [
    { filters: 8, kernelSize: 32, stride: 4, dilation: 1, pool: 'max', poolSize: 2, batchNorm: false, residual: false },
    { filters: 16, kernelSize: 5, stride: 1, dilation: 1, pool: 'max', poolSize: 2, batchNorm: false, residual: false },
    { filters: 16, kernelSize: 3, stride: 1, dilation: 2, pool: 'none', poolSize: 2, batchNorm: false, residual: true },
  ],
  head: 'global-avg',
  denseUnits: 16,
  dropout: 0,
};

/** Window order interleaving the classes, so fit needs no (unseeded) shuffle. */
function interleaved(w: WindowSet): WindowSet {
  const byClass = Array.from({ length: CLASSES }, (_, c) => [...w.y.keys()].filter((i) => w.y[i] === c));
  const order: number[] = [];
  for (let k = 0; order.length < w.count; k++) for (const list of byClass) if (k < list.length) order.push(list[k]);
  const x = new Float32Array(w.x.length);
  order.forEach((j, i) => x.set(w.x.subarray(j * L, (j + 1) * L), i * L));
  return { ...w, x, y: Int32Array.from(order, (j) => w.y[j]), signalOf: Int32Array.from(order, (j) => w.signalOf[j]) };
}

let train: WindowSet;
let test: WindowSet;
let model: tfl.LayersModel;
let fp32: Uint8Array;
let calibration: CalibrationWindows;

function accuracy(p: Float32Array, y: Int32Array): number {
  let right = 0;
  for (let i = 0; i < y.length; i++) {
    let best = 0;
    for (let c = 1; c < CLASSES; c++) if (p[i * CLASSES + c] > p[i * CLASSES + best]) best = c;
    if (best === y[i]) right++;
  }
  return right / y.length;
}

async function ortPredict(bytes: Uint8Array, w: WindowSet): Promise<Float32Array> {
  const session = await createSession(bytes);
  try {
    const out = await runWindows(session, w.x, w.count, w.windowLength, { inputName: INPUT_NAME, outputNames: [OUTPUT_NAME] });
    return out.get(OUTPUT_NAME)?.data ?? new Float32Array(0);
  } finally {
    await session.release();
  }
}

/** Op types of the graph onnxruntime actually runs (its optimised model, saved to a file). */
async function optimisedOps(bytes: Uint8Array): Promise<Set<string>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'faultline-q-'));
  try {
    const file = path.join(dir, 'opt.onnx');
    const s = await createSession(bytes, { optimization: 'all', optimizedModelPath: file });
    await s.release();
    return new Set(decodeModel(new Uint8Array(readFileSync(file))).graph.node.map((n) => n.opType));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

beforeAll(async () => {
  await initBackend('wasm');
  train = interleaved(windowsOf(11, 4));
  test = windowsOf(12, 2);
  model = buildModel(ARCH, { inputLength: L, numClasses: CLASSES, seed: 5 });
  compileModel(model, { optimizer: 'adam', learningRate: 0.01 });
  const x = tf.tensor3d(train.x, [train.count, L, 1]);
  const y = tf.tensor1d(train.y, 'float32');
  await model.fit(x, y, { epochs: 10, batchSize: 32, shuffle: false, verbose: 0 });
  x.dispose();
  y.dispose();
  fp32 = exportToOnnx(model).bytes;
  calibration = { x: train.x, count: train.count, windowLength: L, provenance: { datasetId: 'sim-11', split: 'train', sha256: windowsSha256(train.x) } };
}, 240_000);

afterAll(() => disposeModel(model));

describe('int8 static quantization (QDQ)', () => {
  it('keeps the trained model accurate on held-out windows, shrinks it, and runs as integer kernels', async () => {
    const reference = accuracy(tfjsPredict(model, test), test.y);
    // The brief training must have learnt something, or "accuracy kept" says nothing.
    expect(reference).toBeGreaterThan(0.6);
    const { bytes, report } = await quantizeStatic(fp32, calibration);
    expect(report.quantizedNodes).toBe(5); // 3 convs (the residual one has no projection), 2 dense
    const q = accuracy(await ortPredict(bytes, test), test.y);
    console.info(JSON.stringify({ fp32Accuracy: reference, int8StaticAccuracy: q, bytes: { fp32: fp32.length, int8: bytes.length } }));
    expect((reference - q) * 100).toBeLessThanOrEqual(1);
    // A model this small is mostly names and graph; its weights shrink about 4x (int8 codes, one scale per channel).
    const weightBytes = (b: Uint8Array) => decodeModel(b).graph.initializer.reduce((n, t) => n + (t.rawData?.length ?? 0), 0);
    expect(weightBytes(bytes)).toBeLessThan(weightBytes(fp32) / 2.5);
    expect(bytes.length).toBeLessThan(fp32.length);
    const graph = decodeModel(bytes).graph;
    // Weights are int8 per output channel; the float weights are gone from the file.
    const dq = graph.node.filter((n) => n.opType === 'DequantizeLinear' && n.input[0].endsWith('.int8'));
    expect(dq.length).toBe(5);
    for (const n of dq) expect(n.attribute?.find((a) => a.name === 'axis')).toBeDefined();
    expect(graph.node.some((n) => n.opType === 'BatchNormalization')).toBe(false);
    const ops = await optimisedOps(bytes);
    expect(ops.has('QLinearConv')).toBe(true);
    expect(ops.has('Conv')).toBe(false);
  }, 120_000);

  it("folds batch norms into the convolutions and keeps the fp32 export's predictions on a model with trained-like statistics", async () => {
    const arch: Architecture = { ...ARCH, blocks: ARCH.blocks.map((b) => ({ ...b, batchNorm: true })) };
    const bn = buildModel(arch, { inputLength: L, numClasses: CLASSES, seed: 8 });
    const rngValues = (n: number, lo: number, hi: number, k: number) =>
      Float32Array.from({ length: n }, (_, i) => lo + ((hi - lo) * ((i * 7919 + k) % 97)) / 97);
    for (const layer of bn.layers) {
      if (layer.getClassName() !== 'BatchNormalization') continue;
      const c = layer.weights[0].shape[0] ?? 0;
      // gamma, beta, moving mean, moving variance of a trained layer, not the identity a fresh one is.
      layer.setWeights([rngValues(c, 0.5, 1.5, 1), rngValues(c, -0.3, 0.3, 2), rngValues(c, -0.5, 0.5, 3), rngValues(c, 0.3, 2, 4)].map((v) => tf.tensor1d(v)));
    }
    const bytes = exportToOnnx(bn).bytes;
    const folded = foldForQuantization(decodeModel(bytes));
    expect(folded.folded).toBe(3);
    const { bytes: q, report } = await quantizeStatic(bytes, calibration);
    expect(report.foldedBatchNorms).toBe(3);
    const a = await ortPredict(bytes, test);
    const b = await ortPredict(q, test);
    let same = 0;
    for (let i = 0; i < test.count; i++) {
      const arg = (p: Float32Array) => [...p.subarray(i * CLASSES, (i + 1) * CLASSES)].reduce((best, v, c, all) => (v > all[best] ? c : best), 0);
      if (arg(a) === arg(b)) same++;
    }
    expect(same / test.count).toBeGreaterThanOrEqual(0.95);
    disposeModel(bn);
  }, 60_000);

  it('refuses calibration windows that are not the ones their provenance names (noise in place of the dataset)', async () => {
    const noise = Float32Array.from({ length: calibration.x.length }, () => Math.random() * 2 - 1);
    await expect(quantizeStatic(fp32, { ...calibration, x: noise })).rejects.toThrow(CalibrationError);
    await expect(quantizeStatic(fp32, { ...calibration, x: noise })).rejects.toThrow(/windows hash .* is not provenance.sha256 .* of dataset "sim-11"/);
    await expect(quantizeStatic(fp32, { ...calibration, provenance: { ...calibration.provenance, split: 'test' as 'train' } })).rejects.toThrow(
      /provenance.split is "test"/,
    );
  });
});

describe('int8 dynamic quantization', () => {
  it('quantizes convolutions (ConvInteger) and dense layers (DynamicQuantizeMatMul) within 1 pp', async () => {
    const reference = accuracy(tfjsPredict(model, test), test.y);
    const { bytes, report } = quantizeDynamic(fp32);
    expect(report.quantizedNodes).toBe(5);
    expect(report.floatNodes).toBe(0);
    const q = accuracy(await ortPredict(bytes, test), test.y);
    console.info(JSON.stringify({ fp32Accuracy: reference, int8DynamicAccuracy: q, bytes: bytes.length }));
    expect((reference - q) * 100).toBeLessThanOrEqual(1);
    const ops = new Set(decodeModel(bytes).graph.node.map((n) => n.opType));
    expect([...ops]).toEqual(expect.arrayContaining(['ConvInteger', 'DynamicQuantizeMatMul', 'DynamicQuantizeLinear']));
  }, 120_000);
});

describe('both int8 forms on NAS-found architectures', () => {
  it("random valid genomes (projections, flatten heads, average pools, dilations) load in onnxruntime and keep the fp32 model's classes", async () => {
    const rng = Prng.fromSeed(31);
    const figures: { form: string; agreement: number; dropPp: number }[] = [];
    let tested = 0;
    for (let i = 0; i < 200 && tested < 6; i++) {
      const g = randomGenome(rng, DEFAULT_NAS_SPACE);
      if (!checkGenome(g, { inputLength: L, numClasses: CLASSES, maxParams: 60_000 }).ok) continue;
      // Trained briefly: a random network's classes hang on differences quantization rounds away.
      const m = buildModel({ ...g, blocks: g.blocks.map((b) => ({ ...b, batchNorm: false })) }, { inputLength: L, numClasses: CLASSES, seed: 200 + i });
      compileModel(m, { optimizer: 'adam', learningRate: 0.01 });
      const x = tf.tensor3d(train.x, [train.count, L, 1]);
      const y = tf.tensor1d(train.y, 'float32');
      await m.fit(x, y, { epochs: 2, batchSize: 32, shuffle: false, verbose: 0 });
      tf.dispose([x, y]);
      const bytes = exportToOnnx(m).bytes;
      disposeModel(m);
      const reference = await ortPredict(bytes, test);
      const forms = { static: (await quantizeStatic(bytes, calibration)).bytes, dynamic: quantizeDynamic(bytes).bytes };
      for (const [form, q] of Object.entries(forms)) {
        const got = await ortPredict(q, test);
        let same = 0;
        for (let w = 0; w < test.count; w++) {
          const arg = (p: Float32Array) => [...p.subarray(w * CLASSES, (w + 1) * CLASSES)].reduce((best, v, c, all) => (v > all[best] ? c : best), 0);
          if (arg(reference) === arg(got)) same++;
        }
        const drop = (accuracy(reference, test.y) - accuracy(got, test.y)) * 100;
        // Two epochs leave many windows near a class boundary: the held-out accuracy is what must hold.
        figures.push({ form, agreement: same / test.count, dropPp: drop });
        expect(drop, `${form} ${JSON.stringify(g)}`).toBeLessThanOrEqual(2);
        expect(same / test.count, `${form} ${JSON.stringify(g)}`).toBeGreaterThanOrEqual(0.85);
      }
      tested++;
    }
    expect(tested).toBe(6);
    console.info(JSON.stringify(figures));
  }, 240_000);
});
