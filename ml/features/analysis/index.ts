/**
 * What the feature workflows compute over a stored matrix: a ranked importance table, a
 * selection with its cross-validated accuracy, and correlation matrices. Pure and seeded.
 */
import { accuracy, fitForest, predict, type ForestOptions, type Table } from './forest.js';
import {
  anovaF,
  clusterOrder,
  column,
  discreteMi,
  groupFolds,
  mutualInformation,
  pearson,
  pearsonMatrix,
  quantileBins,
  spearmanMatrix,
  subset,
} from './stats.js';
import { Rng } from '../../random.js';

export { accuracy, fitForest, predict, predictProba, type Forest, type ForestOptions, type Table } from './forest.js';
export { anovaF, clusterOrder, mutualInformation, pearsonMatrix, spearmanMatrix, groupFolds } from './stats.js';

export const IMPORTANCE_KINDS = ['permutation', 'impurity', 'mutual-information', 'anova-f'] as const;
export type ImportanceKind = (typeof IMPORTANCE_KINDS)[number];

export interface ImportanceRow {
  feature: string;
  /** Random-forest mean decrease in impurity (mean, sd over the repeats' forests). */
  impurity: number;
  impuritySd: number;
  /** Drop in held-out accuracy when the feature's column is shuffled (mean, sd over repeats). */
  permutation: number;
  permutationSd: number;
  /** With the class, nats (equal-frequency bins). */
  mutualInformation: number;
  anovaF: number;
  /** 1 = most important by the table's `rankBy`. */
  rank: number;
}

export interface ImportanceOptions {
  forest: Partial<ForestOptions>;
  repeats: number;
  testFraction: number;
  bins: number;
  seed: number;
  rankBy: ImportanceKind;
}

export interface ImportanceTable {
  rows: ImportanceRow[];
  rankBy: ImportanceKind;
  heldOutAccuracy: number;
  heldOutAccuracySd: number;
  trainRows: number;
  testRows: number;
}

/** Train / test rows: every signal on one side, classes spread over both. */
export function heldOutSplit(groups: Int32Array, y: Int32Array, testFraction: number, seed: number): { train: number[]; test: number[] } {
  const folds = Math.max(2, Math.round(1 / testFraction));
  const fold = groupFolds(groups, y, folds, seed);
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < fold.length; i++) (fold[i] === 0 ? test : train).push(i);
  if (test.length === 0 || train.length === 0) throw new RangeError(`a held-out split needs at least ${folds} signals, got ${new Set(groups).size}`);
  return { train, test };
}

const meanSd = (v: number[]) => {
  const m = v.reduce((s, x) => s + x, 0) / v.length;
  const sd = v.length > 1 ? Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1)) : 0;
  return [m, sd] as const;
};

export function importanceValue(row: ImportanceRow, kind: ImportanceKind): number {
  return kind === 'permutation' ? row.permutation : kind === 'impurity' ? row.impurity : kind === 'mutual-information' ? row.mutualInformation : row.anovaF;
}

/** Ranked importance of every column; `groups` is each row's signal. */
export function featureImportance(t: Table, groups: Int32Array, names: readonly string[], o: ImportanceOptions): ImportanceTable {
  const { train, test } = heldOutSplit(groups, t.y, o.testFraction, o.seed);
  const tr = subset(t, train);
  const te = subset(t, test);
  const impurity: number[][] = Array.from({ length: t.columns }, () => []);
  const permutation: number[][] = Array.from({ length: t.columns }, () => []);
  const accuracies: number[] = [];
  const rng = new Rng(o.seed ^ 0x5f3759df);
  for (let rep = 0; rep < o.repeats; rep++) {
    const forest = fitForest(tr, { ...o.forest, seed: (o.forest.seed ?? 0) + 7919 * rep + o.seed });
    const base = accuracy(predict(forest, te.x, te.rows), te.y);
    accuracies.push(base);
    const shuffled = Float32Array.from(te.x);
    for (let j = 0; j < t.columns; j++) {
      impurity[j].push(forest.importance[j]);
      const order = Int32Array.from({ length: te.rows }, (_, i) => i);
      for (let i = order.length - 1; i > 0; i--) {
        const k = Math.floor(rng.uniform() * (i + 1));
        [order[i], order[k]] = [order[k], order[i]];
      }
      for (let r = 0; r < te.rows; r++) shuffled[r * t.columns + j] = te.x[order[r] * t.columns + j];
      permutation[j].push(base - accuracy(predict(forest, shuffled, te.rows), te.y));
      for (let r = 0; r < te.rows; r++) shuffled[r * t.columns + j] = te.x[r * t.columns + j];
    }
  }
  const mi = mutualInformation(t, o.bins);
  const f = anovaF(t);
  const rows: ImportanceRow[] = names.map((feature, j) => {
    const [imp, impSd] = meanSd(impurity[j]);
    const [perm, permSd] = meanSd(permutation[j]);
    return { feature, impurity: imp, impuritySd: impSd, permutation: perm, permutationSd: permSd, mutualInformation: mi[j], anovaF: f[j], rank: 0 };
  });
  const ranked = [...rows].sort((a, b) => importanceValue(b, o.rankBy) - importanceValue(a, o.rankBy) || (a.feature < b.feature ? -1 : 1));
  ranked.forEach((r, i) => (r.rank = i + 1));
  const [acc, accSd] = meanSd(accuracies);
  return { rows: ranked, rankBy: o.rankBy, heldOutAccuracy: acc, heldOutAccuracySd: accSd, trainRows: train.length, testRows: test.length };
}

/**
 * Minimum-redundancy-maximum-relevance (the MID form): start from the most relevant feature,
 * then repeatedly add the one maximising MI(f; class) − mean MI(f; chosen). A copy of a chosen
 * feature scores its relevance minus its own entropy (≤ 0), so duplicates are never taken while
 * anything else is left.
 */
export function mrmr(t: Table, k: number, bins: number): number[] {
  const binned = Array.from({ length: t.columns }, (_, j) => quantileBins(column(t, j), bins));
  const relevance = binned.map((b) => discreteMi(b, bins, t.y, t.classes));
  const chosen: number[] = [];
  const redundancy = new Float64Array(t.columns);
  const left = new Set(Array.from({ length: t.columns }, (_, j) => j));
  while (chosen.length < Math.min(k, t.columns)) {
    let best = -1;
    let bestScore = -Infinity;
    for (const j of left) {
      const score = relevance[j] - (chosen.length > 0 ? redundancy[j] / chosen.length : 0);
      if (score > bestScore) {
        bestScore = score;
        best = j;
      }
    }
    chosen.push(best);
    left.delete(best);
    for (const j of left) redundancy[j] += discreteMi(binned[j], bins, binned[best], bins);
  }
  return chosen;
}

/** Walk the features from most to least important and keep one unless |Pearson r| with a kept one exceeds `threshold`. */
export function correlationFilter(t: Table, byImportance: readonly number[], threshold: number): number[] {
  const cols = Array.from({ length: t.columns }, (_, j) => column(t, j));
  const kept: number[] = [];
  for (const j of byImportance) if (kept.every((k) => Math.abs(pearson(cols[j], cols[k])) <= threshold)) kept.push(j);
  return kept;
}

/** Mean accuracy of a forest over grouped, stratified folds (every signal in exactly one test fold). */
export function crossValidatedAccuracy(
  t: Table,
  groups: Int32Array,
  columns: readonly number[],
  folds: number,
  forest: Partial<ForestOptions>,
  seed: number,
): { mean: number; sd: number; folds: number[] } {
  const fold = groupFolds(groups, t.y, folds, seed);
  const scores: number[] = [];
  for (let f = 0; f < folds; f++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < fold.length; i++) (fold[i] === f ? test : train).push(i);
    if (test.length === 0 || train.length === 0) continue;
    const model = fitForest(subset(t, train, columns), { ...forest, seed: (forest.seed ?? 0) + f });
    const te = subset(t, test, columns);
    scores.push(accuracy(predict(model, te.x, te.rows), te.y));
  }
  const [mean, sd] = meanSd(scores);
  return { mean, sd, folds: scores };
}

export interface CorrelationResult {
  pearson: Float64Array;
  spearman: Float64Array;
  /** Feature indices in hierarchical-clustering leaf order (on 1 − |Pearson r|). */
  order: number[];
  /** Pairs with |r| above the threshold (Pearson or Spearman), strongest first. */
  pairs: { a: number; b: number; pearson: number; spearman: number }[];
}

export function correlation(t: Table, threshold: number): CorrelationResult {
  const p = pearsonMatrix(t);
  const s = spearmanMatrix(t);
  const d = t.columns;
  const pairs: CorrelationResult['pairs'] = [];
  for (let a = 0; a < d; a++) {
    for (let b = a + 1; b < d; b++) {
      if (Math.abs(p[a * d + b]) > threshold || Math.abs(s[a * d + b]) > threshold) pairs.push({ a, b, pearson: p[a * d + b], spearman: s[a * d + b] });
    }
  }
  pairs.sort((x, y) => Math.max(Math.abs(y.pearson), Math.abs(y.spearman)) - Math.max(Math.abs(x.pearson), Math.abs(x.spearman)));
  return { pearson: p, spearman: s, order: clusterOrder(p, d), pairs };
}
