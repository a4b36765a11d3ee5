/**
 * Gaussian-process Bayesian optimisation, for low-dimensional continuous and integer spaces (the
 * regime where a GP beats TPE: few trials, smooth objective). Modelled after Optuna's GPSampler:
 *
 * 1. Until `nStartupTrials` trials have completed, points come from the prior (random).
 * 2. Then the unconditional parameters are encoded into the unit cube — floats and ints linearly
 *    in their internal scale (log parameters in log space: input warping), categoricals one-hot —
 *    and a GP with a Matérn-5/2 ARD kernel is fitted to the standardised scores (gp-model.ts:
 *    length scales, signal and noise by marginal likelihood).
 * 3. The next point maximises log expected improvement: `nCandidates` random points plus small
 *    perturbations of the best trials are scored, and the best `nLocalStarts` of them are refined
 *    by a pattern search (halving steps per coordinate; one-hot blocks switch category). Every
 *    point is scored as it will be returned (ints rounded, categoricals decided).
 * Conditional parameters are not modelled: they are drawn from the prior when active (as
 * Optuna's GPSampler does for parameters outside the intersection space).
 *
 * Parallel asks: a pending trial is told to the model as the worst value seen (constant liar),
 * so a second ask moves away from the first. Failed trials are ignored; pruned ones too (their
 * value is at another budget).
 *
 * Bounded CPU per ask: at most `maxObservations` trials enter the fit (the best half and the
 * most recent others), `fitSteps` likelihood steps (each one Cholesky of that size) and a fixed
 * number of acquisition evaluations; nothing grows with the campaign beyond that cap.
 */
import { z } from 'zod';
import { fitGp, logExpectedImprovement, predict, type GpFit } from './gp-model.js';
import { CommonOptionsShape, parseOptions } from './options.js';
import { BaseSampler, samplePrior, type SamplerResume, type SamplerStateBase } from './sampler.js';
import {
  fromInternal,
  internalBounds,
  isActive,
  parseSearchSpace,
  toInternal,
  type ParamSpec,
  type Params,
  type ParamsOf,
  type SearchSpace,
  type SpaceDeclaration,
} from './space.js';
import { score, type TrialRecord } from './trials.js';

export const GpOptionsSchema = z
  .object({
    nStartupTrials: z.number().int().min(1).max(1_000).default(10),
    /** Random points scored per ask before the local search. */
    nCandidates: z.number().int().min(1).max(5_000).default(512),
    /** Best candidates refined by the pattern search. */
    nLocalStarts: z.number().int().min(1).max(50).default(5),
    /** Pattern-search sweeps per start (each halves the step). */
    localSweeps: z.number().int().min(1).max(100).default(12),
    /** Adam steps on the marginal likelihood per ask (40 until the 'hpo-gp-fit' patch). */
    fitSteps: z.number().int().min(0).max(500).default(100),
    /**
     * Noise variance (of the standardised scores) the fit starts from (1e-2 until the 'hpo-gp-fit'
     * patch). Measured on Branin, 10 seeds × 50 trials: 1e-2 with 40 steps left a median regret of
     * 2.0e-3; 1e-4 with 100 steps, 1.5e-5 (bench/README.md).
     */
    noiseStart: z.number().min(1e-6).max(1).default(1e-4),
    /** Trials used by the fit at most: the cost of one ask is O(fitSteps · maxObservations³). */
    maxObservations: z.number().int().min(5).max(1_000).default(120),
    constantLiar: z.boolean().default(true),
  })
  .strict();
export type GpOptions = z.output<typeof GpOptionsSchema>;

const GpSamplerOptionsSchema = z.object({ ...GpOptionsSchema.shape, ...CommonOptionsShape }).strict();
export type GpSamplerOptions = z.input<typeof GpSamplerOptionsSchema>;

export interface GpSamplerState extends SamplerStateBase {
  kind: 'gp';
  options: GpOptions;
}

/** How one parameter sits in the unit cube: one dimension, or a one-hot block. */
type Slot =
  | { name: string; spec: Exclude<ParamSpec, { type: 'categorical' }>; dim: number }
  | { name: string; spec: Extract<ParamSpec, { type: 'categorical' }>; dim: number };

export class GpSampler<const S extends SpaceDeclaration = SpaceDeclaration> extends BaseSampler<ParamsOf<S>> {
  readonly kind = 'gp' as const;
  readonly options: GpOptions;
  private readonly slots: Slot[];
  private readonly dims: number;

  constructor(space: S, options?: GpSamplerOptions, resume?: SamplerResume) {
    const { seed, direction, ...gp } = parseOptions('GpSampler', GpSamplerOptionsSchema, options);
    super(parseSearchSpace(space), direction, seed, resume);
    this.options = gp;
    let dim = 0;
    this.slots = [];
    for (const name of this.order) {
      const spec = this.space[name];
      if (spec.when !== undefined) continue;
      this.slots.push({ name, spec, dim } as Slot);
      dim += spec.type === 'categorical' ? spec.choices.length : 1;
    }
    this.dims = dim;
  }

  static fromState(state: GpSamplerState): GpSampler<SearchSpace> {
    return new GpSampler(state.space, { ...state.options, seed: 0, direction: state.direction }, state);
  }

  state(): GpSamplerState {
    return { kind: 'gp', ...this.baseState(), options: { ...this.options } };
  }

  protected propose(): Params {
    const complete = this.records.filter((t) => t.status === 'complete' && t.value !== undefined);
    if (complete.length < this.options.nStartupTrials || this.dims === 0) return samplePrior(this.space, this.rng, this.order);
    const observed = this.observations(complete);
    const x = observed.map((o) => this.encode(o.params));
    const raw = observed.map((o) => o.score);
    const mean = raw.reduce((a, b) => a + b, 0) / raw.length;
    const sd = Math.sqrt(raw.reduce((a, b) => a + (b - mean) ** 2, 0) / raw.length) || 1;
    const y = raw.map((v) => (v - mean) / sd);
    const fit = fitGp(x, y, this.options.fitSteps, this.options.noiseStart);
    // The incumbent among the real observations (liars are pessimistic by construction).
    const bestY = Math.min(...y.slice(0, observed.filter((o) => !o.lie).length));
    const point = this.maximiseAcquisition(fit, bestY, x, y);
    const params = this.decode(point);
    // Conditional parameters: from the prior, given the modelled values.
    for (const name of this.order) {
      if (name in params || !isActive(this.space, name, params)) continue;
      Object.assign(params, samplePrior({ [name]: { ...this.space[name], when: undefined } }, this.rng));
    }
    return params;
  }

  /** The trials the fit sees: real observations first, then pending ones as liars. */
  private observations(complete: TrialRecord[]): { params: Params; score: number; lie: boolean }[] {
    const scored = complete.map((t) => ({ t, s: score(this.direction, t.value as number) }));
    let kept = scored;
    const cap = this.options.maxObservations;
    if (scored.length > cap) {
      // The best half keeps the incumbent's region modelled; the most recent rest tracks the search.
      const byScore = [...scored].sort((a, b) => a.s - b.s || a.t.id - b.t.id);
      const best = new Set(byScore.slice(0, Math.floor(cap / 2)).map((e) => e.t.id));
      const recent = scored.filter((e) => !best.has(e.t.id)).slice(-(cap - best.size));
      kept = scored.filter((e) => best.has(e.t.id) || recent.includes(e));
    }
    const real = kept.map((e) => ({ params: e.t.params, score: e.s, lie: false }));
    if (!this.options.constantLiar) return real;
    const worst = Math.max(...real.map((r) => r.score));
    const pending = this.records.filter((t) => t.status === 'pending').slice(-cap);
    return [...real, ...pending.map((t) => ({ params: t.params, score: worst, lie: true }))];
  }

  private encode(params: Params): number[] {
    const x = new Array<number>(this.dims).fill(0);
    for (const slot of this.slots) {
      const v = params[slot.name];
      if (slot.spec.type === 'categorical') {
        const i = slot.spec.choices.indexOf(v);
        x[slot.dim + Math.max(0, i)] = 1;
      } else {
        const b = internalBounds(slot.spec);
        x[slot.dim] = (toInternal(slot.spec, v as number) - b.low) / (b.high - b.low);
      }
    }
    return x;
  }

  private decode(x: readonly number[]): Params {
    const params: Params = {};
    for (const slot of this.slots) {
      if (slot.spec.type === 'categorical') {
        const block = x.slice(slot.dim, slot.dim + slot.spec.choices.length);
        params[slot.name] = slot.spec.choices[block.indexOf(Math.max(...block))];
      } else {
        const b = internalBounds(slot.spec);
        params[slot.name] = fromInternal(slot.spec, b.low + Math.min(1, Math.max(0, x[slot.dim])) * (b.high - b.low));
      }
    }
    return params;
  }

  /** A point as it will be returned (ints on their step, one category per block), re-encoded. */
  private snap(x: readonly number[]): number[] {
    return this.encode(this.decode(x));
  }

  private randomPoint(): number[] {
    const x = new Array<number>(this.dims).fill(0);
    for (const slot of this.slots) {
      if (slot.spec.type === 'categorical') x[slot.dim + this.rng.int(slot.spec.choices.length)] = 1;
      else x[slot.dim] = this.rng.uniform(0, 1);
    }
    return x;
  }

  private maximiseAcquisition(fit: GpFit, bestY: number, observedX: readonly number[][], observedY: readonly number[]): number[] {
    const acq = (pts: readonly number[][]): number[] => predict(fit, pts).map((p) => logExpectedImprovement(p.mean, p.variance, bestY));
    const { nCandidates, nLocalStarts, localSweeps } = this.options;
    // Candidates: uniform points, and Gaussian perturbations of the best observations (where EI is often highest).
    const order = observedY.map((_, i) => i).sort((a, b) => observedY[a] - observedY[b] || a - b);
    const candidates: number[][] = [];
    for (let c = 0; c < nCandidates; c++) {
      if (c % 4 === 3 && order.length > 0) {
        const base = observedX[order[c % Math.min(5, order.length)]];
        candidates.push(this.snap(base.map((v) => v + 0.05 * this.rng.normal())));
      } else candidates.push(this.snap(this.randomPoint()));
    }
    const scores = acq(candidates);
    const starts = scores
      .map((s, i) => [s, i] as const)
      .sort((a, b) => b[0] - a[0] || a[1] - b[1])
      .slice(0, nLocalStarts)
      .map(([s, i]) => ({ x: candidates[i], s }));
    let best = starts[0];
    for (const start of starts) {
      const refined = this.patternSearch(start.x, start.s, localSweeps, acq);
      if (refined.s > best.s) best = refined;
    }
    return best.x;
  }

  /** Coordinate pattern search: ±step per numeric dimension, every category per block; halve the step each sweep. */
  private patternSearch(x0: number[], s0: number, sweeps: number, acq: (pts: readonly number[][]) => number[]): { x: number[]; s: number } {
    let x = x0;
    let s = s0;
    let step = 0.1;
    for (let sweep = 0; sweep < sweeps; sweep++) {
      const neighbours: number[][] = [];
      for (const slot of this.slots) {
        if (slot.spec.type === 'categorical') {
          for (let c = 0; c < slot.spec.choices.length; c++) {
            if (x[slot.dim + c] === 1) continue;
            const n = [...x];
            n.fill(0, slot.dim, slot.dim + slot.spec.choices.length);
            n[slot.dim + c] = 1;
            neighbours.push(n);
          }
        } else {
          for (const sign of [-1, 1]) {
            const n = [...x];
            n[slot.dim] = Math.min(1, Math.max(0, n[slot.dim] + sign * step));
            neighbours.push(this.snap(n));
          }
        }
      }
      const ns = acq(neighbours);
      let improved = false;
      ns.forEach((v, i) => {
        if (v > s) [x, s, improved] = [neighbours[i], v, true];
      });
      if (!improved) step /= 2;
    }
    return { x, s };
  }
}
