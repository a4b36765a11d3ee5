/**
 * Parameter importance for the HPO report: the share of the objective's variance each parameter
 * explains on its own.
 *
 * Method, per parameter p:
 * 1. Take the COMPLETED trials with a finite objective in which p is present (a conditional
 *    parameter is judged only where it is active; its importance says how much it matters *when
 *    it is used*). Pruned trials are left out: their value was measured at a smaller epoch budget,
 *    so mixing them in would credit the budget's effect to whichever parameters got trials
 *    pruned. Failed trials have no value.
 * 2. Group those trials: categoricals and booleans by value; numbers by value when they take few
 *    distinct values (batch size 32/64/128), otherwise into k ≈ √n equal-count (quantile) bins,
 *    k in [2, 10]. Quantile bins are rank-based, so a log-uniform learning rate is binned the
 *    same as on a log axis.
 * 3. One-way ANOVA on the groups, reported as ε² (epsilon squared, the bias-corrected η²):
 *        ε² = (SS_between − (k − 1)·MS_within) / SS_total,   clipped to [0, 1].
 *    Plain η² = SS_between / SS_total grows with the number of groups even for pure noise
 *    (its expectation under no effect is (k − 1)/(n − 1)), so a 10-bin float would outrank a
 *    boolean with no real effect; ε² removes that expected chance share.
 * 4. Normalise the scores to sum to 1 and sort descending (ties by name, for stable output).
 *    When no parameter explains anything measurable, all get an equal share: "no evidence of a
 *    difference", not a ranking.
 *
 * Why this is acceptable: Optuna's default (fANOVA) fits a random forest to the trials and
 * decomposes its variance into per-parameter main effects plus interactions, reporting the main
 * effects. For the question the report answers — "which knobs moved the objective in this
 * campaign?" — the one-way main effect is the same quantity estimated more crudely: it is exact
 * for the share of variance a parameter explains marginally, needs no model, no randomness and
 * no dependency, runs in O(n log n) per parameter (1,000 trials is instant inside an activity),
 * and is easy to audit by hand.
 *
 * What it misses: interactions (lr matters only with SGD; dropout only with many filters) are
 * not separated out — an effect that exists only jointly is split between or hidden from the
 * parameters involved. Correlated sampling (TPE concentrates on good regions, so late trials
 * co-vary) can leak one parameter's effect into another's marginal share; fANOVA's forest
 * partly controls for the other parameters, this does not. Binning loses within-bin shape, and
 * with few trials (< ~20) the estimate is noisy. The shares are relative (they sum to 1), so
 * they rank parameters but do not say how much of the variance is explained overall.
 *
 * `direction` does not change the result: variance shares are the same whether the objective is
 * maximised or minimised. It is taken so the signature matches the rest of the report and a
 * direction-aware estimator (e.g. a TPE-style good-vs-bad split) can replace this one without
 * touching callers.
 */
import type { HpoReportTrial, ParamValue } from './types.js';

/** What the estimate reads from a trial; report trials fit as they are. */
export type ImportanceTrial = Pick<HpoReportTrial, 'params' | 'status' | 'value'> & Partial<Pick<HpoReportTrial, 'number' | 'intermediate'>>;

export interface ParameterImportance {
  param: string;
  importance: number;
}

const MIN_BINS = 2;
const MAX_BINS = 10;

export function parameterImportance(trials: readonly ImportanceTrial[], _direction: 'maximize' | 'minimize'): ParameterImportance[] {
  const usable = trials.filter((t) => t.status === 'COMPLETED' && typeof t.value === 'number' && Number.isFinite(t.value));
  const names = new Set<string>();
  for (const t of usable) for (const [k, v] of Object.entries(t.params ?? {})) if (isPresent(v)) names.add(k);
  if (names.size === 0) return [];

  const raw = [...names].map((param) => {
    const rows: { x: ParamValue; y: number }[] = [];
    for (const t of usable) {
      const x = t.params?.[param];
      if (isPresent(x)) rows.push({ x, y: t.value as number });
    }
    return { param, score: epsilonSquared(groupRows(rows)) };
  });
  const total = raw.reduce((s, r) => s + r.score, 0);
  const out = raw.map((r) => ({ param: r.param, importance: total > 0 ? r.score / total : 1 / raw.length }));
  return out.sort((a, b) => b.importance - a.importance || (a.param < b.param ? -1 : a.param > b.param ? 1 : 0));
}

/** A parameter counts as present unless missing or a non-finite number (a NaN cannot be binned). */
function isPresent(v: ParamValue | undefined | null): v is ParamValue {
  if (v === undefined || v === null) return false;
  return typeof v !== 'number' || Number.isFinite(v);
}

/** Objective values grouped by category, distinct value, or quantile bin of the parameter. */
function groupRows(rows: readonly { x: ParamValue; y: number }[]): number[][] {
  const n = rows.length;
  const k = Math.min(MAX_BINS, Math.max(MIN_BINS, Math.round(Math.sqrt(n))));
  const allNumbers = rows.every((r) => typeof r.x === 'number');
  const distinct = new Set(rows.map((r) => `${typeof r.x}:${String(r.x)}`));
  const groups = new Map<string, number[]>();
  const add = (key: string, y: number): void => {
    const g = groups.get(key);
    if (g) g.push(y);
    else groups.set(key, [y]);
  };
  if (!allNumbers || distinct.size <= k) {
    // Type in the key: the string "1" and the number 1 are different choices.
    for (const r of rows) add(`${typeof r.x}:${String(r.x)}`, r.y);
  } else {
    const sorted = rows.map((r) => r.x as number).sort((a, b) => a - b);
    // Cut points at the j/k quantiles; a value equal to a cut goes to the upper bin, so ties
    // never straddle bins.
    const cuts = Array.from({ length: k - 1 }, (_, j) => sorted[Math.floor(((j + 1) * n) / k)]);
    for (const r of rows) add(String(cuts.filter((c) => (r.x as number) >= c).length), r.y);
  }
  return [...groups.values()];
}

/** Bias-corrected share of variance between groups (ε²), in [0, 1]; 0 when it cannot be estimated. */
function epsilonSquared(groups: readonly number[][]): number {
  const k = groups.length;
  const n = groups.reduce((s, g) => s + g.length, 0);
  // One group explains nothing; one trial per group leaves no within-group variance to compare.
  if (k < 2 || n <= k) return 0;
  const mean = groups.reduce((s, g) => s + g.reduce((a, b) => a + b, 0), 0) / n;
  let ssBetween = 0;
  let ssWithin = 0;
  for (const g of groups) {
    const m = g.reduce((a, b) => a + b, 0) / g.length;
    ssBetween += g.length * (m - mean) ** 2;
    for (const y of g) ssWithin += (y - m) ** 2;
  }
  const ssTotal = ssBetween + ssWithin;
  if (!(ssTotal > 0)) return 0;
  const eps = (ssBetween - (k - 1) * (ssWithin / (n - k))) / ssTotal;
  return Math.min(1, Math.max(0, eps));
}
