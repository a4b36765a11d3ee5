/**
 * Pruners decide, from intermediate values only, whether a trial continues (Optuna's split: the
 * sampler never sees curves, the pruner never sees parameters).
 *
 * One contract for all: `rungs()` are the resource levels (epochs) at which the campaign pauses
 * a trial and reports its objective; `report(trialId, rung, value)` answers
 * - 'promote': continue the same trial from its checkpoint up to the next rung's epochs,
 * - 'stop': prune it here (its last value stands),
 * - 'complete': it reached the last rung (maxResource).
 * So every trial ends at exactly one rung, with 'stop' or 'complete'. Reports must come in rung
 * order, and a repeated report of the same value at the same rung returns the recorded answer
 * (a retried step must not count twice). State is plain JSON (`state()` / `restorePruner`).
 */
import { z } from 'zod';
import { DirectionSchema, score, type Direction } from './trials.js';

export type PruneDecision = 'promote' | 'stop' | 'complete';

export const RungEntrySchema = z
  .object({ trialId: z.number().int().min(0), value: z.number().finite(), decision: z.enum(['promote', 'stop', 'complete']) })
  .strict();
export type RungEntry = z.infer<typeof RungEntrySchema>;

export interface Pruner {
  readonly kind: 'asha' | 'median' | 'none';
  /** Epochs at each rung, ascending; the last is the full budget. */
  rungs(): number[];
  report(trialId: number, rung: number, value: number): PruneDecision;
  /** Results recorded at `rung`, in report order. */
  table(rung: number): readonly RungEntry[];
  /** How many trials have reported at each rung (the progress query's "trials per rung"). */
  trialsPerRung(): number[];
  state(): PrunerState;
}

/** The bookkeeping all pruners share; subclasses only decide. */
abstract class RungPruner implements Pruner {
  abstract readonly kind: 'asha' | 'median' | 'none';
  protected readonly tables: RungEntry[][];
  protected readonly direction: Direction;
  private readonly resources: number[];

  protected constructor(resources: number[], direction: Direction, tables?: RungEntry[][]) {
    this.resources = resources;
    this.direction = direction;
    this.tables = resources.map((_, k) => (tables?.[k] ?? []).map((e) => ({ ...e })));
  }

  /** Decision for an entry just recorded at a non-final rung. */
  protected abstract decide(trialId: number, rung: number, value: number): 'promote' | 'stop';

  rungs(): number[] {
    return [...this.resources];
  }

  table(rung: number): readonly RungEntry[] {
    return this.tables[rung] ?? [];
  }

  trialsPerRung(): number[] {
    return this.tables.map((t) => t.length);
  }

  report(trialId: number, rung: number, value: number): PruneDecision {
    if (!Number.isInteger(rung) || rung < 0 || rung >= this.resources.length) {
      throw new RangeError(`report: rung must be an integer in [0, ${this.resources.length - 1}] (got ${rung})`);
    }
    if (!Number.isFinite(value)) throw new RangeError(`report: trial ${trialId} value must be finite (got ${value})`);
    const previous = this.tables[rung].find((e) => e.trialId === trialId);
    if (previous) {
      if (previous.value === value) return previous.decision;
      throw new Error(`report: trial ${trialId} already reported ${previous.value} at rung ${rung}`);
    }
    if (rung > 0 && this.tables[rung - 1].find((e) => e.trialId === trialId)?.decision !== 'promote') {
      throw new Error(`report: trial ${trialId} was not promoted to rung ${rung}`);
    }
    if (rung === 0 && this.tables.some((t) => t.some((e) => e.trialId === trialId))) {
      throw new Error(`report: trial ${trialId} already reported`);
    }
    const last = rung === this.resources.length - 1;
    const entry: RungEntry = { trialId, value, decision: 'complete' };
    this.tables[rung].push(entry);
    if (!last) entry.decision = this.decide(trialId, rung, value);
    return entry.decision;
  }

  protected better(a: number, b: number): boolean {
    return score(this.direction, a) < score(this.direction, b);
  }

  abstract state(): PrunerState;
}

// ---------------------------------------------------------------------------------------------

export const AshaOptionsSchema = z
  .object({
    minResource: z.number().int().min(1),
    maxResource: z.number().int().min(1),
    reductionFactor: z.number().int().min(2).default(3),
    direction: DirectionSchema.default('minimize'),
  })
  .strict()
  .refine((o) => o.maxResource >= o.minResource, { path: ['maxResource'], message: 'must be >= minResource' });
export type AshaOptions = z.output<typeof AshaOptionsSchema>;

/** minResource·η^k below maxResource, then maxResource itself (a survivor gets the full budget). */
export function ashaRungs(o: Pick<AshaOptions, 'minResource' | 'maxResource' | 'reductionFactor'>): number[] {
  const out: number[] = [];
  for (let r = o.minResource; r < o.maxResource; r *= o.reductionFactor) out.push(r);
  out.push(o.maxResource);
  return out;
}

/**
 * Asynchronous successive halving (Li et al., MLSys 2020). A trial reporting at rung k is
 * promoted iff it is in the top ⌊n/η⌋ of the n results recorded at rung k so far (itself
 * included) — decided at once, never waiting for a full rung, which is what makes it
 * asynchronous. While n < η that top is empty; like Optuna's SuccessiveHalvingPruner we then
 * promote the rung's best so far, or the first trials could never reach the full budget.
 */
export class AshaPruner extends RungPruner {
  readonly kind = 'asha' as const;
  readonly options: AshaOptions;

  constructor(options: z.input<typeof AshaOptionsSchema>, tables?: RungEntry[][]) {
    const o = AshaOptionsSchema.parse(options);
    super(ashaRungs(o), o.direction, tables);
    this.options = o;
  }

  protected decide(_trialId: number, rung: number, value: number): 'promote' | 'stop' {
    const values = this.tables[rung].map((e) => e.value);
    const k = Math.max(1, Math.floor(values.length / this.options.reductionFactor));
    const strictlyBetter = values.filter((v) => this.better(v, value)).length;
    return strictlyBetter < k ? 'promote' : 'stop';
  }

  state(): AshaPrunerState {
    return { kind: 'asha', options: { ...this.options }, tables: this.tables.map((t) => t.map((e) => ({ ...e }))) };
  }
}

// ---------------------------------------------------------------------------------------------

export const MedianOptionsSchema = z
  .object({
    /** Full budget, epochs. */
    maxResource: z.number().int().min(1),
    /** Epochs between reports. */
    interval: z.number().int().min(1).default(1),
    /** Reports (rungs) at the start of every trial that are never pruned: early curves are noisy. */
    warmupSteps: z.number().int().min(0).default(0),
    /** Other trials' values needed at a step before its median is trusted. */
    minTrials: z.number().int().min(1).default(5),
    direction: DirectionSchema.default('minimize'),
  })
  .strict();
export type MedianOptions = z.output<typeof MedianOptionsSchema>;

/** Median stopping (Golovin et al. 2017, Optuna's MedianPruner): stop a trial worse than the median. */
export class MedianPruner extends RungPruner {
  readonly kind = 'median' as const;
  readonly options: MedianOptions;

  constructor(options: z.input<typeof MedianOptionsSchema>, tables?: RungEntry[][]) {
    const o = MedianOptionsSchema.parse(options);
    const steps: number[] = [];
    for (let r = o.interval; r < o.maxResource; r += o.interval) steps.push(r);
    steps.push(o.maxResource);
    super(steps, o.direction, tables);
    this.options = o;
  }

  protected decide(trialId: number, rung: number, value: number): 'promote' | 'stop' {
    if (rung < this.options.warmupSteps) return 'promote';
    const others = this.tables[rung].filter((e) => e.trialId !== trialId).map((e) => e.value);
    if (others.length < this.options.minTrials) return 'promote';
    const s = [...others].sort((a, b) => a - b);
    const m = s.length >> 1;
    const median = s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
    return this.better(median, value) ? 'stop' : 'promote';
  }

  state(): MedianPrunerState {
    return { kind: 'median', options: { ...this.options }, tables: this.tables.map((t) => t.map((e) => ({ ...e }))) };
  }
}

// ---------------------------------------------------------------------------------------------

export const NoPrunerOptionsSchema = z.object({ maxResource: z.number().int().min(1), direction: DirectionSchema.default('minimize') }).strict();

/** Every trial trains the full budget: one rung, always 'complete'. */
export class NoPruner extends RungPruner {
  readonly kind = 'none' as const;
  readonly options: z.output<typeof NoPrunerOptionsSchema>;

  constructor(options: z.input<typeof NoPrunerOptionsSchema>, tables?: RungEntry[][]) {
    const o = NoPrunerOptionsSchema.parse(options);
    super([o.maxResource], o.direction, tables);
    this.options = o;
  }

  protected decide(): 'promote' {
    return 'promote'; // unreachable: the only rung is the last
  }

  state(): NoPrunerState {
    return { kind: 'none', options: { ...this.options }, tables: this.tables.map((t) => t.map((e) => ({ ...e }))) };
  }
}

// ---------------------------------------------------------------------------------------------

const tables = z.array(z.array(RungEntrySchema));
export const PrunerStateSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('asha'), options: AshaOptionsSchema, tables }).strict(),
  z.object({ kind: z.literal('median'), options: MedianOptionsSchema, tables }).strict(),
  z.object({ kind: z.literal('none'), options: NoPrunerOptionsSchema, tables }).strict(),
]);
export type PrunerState = z.output<typeof PrunerStateSchema>;
export type AshaPrunerState = Extract<PrunerState, { kind: 'asha' }>;
export type MedianPrunerState = Extract<PrunerState, { kind: 'median' }>;
export type NoPrunerState = Extract<PrunerState, { kind: 'none' }>;

export function restorePruner(state: unknown): Pruner {
  const s = PrunerStateSchema.parse(state);
  switch (s.kind) {
    case 'asha':
      return new AshaPruner(s.options, s.tables);
    case 'median':
      return new MedianPruner(s.options, s.tables);
    case 'none':
      return new NoPruner(s.options, s.tables);
  }
}
