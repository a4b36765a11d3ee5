/** Independent uniform draws (log-uniform for log parameters): the baseline every sampler must beat. */
import { BaseSampler, samplePrior, type SamplerResume, type SamplerStateBase } from './sampler.js';
import { parseSearchSpace, type Params, type SearchSpaceInput } from './space.js';
import type { Direction } from './trials.js';

export interface RandomSamplerState extends SamplerStateBase {
  kind: 'random';
}

export interface SamplerOptions {
  seed: number;
  direction?: Direction;
}

export class RandomSampler extends BaseSampler {
  readonly kind = 'random' as const;

  /** `resume` is for restoreSampler; a fresh sampler starts from `options.seed`. */
  constructor(space: SearchSpaceInput, options: SamplerOptions, resume?: SamplerResume) {
    super(parseSearchSpace(space), options.direction ?? 'minimize', options.seed, resume);
  }

  static fromState(state: RandomSamplerState): RandomSampler {
    return new RandomSampler(state.space, { seed: 0, direction: state.direction }, state);
  }

  protected propose(): Params {
    return samplePrior(this.space, this.rng, this.order);
  }

  state(): RandomSamplerState {
    return { kind: 'random', ...this.baseState() };
  }
}
