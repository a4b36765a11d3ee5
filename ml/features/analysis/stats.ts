/**
 * Feature statistics over a matrix: relevance to the class (one-way ANOVA F, mutual information),
 * redundancy between features (Pearson, Spearman, pairwise mutual information), and held-out /
 * cross-validated splits that keep every signal's windows on one side (neighbouring windows of
 * one recording on both sides would measure memory, not generalisation).
 */
import { Rng } from '../../random.js';
import type { Table } from './forest.js';

export function column(t: Pick<Table, 'x' | 'rows' | 'columns'>, j: number): Float64Array {
  const out = new Float64Array(t.rows);
  for (let r = 0; r < t.rows; r++) out[r] = t.x[r * t.columns + j];
  return out;
}

/** The rows `rows` of t, and optionally only the columns `columns`. */
export function subset(t: Table, rows: ArrayLike<number>, columns?: readonly number[]): Table {
  const cols = columns ?? Array.from({ length: t.columns }, (_, j) => j);
  const x = new Float32Array(rows.length * cols.length);
  const y = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    y[i] = t.y[r];
    for (let j = 0; j < cols.length; j++) x[i * cols.length + j] = t.x[r * t.columns + cols[j]];
  }
  return { x, rows: rows.length, columns: cols.length, y, classes: t.classes };
}

/**
 * Assign each group (signal) to one of `folds` folds, stratified by the group's class and seeded:
 * groups of each class are shuffled and dealt round-robin. Returns the fold of every row.
 */
export function groupFolds(groups: ArrayLike<number>, y: ArrayLike<number>, folds: number, seed: number): Int32Array {
  const classOf = new Map<number, number>();
  for (let i = 0; i < groups.length; i++) if (!classOf.has(groups[i])) classOf.set(groups[i], y[i]);
  const byClass = new Map<number, number[]>();
  for (const [g, c] of [...classOf.entries()].sort((a, b) => a[0] - b[0])) {
    const list = byClass.get(c) ?? [];
    list.push(g);
    byClass.set(c, list);
  }
  const rng = new Rng(seed);
  const foldOf = new Map<number, number>();
  let dealt = 0;
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    const list = byClass.get(c)!;
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(rng.uniform() * (i + 1));
      [list[i], list[j]] = [list[j], list[i]];
    }
    // Continue the deal across classes so small classes do not all start in fold 0.
    for (const g of list) foldOf.set(g, dealt++ % folds);
  }
  return Int32Array.from({ length: groups.length }, (_, i) => foldOf.get(groups[i])!);
}

/** One-way ANOVA F per feature (sklearn's f_classif): between-class over within-class mean square. */
export function anovaF(t: Table): Float64Array {
  const out = new Float64Array(t.columns);
  const counts = new Float64Array(t.classes);
  for (let r = 0; r < t.rows; r++) counts[t.y[r]]++;
  const present = counts.filter((c) => c > 0).length;
  const dfb = present - 1;
  const dfw = t.rows - present;
  for (let j = 0; j < t.columns; j++) {
    const sums = new Float64Array(t.classes);
    let total = 0;
    for (let r = 0; r < t.rows; r++) {
      const v = t.x[r * t.columns + j];
      sums[t.y[r]] += v;
      total += v;
    }
    const grand = total / t.rows;
    let ssb = 0;
    for (let c = 0; c < t.classes; c++) if (counts[c] > 0) ssb += counts[c] * (sums[c] / counts[c] - grand) ** 2;
    let ssw = 0;
    for (let r = 0; r < t.rows; r++) ssw += (t.x[r * t.columns + j] - sums[t.y[r]] / counts[t.y[r]]) ** 2;
    out[j] = dfb <= 0 || dfw <= 0 ? 0 : ssw === 0 ? (ssb === 0 ? 0 : Number.MAX_VALUE) : ssb / dfb / (ssw / dfw);
  }
  return out;
}

/** Equal-frequency bin (0 … bins-1) of every value; ties share a bin. */
export function quantileBins(values: Float64Array, bins: number): Int32Array {
  const n = values.length;
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const out = new Int32Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]] === values[order[i]]) j++;
    const bin = Math.min(bins - 1, Math.floor((i * bins) / n));
    for (let m = i; m <= j; m++) out[order[m]] = bin;
    i = j + 1;
  }
  return out;
}

/** Mutual information (nats) between two discrete variables. */
export function discreteMi(a: ArrayLike<number>, ka: number, b: ArrayLike<number>, kb: number): number {
  const n = a.length;
  const joint = new Float64Array(ka * kb);
  const pa = new Float64Array(ka);
  const pb = new Float64Array(kb);
  for (let i = 0; i < n; i++) {
    joint[a[i] * kb + b[i]]++;
    pa[a[i]]++;
    pb[b[i]]++;
  }
  let mi = 0;
  for (let x = 0; x < ka; x++) {
    for (let y = 0; y < kb; y++) {
      const p = joint[x * kb + y];
      if (p > 0) mi += (p / n) * Math.log((p * n) / (pa[x] * pb[y]));
    }
  }
  return Math.max(0, mi);
}

/** Mutual information of each feature (in `bins` equal-frequency bins) with the class, nats. */
export function mutualInformation(t: Table, bins = 10): Float64Array {
  return Float64Array.from({ length: t.columns }, (_, j) => discreteMi(quantileBins(column(t, j), bins), bins, t.y, t.classes));
}

export function pearson(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa === 0 || sbb === 0 ? 0 : sab / Math.sqrt(saa * sbb);
}

/** Average ranks (1-based), ties sharing their mean rank. */
export function ranks(values: Float64Array): Float64Array {
  const n = values.length;
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const out = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]] === values[order[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let m = i; m <= j; m++) out[order[m]] = rank;
    i = j + 1;
  }
  return out;
}

/** Symmetric columns × columns matrix (row-major) of a pairwise statistic. */
export function pairwise(cols: Float64Array[], stat: (a: Float64Array, b: Float64Array) => number): Float64Array {
  const d = cols.length;
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    out[i * d + i] = 1;
    for (let j = i + 1; j < d; j++) out[i * d + j] = out[j * d + i] = stat(cols[i], cols[j]);
  }
  return out;
}

export function pearsonMatrix(t: Table): Float64Array {
  return pairwise(
    Array.from({ length: t.columns }, (_, j) => column(t, j)),
    pearson,
  );
}

export function spearmanMatrix(t: Table): Float64Array {
  return pairwise(
    Array.from({ length: t.columns }, (_, j) => ranks(column(t, j))),
    pearson,
  );
}

/**
 * Leaf order of an average-linkage agglomerative clustering on the distance 1 − |r|: strongly
 * correlated features end up side by side, so blocks show on a heatmap.
 */
export function clusterOrder(corr: Float64Array, d: number): number[] {
  let clusters: { members: number[] }[] = Array.from({ length: d }, (_, i) => ({ members: [i] }));
  const dist = (a: number[], b: number[]) => {
    let s = 0;
    for (const i of a) for (const j of b) s += 1 - Math.abs(corr[i * d + j]);
    return s / (a.length * b.length);
  };
  while (clusters.length > 1) {
    let best = Infinity;
    let bi = 0;
    let bj = 1;
    for (let i = 0; i < clusters.length; i++) {
      for (let j = i + 1; j < clusters.length; j++) {
        const v = dist(clusters[i].members, clusters[j].members);
        if (v < best) {
          best = v;
          bi = i;
          bj = j;
        }
      }
    }
    const merged = { members: [...clusters[bi].members, ...clusters[bj].members] };
    clusters = clusters.filter((_, k) => k !== bi && k !== bj);
    clusters.splice(bi, 0, merged);
  }
  return clusters[0]?.members ?? [];
}
