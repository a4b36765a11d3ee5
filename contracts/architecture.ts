/**
 * What an architecture costs and whether it can be built, by arithmetic alone: shared by the
 * client, the workflows (which must refuse a collapsing or oversized model at their top, since
 * a retried training activity would fail the same way) and the training activity (which checks
 * again with the dataset's real class count). Pure: safe in workflows.
 *
 * Every conv uses 'same' padding, so a conv block maps length L to ceil(L / stride); a pool of
 * size p (stride p, 'valid') maps it to floor(L / p). ml/model/build.ts builds exactly this, and
 * the unit tests compare the two on random architectures.
 */
import type { Architecture } from './training.js';

/**
 * The reference 1D CNN (2048×1 input, 13,620 parameters for 4 classes): what a training run
 * without an `architecture` trains. WDCNN-like: a wide strided first kernel, then two 3-tap
 * blocks, global average pooling and a 64-unit dense layer.
 */
export const REFERENCE_ARCHITECTURE: Architecture = {
  blocks: [
    { filters: 16, kernelSize: 64, stride: 16, dilation: 1, pool: 'max', poolSize: 2, batchNorm: false, residual: false },
    { filters: 32, kernelSize: 3, stride: 1, dilation: 1, pool: 'max', poolSize: 2, batchNorm: true, residual: false },
    { filters: 64, kernelSize: 3, stride: 1, dilation: 1, pool: 'max', poolSize: 2, batchNorm: true, residual: false },
  ],
  head: 'global-avg',
  denseUnits: 64,
  dropout: 0,
};

/**
 * Caps on any model we train (the trainer runs on CPU workers): far above the reference CNN
 * (13,620 parameters, ~0.4 M multiply-accumulates per 2048-sample window), far below what
 * would exhaust a worker's memory or never finish an epoch.
 */
export const MODEL_CAPS = {
  maxParams: 5_000_000,
  /** Multiply-accumulates of one forward pass over one window. */
  maxMacs: 2_000_000_000,
} as const;

/** The fewest classes a dataset can have: the class count that gives a lower bound on cost. */
export const MIN_CLASSES = 2;

export interface CostOptions {
  /** Samples per window (model input is [inputLength, 1]). */
  inputLength: number;
  numClasses: number;
}

export interface ArchitectureCost {
  /** Sequence length entering the head (0 when the sequence collapsed). */
  outputLength: number;
  /** model.countParams(), batch-norm moving statistics included. */
  params: number;
  /** Length after each block (conv, then pool). */
  blockLengths: number[];
  /** Multiply-accumulates of one forward pass (convs, projections, dense): a latency proxy. */
  macs: number;
}

/**
 * Output length, parameter count and MACs of a schema-valid architecture. Once the length
 * reaches 0 it stays 0, which is how a collapse shows here.
 */
export function architectureCost(a: Architecture, opts: CostOptions): ArchitectureCost {
  let length = opts.inputLength;
  let channels = 1;
  let params = 0;
  let macs = 0;
  const blockLengths: number[] = [];
  for (const b of a.blocks) {
    const convOut = Math.ceil(length / b.stride);
    params += b.kernelSize * channels * b.filters + b.filters;
    macs += convOut * b.kernelSize * channels * b.filters;
    if (b.batchNorm) params += 4 * b.filters;
    if (b.residual && (channels !== b.filters || convOut !== length)) {
      params += channels * b.filters + b.filters;
      macs += convOut * channels * b.filters;
    }
    length = convOut;
    if (b.pool !== 'none') length = Math.floor(length / b.poolSize);
    channels = b.filters;
    blockLengths.push(length);
  }
  let features = a.head === 'flatten' ? length * channels : channels;
  if (a.denseUnits > 0) {
    params += features * a.denseUnits + a.denseUnits;
    macs += features * a.denseUnits;
    features = a.denseUnits;
  }
  params += features * opts.numClasses + opts.numClasses;
  macs += features * opts.numClasses;
  return { outputLength: length, params, blockLengths, macs };
}

/** 1234567 -> '1,234,567' without Intl (identical in every runtime, the workflow sandbox included). */
export const formatCount = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

export interface ArchitectureIssue {
  /** Relative to the architecture: `blocks.3.poolSize`, `params`. */
  path: (string | number)[];
  message: string;
}

export interface ArchitectureLimits extends CostOptions {
  maxParams?: number;
  maxMacs?: number;
  /** Shortest sequence allowed into the head; default 1 (anything but a collapse). */
  minOutputLength?: number;
}

/**
 * The first reason `a` cannot be trained under `limits`, naming the block and field at fault
 * (`blocks.3.poolSize: pool of 2 on length 1 leaves length 0 (sequence collapsed)`), or
 * undefined. Caps default to MODEL_CAPS.
 */
export function architectureIssue(a: Architecture, limits: ArchitectureLimits): ArchitectureIssue | undefined {
  for (const [i, b] of a.blocks.entries()) {
    if (b.stride > 1 && b.dilation > 1) {
      // tfjs conv1d asserts "either strides or dilations must be 1".
      return { path: ['blocks', i, 'dilation'], message: `dilation ${b.dilation} with stride ${b.stride} is unsupported (one of them must be 1)` };
    }
  }
  const cost = architectureCost(a, limits);
  const minLength = limits.minOutputLength ?? 1;
  let length = limits.inputLength;
  for (const [i, b] of a.blocks.entries()) {
    const after = cost.blockLengths[i];
    if (after < minLength) {
      const convOut = Math.ceil(length / b.stride);
      const field = b.pool !== 'none' && convOut >= minLength ? 'poolSize' : 'stride';
      const what = field === 'poolSize' ? `pool of ${b.poolSize} on length ${convOut}` : `stride ${b.stride} on length ${length}`;
      const left = field === 'poolSize' ? after : convOut;
      const why = left === 0 ? ' (sequence collapsed)' : ` (< minOutputLength ${minLength})`;
      return { path: ['blocks', i, field], message: `${what} leaves length ${left}${why}` };
    }
    length = after;
  }
  const maxParams = limits.maxParams ?? MODEL_CAPS.maxParams;
  if (cost.params > maxParams) {
    return { path: ['params'], message: `${formatCount(cost.params)} parameters exceed maxParams ${formatCount(maxParams)}` };
  }
  const maxMacs = limits.maxMacs ?? MODEL_CAPS.maxMacs;
  if (cost.macs > maxMacs) {
    return { path: ['macs'], message: `${formatCount(cost.macs)} multiply-accumulates exceed maxMacs ${formatCount(maxMacs)}` };
  }
  return undefined;
}

/**
 * Names of the layers ml/model/build.ts gives the model of `a` that output [batch, time,
 * channels]: the ones Grad-CAM can weight. Checked against built models in the unit tests.
 */
export function sequenceLayerNames(a: Architecture, inputLength: number): string[] {
  const names: string[] = [];
  let channels = 1;
  let length = inputLength;
  for (const [i, b] of a.blocks.entries()) {
    const convOut = Math.ceil(length / b.stride);
    names.push(`b${i}_conv`);
    if (b.batchNorm) names.push(`b${i}_bn`);
    if (b.residual) {
      // A 1x1 projection of the shortcut exists only when the block changes the shape.
      if (channels !== b.filters || convOut !== length) names.push(`b${i}_proj`);
      names.push(`b${i}_add`);
    }
    names.push(`b${i}_relu`);
    length = b.pool === 'none' ? convOut : Math.floor(convOut / b.poolSize);
    if (b.pool !== 'none') names.push(`b${i}_pool`);
    channels = b.filters;
  }
  return names;
}
