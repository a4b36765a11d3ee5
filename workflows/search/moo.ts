/**
 * Multi-objective bookkeeping over objective vectors with a direction each: dominance, fast
 * non-dominated sorting and crowding distance (Deb et al. 2002, NSGA-II), and the Pareto front
 * of a trial ledger. Generic counterpart of nas/pareto.ts (which is tied to NAS's three fixed
 * objectives).
 */
import { score, type Direction, type TrialRecord } from './trials.js';

/** `a` is at least as good as `b` in every objective and strictly better in one. */
export function dominatesVec(a: readonly number[], b: readonly number[], directions: readonly Direction[]): boolean {
  let strict = false;
  for (let k = 0; k < directions.length; k++) {
    const x = score(directions[k], a[k]);
    const y = score(directions[k], b[k]);
    if (x > y) return false;
    if (x < y) strict = true;
  }
  return strict;
}

/**
 * Fronts of `points` (indices into it): front 0 is non-dominated, front k is non-dominated once
 * fronts 0..k-1 are removed. O(m·n²), Deb's fast non-dominated sort.
 */
export function nonDominatedSort(points: readonly (readonly number[])[], directions: readonly Direction[]): number[][] {
  const n = points.length;
  const dominatedBy = Array.from({ length: n }, () => [] as number[]);
  const count = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (dominatesVec(points[i], points[j], directions)) {
        dominatedBy[i].push(j);
        count[j]++;
      } else if (dominatesVec(points[j], points[i], directions)) {
        dominatedBy[j].push(i);
        count[i]++;
      }
    }
  }
  const fronts: number[][] = [];
  let current = count.flatMap((c, i) => (c === 0 ? [i] : []));
  while (current.length > 0) {
    fronts.push(current);
    const next: number[] = [];
    for (const i of current) {
      for (const j of dominatedBy[i]) if (--count[j] === 0) next.push(j);
    }
    current = next.sort((a, b) => a - b);
  }
  return fronts;
}

/**
 * Crowding distance of each member of one front (same order as `front`): the sum over objectives
 * of the normalised gap between its neighbours; the extremes of each objective get Infinity, so
 * selection keeps the front's ends.
 */
export function crowdingDistance(points: readonly (readonly number[])[], front: readonly number[]): number[] {
  const dist = new Array<number>(front.length).fill(0);
  if (front.length <= 2) return dist.fill(Infinity);
  const m = points[front[0]].length;
  for (let k = 0; k < m; k++) {
    const order = front.map((_, i) => i).sort((a, b) => points[front[a]][k] - points[front[b]][k] || a - b);
    const lo = points[front[order[0]]][k];
    const hi = points[front[order[order.length - 1]]][k];
    dist[order[0]] = Infinity;
    dist[order[order.length - 1]] = Infinity;
    if (hi === lo) continue;
    for (let r = 1; r < order.length - 1; r++) {
      dist[order[r]] += (points[front[order[r + 1]]][k] - points[front[order[r - 1]]][k]) / (hi - lo);
    }
  }
  return dist;
}

/** The complete multi-objective trials no other complete trial dominates, in trial order. */
export function paretoTrials(trials: readonly TrialRecord[], directions: readonly Direction[]): TrialRecord[] {
  const done = trials.filter((t) => t.status === 'complete' && t.values !== undefined && t.values.length === directions.length);
  const fronts = nonDominatedSort(
    done.map((t) => t.values as number[]),
    directions,
  );
  return (fronts[0] ?? []).sort((a, b) => a - b).map((i) => done[i]);
}
