/** Independent uniform draws (log-uniform for log parameters): the baseline every sampler must beat. */
import { CommonOptionsSchema, parseOptions, type SamplerOptions } from './options.js';
import { BaseSampler, samplePrior, type SamplerResume, type SamplerStateBase } from './sampler.js';
import { parseSearchSpace, type Params, type ParamsOf, type SearchSpace, type SpaceDeclaration } from './space.js';

export interface RandomSamplerState extends SamplerStateBase {
  kind: 'random';
}

export type { SamplerOptions };

export class RandomSampler<const S extends SpaceDeclaration = SpaceDeclaration> extends BaseSampler<ParamsOf<S>> {
  readonly kind = 'random' as const;

  /** `resume` is for restoreSampler; a fresh sampler starts from `options.seed` (default 0). */
  constructor(space: S, options?: SamplerOptions, resume?: SamplerResume) {
    const o = parseOptions('RandomSampler', CommonOptionsSchema, options);
    super(parseSearchSpace(space), o.direction, o.seed, resume);
  }

  static fromState(state: RandomSamplerState): RandomSampler<SearchSpace> {
    return new RandomSampler(state.space, { seed: 0, direction: state.direction }, state);
  }

  protected propose(): Params {
    return samplePrior(this.space, this.rng, this.order);
  }

  state(): RandomSamplerState {
    return { kind: 'random', ...this.baseState() };
  }
}
