/**
 * What a sampler remembers about each trial: a compact, JSON-serialisable record. The whole
 * ledger travels in the sampler state (continue-as-new), so it holds params and one value only,
 * never curves or artifacts.
 */
import { z } from 'zod';
import { ParamValueSchema, type Direction, type Params } from './space.js';

export { DirectionSchema, type Direction } from './space.js';

export const TrialStatusSchema = z.enum(['pending', 'complete', 'pruned', 'failed']);
export type TrialStatus = z.infer<typeof TrialStatusSchema>;

export const TrialRecordSchema = z
  .object({
    id: z.number().int().min(0),
    params: z.record(z.string(), ParamValueSchema),
    status: TrialStatusSchema,
    /** The objective (complete) or the last intermediate value (pruned, optional). */
    value: z.number().finite().optional(),
    /** Multi-objective samplers (NSGA-II): one finite value per objective, instead of `value`. */
    values: z.array(z.number().finite()).min(2).optional(),
  })
  .strict();
export type TrialRecord = z.infer<typeof TrialRecordSchema>;

/** How a trial ended. Pruned trials may report the value they were stopped at. */
export type TellOutcome =
  | { status: 'complete'; value: number }
  /** A multi-objective sampler's outcome: one value per objective, in the declared order. */
  | { status: 'complete'; values: readonly number[] }
  | { status: 'pruned'; value?: number }
  | { status: 'failed' };

export interface Suggestion {
  trialId: number;
  params: Params;
}

/** Sort key: smaller is better whatever the direction. */
export function score(direction: Direction, value: number): number {
  return direction === 'minimize' ? value : -value;
}

/** Best complete trial (ties: the earliest), or undefined before any completes. */
export function bestTrial(direction: Direction, trials: readonly TrialRecord[]): TrialRecord | undefined {
  let best: TrialRecord | undefined;
  for (const t of trials) {
    if (t.status !== 'complete' || t.value === undefined) continue;
    if (!best || score(direction, t.value) < score(direction, best.value as number)) best = t;
  }
  return best;
}

export function copyTrial(t: TrialRecord): TrialRecord {
  return { ...t, params: { ...t.params }, ...(t.values ? { values: [...t.values] } : {}) };
}
