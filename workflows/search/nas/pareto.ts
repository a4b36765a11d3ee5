/**
 * Multi-objective bookkeeping of a NAS campaign: the Pareto front over (accuracy ↑, params ↓,
 * latency ↓) and the declared scalarisation that picks the single best candidate.
 */
import { z } from 'zod';

export interface ObjectivePoint {
  id: number | string;
  /** Validation accuracy after the fixed training budget: maximised. */
  accuracy: number;
  /** Parameter count: minimised. */
  params: number;
  /** Measured inference latency per window, ms: minimised. */
  latencyMs: number;
}

export type Objective = 'accuracy' | 'params' | 'latencyMs';
export const ALL_OBJECTIVES: readonly Objective[] = ['accuracy', 'params', 'latencyMs'];

/** Smaller is better for every objective in this key. */
const key = (p: ObjectivePoint, o: Objective): number => (o === 'accuracy' ? -p.accuracy : p[o]);

/** `a` is at least as good as `b` everywhere and strictly better somewhere. */
export function dominates(a: ObjectivePoint, b: ObjectivePoint, objectives: readonly Objective[] = ALL_OBJECTIVES): boolean {
  let strict = false;
  for (const o of objectives) {
    const x = key(a, o);
    const y = key(b, o);
    if (x > y) return false;
    if (x < y) strict = true;
  }
  return strict;
}

/**
 * The non-dominated points (maximise accuracy, minimise params and latency — or only the listed
 * `objectives`, e.g. `['accuracy', 'params']` for the accuracy-vs-params front). Points with
 * identical objectives are all kept. Sorted by accuracy descending, then params, latency, input
 * order. Points with a non-finite objective are ignored. O(n²), fine for campaign sizes.
 */
export function paretoFront<T extends ObjectivePoint>(points: readonly T[], objectives: readonly Objective[] = ALL_OBJECTIVES): T[] {
  const finite = points.map((p, index) => ({ p, index })).filter(({ p }) => objectives.every((o) => Number.isFinite(p[o])));
  const front = finite.filter(({ p }) => !finite.some(({ p: q }) => q !== p && dominates(q, p, objectives)));
  front.sort((a, b) => b.p.accuracy - a.p.accuracy || a.p.params - b.p.params || a.p.latencyMs - b.p.latencyMs || a.index - b.index);
  return front.map(({ p }) => p);
}

export const ScalarizeWeightsSchema = z
  .object({
    /** Parameter count at which the params factor is 1. */
    targetParams: z.number().positive().default(100_000),
    /** w_p <= 0: how much accuracy an x-fold larger model must bring. 0 ignores size. */
    paramsExponent: z.number().max(0).default(0),
    /** Latency (ms) at which the latency factor is 1. */
    targetLatencyMs: z.number().positive().default(1),
    /** w_l <= 0 (MnasNet's soft constraint uses -0.07). 0 ignores latency. */
    latencyExponent: z.number().max(0).default(0),
  })
  .strict();
export type ScalarizeWeights = z.output<typeof ScalarizeWeightsSchema>;

/**
 * The declared scalarisation (MnasNet-style weighted product, Tan et al. 2019):
 *
 *   score = accuracy × (params / targetParams)^paramsExponent × (latencyMs / targetLatencyMs)^latencyExponent
 *
 * Exponents are <= 0, so a larger or slower model needs proportionally higher accuracy: with
 * exponent w, doubling the size is worth it only if accuracy grows by a factor 2^-w (w = -0.07:
 * about 5 %). With both exponents 0 (the default) the score is the accuracy itself. Higher is
 * better; the campaign's single best is the argmax (ties: the earlier candidate).
 */
export function scalarize(point: ObjectivePoint, weights: Partial<ScalarizeWeights> = {}): number {
  const w = ScalarizeWeightsSchema.parse(weights);
  let s = point.accuracy;
  if (w.paramsExponent !== 0) s *= (Math.max(point.params, 1) / w.targetParams) ** w.paramsExponent;
  if (w.latencyExponent !== 0) s *= (Math.max(point.latencyMs, 1e-9) / w.targetLatencyMs) ** w.latencyExponent;
  return s;
}

/** The point maximising `scalarize` (ties: the earliest), or undefined for no points. */
export function bestByScalarization<T extends ObjectivePoint>(points: readonly T[], weights: Partial<ScalarizeWeights> = {}): T | undefined {
  let best: T | undefined;
  let bestScore = -Infinity;
  for (const p of points) {
    const s = scalarize(p, weights);
    if (Number.isFinite(s) && (best === undefined || s > bestScore)) {
      best = p;
      bestScore = s;
    }
  }
  return best;
}
