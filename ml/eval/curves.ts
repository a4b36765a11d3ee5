/**
 * Binary ranking curves, computed the way scikit-learn does (`_binary_clf_curve`, `roc_curve`,
 * `precision_recall_curve`, `average_precision_score`), so the numbers we store and draw are the
 * ones users compare with elsewhere. Ties in the scores are one threshold, never a staircase.
 */

export interface RocCurve {
  fpr: number[];
  tpr: number[];
  /** Descending; the first is +Infinity (nothing predicted positive). */
  thresholds: number[];
}

export interface PrCurve {
  /** Ends with precision 1 at recall 0, as scikit-learn's. */
  precision: number[];
  recall: number[];
  /** Ascending, one fewer than the points. */
  thresholds: number[];
}

/** Cumulative true / false positives at each distinct score, highest first (scikit-learn's `_binary_clf_curve`). */
export interface ClfCurve {
  fps: number[];
  tps: number[];
  thresholds: number[];
}

/** Indices of `score` by descending value (ties keep index order). */
export function descendingOrder(score: ArrayLike<number>): Int32Array {
  const idx = new Int32Array(score.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  idx.sort((a, b) => score[b] - score[a] || a - b);
  return idx;
}

/**
 * Only the counts per distinct score matter, not which sample had it, so positives' and
 * negatives' scores are sorted apart with the native numeric sort (no comparator) and merged from
 * the top: several times faster than sorting indices by score.
 */
export function clfCurve(positive: ArrayLike<boolean | number>, score: ArrayLike<number>): ClfCurve {
  let nPos = 0;
  for (let i = 0; i < positive.length; i++) if (positive[i]) nPos++;
  const pos = new Float64Array(nPos);
  const neg = new Float64Array(score.length - nPos);
  for (let i = 0, a = 0, b = 0; i < score.length; i++) {
    if (positive[i]) pos[a++] = score[i];
    else neg[b++] = score[i];
  }
  pos.sort();
  neg.sort();
  const fps: number[] = [];
  const tps: number[] = [];
  const thresholds: number[] = [];
  let i = pos.length - 1;
  let j = neg.length - 1;
  let tp = 0;
  let fp = 0;
  while (i >= 0 || j >= 0) {
    const t = i < 0 ? neg[j] : j < 0 ? pos[i] : Math.max(pos[i], neg[j]);
    while (i >= 0 && pos[i] === t) {
      tp++;
      i--;
    }
    while (j >= 0 && neg[j] === t) {
      fp++;
      j--;
    }
    tps.push(tp);
    fps.push(fp);
    thresholds.push(t);
  }
  return { fps, tps, thresholds };
}

/**
 * ROC curve of one binary problem. With `dropIntermediate` (scikit-learn's default) collinear
 * points are left out: the curve and its area are unchanged, the picture is smaller. A problem
 * with no positives (or no negatives) has NaN rates, as in scikit-learn.
 */
export function rocCurve(positive: ArrayLike<boolean | number>, score: ArrayLike<number>, dropIntermediate = true): RocCurve {
  return rocFromClf(clfCurve(positive, score), dropIntermediate);
}

export function rocFromClf(curve: ClfCurve, dropIntermediate = true): RocCurve {
  let { fps, tps, thresholds } = curve;
  if (dropIntermediate && fps.length > 2) {
    const keep: number[] = [0];
    for (let i = 1; i < fps.length - 1; i++) {
      const d2f = fps[i + 1] - 2 * fps[i] + fps[i - 1];
      const d2t = tps[i + 1] - 2 * tps[i] + tps[i - 1];
      if (d2f !== 0 || d2t !== 0) keep.push(i);
    }
    keep.push(fps.length - 1);
    fps = keep.map((i) => fps[i]);
    tps = keep.map((i) => tps[i]);
    thresholds = keep.map((i) => thresholds[i]);
  }
  const nNeg = fps.length ? fps[fps.length - 1] : 0;
  const nPos = tps.length ? tps[tps.length - 1] : 0;
  return {
    fpr: [0, ...fps].map((f) => (nNeg > 0 ? f / nNeg : NaN)),
    tpr: [0, ...tps].map((t) => (nPos > 0 ? t / nPos : NaN)),
    thresholds: [Infinity, ...thresholds],
  };
}

/** Trapezoidal area under a curve given by x (monotone) and y. */
export function trapezoid(x: readonly number[], y: readonly number[]): number {
  let area = 0;
  for (let i = 1; i < x.length; i++) area += ((x[i] - x[i - 1]) * (y[i] + y[i - 1])) / 2;
  return area;
}

/** Area under the ROC curve; NaN when the problem has no positives or no negatives. */
export function rocAuc(positive: ArrayLike<boolean | number>, score: ArrayLike<number>): number {
  return aucFromClf(clfCurve(positive, score));
}

export function aucFromClf(curve: ClfCurve): number {
  const c = rocFromClf(curve, false);
  if (c.fpr.some(Number.isNaN) || c.tpr.some(Number.isNaN)) return NaN;
  return trapezoid(c.fpr, c.tpr);
}

export function prCurve(positive: ArrayLike<boolean | number>, score: ArrayLike<number>): PrCurve {
  return prFromClf(clfCurve(positive, score));
}

export function prFromClf({ fps, tps, thresholds: desc }: ClfCurve): PrCurve {
  const thresholds = desc.slice();
  const nPos = tps.length ? tps[tps.length - 1] : 0;
  const precision = tps.map((t, i) => (t + fps[i] > 0 ? t / (t + fps[i]) : 0));
  // No positive at all: scikit-learn sets recall to 1 everywhere (and warns).
  const recall = tps.map((t) => (nPos > 0 ? t / nPos : 1));
  return { precision: [...precision.reverse(), 1], recall: [...recall.reverse(), 0], thresholds: thresholds.reverse() };
}

/** Average precision: Σ (R_n − R_{n−1}) P_n, the step-wise area under the PR curve (no interpolation). */
export function averagePrecision(positive: ArrayLike<boolean | number>, score: ArrayLike<number>): number {
  return apFromClf(clfCurve(positive, score));
}

export function apFromClf(curve: ClfCurve): number {
  if (curve.tps.length === 0 || curve.tps[curve.tps.length - 1] === 0) return NaN;
  const { precision, recall } = prFromClf(curve);
  let s = 0;
  for (let i = 0; i < recall.length - 1; i++) s -= (recall[i + 1] - recall[i]) * precision[i];
  return Math.max(0, s);
}
