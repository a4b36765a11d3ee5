/**
 * What each long workflow carries into its next run when it continues as new (the second
 * workflow argument). Search state (sampler, pruner, NAS strategy) is the search code's own
 * JSON snapshot, opaque here and validated by its `restore…` function when the run resumes.
 */
import type { HpoCounts, NasCounts, RegisteredXaiBatch } from './activity-io/index.js';
import type { HpoBest } from './hpo.js';
import type { NasPoint } from './nas.js';
import type { SignalRef, XaiFailure } from './xai.js';

/** An HPO campaign: search state and counters, not trial rows. */
export interface HpoCarriedState {
  sampler: unknown;
  pruner: unknown;
  counts: HpoCounts;
  best: HpoBest | null;
  startedAtMs: number;
  limits: { maxTrials: number; maxConcurrentTrials: number };
  runs: number;
}

/** A NAS campaign: strategy state, the evaluated points (for the Pareto front) and counters. */
export interface NasCarriedState {
  strategy: unknown;
  points: NasPoint[];
  counts: NasCounts;
  startedAtMs: number;
  limits: { maxCandidates: number; maxConcurrentCandidates: number };
  numClasses: number;
  runs: number;
}

export type XaiCounts = { completed: number; failed: number; reused: number };

/** A batch-XAI run: where the listing stands and what is left, never the whole selection. */
export interface XaiCarriedState {
  registered: RegisteredXaiBatch;
  /** ids: position of the next id; dataset: index of the last signal listed. */
  cursor: number;
  /** Signals listed so far (a dataset selection's `limit` counts these). */
  listed: number;
  exhausted: boolean;
  /** Listed but not started when the run continued as new. */
  pending: SignalRef[];
  counts: XaiCounts;
  failures: XaiFailure[];
  runs: number;
}
