/**
 * Tree-structured Parzen Estimator (Bergstra, Bardenet, Bengio & Kégl, NeurIPS 2011), univariate
 * ("independent") as in the paper and Optuna's default:
 *
 * 1. The first `nStartupTrials` complete trials are drawn from the prior (random search).
 * 2. Then complete trials are ranked; the best nGood = min(ceil(gamma·n), maxGood) form the
 *    "good" set, the rest (plus pruned trials, judged worse by the pruner, plus — constant liar —
 *    pending trials) the "bad" set. Failed trials carry no information and are ignored.
 * 3. Per parameter, in parent-first order, and only if it is active for the values drawn so far:
 *    fit l(x) on the good trials and g(x) on the bad ones *where the parameter was active*
 *    (that is how the tree structure / conditional parameters are handled), draw
 *    `nEiCandidates` from l, keep the one maximising l(x)/g(x) (the EI-maximiser under TPE).
 *
 * Constant liar: a pending trial counts as a bad observation at its asked point, so g grows
 * there and a parallel ask moves elsewhere instead of returning (nearly) the same point.
 */
import { z } from 'zod';
import { fitCategorical, fitNumeric, logPdfNumeric, sampleNumeric } from './parzen.js';
import { BaseSampler, samplePrior, type SamplerResume, type SamplerStateBase } from './sampler.js';
import { fromInternal, internalBounds, isActive, parseSearchSpace, toInternal, type ParamSpec, type Params, type ParamValue, type SearchSpaceInput } from './space.js';
import { score, type Direction, type TrialRecord } from './trials.js';

export const TpeOptionsSchema = z
  .object({
    nStartupTrials: z.number().int().min(0).default(10),
    nEiCandidates: z.number().int().min(1).max(10_000).default(24),
    /** Fraction of complete trials in the good set (Optuna's default rule: 10 %, at most 25). */
    gamma: z.number().gt(0).lt(1).default(0.1),
    maxGood: z.number().int().min(1).default(25),
    /** Weight of the prior component, in observations. */
    priorWeight: z.number().gt(0).default(1),
    constantLiar: z.boolean().default(true),
  })
  .strict();
export type TpeOptions = z.output<typeof TpeOptionsSchema>;

export interface TpeSamplerState extends SamplerStateBase {
  kind: 'tpe';
  options: TpeOptions;
}

export interface TpeSamplerOptions extends z.input<typeof TpeOptionsSchema> {
  seed: number;
  direction?: Direction;
}

export class TpeSampler extends BaseSampler {
  readonly kind = 'tpe' as const;
  readonly options: TpeOptions;

  constructor(space: SearchSpaceInput, options: TpeSamplerOptions, resume?: SamplerResume) {
    const { seed, direction, ...tpe } = options;
    super(parseSearchSpace(space), direction ?? 'minimize', seed, resume);
    this.options = TpeOptionsSchema.parse(tpe);
  }

  static fromState(state: TpeSamplerState): TpeSampler {
    return new TpeSampler(state.space, { ...state.options, seed: 0, direction: state.direction }, state);
  }

  state(): TpeSamplerState {
    return { kind: 'tpe', ...this.baseState(), options: { ...this.options } };
  }

  protected propose(): Params {
    const complete = this.records.filter((t) => t.status === 'complete' && t.value !== undefined);
    if (complete.length < Math.max(1, this.options.nStartupTrials)) return samplePrior(this.space, this.rng, this.order);
    const { good, bad } = this.split(complete);
    const params: Params = {};
    for (const name of this.order) {
      if (!isActive(this.space, name, params)) continue;
      const p = this.space[name];
      const activeIn = (ts: TrialRecord[]): ParamValue[] => ts.filter((t) => name in t.params).map((t) => t.params[name]);
      params[name] = this.sampleParam(p, activeIn(good), activeIn(bad));
    }
    return params;
  }

  private split(complete: TrialRecord[]): { good: TrialRecord[]; bad: TrialRecord[] } {
    const ranked = [...complete].sort((a, b) => score(this.direction, a.value as number) - score(this.direction, b.value as number) || a.id - b.id);
    const nGood = Math.min(Math.ceil(this.options.gamma * ranked.length), this.options.maxGood);
    const extraBad = this.records.filter((t) => t.status === 'pruned' || (this.options.constantLiar && t.status === 'pending'));
    return { good: ranked.slice(0, nGood), bad: [...ranked.slice(nGood), ...extraBad] };
  }

  private sampleParam(p: ParamSpec, good: ParamValue[], bad: ParamValue[]): ParamValue {
    const { nEiCandidates: n, priorWeight } = this.options;
    if (p.type === 'categorical') {
      const index = (v: ParamValue): number => p.choices.findIndex((c) => c === v);
      const l = fitCategorical(good.map(index).filter((i) => i >= 0), p.choices.length, priorWeight);
      const g = fitCategorical(bad.map(index).filter((i) => i >= 0), p.choices.length, priorWeight);
      let best = -1;
      let bestScore = -Infinity;
      for (let k = 0; k < n; k++) {
        const i = this.rng.weighted(l);
        const s = Math.log(l[i]) - Math.log(g[i]);
        if (s > bestScore) [best, bestScore] = [i, s];
      }
      return p.choices[best];
    }
    const { low, high } = internalBounds(p);
    const internal = (vs: ParamValue[]): number[] => vs.filter((v): v is number => typeof v === 'number').map((v) => toInternal(p, v));
    const l = fitNumeric(internal(good), low, high, priorWeight);
    const g = fitNumeric(internal(bad), low, high, priorWeight);
    let best = NaN;
    let bestScore = -Infinity;
    for (let k = 0; k < n; k++) {
      // Score the value actually returned (ints rounded to their step), not the raw draw.
      const v = fromInternal(p, sampleNumeric(l, this.rng));
      const x = toInternal(p, v);
      const s = logPdfNumeric(l, x) - logPdfNumeric(g, x);
      if (s > bestScore) [best, bestScore] = [v, s];
    }
    return best;
  }
}
