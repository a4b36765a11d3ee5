import { aucFromClf, apFromClf, clfCurve, prFromClf, rocFromClf, type PrCurve, type RocCurve } from './curves.js';
import { bootstrapRandom, percentileInterval, RankedProblem, resampleCounts, type Interval } from './bootstrap.js';
import { argmaxRow, sampleCount, type Scores } from './types.js';

/**
 * One-vs-rest ROC and precision–recall analysis of a k-class classifier: per class its curves,
 * AUC and average precision; the macro average (mean over classes that have both positives and
 * negatives) and the micro average (all n·k one-vs-rest decisions pooled); bootstrap 95 %
 * intervals of every AUC and of accuracy, reproducible from the seed.
 */
export interface RocOptions {
  /** Bootstrap replicates; 0 skips the intervals. */
  replicates?: number;
  seed?: number;
  level?: number;
}

export interface ClassRoc {
  class: string;
  positives: number;
  /** null when the class has no positive (or no negative) sample. */
  auc: number | null;
  aucCi: Interval | null;
  averagePrecision: number | null;
  roc: RocCurve;
  pr: PrCurve;
}

export interface RocAnalysis {
  count: number;
  classes: string[];
  accuracy: number;
  perClass: ClassRoc[];
  aucMacro: number | null;
  aucMicro: number | null;
  apMacro: number | null;
  apMicro: number | null;
  microRoc: RocCurve;
  ci: { aucMacro: Interval | null; aucMicro: Interval | null; accuracy: Interval | null };
  bootstrap: { replicates: number; seed: number; level: number };
}

const orNull = (v: number): number | null => (Number.isFinite(v) ? v : null);
const meanDefined = (xs: readonly (number | null)[]): number | null => {
  const d = xs.filter((x): x is number => x !== null);
  return d.length ? d.reduce((a, b) => a + b, 0) / d.length : null;
};

/** The one-vs-rest view of class c: positives and that class's probability column. */
function column(s: Scores, n: number, c: number): { positive: boolean[]; score: Float64Array } {
  const k = s.classes.length;
  const positive = new Array<boolean>(n);
  const score = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    positive[i] = s.labels[i] === c;
    score[i] = s.probabilities[i * k + c];
  }
  return { positive, score };
}

export function rocAnalysis(s: Scores, opts: RocOptions = {}): RocAnalysis {
  const n = sampleCount(s);
  const k = s.classes.length;
  const replicates = opts.replicates ?? 1000;
  const seed = opts.seed ?? 0;
  const level = opts.level ?? 0.95;
  if (!Number.isInteger(replicates) || replicates < 0) throw new RangeError(`replicates must be a non-negative integer, got ${replicates}`);

  const columns = Array.from({ length: k }, (_, c) => column(s, n, c));
  const pooledPositive = new Array<boolean>(n * k);
  const pooledScore = new Float64Array(n * k);
  const pooledSample = new Int32Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      pooledPositive[i * k + c] = s.labels[i] === c;
      pooledScore[i * k + c] = s.probabilities[i * k + c];
      pooledSample[i * k + c] = i;
    }
  }
  const correct = new Uint8Array(n);
  for (let i = 0; i < n; i++) correct[i] = argmaxRow(s.probabilities, i, k) === s.labels[i] ? 1 : 0;
  const accuracy = n > 0 ? correct.reduce((a, b) => a + b, 0) / n : NaN;

  // Each problem's counts per distinct score, computed once and read by every curve and area.
  const curves = columns.map((col) => clfCurve(col.positive, col.score));
  const pooled = clfCurve(pooledPositive, pooledScore);
  const perClassAuc = curves.map((c) => orNull(aucFromClf(c)));
  const aucMicro = orNull(aucFromClf(pooled));
  const aps = curves.map((c) => orNull(apFromClf(c)));

  // Bootstrap: one stream of resample counts shared by every statistic, so the intervals
  // describe the same resamples and a given seed always gives the same intervals.
  const reps = { perClass: columns.map(() => [] as number[]), macro: [] as number[], micro: [] as number[], accuracy: [] as number[] };
  if (replicates > 0 && n > 0) {
    const classSamples: Int32Array = Int32Array.from({ length: n }, (_, i) => i);
    const ranked = columns.map((col) => new RankedProblem(col.positive, col.score, classSamples));
    const micro = new RankedProblem(pooledPositive, pooledScore, pooledSample);
    const random = bootstrapRandom(seed);
    const w = new Float64Array(n);
    for (let r = 0; r < replicates; r++) {
      resampleCounts(n, random, w);
      const aucs = ranked.map((p) => p.auc(w));
      aucs.forEach((a, c) => reps.perClass[c].push(a));
      const defined = aucs.filter(Number.isFinite);
      reps.macro.push(defined.length ? defined.reduce((a, b) => a + b, 0) / defined.length : NaN);
      reps.micro.push(micro.auc(w));
      let hits = 0;
      for (let i = 0; i < n; i++) hits += w[i] * correct[i];
      reps.accuracy.push(hits / n);
    }
  }

  const perClass = s.classes.map((name, c): ClassRoc => ({
    class: name,
    positives: columns[c].positive.filter(Boolean).length,
    auc: perClassAuc[c],
    aucCi: perClassAuc[c] === null ? null : percentileInterval(reps.perClass[c], level),
    averagePrecision: aps[c],
    roc: rocFromClf(curves[c]),
    pr: prFromClf(curves[c]),
  }));
  return {
    count: n,
    classes: [...s.classes],
    accuracy,
    perClass,
    aucMacro: meanDefined(perClassAuc),
    aucMicro,
    apMacro: meanDefined(aps),
    apMicro: orNull(apFromClf(pooled)),
    microRoc: rocFromClf(pooled),
    ci: {
      aucMacro: percentileInterval(reps.macro, level),
      aucMicro: percentileInterval(reps.micro, level),
      accuracy: percentileInterval(reps.accuracy, level),
    },
    bootstrap: { replicates, seed, level },
  };
}
