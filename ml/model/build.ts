import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { REFERENCE_ARCHITECTURE } from '../../contracts/architecture.js';
import type { Architecture, ConvBlock } from '../../contracts/training.js';
import { registerDilatedConvGradient } from '../tf/gradients/conv2d-dilated.js';
import { SeededDropout } from './seeded-dropout.js';

/**
 * Building tfjs 1D CNNs from an `Architecture` (the description HPO and NAS share).
 *
 * Every conv uses 'same' padding, so a conv block maps length L to ceil(L / stride) and a pool
 * of size p (stride p, 'valid') maps it to floor(L / p). That keeps lengths easy to predict, so
 * `validateArchitecture` can reject a candidate before any tensor is allocated.
 */

/**
 * The reference 1D CNN of the environment notes: 2048x1 input, 4 classes, 13,620 parameters
 * (13,428 trainable + 192 batch-norm moving statistics).
 *
 * WDCNN-like: a wide first kernel (64, stride 16) acts as a learned filter bank and decimates
 * 2048 -> 128 at once, so the small 3-tap kernels after it run on short sequences; global
 * average pooling keeps the head independent of the input length.
 *
 *   block 0: conv 16x64/16  -> 128, max-pool 2 -> 64        1,040
 *   block 1: conv 32x3 + BN -> 64,  max-pool 2 -> 32        1,568 + 128
 *   block 2: conv 64x3 + BN -> 32,  max-pool 2 -> 16        6,208 + 256
 *   head: global-avg (64) -> dense 64 relu -> dense 4       4,160 + 260
 */
export { REFERENCE_ARCHITECTURE };

export const REFERENCE_INPUT_LENGTH = 2048;
export const REFERENCE_NUM_CLASSES = 4;
/** model.countParams() of REFERENCE_ARCHITECTURE for 2048x1 input and 4 classes. */
export const REFERENCE_PARAM_COUNT = 13_620;

export interface BuildOptions {
  /** Samples per window (the model input is [inputLength, 1]). */
  inputLength: number;
  numClasses: number;
  /** Seed of every initializer: the same seed gives bit-identical initial weights. */
  seed: number;
}

export type ArchitectureCheck = { ok: true; outputLength: number; params: number } | { ok: false; reason: string };

/** Conv output length under 'same' padding. */
const convLength = (length: number, stride: number): number => Math.ceil(length / stride);
/** Pool output length ('valid', stride = poolSize). */
const poolLength = (length: number, poolSize: number): number => Math.floor(length / poolSize);

/**
 * Checks that `arch` can be built for `inputLength` and predicts its parameter count without
 * touching tfjs. The reason names the block index and the field at fault, so a NAS/HPO sampler
 * can log why a candidate was discarded.
 */
export function validateArchitecture(arch: Architecture, inputLength: number, numClasses = 4): ArchitectureCheck {
  if (!Number.isInteger(inputLength) || inputLength < 1) {
    return { ok: false, reason: `inputLength must be a positive integer, got ${inputLength}` };
  }
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    return { ok: false, reason: `numClasses must be an integer >= 2, got ${numClasses}` };
  }
  if (!Array.isArray(arch.blocks) || arch.blocks.length === 0) {
    return { ok: false, reason: 'blocks: an architecture needs at least one conv block' };
  }
  let length = inputLength;
  let channels = 1;
  let params = 0;
  for (const [i, b] of arch.blocks.entries()) {
    const fieldProblem = checkBlockFields(b);
    if (fieldProblem) return { ok: false, reason: `blocks[${i}].${fieldProblem}` };
    if (b.stride > 1 && b.dilation > 1) {
      // tfjs conv1d/conv2d assert "either strides or dilations must be 1".
      return { ok: false, reason: `blocks[${i}].dilation: dilation ${b.dilation} with stride ${b.stride} is unsupported (one of them must be 1)` };
    }
    const convOut = convLength(length, b.stride);
    params += b.kernelSize * channels * b.filters + b.filters;
    if (b.batchNorm) params += 4 * b.filters;
    if (b.residual && (channels !== b.filters || convOut !== length)) {
      params += channels * b.filters + b.filters; // 1x1 projection of the shortcut
    }
    length = convOut;
    if (b.pool !== 'none') {
      if (length < b.poolSize) {
        return {
          ok: false,
          reason: `blocks[${i}].poolSize: pool of ${b.poolSize} on length ${length} leaves length ${poolLength(length, b.poolSize)} (sequence collapsed)`,
        };
      }
      length = poolLength(length, b.poolSize);
    }
    channels = b.filters;
  }
  if (!['global-avg', 'global-max', 'flatten'].includes(arch.head)) {
    return { ok: false, reason: `head: unknown head '${String(arch.head)}'` };
  }
  if (!Number.isInteger(arch.denseUnits) || arch.denseUnits < 0) {
    return { ok: false, reason: `denseUnits: must be an integer >= 0, got ${arch.denseUnits}` };
  }
  if (!(arch.dropout >= 0 && arch.dropout < 1)) {
    return { ok: false, reason: `dropout: must be in [0, 1), got ${arch.dropout}` };
  }
  let features = arch.head === 'flatten' ? length * channels : channels;
  if (arch.denseUnits > 0) {
    params += features * arch.denseUnits + arch.denseUnits;
    features = arch.denseUnits;
  }
  params += features * numClasses + numClasses;
  return { ok: true, outputLength: length, params };
}

function checkBlockFields(b: ConvBlock): string | undefined {
  const positiveInt = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 1;
  for (const field of ['filters', 'kernelSize', 'stride', 'dilation', 'poolSize'] as const) {
    if (!positiveInt(b[field])) return `${field}: must be a positive integer, got ${String(b[field])}`;
  }
  if (!['max', 'avg', 'none'].includes(b.pool)) return `pool: unknown pool '${String(b.pool)}'`;
  return undefined;
}

/**
 * Builds an (uncompiled) model. Throws an Error naming the block and field when the
 * architecture cannot be built for this input length.
 *
 * Block: conv (linear) -> [batch norm] -> [+ shortcut] -> relu -> [pool]. The shortcut is the
 * identity when shape is unchanged, else a 1x1 conv with the block's stride.
 */
export function buildModel(arch: Architecture, opts: BuildOptions): tfl.LayersModel {
  const check = validateArchitecture(arch, opts.inputLength, opts.numClasses);
  if (!check.ok) throw new Error(`invalid architecture: ${check.reason}`);
  if (!Number.isInteger(opts.seed)) throw new Error(`seed must be an integer, got ${opts.seed}`);
  // tfjs' stock Conv2D gradient rejects dilation > 1; make sure ours is installed even when the
  // caller skipped initBackend (idempotent).
  if (arch.blocks.some((b) => b.dilation > 1)) registerDilatedConvGradient();

  // Each initializer gets its own seed derived from the model seed: same-shaped layers seeded
  // alike would start with identical (perfectly correlated) kernels.
  let initCount = 0;
  const kernelInit = (): ReturnType<typeof tfl.initializers.glorotUniform> =>
    tfl.initializers.glorotUniform({ seed: (opts.seed * 1_000_003 + 7919 * ++initCount) % 2 ** 31 });

  const input = tfl.input({ shape: [opts.inputLength, 1], name: 'signal' });
  let x: tfl.SymbolicTensor = input;
  let channels = 1;
  let length = opts.inputLength;

  for (const [i, b] of arch.blocks.entries()) {
    const blockIn = x;
    let y = tfl.layers
      .conv1d({
        name: `b${i}_conv`,
        filters: b.filters,
        kernelSize: b.kernelSize,
        strides: b.stride,
        dilationRate: b.dilation,
        padding: 'same',
        kernelInitializer: kernelInit(),
        biasInitializer: 'zeros',
      })
      .apply(blockIn) as tfl.SymbolicTensor;
    if (b.batchNorm) {
      y = tfl.layers.batchNormalization({ name: `b${i}_bn` }).apply(y) as tfl.SymbolicTensor;
    }
    const outLength = convLength(length, b.stride);
    if (b.residual) {
      let shortcut = blockIn;
      if (channels !== b.filters || outLength !== length) {
        shortcut = tfl.layers
          .conv1d({
            name: `b${i}_proj`,
            filters: b.filters,
            kernelSize: 1,
            strides: b.stride,
            padding: 'same',
            kernelInitializer: kernelInit(),
            biasInitializer: 'zeros',
          })
          .apply(blockIn) as tfl.SymbolicTensor;
      }
      y = tfl.layers.add({ name: `b${i}_add` }).apply([y, shortcut]) as tfl.SymbolicTensor;
    }
    y = tfl.layers.activation({ activation: 'relu', name: `b${i}_relu` }).apply(y) as tfl.SymbolicTensor;
    length = outLength;
    if (b.pool !== 'none') {
      const poolArgs = { name: `b${i}_pool`, poolSize: b.poolSize, strides: b.poolSize, padding: 'valid' as const };
      y = (b.pool === 'max' ? tfl.layers.maxPooling1d(poolArgs) : tfl.layers.averagePooling1d(poolArgs)).apply(y) as tfl.SymbolicTensor;
      length = poolLength(length, b.poolSize);
    }
    x = y;
    channels = b.filters;
  }

  const head =
    arch.head === 'global-avg'
      ? tfl.layers.globalAveragePooling1d({ name: 'head_gap' })
      : arch.head === 'global-max'
        ? tfl.layers.globalMaxPooling1d({ name: 'head_gmp' })
        : tfl.layers.flatten({ name: 'head_flatten' });
  x = head.apply(x) as tfl.SymbolicTensor;
  if (arch.denseUnits > 0) {
    x = tfl.layers.dense({ name: 'head_dense', units: arch.denseUnits, activation: 'relu', kernelInitializer: kernelInit() }).apply(x) as tfl.SymbolicTensor;
  }
  if (arch.dropout > 0) {
    // Our own dropout: tfjs-layers' ignores its seed, which made training with dropout irreproducible.
    x = new SeededDropout({ name: 'head_dropout', rate: arch.dropout, seed: (opts.seed * 1_000_003 + 104_729) % 2 ** 31 }).apply(x) as tfl.SymbolicTensor;
  }
  const output = tfl.layers
    .dense({ name: 'logits', units: opts.numClasses, activation: 'softmax', kernelInitializer: kernelInit() })
    .apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: output, name: 'faultline_cnn1d' });
}

export type OptimizerName = 'adam' | 'sgd' | 'rmsprop';

export interface CompileOptions {
  optimizer: OptimizerName;
  learningRate: number;
  /**
   * 'sparse' (default): labels are class indices, shape [batch] or [batch, 1].
   * 'categorical': labels are one-hot, shape [batch, numClasses].
   */
  labels?: 'sparse' | 'categorical';
}

export function createOptimizer(name: OptimizerName, learningRate: number): tf.Optimizer {
  if (!(learningRate > 0) || !Number.isFinite(learningRate)) {
    throw new Error(`learningRate must be a positive finite number, got ${learningRate}`);
  }
  switch (name) {
    case 'adam':
      return tf.train.adam(learningRate);
    case 'sgd':
      return tf.train.sgd(learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(learningRate);
    default:
      throw new Error(`unknown optimizer '${String(name)}'`);
  }
}

/**
 * Compiles with crossentropy + accuracy and returns the optimizer: `model.dispose()` does not
 * dispose an optimizer object given to `compile`, so the caller owns it (or use
 * `disposeModel`, which disposes both).
 */
export function compileModel(model: tfl.LayersModel, opts: CompileOptions): { optimizer: tf.Optimizer } {
  const optimizer = createOptimizer(opts.optimizer, opts.learningRate);
  model.compile({
    optimizer,
    loss: (opts.labels ?? 'sparse') === 'sparse' ? 'sparseCategoricalCrossentropy' : 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
  return { optimizer };
}

/**
 * Disposes a model and the optimizer attached to it (compileModel's, or the one a deserialized
 * model got from its training config — neither is disposed by `model.dispose()`).
 */
export function disposeModel(model: tfl.LayersModel): void {
  // undefined when the model was never compiled.
  const optimizer: tf.Optimizer | undefined = model.optimizer;
  // A model compiled with an optimizer *name* owns it and disposes it itself.
  const owned = (model as unknown as { isOptimizerOwned?: boolean }).isOptimizerOwned === true;
  model.dispose();
  if (optimizer && !owned) optimizer.dispose();
}
