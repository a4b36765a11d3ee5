import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { SimulatorConfigSchema } from '../../contracts/dataset.js';
import type { Architecture } from '../../contracts/training.js';
import { buildWindows, type WindowSet } from '../../ml/data/windows.js';
import { buildModel } from '../../ml/model/index.js';
import {
  checkParity,
  createSession,
  decodeModel,
  encodeModel,
  exportToOnnx,
  ONNX_OPSET,
  ParityError,
  runWindows,
  tfjsPredict,
  toFloat16Weights,
  toHalfBits,
  UnsupportedLayerError,
  type ParityWindows,
} from '../../ml/onnx/index.js';
import { Rng } from '../../ml/random.js';
import { planSignal, simulateSignal } from '../../ml/signal/simulator.js';
import { initBackend } from '../../ml/tf/index.js';
import { checkGenome, DEFAULT_NAS_SPACE, Prng, randomGenome } from '../../workflows/search/index.js';

/**
 * ONNX export parity: every layer kind the model builder (and NAS) can produce, exported and run
 * in onnxruntime, against tfjs on 256 z-normalised windows of simulated bearing recordings (the
 * windows a dataset of ours holds), within 1e-4.
 */
const L = 512;

/** 256 windows of length `length`: 16 signals (4 per class) × 16 windows, as buildWindows cuts a dataset. */
function datasetWindows(length: number): WindowSet {
  const config = SimulatorConfigSchema.parse({ seed: 7, signalsPerClass: 4, signalLength: 16 * length });
  const sources = Array.from({ length: 16 }, (_, i) => {
    const spec = planSignal(config, i);
    return { index: i, labelIndex: i % 4, samples: simulateSignal(spec, config.samplingRateHz, config.signalLength) };
  });
  return buildWindows(sources, { windowLength: length, windowHop: length, maxWindowsPerSignal: 16 });
}

/**
 * Freshly built batch norm is the identity (mean 0, variance 1, gamma 1, beta 0), which would
 * hide a wrong translation: give every BN layer statistics like a trained one's.
 */
function trainLikeBatchNorm(model: tfl.LayersModel, seed: number): void {
  const rng = new Rng(seed);
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const draw: Record<string, () => number> = {
      gamma: () => 0.5 + rng.uniform(),
      beta: () => rng.normal() * 0.3,
      moving_mean: () => rng.normal() * 0.5,
      moving_variance: () => 0.3 + 2 * rng.uniform(),
    };
    layer.setWeights(
      layer.weights.map((w) => {
        const kind = Object.keys(draw).find((k) => w.originalName.endsWith(k)) ?? 'beta';
        return tf.tensor1d(Float32Array.from({ length: w.shape[0] ?? 0 }, draw[kind]));
      }),
    );
  }
}

let windows: WindowSet;
const asParity = (w: WindowSet): ParityWindows => ({ x: w.x, count: w.count, windowLength: w.windowLength });

beforeAll(async () => {
  await initBackend('cpu');
  windows = datasetWindows(L);
  expect(windows.count).toBe(256);
});

const block = (b: Partial<Architecture['blocks'][number]>): Architecture['blocks'][number] => ({
  filters: 8,
  kernelSize: 5,
  stride: 1,
  dilation: 1,
  pool: 'none',
  poolSize: 2,
  batchNorm: false,
  residual: false,
  ...b,
});

const BUILDER_CASES: { name: string; arch: Architecture; kinds: string[] }[] = [
  {
    name: 'strided conv, batch norm, max pool, global average, dense + softmax',
    arch: {
      blocks: [block({ filters: 8, kernelSize: 32, stride: 8, pool: 'max' }), block({ filters: 16, kernelSize: 3, batchNorm: true, pool: 'max' })],
      head: 'global-avg',
      denseUnits: 12,
      dropout: 0,
    },
    kinds: ['Conv1D', 'BatchNormalization', 'Activation', 'MaxPooling1D', 'GlobalAveragePooling1D', 'Dense'],
  },
  {
    name: 'dilated conv, identity residual add, average pool, global max',
    arch: {
      blocks: [
        block({ filters: 6, kernelSize: 16, stride: 4 }),
        block({ filters: 6, kernelSize: 3, dilation: 3, residual: true, batchNorm: true, pool: 'avg', poolSize: 3 }),
      ],
      head: 'global-max',
      denseUnits: 0,
      dropout: 0,
    },
    kinds: ['Add', 'AveragePooling1D', 'GlobalMaxPooling1D'],
  },
  {
    name: 'projected residual (stride and channels change), flatten head, dropout',
    arch: {
      blocks: [
        block({ filters: 4, kernelSize: 9, stride: 4, pool: 'max', poolSize: 2 }),
        block({ filters: 10, kernelSize: 4, stride: 2, residual: true, batchNorm: true }),
      ],
      head: 'flatten',
      denseUnits: 16,
      dropout: 0.4,
    },
    kinds: ['Flatten', 'FaultlineSeededDropout', 'Add'],
  },
];

describe('exportToOnnx: parity with tfjs on 256 dataset windows', () => {
  for (const c of BUILDER_CASES) {
    it(c.name, async () => {
      const model = buildModel(c.arch, { inputLength: L, numClasses: 4, seed: 3 });
      trainLikeBatchNorm(model, 5);
      const exported = exportToOnnx(model);
      for (const k of c.kinds) expect(exported.layerKinds).toContain(k);
      const report = await checkParity(model, exported, asParity(windows));
      expect(report.windows).toBe(256);
      expect(report.maxAbsDiff).toBeLessThanOrEqual(1e-4);
      expect(report.argmaxAgreement).toBeGreaterThan(0.99);
      model.dispose();
    });
  }

  it('valid / same padding with odd lengths, same-padded pools, ReLU and Softmax layers, plain Dropout', async () => {
    // Not what buildModel makes today, but every padding mode a Conv1D or pool can have.
    const input = tfl.input({ shape: [L - 3, 1], name: 'signal' });
    let x = tfl.layers
      .conv1d({ name: 'valid_s3', filters: 5, kernelSize: 7, strides: 3, padding: 'valid', activation: 'relu' })
      .apply(input) as tfl.SymbolicTensor;
    x = tfl.layers.conv1d({ name: 'same_d2', filters: 6, kernelSize: 4, dilationRate: 2, padding: 'same', activation: 'tanh' }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.maxPooling1d({ name: 'maxpool_same', poolSize: 3, strides: 2, padding: 'same' }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.conv1d({ name: 'same_s2', filters: 7, kernelSize: 6, strides: 2, padding: 'same', useBias: false }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.batchNormalization({ name: 'bn_noscale', scale: false, epsilon: 1e-5 }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.reLU({ name: 'relu_layer' }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.averagePooling1d({ name: 'avgpool_same', poolSize: 4, strides: 3, padding: 'same' }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.flatten({ name: 'flat' }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.dropout({ name: 'drop', rate: 0.3 }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.dense({ name: 'hidden', units: 9, activation: 'sigmoid' }).apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.dense({ name: 'scores', units: 3 }).apply(x) as tfl.SymbolicTensor;
    const out = tfl.layers.softmax({ name: 'softmax_layer' }).apply(x) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: out });
    trainLikeBatchNorm(model, 9);
    const w = datasetWindows(L - 3);
    const exported = exportToOnnx(model);
    expect(exported.layerKinds).toEqual(
      expect.arrayContaining(['Conv1D', 'MaxPooling1D', 'AveragePooling1D', 'ReLU', 'Dropout', 'Softmax', 'Flatten', 'Dense']),
    );
    const report = await checkParity(model, exported, asParity(w));
    expect(report.maxAbsDiff).toBeLessThanOrEqual(1e-4);
    model.dispose();
  });

  it('random valid NAS genomes', async () => {
    const rng = Prng.fromSeed(12);
    let tested = 0;
    for (let i = 0; i < 200 && tested < 8; i++) {
      const g = randomGenome(rng, DEFAULT_NAS_SPACE);
      // Small enough to keep the test quick; the space's every gene still occurs.
      if (!checkGenome(g, { inputLength: L, numClasses: 4, maxParams: 60_000 }).ok) continue;
      const model = buildModel(g, { inputLength: L, numClasses: 4, seed: 100 + i });
      trainLikeBatchNorm(model, i);
      const report = await checkParity(model, exportToOnnx(model), asParity(windows));
      expect(report.maxAbsDiff, JSON.stringify(g)).toBeLessThanOrEqual(1e-4);
      model.dispose();
      tested++;
    }
    expect(tested).toBe(8);
  });
});

describe('the exported graph', () => {
  it('is opset 17 with a named input and output and a dynamic batch dimension', async () => {
    const model = buildModel(BUILDER_CASES[0].arch, { inputLength: L, numClasses: 4, seed: 1 });
    const exported = exportToOnnx(model);
    const proto = decodeModel(exported.bytes);
    expect(proto.opsetImport).toEqual([expect.objectContaining({ version: ONNX_OPSET })]);
    expect(ONNX_OPSET).toBeGreaterThanOrEqual(17);
    expect(proto.graph.input.map((i) => i.name)).toEqual(['signal']);
    expect(proto.graph.output.map((o) => o.name)).toEqual(['probabilities']);
    expect(proto.graph.input[0].type.tensorType.shape?.dim).toEqual([{ dimParam: 'batch' }, { dimValue: L }, { dimValue: 1 }]);
    expect(proto.graph.output[0].type.tensorType.shape?.dim).toEqual([{ dimParam: 'batch' }, { dimValue: 4 }]);

    // Batches of 1 and of 7 give the rows the whole set gives.
    const reference = tfjsPredict(model, asParity(windows));
    const session = await createSession(exported.bytes);
    for (const batchSize of [1, 7]) {
      const out = await runWindows(session, windows.x.subarray(0, 21 * L), 21, L, { inputName: 'signal', outputNames: ['probabilities'], batchSize });
      const got = out.get('probabilities');
      expect(got?.dims).toEqual([21, 4]);
      for (let i = 0; i < 21 * 4; i++) expect(Math.abs((got?.data[i] ?? NaN) - reference[i])).toBeLessThanOrEqual(1e-5);
    }
    await session.release();
    model.dispose();
  });
});

describe('refusals and divergence', () => {
  it('refuses a layer it cannot translate, by name', () => {
    const input = tfl.input({ shape: [64, 1] });
    const x = tfl.layers.layerNormalization({ name: 'memory' }).apply(input) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: tfl.layers.dense({ units: 2, activation: 'softmax' }).apply(x) as tfl.SymbolicTensor });
    expect(() => exportToOnnx(model)).toThrow(UnsupportedLayerError);
    expect(() => exportToOnnx(model)).toThrow(/layer "memory" \(LayerNormalization\)/);
  });

  it('refuses an activation it cannot translate, naming layer and activation', () => {
    const input = tfl.input({ shape: [64, 1] });
    const x = tfl.layers.conv1d({ name: 'odd_conv', filters: 2, kernelSize: 3, activation: 'selu' }).apply(input) as tfl.SymbolicTensor;
    const y = tfl.layers.globalAveragePooling1d({}).apply(x) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: tfl.layers.dense({ units: 2, activation: 'softmax' }).apply(y) as tfl.SymbolicTensor });
    expect(() => exportToOnnx(model)).toThrow(/layer "odd_conv" \(Conv1D\).*activation "selu"/);
  });

  it('names the first diverging layer when a translation is wrong', async () => {
    const model = buildModel(BUILDER_CASES[0].arch, { inputLength: L, numClasses: 4, seed: 2 });
    trainLikeBatchNorm(model, 3);
    const exported = exportToOnnx(model);
    // Damage the batch norm's mean in the ONNX file: what a wrong weight layout would do.
    const proto = decodeModel(exported.bytes);
    const mean = proto.graph.initializer.find((t) => t.name === 'b1_bn.mean');
    expect(mean?.rawData).toBeDefined();
    if (mean?.rawData) {
      const values = new Float32Array(Uint8Array.from(mean.rawData).buffer);
      for (let i = 0; i < values.length; i++) values[i] += 0.5;
      mean.rawData = new Uint8Array(values.buffer);
    }
    const damaged = { ...exported, bytes: encodeModel(proto) };
    const err = await checkParity(model, damaged, asParity(windows)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParityError);
    expect((err as ParityError).layer).toBe('b1_bn');
    expect((err as Error).message).toMatch(/layer "b1_bn" \(BatchNormalization\)/);
    model.dispose();
  });
});

describe('float16 weights', () => {
  it('rounds to IEEE binary16 like the standard', () => {
    expect(toHalfBits(1)).toBe(0x3c00);
    expect(toHalfBits(-2)).toBe(0xc000);
    expect(toHalfBits(65504)).toBe(0x7bff);
    expect(toHalfBits(1e6)).toBe(0x7c00);
    expect(toHalfBits(Number.NEGATIVE_INFINITY)).toBe(0xfc00);
    expect(toHalfBits(Number.NaN) & 0x7c00).toBe(0x7c00);
    expect(toHalfBits(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(toHalfBits(2 ** -26)).toBe(0x0000);
    expect(toHalfBits(0.1)).toBe(0x2e66);
    expect(toHalfBits(1 + 2 ** -11)).toBe(0x3c00); // a tie rounds to even
    expect(toHalfBits(1 + 3 * 2 ** -11)).toBe(0x3c02);
  });

  it('halves the weights and keeps the predictions of the fp32 export on dataset windows', async () => {
    const model = buildModel(BUILDER_CASES[0].arch, { inputLength: L, numClasses: 4, seed: 4 });
    trainLikeBatchNorm(model, 4);
    const fp32 = exportToOnnx(model);
    const fp16 = toFloat16Weights(fp32.bytes);
    expect(fp16.converted).toBeGreaterThan(5);
    const weightBytes = (b: Uint8Array) => decodeModel(b).graph.initializer.reduce((n, t) => n + (t.rawData?.length ?? 0), 0);
    expect(weightBytes(fp16.bytes)).toBe(weightBytes(fp32.bytes) / 2);
    expect(fp16.bytes.length).toBeLessThan(fp32.bytes.length);
    const report = await checkParity(model, { ...fp32, bytes: fp16.bytes }, asParity(windows), 1e-2).catch((e: unknown) => e);
    expect(report).not.toBeInstanceOf(Error);
    expect((report as { argmaxAgreement: number }).argmaxAgreement).toBeGreaterThanOrEqual(0.97);
    model.dispose();
  });
});
