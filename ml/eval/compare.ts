import { mcnemarPaired, wilsonInterval, type McNemarResult } from './stats.js';
import type { Interval } from './bootstrap.js';

/**
 * A fair comparison of N classifiers: every model is scored on exactly the same samples (the
 * keys all of them were evaluated on), with a Wilson interval on accuracy, pairwise McNemar
 * tests on the paired outcomes, and the accuracy-vs-size Pareto front.
 */
export interface ComparedModel {
  id: string;
  /** Sample key → correct? (keys name the same sample across models). */
  outcomes: ReadonlyMap<string, boolean>;
  parameters: number | null;
  latencyMs: number | null;
  trainingSeconds: number | null;
  epochs: number | null;
}

export interface ComparisonRow {
  id: string;
  accuracy: number;
  ci: Interval;
  correct: number;
  parameters: number | null;
  latencyMs: number | null;
  trainingSeconds: number | null;
  epochs: number | null;
  pareto: boolean;
}

/** McNemar of `first` vs `second`: `b` counts samples only `first` got right, `c` only `second`. */
export interface PairwiseTest extends McNemarResult {
  first: string;
  second: string;
  /** Below the significance level after Holm's correction over all pairs. */
  significant: boolean;
  /** Holm-adjusted p-value. */
  adjustedP: number;
}

export interface Comparison {
  samples: number;
  rows: ComparisonRow[];
  pairs: PairwiseTest[];
  alpha: number;
}

/** Keys every model was evaluated on, sorted (the shared test set). */
export function sharedKeys(models: readonly Pick<ComparedModel, 'outcomes'>[]): string[] {
  if (models.length === 0) return [];
  const [first, ...rest] = models;
  return [...first.outcomes.keys()].filter((key) => rest.every((m) => m.outcomes.has(key))).sort();
}

/** Maximise accuracy, minimise parameters: a model is on the front when no other is at least as good on both and better on one. */
export function paretoFlags(rows: readonly { accuracy: number; parameters: number | null }[]): boolean[] {
  return rows.map(
    (r, i) =>
      !rows.some((o, j) => {
        if (j === i) return false;
        const op = o.parameters ?? Infinity;
        const rp = r.parameters ?? Infinity;
        return o.accuracy >= r.accuracy && op <= rp && (o.accuracy > r.accuracy || op < rp);
      }),
  );
}

/** Holm–Bonferroni step-down adjustment, in input order. */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(m).fill(1);
  let running = 0;
  order.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    out[i] = running;
  });
  return out;
}

export function compareModels(models: readonly ComparedModel[], opts: { alpha?: number; exactBelow?: number } = {}): Comparison {
  const alpha = opts.alpha ?? 0.05;
  const keys = sharedKeys(models);
  const outcome = models.map((m) => keys.map((key) => m.outcomes.get(key) === true));
  const base = models.map((m, i) => {
    const correct = outcome[i].filter(Boolean).length;
    return {
      id: m.id,
      accuracy: keys.length ? correct / keys.length : NaN,
      ci: wilsonInterval(correct, keys.length),
      correct,
      parameters: m.parameters,
      latencyMs: m.latencyMs,
      trainingSeconds: m.trainingSeconds,
      epochs: m.epochs,
    };
  });
  const flags = paretoFlags(base);
  const raw: (McNemarResult & { first: string; second: string })[] = [];
  for (let i = 0; i < models.length; i++) {
    for (let j = i + 1; j < models.length; j++)
      raw.push({ first: models[i].id, second: models[j].id, ...mcnemarPaired(outcome[i], outcome[j], opts.exactBelow) });
  }
  const adjusted = holmAdjust(raw.map((r) => r.pValue));
  return {
    samples: keys.length,
    rows: base.map((r, i) => ({ ...r, pareto: flags[i] })),
    pairs: raw.map((r, i) => ({ ...r, adjustedP: adjusted[i], significant: adjusted[i] < alpha })),
    alpha,
  };
}
