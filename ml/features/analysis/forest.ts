/**
 * A small random-forest classifier (CART trees on Gini impurity, bootstrap rows, √d candidate
 * features per split), written here because the mljs forest exposes no impurity importance and
 * draws from an unseeded generator: this one is reproducible from its seed and reports the mean
 * decrease in impurity per feature as it grows (sklearn's feature_importances_ definition).
 */
import { Rng } from '../../random.js';

/** Rows × columns, row-major, and one class index per row. */
export interface Table {
  x: Float32Array;
  rows: number;
  columns: number;
  y: Int32Array;
  classes: number;
}

export interface ForestOptions {
  trees: number;
  /** Candidate features per split; default ⌊√columns⌋. */
  maxFeatures?: number;
  maxDepth: number;
  minSamplesLeaf: number;
  seed: number;
}

export const FOREST_DEFAULTS: ForestOptions = { trees: 100, maxDepth: 16, minSamplesLeaf: 1, seed: 0 };

interface Tree {
  /** Per node: split feature (-1 for a leaf), threshold, children; leaves point into `leafProba`. */
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  leaf: Int32Array;
  leafProba: Float64Array;
}

export interface Forest {
  trees: Tree[];
  classes: number;
  columns: number;
  /** Mean decrease in impurity per feature, each tree's normalised to sum 1, averaged. */
  importance: Float64Array;
}

function gini(counts: Float64Array, n: number): number {
  if (n === 0) return 0;
  let s = 0;
  for (let c = 0; c < counts.length; c++) s += counts[c] * counts[c];
  return 1 - s / (n * n);
}

function buildTree(t: Table, sample: Int32Array, o: Required<ForestOptions>, rng: Rng, importance: Float64Array): Tree {
  const k = t.classes;
  const feature: number[] = [];
  const threshold: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const leaf: number[] = [];
  const proba: number[] = [];
  const order = new Int32Array(sample.length);
  const values = new Float64Array(sample.length);
  const leftCounts = new Float64Array(k);
  const counts = new Float64Array(k);
  const candidates = Int32Array.from({ length: t.columns }, (_, i) => i);
  const treeImportance = new Float64Array(t.columns);
  const root = sample.length;

  const grow = (idx: Int32Array, depth: number): number => {
    const node = feature.length;
    feature.push(-1);
    threshold.push(0);
    left.push(-1);
    right.push(-1);
    leaf.push(-1);
    counts.fill(0);
    for (let i = 0; i < idx.length; i++) counts[t.y[idx[i]]]++;
    const n = idx.length;
    const impurity = gini(counts, n);
    const makeLeaf = () => {
      leaf[node] = proba.length / k;
      for (let c = 0; c < k; c++) proba.push(counts[c] / n);
      return node;
    };
    if (impurity === 0 || depth >= o.maxDepth || n < 2 * o.minSamplesLeaf) return makeLeaf();
    const parentCounts = Float64Array.from(counts);
    let bestGain = 0;
    let bestFeature = -1;
    let bestThreshold = 0;
    // Partial Fisher–Yates: the first maxFeatures entries are this node's candidates.
    for (let j = 0; j < o.maxFeatures; j++) {
      const r = j + Math.floor(rng.uniform() * (t.columns - j));
      const tmp = candidates[j];
      candidates[j] = candidates[r];
      candidates[r] = tmp;
      const f = candidates[j];
      for (let i = 0; i < n; i++) {
        order[i] = i;
        values[i] = t.x[idx[i] * t.columns + f];
      }
      const ord = order.subarray(0, n).sort((a, b) => values[a] - values[b]);
      leftCounts.fill(0);
      for (let i = 0; i < n - 1; i++) {
        leftCounts[t.y[idx[ord[i]]]]++;
        const nl = i + 1;
        const v = values[ord[i]];
        const next = values[ord[i + 1]];
        if (next === v || nl < o.minSamplesLeaf || n - nl < o.minSamplesLeaf) continue;
        let sl = 0;
        let sr = 0;
        for (let c = 0; c < k; c++) {
          sl += leftCounts[c] * leftCounts[c];
          const rc = parentCounts[c] - leftCounts[c];
          sr += rc * rc;
        }
        const nr = n - nl;
        const childImpurity = (nl - sl / nl + (nr - sr / nr)) / n;
        const gain = impurity - childImpurity;
        if (gain > bestGain) {
          bestGain = gain;
          bestFeature = f;
          bestThreshold = (v + next) / 2;
        }
      }
    }
    if (bestFeature < 0) return makeLeaf();
    treeImportance[bestFeature] += (n / root) * bestGain;
    let nl = 0;
    for (let i = 0; i < n; i++) if (t.x[idx[i] * t.columns + bestFeature] <= bestThreshold) nl++;
    const li = new Int32Array(nl);
    const ri = new Int32Array(n - nl);
    let a = 0;
    let b = 0;
    for (let i = 0; i < n; i++) {
      if (t.x[idx[i] * t.columns + bestFeature] <= bestThreshold) li[a++] = idx[i];
      else ri[b++] = idx[i];
    }
    feature[node] = bestFeature;
    threshold[node] = bestThreshold;
    left[node] = grow(li, depth + 1);
    right[node] = grow(ri, depth + 1);
    return node;
  };
  grow(sample, 0);
  const total = treeImportance.reduce((s, v) => s + v, 0);
  if (total > 0) for (let f = 0; f < t.columns; f++) importance[f] += treeImportance[f] / total;
  return {
    feature: Int32Array.from(feature),
    threshold: Float64Array.from(threshold),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    leaf: Int32Array.from(leaf),
    leafProba: Float64Array.from(proba),
  };
}

export function checkTable(t: Table): void {
  if (t.rows < 2) throw new RangeError(`a forest needs at least 2 rows, got ${t.rows}`);
  if (t.x.length !== t.rows * t.columns) throw new RangeError(`x has ${t.x.length} values for ${t.rows} rows × ${t.columns} columns`);
  if (t.y.length !== t.rows) throw new RangeError(`y has ${t.y.length} labels for ${t.rows} rows`);
  for (let i = 0; i < t.x.length; i++) if (!Number.isFinite(t.x[i])) throw new RangeError(`x[${Math.floor(i / t.columns)}][${i % t.columns}] is ${t.x[i]}`);
}

export function fitForest(t: Table, options: Partial<ForestOptions> = {}): Forest {
  checkTable(t);
  const o: Required<ForestOptions> = { ...FOREST_DEFAULTS, maxFeatures: Math.max(1, Math.floor(Math.sqrt(t.columns))), ...options } as Required<ForestOptions>;
  o.maxFeatures = Math.min(t.columns, Math.max(1, o.maxFeatures));
  const rng = new Rng(o.seed);
  const importance = new Float64Array(t.columns);
  const trees: Tree[] = [];
  for (let b = 0; b < o.trees; b++) {
    const sample = new Int32Array(t.rows);
    for (let i = 0; i < t.rows; i++) sample[i] = Math.floor(rng.uniform() * t.rows);
    trees.push(buildTree(t, sample, o, rng, importance));
  }
  for (let f = 0; f < t.columns; f++) importance[f] /= o.trees;
  return { trees, classes: t.classes, columns: t.columns, importance };
}

/** Class probabilities (rows × classes) averaged over the trees. */
export function predictProba(forest: Forest, x: Float32Array, rows: number): Float64Array {
  const k = forest.classes;
  const out = new Float64Array(rows * k);
  for (const tree of forest.trees) {
    for (let r = 0; r < rows; r++) {
      let node = 0;
      while (tree.feature[node] >= 0) node = x[r * forest.columns + tree.feature[node]] <= tree.threshold[node] ? tree.left[node] : tree.right[node];
      const base = tree.leaf[node] * k;
      for (let c = 0; c < k; c++) out[r * k + c] += tree.leafProba[base + c];
    }
  }
  for (let i = 0; i < out.length; i++) out[i] /= forest.trees.length;
  return out;
}

export function predict(forest: Forest, x: Float32Array, rows: number): Int32Array {
  const p = predictProba(forest, x, rows);
  const k = forest.classes;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (p[r * k + c] > p[r * k + best]) best = c;
    out[r] = best;
  }
  return out;
}

export function accuracy(predicted: Int32Array, truth: Int32Array): number {
  let ok = 0;
  for (let i = 0; i < truth.length; i++) if (predicted[i] === truth[i]) ok++;
  return truth.length === 0 ? 0 : ok / truth.length;
}
