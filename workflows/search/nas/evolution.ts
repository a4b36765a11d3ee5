/**
 * NAS strategies with the HPO samplers' ask/tell style: random search (the baseline) and aging
 * (regularized) evolution, Real et al. 2019, "Regularized Evolution for Image Classifier
 * Architecture Search".
 *
 * ```ts
 * const evo = new AgingEvolution({ seed: 7, limits: { inputLength: 2048, numClasses: 4, maxParams: 200_000 },
 *                                  populationSize: 20, sampleSize: 5 });
 * const s = evo.ask();
 * if (s.rejected) record(s);                         // already 'rejected' in the ledger
 * else if (s.duplicateOf !== undefined) reuse(s);    // never trained twice: the outcome is copied
 * else evo.tell(s.candidateId, { status: 'complete', value: valAccuracy });  // or 'failed' / 'rejected'
 * const same = restoreNasStrategy(JSON.parse(JSON.stringify(evo.state())));   // identical future asks
 * ```
 *
 * Aging evolution: the first P candidates are random genomes. Afterwards each ask samples S
 * distinct members of the population uniformly (without replacement), takes the best of that
 * tournament as parent and mutates one of its genes. A candidate joins the population when it is
 * told 'complete' (join order = age); when the population then exceeds P, its OLDEST member is
 * removed — not the worst, which is what regularizes the search. Failed and rejected candidates
 * never join. With concurrent evaluations, asks made before any candidate has completed are random.
 *
 * Duplicates: a genome whose canonical hash equals an earlier pending or complete candidate's is
 * reported with `duplicateOf`; its outcome is copied from that candidate (at once if known, else
 * when the original is told), so the caller never trains it. Earlier failed or rejected
 * candidates do not count: the genome is tried again.
 *
 * State is compact: a record keeps its genome only while pending or in the population (the
 * campaign's candidate rows hold every genome), so the state stays small across continue-as-new.
 */
import { z } from 'zod';
import { Prng } from '../random.js';
import { jsonCopy } from '../sampler.js';
import { DirectionSchema, score, type Direction } from '../trials.js';
import { canonicalGenome, genomeHash, GenomeLimitsSchema, GenomeSchema, type Genome, type GenomeLimits } from './genome.js';
import { describeMutation, mutate, NasSpaceSchema, sampleGenome, type NasSpace, type NasSpaceInput } from './space.js';

export type NasStrategyKind = 'random' | 'aging-evolution';

export const CandidateStatusSchema = z.enum(['pending', 'complete', 'failed', 'rejected']);
export type CandidateStatus = z.infer<typeof CandidateStatusSchema>;

export const CandidateRecordSchema = z
  .object({
    id: z.number().int().min(0),
    hash: z.string().regex(/^[0-9a-f]{16}$/),
    status: CandidateStatusSchema,
    origin: z.enum(['random', 'mutation']),
    /** Kept while pending or in the population only. */
    genome: GenomeSchema.optional(),
    value: z.number().finite().optional(),
    reason: z.string().optional(),
    parentId: z.number().int().min(0).optional(),
    /** Tournament sample (ids) the parent was the best of. */
    sample: z.array(z.number().int().min(0)).optional(),
    mutation: z.string().optional(),
    duplicateOf: z.number().int().min(0).optional(),
  })
  .strict();
export type CandidateRecord = z.output<typeof CandidateRecordSchema>;

export interface NasSuggestion {
  candidateId: number;
  genome: Genome;
  hash: string;
  origin: 'random' | 'mutation';
  parentId?: number;
  sample?: number[];
  /** Human-readable mutation, e.g. `blocks[2].kernelSize: 5 -> 7`. */
  mutation?: string;
  /** An earlier candidate with the same hash: do not train, its outcome is (or will be) copied. */
  duplicateOf?: number;
  /** No valid genome could be made: the candidate is already recorded as rejected with this reason. */
  rejected?: string;
}

export type NasTellOutcome = { status: 'complete'; value: number } | { status: 'failed' } | { status: 'rejected'; reason: string };

const strategyBase = {
  version: z.literal(1),
  space: NasSpaceSchema,
  limits: GenomeLimitsSchema,
  direction: DirectionSchema,
  rng: z.number().int().min(0).max(0xffffffff),
  candidates: z.array(CandidateRecordSchema),
};

export const RandomNasOptionsSchema = z
  .object({
    /** Random draws per ask before the candidate is recorded as rejected. */
    maxSampleAttempts: z.number().int().min(1).max(10_000).default(100),
  })
  .strict();

export const AgingEvolutionOptionsSchema = z
  .object({
    /** P: population size (also the number of initial random candidates). */
    populationSize: z.number().int().min(1).max(10_000).default(20),
    /** S: tournament size (capped by the current population). */
    sampleSize: z.number().int().min(1).max(10_000).default(5),
    maxSampleAttempts: z.number().int().min(1).max(10_000).default(100),
    /** Mutation re-draws per ask before the child is recorded as rejected. */
    maxMutationAttempts: z.number().int().min(1).max(10_000).default(20),
  })
  .strict();
export type AgingEvolutionOptions = z.output<typeof AgingEvolutionOptionsSchema>;
export type RandomNasOptions = z.output<typeof RandomNasOptionsSchema>;

export const NasStrategyStateSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('random'), ...strategyBase, options: RandomNasOptionsSchema }).strict(),
  z
    .object({
      kind: z.literal('aging-evolution'),
      ...strategyBase,
      options: AgingEvolutionOptionsSchema,
      /** Member ids, oldest first. */
      population: z.array(z.number().int().min(0)),
    })
    .strict(),
]);
export type NasStrategyState = z.output<typeof NasStrategyStateSchema>;

export interface NasStrategyConfig {
  seed: number;
  limits: GenomeLimits;
  space?: NasSpaceInput;
  /** Of the objective told with 'complete' (validation accuracy: 'maximize', the default). */
  direction?: Direction;
}

export interface NasStrategy {
  readonly kind: NasStrategyKind;
  readonly space: NasSpace;
  readonly limits: GenomeLimits;
  readonly direction: Direction;
  ask(): NasSuggestion;
  /** Idempotent for a repeated identical outcome; a different one for a settled candidate throws. */
  tell(candidateId: number, outcome: NasTellOutcome): void;
  candidates(): readonly CandidateRecord[];
  /** Best complete candidate (ties: the earliest). */
  best(): CandidateRecord | undefined;
  /** Population member ids, oldest first (empty for random search). */
  population(): readonly number[];
  state(): NasStrategyState;
}

interface Proposal {
  genome: Genome;
  origin: 'random' | 'mutation';
  parentId?: number;
  sample?: number[];
  mutation?: string;
  rejected?: string;
}

interface Resume {
  rng: number;
  candidates: readonly CandidateRecord[];
}

abstract class NasStrategyBase implements NasStrategy {
  abstract readonly kind: NasStrategyKind;
  readonly space: NasSpace;
  readonly limits: GenomeLimits;
  readonly direction: Direction;
  protected readonly rng: Prng;
  protected readonly records: CandidateRecord[];

  protected constructor(config: NasStrategyConfig, resume: Resume | undefined) {
    this.space = NasSpaceSchema.parse(config.space ?? {});
    this.limits = GenomeLimitsSchema.parse(config.limits);
    this.direction = config.direction ?? 'maximize';
    this.rng = resume ? new Prng(resume.rng) : Prng.fromSeed(config.seed);
    this.records = resume ? resume.candidates.map((c) => jsonCopy(c)) : [];
    this.records.forEach((c, i) => {
      if (c.id !== i) throw new Error(`NAS state: candidate ids must be 0..n-1 in order (candidate at ${i} has id ${c.id})`);
    });
  }

  protected abstract propose(): Proposal;
  /** A candidate became complete (called once per candidate). */
  protected abstract onComplete(record: CandidateRecord): void;
  abstract population(): readonly number[];
  abstract state(): NasStrategyState;

  /** Earliest pending or complete candidate with this hash. */
  private original(hash: string): CandidateRecord | undefined {
    return this.records.find((c) => c.hash === hash && (c.status === 'pending' || c.status === 'complete') && c.duplicateOf === undefined);
  }

  ask(): NasSuggestion {
    const p = this.propose();
    const genome = canonicalGenome(p.genome);
    const hash = genomeHash(genome);
    const id = this.records.length;
    const record: CandidateRecord = { id, hash, status: 'pending', origin: p.origin, genome };
    if (p.parentId !== undefined) record.parentId = p.parentId;
    if (p.sample) record.sample = [...p.sample];
    if (p.mutation !== undefined) record.mutation = p.mutation;
    const suggestion: NasSuggestion = { candidateId: id, genome: jsonCopy(genome), hash, origin: p.origin };
    if (p.parentId !== undefined) suggestion.parentId = p.parentId;
    if (p.sample) suggestion.sample = [...p.sample];
    if (p.mutation !== undefined) suggestion.mutation = p.mutation;
    if (p.rejected !== undefined) {
      record.status = 'rejected';
      record.reason = p.rejected;
      delete record.genome;
      this.records.push(record);
      suggestion.rejected = p.rejected;
      return suggestion;
    }
    const orig = this.original(hash);
    this.records.push(record);
    if (orig) {
      record.duplicateOf = orig.id;
      suggestion.duplicateOf = orig.id;
      if (orig.status === 'complete') this.settle(record, { status: 'complete', value: orig.value as number });
    }
    return suggestion;
  }

  tell(candidateId: number, outcome: NasTellOutcome): void {
    const c = this.records[candidateId];
    if (!c) throw new RangeError(`tell: unknown candidate ${candidateId}`);
    if (outcome.status === 'complete' && !Number.isFinite(outcome.value)) {
      throw new RangeError(`tell: candidate ${candidateId} value must be finite (got ${outcome.value})`);
    }
    if (c.status !== 'pending') {
      const same =
        c.status === outcome.status &&
        (outcome.status !== 'complete' || c.value === outcome.value) &&
        (outcome.status !== 'rejected' || c.reason === outcome.reason);
      if (same) return;
      throw new Error(`tell: candidate ${candidateId} is already ${c.status}`);
    }
    this.settle(c, outcome);
    // Duplicates waiting on this candidate get the same outcome.
    for (const d of this.records) {
      if (d.duplicateOf === c.id && d.status === 'pending') this.settle(d, outcome);
    }
  }

  private settle(c: CandidateRecord, outcome: NasTellOutcome): void {
    c.status = outcome.status;
    if (outcome.status === 'complete') {
      c.value = outcome.value;
      this.onComplete(c);
    } else {
      if (outcome.status === 'rejected') c.reason = outcome.reason;
      delete c.genome;
    }
  }

  candidates(): readonly CandidateRecord[] {
    return this.records;
  }

  best(): CandidateRecord | undefined {
    let best: CandidateRecord | undefined;
    for (const c of this.records) {
      if (c.status !== 'complete' || c.value === undefined) continue;
      if (!best || score(this.direction, c.value) < score(this.direction, best.value as number)) best = c;
    }
    return best;
  }

  protected randomProposal(maxAttempts: number): Proposal {
    const r = sampleGenome(this.rng, this.space, this.limits, maxAttempts);
    return 'rejected' in r ? { genome: r.genome, origin: 'random', rejected: r.rejected } : { genome: r.genome, origin: 'random' };
  }

  protected baseState(): Omit<z.output<(typeof NasStrategyStateSchema.options)[0]>, 'kind' | 'options'> {
    return {
      version: 1,
      space: jsonCopy(this.space),
      limits: jsonCopy(this.limits),
      direction: this.direction,
      rng: this.rng.state,
      candidates: this.records.map((c) => jsonCopy(c)),
    };
  }
}

/** Random search: every candidate an independent random genome (rejection-sampled against the limits). */
export class RandomNasStrategy extends NasStrategyBase {
  readonly kind = 'random' as const;
  readonly options: RandomNasOptions;

  constructor(config: NasStrategyConfig & Partial<RandomNasOptions>, resume?: Resume) {
    super(config, resume);
    this.options = RandomNasOptionsSchema.parse({ maxSampleAttempts: config.maxSampleAttempts });
    // Complete candidates keep no genome: random search never needs it again.
    for (const c of this.records) if (c.status !== 'pending') delete c.genome;
  }

  static fromState(s: Extract<NasStrategyState, { kind: 'random' }>): RandomNasStrategy {
    return new RandomNasStrategy({ seed: 0, limits: s.limits, space: s.space, direction: s.direction, ...s.options }, s);
  }

  protected propose(): Proposal {
    return this.randomProposal(this.options.maxSampleAttempts);
  }

  protected onComplete(record: CandidateRecord): void {
    delete record.genome;
  }

  population(): readonly number[] {
    return [];
  }

  state(): NasStrategyState {
    return { kind: 'random', ...this.baseState(), options: { ...this.options } };
  }
}

/** Aging (regularized) evolution, Real et al. 2019: see the module comment. */
export class AgingEvolution extends NasStrategyBase {
  readonly kind = 'aging-evolution' as const;
  readonly options: AgingEvolutionOptions;
  private readonly members: number[];

  constructor(config: NasStrategyConfig & Partial<AgingEvolutionOptions>, resume?: Resume & { population: readonly number[] }) {
    super(config, resume);
    this.options = AgingEvolutionOptionsSchema.parse({
      populationSize: config.populationSize,
      sampleSize: config.sampleSize,
      maxSampleAttempts: config.maxSampleAttempts,
      maxMutationAttempts: config.maxMutationAttempts,
    });
    this.members = resume ? [...resume.population] : [];
    for (const id of this.members) {
      const c = this.records[id];
      if (!c || c.status !== 'complete' || !c.genome) throw new Error(`NAS state: population member ${id} must be a complete candidate with its genome`);
    }
  }

  static fromState(s: Extract<NasStrategyState, { kind: 'aging-evolution' }>): AgingEvolution {
    return new AgingEvolution({ seed: 0, limits: s.limits, space: s.space, direction: s.direction, ...s.options }, s);
  }

  population(): readonly number[] {
    return this.members;
  }

  protected onComplete(record: CandidateRecord): void {
    this.members.push(record.id);
    while (this.members.length > this.options.populationSize) {
      const oldest = this.records[this.members.shift() as number];
      delete oldest.genome;
    }
  }

  /** Random candidates that may still join the population (pending or complete). */
  private liveInitial(): number {
    let n = 0;
    for (const c of this.records) if (c.origin === 'random' && (c.status === 'pending' || c.status === 'complete')) n++;
    return n;
  }

  protected propose(): Proposal {
    if (this.liveInitial() < this.options.populationSize || this.members.length === 0) {
      return this.randomProposal(this.options.maxSampleAttempts);
    }
    const sample = this.tournamentSample();
    const parentId = this.tournamentWinner(sample);
    const parent = this.records[parentId].genome as Genome;
    const m = mutate(parent, this.rng, this.space, this.limits, this.options.maxMutationAttempts);
    const base = { genome: m.genome, origin: 'mutation' as const, parentId, sample, mutation: describeMutation(m.mutation) };
    return 'rejected' in m ? { ...base, rejected: m.rejected } : base;
  }

  /** S distinct members, uniformly (partial Fisher–Yates), in draw order. */
  private tournamentSample(): number[] {
    const pool = [...this.members];
    const k = Math.min(this.options.sampleSize, pool.length);
    for (let i = 0; i < k; i++) {
      const j = i + this.rng.int(pool.length - i);
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    return pool.slice(0, k);
  }

  /** Best value of the sample; ties go to the lowest candidate id. */
  private tournamentWinner(sample: readonly number[]): number {
    let best = sample[0];
    for (const id of sample) {
      const a = score(this.direction, this.records[id].value as number);
      const b = score(this.direction, this.records[best].value as number);
      if (a < b || (a === b && id < best)) best = id;
    }
    return best;
  }

  state(): NasStrategyState {
    return { kind: 'aging-evolution', ...this.baseState(), options: { ...this.options }, population: [...this.members] };
  }
}

/** Rebuilds a strategy from `state()` output (validated: it crossed a serialisation boundary). */
export function restoreNasStrategy(state: unknown): NasStrategy {
  const s = NasStrategyStateSchema.parse(state);
  switch (s.kind) {
    case 'random':
      return RandomNasStrategy.fromState(s);
    case 'aging-evolution':
      return AgingEvolution.fromState(s);
  }
}
