/**
 * NSGA-II (Deb, Pratap, Agarwal & Meyarivan 2002) for multi-objective HPO, with the defaults of
 * Optuna's NSGAIISampler: e.g. accuracy ↑ vs latency ↓ or parameter count ↓.
 *
 * Generations are fixed by ask order: trial n belongs to generation ⌊n / populationSize⌋, so
 * the schedule is a pure function of the ledger (no hidden generation counter in the state) and
 * parallel asks of one generation all see the same parents.
 * - Generation 0 is drawn from the prior.
 * - The parents of generation g ≥ 1 are selected elitistically from the parents of g − 1 plus
 *   the complete trials of g − 1: whole fronts of the non-dominated sort while they fit, then the
 *   least crowded members of the next front (crowding distance).
 * - A child: two parents by binary tournament (lower front, then larger crowding distance), with
 *   probability `crossoverProb` a uniform crossover (each parameter from either parent with
 *   probability `swappingProb`), else a copy of the first; then each parameter is redrawn from
 *   the prior with probability `mutationProb` (default 1 / number of parameters). Conditional
 *   parameters follow the child's own values: taken from a parent that has them, drawn from
 *   the prior otherwise.
 * Failed and pruned trials take no part in selection. A generation whose predecessor has no
 * complete trial yet falls back to the prior.
 */
import { z } from 'zod';
import { crowdingDistance, nonDominatedSort, paretoTrials } from './moo.js';
import { CommonOptionsShape, parseOptions } from './options.js';
import { BaseSampler, samplePrior, type SamplerResume, type SamplerStateBase } from './sampler.js';
import { isActive, parseSearchSpace, type Params, type ParamsOf, type SearchSpace, type SpaceDeclaration } from './space.js';
import { DirectionSchema, type Direction, type TrialRecord } from './trials.js';

export const Nsga2OptionsSchema = z
  .object({
    /** One direction per objective, in the order `tell` gives the values (at least two). */
    directions: z.array(DirectionSchema).min(2).max(8),
    populationSize: z.number().int().min(2).max(10_000).default(50),
    crossoverProb: z.number().min(0).max(1).default(0.9),
    swappingProb: z.number().min(0).max(1).default(0.5),
    /** Per-parameter mutation probability; omitted: 1 / number of parameters. */
    mutationProb: z.number().min(0).max(1).optional(),
  })
  .strict();
export type Nsga2Options = z.output<typeof Nsga2OptionsSchema>;

const Nsga2SamplerOptionsSchema = z.object({ ...Nsga2OptionsSchema.shape, seed: CommonOptionsShape.seed }).strict();
/** `directions` is required (seed 0 by default). */
export type Nsga2SamplerOptions = z.input<typeof Nsga2SamplerOptionsSchema>;

export interface Nsga2SamplerState extends SamplerStateBase {
  kind: 'nsga2';
  options: Nsga2Options;
}

interface Ranked {
  trial: TrialRecord;
  rank: number;
  crowding: number;
}

export class Nsga2Sampler<const S extends SpaceDeclaration = SpaceDeclaration> extends BaseSampler<ParamsOf<S>> {
  readonly kind = 'nsga2' as const;
  readonly options: Nsga2Options;
  readonly directions: readonly Direction[];

  constructor(space: S, options: Nsga2SamplerOptions, resume?: SamplerResume) {
    const { seed, ...o } = parseOptions('Nsga2Sampler', Nsga2SamplerOptionsSchema, options);
    // BaseSampler's single direction is the first objective's; selection uses all of them.
    super(parseSearchSpace(space), o.directions[0], seed, resume);
    this.options = o;
    this.directions = [...o.directions];
  }

  static fromState(state: Nsga2SamplerState): Nsga2Sampler<SearchSpace> {
    return new Nsga2Sampler(state.space, { ...state.options, seed: 0 }, state);
  }

  state(): Nsga2SamplerState {
    return { kind: 'nsga2', ...this.baseState(), options: { ...this.options, directions: [...this.options.directions] } };
  }

  protected override get objectives(): number {
    return this.directions.length;
  }

  /** A multi-objective run has no single best: see `paretoFront()`. */
  override best(): TrialRecord | undefined {
    return undefined;
  }

  /** The complete trials no other complete trial dominates, in trial order. */
  paretoFront(): TrialRecord[] {
    return paretoTrials(this.records, this.directions);
  }

  /** The parents of generation `g` (trials of generations < g), ranked; empty for generation 0. */
  parents(g: number): Ranked[] {
    const P = this.options.populationSize;
    let parents: TrialRecord[] = [];
    for (let gen = 1; gen <= g; gen++) {
      const offspring = this.records.slice((gen - 1) * P, gen * P).filter((t) => t.status === 'complete' && t.values !== undefined);
      parents = this.select([...parents, ...offspring]).map((r) => r.trial);
    }
    return this.rank(parents);
  }

  /** Elitist survival: whole fronts while they fit, then the least crowded of the next. */
  private select(pool: readonly TrialRecord[]): Ranked[] {
    const ranked = this.rank(pool);
    const P = this.options.populationSize;
    const chosen: Ranked[] = [];
    for (let rank = 0; chosen.length < P; rank++) {
      const front = ranked.filter((r) => r.rank === rank);
      if (front.length === 0) break;
      if (chosen.length + front.length <= P) chosen.push(...front);
      else chosen.push(...[...front].sort((a, b) => b.crowding - a.crowding || a.trial.id - b.trial.id).slice(0, P - chosen.length));
    }
    return chosen;
  }

  /** Front rank and crowding distance of each trial, sorted by rank then trial id. */
  private rank(trials: readonly TrialRecord[]): Ranked[] {
    const points = trials.map((t) => t.values as number[]);
    const fronts = nonDominatedSort(points, this.directions);
    const out: Ranked[] = [];
    fronts.forEach((front, rank) => {
      const crowd = crowdingDistance(points, front);
      front.forEach((i, k) => out.push({ trial: trials[i], rank, crowding: crowd[k] }));
    });
    return out.sort((a, b) => a.rank - b.rank || a.trial.id - b.trial.id);
  }

  protected propose(): Params {
    const generation = Math.floor(this.records.length / this.options.populationSize);
    const parents = generation === 0 ? [] : this.parents(generation);
    if (parents.length === 0) return samplePrior(this.space, this.rng, this.order);
    const a = this.tournament(parents);
    const b = this.tournament(parents);
    const cross = this.rng.next() < this.options.crossoverProb;
    const mutation = this.options.mutationProb ?? 1 / this.order.length;
    const child: Params = {};
    for (const name of this.order) {
      if (!isActive(this.space, name, child)) continue;
      const inA = name in a.params;
      const inB = name in b.params;
      let v =
        inA && inB
          ? cross && this.rng.next() < this.options.swappingProb
            ? b.params[name]
            : a.params[name]
          : inA
            ? a.params[name]
            : inB
              ? b.params[name]
              : undefined;
      if (v === undefined || this.rng.next() < mutation) v = samplePrior({ [name]: { ...this.space[name], when: undefined } }, this.rng)[name];
      child[name] = v;
    }
    return child;
  }

  /** Binary tournament: the lower front wins, then the larger crowding distance, then the older trial. */
  private tournament(parents: readonly Ranked[]): TrialRecord {
    const x = parents[this.rng.int(parents.length)];
    const y = parents[this.rng.int(parents.length)];
    if (x.rank !== y.rank) return x.rank < y.rank ? x.trial : y.trial;
    if (x.crowding !== y.crowding) return x.crowding > y.crowding ? x.trial : y.trial;
    return x.trial.id <= y.trial.id ? x.trial : y.trial;
  }
}
