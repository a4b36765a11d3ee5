import { argmaxRow, sampleCount, type Scores } from './types.js';

/**
 * Top-label calibration: is a model that says "90 %" right 90 % of the time? Samples are
 * binned by their confidence (the winning probability) into equal-width bins; the reliability
 * diagram plots each bin's accuracy against its mean confidence, and the expected calibration
 * error is the sample-weighted mean gap, Σ n_b / N · |acc_b − conf_b|. Bin edges and the
 * (lo, hi] assignment are scikit-learn's `calibration_curve(strategy="uniform")`.
 */
export interface ReliabilityBin {
  low: number;
  high: number;
  count: number;
  /** null for an empty bin. */
  accuracy: number | null;
  confidence: number | null;
}

export interface Calibration {
  bins: ReliabilityBin[];
  ece: number;
  /** Largest gap of a non-empty bin. */
  mce: number;
  meanConfidence: number;
}

export function calibration(s: Scores, nBins = 10): Calibration {
  if (!Number.isInteger(nBins) || nBins < 1) throw new RangeError(`nBins must be a positive integer, got ${nBins}`);
  const n = sampleCount(s);
  const k = s.classes.length;
  const edges = Array.from({ length: nBins + 1 }, (_, j) => (j === nBins ? 1 : j * (1 / nBins)));
  const count = new Array<number>(nBins).fill(0);
  const correct = new Array<number>(nBins).fill(0);
  const conf = new Array<number>(nBins).fill(0);
  let confTotal = 0;
  for (let i = 0; i < n; i++) {
    const best = argmaxRow(s.probabilities, i, k);
    const p = s.probabilities[i * k + best];
    // searchsorted(inner edges, p, side="left"): the number of inner edges strictly below p.
    let b = 0;
    while (b < nBins - 1 && edges[b + 1] < p) b++;
    count[b]++;
    conf[b] += p;
    confTotal += p;
    if (best === s.labels[i]) correct[b]++;
  }
  let ece = 0;
  let mce = 0;
  const bins = count.map((c, b): ReliabilityBin => {
    if (c === 0) return { low: edges[b], high: edges[b + 1], count: 0, accuracy: null, confidence: null };
    const accuracy = correct[b] / c;
    const confidence = conf[b] / c;
    const gap = Math.abs(accuracy - confidence);
    ece += (c / n) * gap;
    mce = Math.max(mce, gap);
    return { low: edges[b], high: edges[b + 1], count: c, accuracy, confidence };
  });
  return { bins, ece: n > 0 ? ece : NaN, mce, meanConfidence: n > 0 ? confTotal / n : NaN };
}
