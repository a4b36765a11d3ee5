/**
 * The default HPO space for the 1D CNN, and the mapping of a sampled point onto the training
 * contract. Field names follow TrainHyperparametersSchema / ArchitectureSchema so a point reads
 * like the hyperparameters it becomes. Blocks 2 and 3 are conditional on `blocks`, which is how
 * a variable-depth network is expressed in a flat space.
 */
import { TrainHyperparametersSchema, type ConvBlock, type TrainHyperparameters } from '../../contracts/training.js';
import { parseSearchSpace, type Params, type ParamValue, type SearchSpace } from './space.js';

const DEFAULT_CNN_SPACE_INPUT = {
  learningRate: { type: 'float', low: 1e-4, high: 1e-1, log: true, grid: 4 },
  batchSize: { type: 'categorical', choices: [16, 32, 64, 128] },
  /** The full budget of a trial; an ASHA campaign overrides it with its rungs. */
  epochs: { type: 'int', low: 10, high: 40, step: 10 },
  optimizer: { type: 'categorical', choices: ['adam', 'sgd', 'rmsprop'] },
  windowLength: { type: 'categorical', choices: [1024, 2048, 4096] },
  blocks: { type: 'int', low: 1, high: 3 },
  // The first block is the wide, strided "WDCNN" layer of the reference model.
  filters1: { type: 'int', low: 8, high: 64, log: true, grid: 4 },
  kernelSize1: { type: 'int', low: 16, high: 128, step: 16 },
  filters2: { type: 'int', low: 8, high: 128, log: true, grid: 4, when: { param: 'blocks', in: [2, 3] } },
  kernelSize2: { type: 'int', low: 3, high: 9, step: 2, when: { param: 'blocks', in: [2, 3] } },
  filters3: { type: 'int', low: 8, high: 128, log: true, grid: 4, when: { param: 'blocks', in: [3] } },
  kernelSize3: { type: 'int', low: 3, high: 9, step: 2, when: { param: 'blocks', in: [3] } },
  denseUnits: { type: 'categorical', choices: [0, 32, 64, 128] },
  dropout: { type: 'float', low: 0, high: 0.5, grid: 3 },
} as const;

export const DEFAULT_CNN_SPACE: SearchSpace = parseSearchSpace(DEFAULT_CNN_SPACE_INPUT);

/** Stride of the first block (as in the reference architecture); later blocks use 1. */
const FIRST_STRIDE = 16;

function num(params: Params, name: string): number | undefined {
  const v: ParamValue | undefined = params[name];
  return typeof v === 'number' ? v : undefined;
}

/**
 * A sampled point of DEFAULT_CNN_SPACE (or any space using the same names) as training
 * hyperparameters. Names the space does not define keep the contract's defaults; the result is
 * validated, so a point the trainer would reject throws here, before a trial is started.
 */
export function toTrainHyperparameters(params: Params, base: Partial<TrainHyperparameters> = {}): TrainHyperparameters {
  const blocks: ConvBlock[] = [];
  for (let i = 1; i <= 12; i++) {
    const filters = num(params, `filters${i}`);
    const kernelSize = num(params, `kernelSize${i}`);
    if (filters === undefined || kernelSize === undefined) break;
    blocks.push({
      filters,
      kernelSize,
      stride: i === 1 ? FIRST_STRIDE : 1,
      dilation: 1,
      pool: 'max',
      poolSize: 2,
      batchNorm: i > 1,
      residual: false,
    });
  }
  const windowLength = num(params, 'windowLength');
  const optimizer = params.optimizer;
  return TrainHyperparametersSchema.parse({
    ...base,
    ...(num(params, 'learningRate') !== undefined ? { learningRate: num(params, 'learningRate') } : {}),
    ...(num(params, 'batchSize') !== undefined ? { batchSize: num(params, 'batchSize') } : {}),
    ...(num(params, 'epochs') !== undefined ? { epochs: num(params, 'epochs') } : {}),
    ...(typeof optimizer === 'string' ? { optimizer } : {}),
    // Non-overlapping windows of the sampled length, like the default 2048/2048.
    ...(windowLength !== undefined ? { windowLength, windowHop: windowLength } : {}),
    ...(blocks.length > 0
      ? {
          architecture: {
            blocks,
            head: 'global-avg',
            denseUnits: num(params, 'denseUnits') ?? 0,
            dropout: num(params, 'dropout') ?? 0,
          },
        }
      : {}),
  });
}
