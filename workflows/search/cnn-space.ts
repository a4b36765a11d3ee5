/**
 * The mapping of a sampled HPO point onto the training contract. Field names follow
 * TrainHyperparametersSchema / ArchitectureSchema so a point reads like the hyperparameters it
 * becomes; which names a campaign may use is checked at its start (contracts/hpo-space.ts).
 */
import { DEFAULT_CNN_SPACE, MAX_SPACE_BLOCKS, NUMERIC_SPACE_SETTINGS, spaceBlock } from '../../contracts/hpo-space.js';
import { TrainHyperparametersSchema, type ConvBlock, type TrainHyperparameters } from '../../contracts/training.js';
import type { Params, ParamValue } from './space.js';

export { DEFAULT_CNN_SPACE };

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
  for (let i = 1; i <= MAX_SPACE_BLOCKS; i++) {
    const filters = num(params, `filters${i}`);
    const kernelSize = num(params, `kernelSize${i}`);
    if (filters === undefined || kernelSize === undefined) break;
    blocks.push(spaceBlock(i, filters, kernelSize));
  }
  const windowLength = num(params, 'windowLength');
  const optimizer = params.optimizer;
  const settings: Record<string, number> = {};
  for (const name of NUMERIC_SPACE_SETTINGS) {
    const v = num(params, name);
    if (v !== undefined) settings[name] = v;
  }
  return TrainHyperparametersSchema.parse({
    ...base,
    // Non-overlapping windows of the sampled length, like the default 2048/2048 (a sampled windowHop wins).
    ...(windowLength !== undefined ? { windowHop: windowLength } : {}),
    ...settings,
    ...(typeof optimizer === 'string' ? { optimizer } : {}),
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
