/**
 * Tree-structured Parzen Estimator (Bergstra, Bardenet, Bengio & Kégl, NeurIPS 2011), with the
 * defaults of Optuna's TPESampler so the two can be compared like for like:
 *
 * 1. Until `nStartupTrials` trials have completed, points are drawn from the prior (random).
 * 2. Then complete trials are ranked; the best nGood = min(ceil(gamma·n), maxGood) form the
 *    "good" set, the rest (plus pruned trials, judged worse by the pruner, plus — constant liar —
 *    pending trials) the "bad" set. Failed trials carry no information and are ignored.
 * 3. l(x) is fitted on the good set, g(x) on the bad one (parzen.ts: kernels, bandwidth rule,
 *    recency weights), `nEiCandidates` points are drawn from l and the one maximising
 *    l(x)/g(x) — the expected-improvement maximiser under TPE's model — is returned.
 *
 * Grouping: with `multivariate` (default, Optuna 5's only mode) the unconditional parameters
 * are modelled jointly (Falkner et al. 2018), which captures interactions. With `group` (on by
 * default when the space has conditional parameters; Optuna's `group=True`), the conditional
 * parameters that are active together — the same chain of conditions, so the same trials —
 * form a group, modelled jointly too: a branch's parameters are drawn as one point from
 * estimators fitted on the trials where that branch was taken, so a correlated optimum inside a
 * branch is learnt as such. Without `group`, each conditional parameter is drawn alone. Either
 * way groups are drawn in parent-first order, only when active for the values already drawn.
 * With `multivariate: false` every parameter is drawn alone (the paper's independent TPE).
 *
 * Constant liar: a pending trial counts as a bad observation at its asked point, so g grows
 * there and a parallel ask moves elsewhere instead of returning (nearly) the same point.
 */
import { z } from 'zod';
import { fitParzen, logPdfParzen, sampleParzen, type DimObservations } from './parzen.js';
import { CommonOptionsShape, parseOptions } from './options.js';
import { BaseSampler, samplePrior, type SamplerResume, type SamplerStateBase } from './sampler.js';
import {
  fromInternal,
  internalBounds,
  isActive,
  parseSearchSpace,
  toInternal,
  type Params,
  type ParamsOf,
  type ParamValue,
  type SearchSpace,
  type SpaceDeclaration,
} from './space.js';
import { score, type TrialRecord } from './trials.js';

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
    /** Model the unconditional parameters jointly (Optuna 5's only mode) instead of one by one. */
    multivariate: z.boolean().default(true),
    /**
     * Model the parameters of each conditional branch jointly (Optuna's `group=True`). Omitted:
     * on when the space has conditional parameters. A state always holds the resolved value.
     */
    group: z.boolean().optional(),
  })
  .strict();
export type TpeOptions = z.output<typeof TpeOptionsSchema>;

/**
 * The units TPE draws jointly, in draw order. Multivariate: all unconditional parameters form
 * one group; with `group`, conditional parameters with the same chain of conditions (same
 * parent, same values, up to the root) form one group each; otherwise each is alone.
 */
export function drawGroups(space: SearchSpace, order: readonly string[], options: { multivariate: boolean; group: boolean }): string[][] {
  if (!options.multivariate) return order.map((n) => [n]);
  const chainKey = (name: string): string => {
    const parts: string[] = [];
    for (let w = space[name].when; w !== undefined; w = space[w.param].when)
      parts.push(JSON.stringify([w.param, [...w.in].map((v) => JSON.stringify(v)).sort()]));
    return parts.join('<');
  };
  const groups = new Map<string, string[]>();
  order.forEach((name, i) => {
    const key = space[name].when === undefined ? '' : options.group ? chainKey(name) : `#${i}`;
    const g = groups.get(key);
    if (g) g.push(name);
    else groups.set(key, [name]);
  });
  // Map order is first appearance in parent-first order, so a parent's group precedes its children's.
  return [...groups.values()];
}

export interface TpeSamplerState extends SamplerStateBase {
  kind: 'tpe';
  options: TpeOptions;
}

const TpeSamplerOptionsSchema = z.object({ ...TpeOptionsSchema.shape, ...CommonOptionsShape }).strict();
/** Everything optional: seed 0, minimise, Optuna's defaults. */
export type TpeSamplerOptions = z.input<typeof TpeSamplerOptionsSchema>;

export class TpeSampler<const S extends SpaceDeclaration = SpaceDeclaration> extends BaseSampler<ParamsOf<S>> {
  readonly kind = 'tpe' as const;
  /** Resolved options (`group` decided). */
  readonly options: TpeOptions & { group: boolean };
  /** The units drawn jointly, parent groups first. */
  private readonly groups: string[][];

  constructor(space: S, options?: TpeSamplerOptions, resume?: SamplerResume) {
    const { seed, direction, ...tpe } = parseOptions('TpeSampler', TpeSamplerOptionsSchema, options);
    super(parseSearchSpace(space), direction, seed, resume);
    this.options = { ...tpe, group: tpe.group ?? Object.values(this.space).some((p) => p.when !== undefined) };
    this.groups = drawGroups(this.space, this.order, this.options);
  }

  static fromState(state: TpeSamplerState): TpeSampler<SearchSpace> {
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
    // A group's members share one condition chain, so its first member speaks for all.
    for (const names of this.groups) if (isActive(this.space, names[0], params)) this.sampleGroup(names, good, bad, params);
    return params;
  }

  private split(complete: TrialRecord[]): { good: TrialRecord[]; bad: TrialRecord[] } {
    const ranked = [...complete].sort((a, b) => score(this.direction, a.value as number) - score(this.direction, b.value as number) || a.id - b.id);
    const nGood = Math.min(Math.ceil(this.options.gamma * ranked.length), this.options.maxGood);
    const extraBad = this.records.filter((t) => t.status === 'pruned' || (this.options.constantLiar && t.status === 'pending'));
    // Trial order (oldest first): the estimators down-weight old observations by position.
    const byId = (a: TrialRecord, b: TrialRecord): number => a.id - b.id;
    return { good: ranked.slice(0, nGood).sort(byId), bad: [...ranked.slice(nGood), ...extraBad].sort(byId) };
  }

  /**
   * Draws values for `names` jointly: fit l on the good trials and g on the bad ones (only those
   * where every name is active), draw candidates from l, keep the max of log l − log g.
   */
  private sampleGroup(names: readonly string[], good: TrialRecord[], bad: TrialRecord[], params: Params): void {
    const { nEiCandidates, priorWeight } = this.options;
    const specs = names.map((n) => this.space[n]);
    const observe = (ts: TrialRecord[]): DimObservations[] => {
      const active = ts.filter((t) => names.every((n) => n in t.params));
      return specs.map((p, j): DimObservations => {
        const vs = active.map((t) => t.params[names[j]]);
        if (p.type === 'categorical') return { kind: 'categorical', indices: vs.map((v) => Math.max(0, p.choices.indexOf(v))), nChoices: p.choices.length };
        return { kind: 'numeric', values: vs.map((v) => toInternal(p, v as number)), ...internalBounds(p) };
      });
    };
    const l = fitParzen(observe(good), priorWeight);
    const g = fitParzen(observe(bad), priorWeight);
    let best: ParamValue[] = [];
    let bestScore = -Infinity;
    for (let c = 0; c < nEiCandidates; c++) {
      const raw = sampleParzen(l, this.rng);
      // Score the values actually returned (ints rounded to their step), not the raw draw.
      const values = raw.map((x, j) => {
        const p = specs[j];
        return p.type === 'categorical' ? p.choices[x] : fromInternal(p, x);
      });
      const point = values.map((v, j) => {
        const p = specs[j];
        return p.type === 'categorical' ? raw[j] : toInternal(p, v as number);
      });
      const s = logPdfParzen(l, point) - logPdfParzen(g, point);
      if (s > bestScore) [best, bestScore] = [values, s];
    }
    names.forEach((n, j) => (params[n] = best[j]));
  }
}
