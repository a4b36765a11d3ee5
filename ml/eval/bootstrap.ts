import { mixSeed, mulberry32 } from '../random.js';
import { descendingOrder } from './curves.js';

/**
 * Bootstrap confidence intervals, reproducible from a seed (the project's mulberry32 stream).
 *
 * A replicate resamples the n samples with replacement; instead of copying and re-sorting, it
 * draws a count per sample and evaluates weighted statistics over orders sorted once, so each
 * replicate costs O(n·k) rather than O(n·k·log n).
 */

export interface Interval {
  low: number;
  high: number;
}

/** numpy's default (linear) percentile of sorted values, q in [0, 1]. */
export function percentileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function percentileInterval(values: readonly number[], level = 0.95): Interval | null {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (finite.length === 0) return null;
  const a = (1 - level) / 2;
  return { low: percentileSorted(finite, a), high: percentileSorted(finite, 1 - a) };
}

/** Counts of each of n samples in one resample of size n. */
export function resampleCounts(n: number, random: () => number, out = new Float64Array(n)): Float64Array {
  out.fill(0);
  for (let i = 0; i < n; i++) out[Math.floor(random() * n)]++;
  return out;
}

/**
 * A binary ranking problem sorted once: positives, scores grouped by distinct value. Its
 * weighted AUC is P(score⁺ > score⁻) + ½ P(tie) under the sample weights (the Mann–Whitney
 * form, equal to the trapezoidal ROC area).
 */
export class RankedProblem {
  private readonly order: Int32Array;
  /** groupEnd[g]: one past the last position of distinct-score group g in `order`. */
  private readonly groupEnd: Int32Array;

  constructor(
    private readonly positive: ArrayLike<boolean>,
    score: ArrayLike<number>,
    /** Weight index of each entry (pooled micro problems repeat a sample's weight k times). */
    private readonly sampleOf: ArrayLike<number>,
  ) {
    this.order = descendingOrder(score);
    const ends: number[] = [];
    for (let r = 0; r < this.order.length; r++) {
      if (r === this.order.length - 1 || score[this.order[r + 1]] !== score[this.order[r]]) ends.push(r + 1);
    }
    this.groupEnd = Int32Array.from(ends);
  }

  /** NaN when the weighted resample has no positive or no negative. */
  auc(weights: ArrayLike<number>): number {
    let tp = 0;
    let fp = 0;
    let area = 0;
    let r = 0;
    for (let g = 0; g < this.groupEnd.length; g++) {
      let wPos = 0;
      let wNeg = 0;
      for (const end = this.groupEnd[g]; r < end; r++) {
        const i = this.order[r];
        const w = weights[this.sampleOf[i]];
        if (this.positive[i]) wPos += w;
        else wNeg += w;
      }
      area += wNeg * (tp + wPos / 2);
      tp += wPos;
      fp += wNeg;
    }
    return tp > 0 && fp > 0 ? area / (tp * fp) : NaN;
  }
}

/** The seeded uniform stream of a bootstrap, independent of any other use of the same seed. */
export function bootstrapRandom(seed: number): () => number {
  return mulberry32(mixSeed(seed, 'bootstrap'));
}
