/**
 * Rebuilding a sampler from its JSON state (after continue-as-new, or in a test). The state is
 * validated first: it crossed a serialisation boundary and may come from an older release.
 */
import { z } from 'zod';
import { GpOptionsSchema, GpSampler } from './gp.js';
import { describeIssues } from './options.js';
import { GridSampler } from './grid.js';
import { Nsga2OptionsSchema, Nsga2Sampler } from './nsga2.js';
import { RandomSampler } from './random-sampler.js';
import type { Sampler } from './sampler.js';
import { SearchSpaceSchema } from './space.js';
import { TpeOptionsSchema, TpeSampler } from './tpe.js';
import { DirectionSchema, TrialRecordSchema } from './trials.js';

const base = {
  version: z.literal(1),
  space: SearchSpaceSchema,
  direction: DirectionSchema,
  rng: z.number().int().min(0).max(0xffffffff),
  trials: z.array(TrialRecordSchema),
};

export const SamplerStateSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('random'), ...base }).strict(),
  z.object({ kind: z.literal('grid'), ...base, next: z.number().int().min(0) }).strict(),
  z.object({ kind: z.literal('tpe'), ...base, options: TpeOptionsSchema }).strict(),
  z.object({ kind: z.literal('gp'), ...base, options: GpOptionsSchema }).strict(),
  z.object({ kind: z.literal('nsga2'), ...base, options: Nsga2OptionsSchema }).strict(),
]);
export type SamplerState = z.output<typeof SamplerStateSchema>;

/** A sampler state that does not validate; `issues` name each field and the value found. */
export class SamplerStateError extends Error {
  readonly issues: string[];
  constructor(issues: string[]) {
    super(`invalid sampler state: ${issues.join('; ')}`);
    this.name = 'SamplerStateError';
    this.issues = issues;
  }
}

/** GP states saved before `noiseStart` existed were fitted from 1e-2: parsing must not fill in today's default. */
function withLegacyGpNoise(state: unknown): unknown {
  if (typeof state !== 'object' || state === null || (state as { kind?: unknown }).kind !== 'gp') return state;
  const options = (state as { options?: unknown }).options;
  if (typeof options !== 'object' || options === null || 'noiseStart' in options) return state;
  return { ...state, options: { ...options, noiseStart: 1e-2 } };
}

export function restoreSampler(state: unknown): Sampler {
  const r = SamplerStateSchema.safeParse(withLegacyGpNoise(state));
  if (!r.success) throw new SamplerStateError(describeIssues(r.error, state));
  const s = r.data;
  switch (s.kind) {
    case 'random':
      return RandomSampler.fromState(s);
    case 'grid':
      return GridSampler.fromState(s);
    case 'tpe':
      // States written before groups existed ran without them; keep their future asks unchanged.
      return TpeSampler.fromState({ ...s, options: { ...s.options, group: s.options.group ?? false } });
    case 'gp':
      return GpSampler.fromState(s);
    case 'nsga2':
      return Nsga2Sampler.fromState(s);
  }
}
