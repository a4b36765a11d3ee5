/**
 * The ask/tell contract every sampler shares, and the bookkeeping they have in common.
 *
 * State design: a sampler is an object for convenience, but everything it knows is plain data —
 * the space, the direction, the PRNG state (one integer), the trial ledger and its own options.
 * `sampler.state()` returns that data (JSON-safe); `restoreSampler(state)` (restore.ts) rebuilds
 * an equivalent sampler whose future asks are identical. Nothing else is hidden in closures.
 */
import { Prng } from './random.js';
import { fromInternal, internalBounds, isActive, paramOrder, type Params, type SearchSpace } from './space.js';
import { bestTrial, copyTrial, type Direction, type Suggestion, type TellOutcome, type TrialRecord } from './trials.js';

export type SamplerKind = 'random' | 'grid' | 'tpe' | 'gp' | 'nsga2';

/** One ask: the trial id to tell later and the point, typed from the declared space. */
export interface TypedSuggestion<P extends Params = Params> extends Suggestion {
  params: P;
}

/** Fields every sampler state has. */
export interface SamplerStateBase {
  version: 1;
  space: SearchSpace;
  direction: Direction;
  /** mulberry32 state after the last draw. */
  rng: number;
  trials: TrialRecord[];
}

/** `P` is the point type: ParamsOf<the declared space>, or Params for a space known at run time. */
export interface Sampler<P extends Params = Params> {
  readonly kind: SamplerKind;
  readonly space: SearchSpace;
  readonly direction: Direction;
  /** Next point to evaluate; it is recorded as a pending trial until `tell`. */
  ask(): TypedSuggestion<P>;
  /**
   * Records a trial's outcome. Telling the same outcome twice is a no-op (retried steps). A
   * complete or pruned value that is not finite (NaN, ±Infinity: a diverged run) records the
   * trial as failed — it carries no information a model could use.
   */
  tell(trialId: number, outcome: TellOutcome): void;
  /** True when `ask` has nothing new to offer (a finished grid); random and TPE never are. */
  isExhausted(): boolean;
  trials(): readonly TrialRecord[];
  best(): TrialRecord | undefined;
  /** Plain JSON data from which `restoreSampler` rebuilds this sampler exactly. */
  state(): SamplerStateBase & { kind: SamplerKind };
}

/** What a restored sampler continues from (absent for a fresh one). */
export interface SamplerResume {
  rng: number;
  trials: readonly TrialRecord[];
}

/** Thrown by `ask` on an exhausted sampler (a grid whose every point has been asked). */
export class SearchExhaustedError extends Error {
  constructor(what: string) {
    super(`${what}: every point of the search space has been asked`);
    this.name = 'SearchExhaustedError';
  }
}

/** Deep copy through JSON: states are JSON by contract, and this also proves it at runtime. */
export function jsonCopy<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** Draws one point from the prior (uniform in each parameter's internal space), parents first. */
export function samplePrior(space: SearchSpace, rng: Prng, order: readonly string[] = paramOrder(space)): Params {
  const params: Params = {};
  for (const name of order) {
    if (!isActive(space, name, params)) continue;
    const p = space[name];
    if (p.type === 'categorical') params[name] = p.choices[rng.int(p.choices.length)];
    else {
      const b = internalBounds(p);
      params[name] = fromInternal(p, rng.uniform(b.low, b.high));
    }
  }
  return params;
}

/** Trial ledger, PRNG and ask/tell plumbing; subclasses only decide the next point. */
export abstract class BaseSampler<P extends Params = Params> implements Sampler<P> {
  abstract readonly kind: SamplerKind;
  readonly space: SearchSpace;
  readonly direction: Direction;
  protected readonly rng: Prng;
  protected readonly records: TrialRecord[];
  protected readonly order: string[];

  protected constructor(space: SearchSpace, direction: Direction, seed: number, resume: SamplerResume | undefined) {
    this.space = jsonCopy(space);
    this.direction = direction;
    this.rng = resume ? new Prng(resume.rng) : Prng.fromSeed(seed);
    this.records = resume ? resume.trials.map(copyTrial) : [];
    this.records.forEach((t, i) => {
      if (t.id !== i) throw new Error(`sampler state: trial ids must be 0..n-1 in order (trial at ${i} has id ${t.id})`);
    });
    this.order = paramOrder(this.space);
  }

  protected abstract propose(): Params;

  isExhausted(): boolean {
    return false;
  }

  ask(): TypedSuggestion<P> {
    // propose() returns only legal points of this.space, which P describes.
    const params = this.propose() as P;
    // Ids are dense (0, 1, 2...): the campaign's trial index, and a stable tiebreak.
    const trialId = this.records.length;
    this.records.push({ id: trialId, params: { ...params }, status: 'pending' });
    return { trialId, params };
  }

  tell(trialId: number, outcome: TellOutcome): void {
    const t = this.records[trialId];
    if (!t) throw new RangeError(`tell: unknown trial ${trialId}`);
    const raw = this.outcomeValues(trialId, outcome);
    // A diverged run (NaN, ±Infinity) is a failure: no model can rank it against finite values.
    const status = raw !== undefined && !raw.every(Number.isFinite) ? 'failed' : outcome.status;
    const values = status === 'failed' ? undefined : raw;
    const value = values && this.objectives === 1 ? values[0] : undefined;
    const multi = values && this.objectives > 1 ? values : undefined;
    if (t.status !== 'pending') {
      if (t.status === status && t.value === value && JSON.stringify(t.values) === JSON.stringify(multi)) return;
      throw new Error(`tell: trial ${trialId} is already ${t.status}`);
    }
    t.status = status;
    if (value !== undefined) t.value = value;
    if (multi !== undefined) t.values = [...multi];
  }

  /** Number of objectives a complete trial reports (1 but for multi-objective samplers). */
  protected get objectives(): number {
    return 1;
  }

  /** The told numbers (undefined: none), checked for type and count. */
  private outcomeValues(trialId: number, outcome: TellOutcome): number[] | undefined {
    if (outcome.status === 'failed') return undefined;
    const given: unknown = 'values' in outcome ? outcome.values : outcome.value;
    if (given === undefined) {
      if (outcome.status === 'complete') throw new TypeError(`tell: trial ${trialId} is complete but has no value`);
      return undefined;
    }
    const list = Array.isArray(given) ? (given as unknown[]) : [given];
    for (const v of list) if (typeof v !== 'number') throw new TypeError(`tell: trial ${trialId} value must be a number (got ${JSON.stringify(v)})`);
    const n = this.objectives;
    // A pruned trial may report its last intermediate value alone, whatever the objective count.
    if (outcome.status === 'complete' && list.length !== n) {
      throw new RangeError(`tell: trial ${trialId} needs ${n === 1 ? 'one value' : `${n} values (one per objective)`}, got ${list.length}`);
    }
    if (outcome.status === 'pruned' && n > 1) return undefined;
    return list as number[];
  }

  trials(): readonly TrialRecord[] {
    return this.records;
  }

  best(): TrialRecord | undefined {
    return bestTrial(this.direction, this.records);
  }

  protected baseState(): SamplerStateBase {
    return { version: 1, space: jsonCopy(this.space), direction: this.direction, rng: this.rng.state, trials: this.records.map(copyTrial) };
  }

  abstract state(): SamplerStateBase & { kind: SamplerKind };
}
