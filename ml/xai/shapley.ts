import type * as tfl from '@tensorflow/tfjs-layers';
import { mulberry32 } from '../random.js';
import { checkClass, checkInt, checkWindow, modelShape, predictTarget, segmentBounds, XaiInputError } from './common.js';

export interface ShapleyOptions {
  targetClass: number;
  /** Number of equal segments (players). */
  segments: number;
  /**
   * Background windows that stand in for "segment absent" (interventional SHAP: an absent segment
   * takes the background window's samples there). Size and source are the caller's choice (e.g. a
   * sample of the training set or of healthy windows); every coalition costs one prediction per
   * background window.
   */
  background: Float32Array[];
  /**
   * Coalitions evaluated (besides the empty and the full one). When 2^segments − 2 ≤ samples,
   * every coalition is enumerated and the result is the exact Shapley value.
   */
  samples: number;
  seed: number;
  /** Ridge term added to the normal equations' diagonal. Default 1e-6. */
  ridge?: number;
  batchSize?: number;
}

export interface ShapleySegment {
  start: number;
  end: number;
  value: number;
}

export interface ShapleyResult {
  /** φ per segment; Σφ = full − base exactly (the efficiency constraint is imposed). */
  segments: ShapleySegment[];
  /** φ of each segment spread evenly over its samples, so the per-sample sum is also full − base. */
  attributions: Float32Array;
  /** Mean target probability over the background (empty coalition). */
  base: number;
  /** Target probability of x (full coalition). */
  full: number;
  /** Coalitions evaluated, excluding the empty and full ones. */
  coalitions: number;
  exact: boolean;
}

/**
 * KernelSHAP (Lundberg & Lee 2017) over `segments` equal segments. v(S) = mean over background b
 * of p(x on S, b elsewhere). φ solves the weighted least squares of v(z) ≈ φ₀ + z·φ with the
 * Shapley kernel weights, under φ₀ = v(∅) and Σφ = v(full) − v(∅) (the last φ is eliminated,
 * as in the reference implementation), via ridge-regularised normal equations of size M − 1.
 *
 * Sampling: coalition sizes are drawn with probability ∝ (M − 1)/(k(M − k)), the kernel's mass
 * per size, then a uniform subset of that size; each draw is paired with its complement
 * (antithetic sampling halves the variance for the same budget). Drawn coalitions get weight 1
 * because the kernel is already in the sampling distribution.
 */
export function kernelShap(model: tfl.LayersModel, x: Float32Array, opts: ShapleyOptions): ShapleyResult {
  const { inputLength, numClasses } = modelShape(model);
  checkWindow(x, inputLength);
  checkClass(opts.targetClass, numClasses);
  checkInt('segments', opts.segments, 2, inputLength);
  checkInt('samples', opts.samples, 1);
  checkInt('seed', opts.seed, -(2 ** 31), 2 ** 32 - 1);
  if (!Array.isArray(opts.background) || opts.background.length === 0) {
    throw new XaiInputError(
      `background must be a non-empty array of windows, got ${Array.isArray(opts.background) ? 'an empty array' : String(opts.background)}`,
    );
  }
  opts.background.forEach((b, i) => checkWindow(b, inputLength, `background[${i}]`));
  const ridge = opts.ridge ?? 1e-6;
  if (!(ridge >= 0) || !Number.isFinite(ridge)) throw new XaiInputError(`ridge must be a finite number >= 0, got ${ridge}`);
  const M = opts.segments;
  const bounds = segmentBounds(inputLength, M);

  const { masks, weights, exact } = coalitions(M, opts.samples, opts.seed);
  // Rows: the empty and full coalitions first, then the sampled ones.
  const all = [new Uint8Array(M), new Uint8Array(M).fill(1), ...masks];
  const B = opts.background.length;
  // Coalition windows are built and predicted a chunk at a time: all of them at once would be
  // (samples + 2) × background × length floats (256 × 16 × 2048 × 4 B = 33 MB by default, and
  // gigabytes for large requests).
  const batchSize = opts.batchSize ?? 256;
  const rowsPerChunk = Math.max(1, Math.floor(Math.max(batchSize, B) / B));
  const xs = new Float32Array(rowsPerChunk * B * inputLength);
  const v = new Float64Array(all.length);
  for (let start = 0; start < all.length; start += rowsPerChunk) {
    const n = Math.min(rowsPerChunk, all.length - start);
    for (let r = 0; r < n; r++) {
      const mask = all[start + r];
      opts.background.forEach((bg, j) => {
        const off = (r * B + j) * inputLength;
        for (let k = 0; k < M; k++) {
          const src = mask[k] ? x : bg;
          xs.set(src.subarray(bounds[k], bounds[k + 1]), off + bounds[k]);
        }
      });
    }
    const p = predictTarget(model, xs, n * B, inputLength, opts.targetClass, batchSize);
    for (let r = 0; r < n; r++) {
      let s = 0;
      for (let j = 0; j < B; j++) s += p[r * B + j];
      v[start + r] = s / B;
    }
  }
  const base = v[0];
  const full = v[1];
  const phi = solveConstrained(masks, weights, v.subarray(2), base, full - base, ridge);

  const segments: ShapleySegment[] = [];
  const attributions = new Float32Array(inputLength);
  for (let k = 0; k < M; k++) {
    segments.push({ start: bounds[k], end: bounds[k + 1], value: phi[k] });
    attributions.fill(phi[k] / (bounds[k + 1] - bounds[k]), bounds[k], bounds[k + 1]);
  }
  return { segments, attributions, base, full, coalitions: masks.length, exact };
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

function coalitions(M: number, samples: number, seed: number): { masks: Uint8Array[]; weights: Float64Array; exact: boolean } {
  const masks: Uint8Array[] = [];
  if (M < 31 && 2 ** M - 2 <= samples) {
    // Enumerate every proper, non-empty coalition with its Shapley kernel weight.
    const weights: number[] = [];
    for (let bits = 1; bits < 2 ** M - 1; bits++) {
      const m = new Uint8Array(M);
      let k = 0;
      for (let j = 0; j < M; j++) {
        if ((bits >>> j) & 1) {
          m[j] = 1;
          k++;
        }
      }
      masks.push(m);
      weights.push((M - 1) / (binomial(M, k) * k * (M - k)));
    }
    return { masks, weights: Float64Array.from(weights), exact: true };
  }
  const random = mulberry32(seed);
  const sizeMass: number[] = [];
  for (let k = 1; k < M; k++) sizeMass.push((M - 1) / (k * (M - k)));
  const total = sizeMass.reduce((a, b) => a + b, 0);
  while (masks.length < samples) {
    let u = random() * total;
    let k = 1;
    while (k < M - 1 && u >= sizeMass[k - 1]) u -= sizeMass[k++ - 1];
    // Partial Fisher–Yates: the first k of a random permutation form the subset.
    const idx = Array.from({ length: M }, (_, i) => i);
    const m = new Uint8Array(M);
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(random() * (M - i));
      [idx[i], idx[j]] = [idx[j], idx[i]];
      m[idx[i]] = 1;
    }
    masks.push(m);
    if (masks.length < samples) masks.push(m.map((b) => 1 - b));
  }
  return { masks, weights: new Float64Array(masks.length).fill(1), exact: false };
}

/**
 * min Σ w (y − z·φ)² s.t. Σφ = total, with y = v − base: substitute φ_M = total − Σ_{j<M} φ_j,
 * giving unconstrained regression of y − z_M·total on (z_j − z_M), j < M.
 */
function solveConstrained(masks: Uint8Array[], weights: Float64Array, v: Float64Array, base: number, total: number, ridge: number): Float64Array {
  const M = masks[0]?.length ?? 0;
  const n = M - 1;
  const A = new Float64Array(n * n);
  const rhs = new Float64Array(n);
  const row = new Float64Array(n);
  masks.forEach((z, r) => {
    const zM = z[M - 1];
    for (let j = 0; j < n; j++) row[j] = z[j] - zM;
    const y = v[r] - base - zM * total;
    const w = weights[r];
    for (let i = 0; i < n; i++) {
      if (row[i] === 0) continue;
      rhs[i] += w * row[i] * y;
      for (let j = 0; j < n; j++) A[i * n + j] += w * row[i] * row[j];
    }
  });
  for (let i = 0; i < n; i++) A[i * n + i] += ridge;
  const head = solveSymmetric(A, rhs, n);
  const phi = new Float64Array(M);
  let s = 0;
  for (let j = 0; j < n; j++) {
    phi[j] = head[j];
    s += head[j];
  }
  phi[M - 1] = total - s;
  return phi;
}

/** Gaussian elimination with partial pivoting (n is the segment count: tens at most). */
function solveSymmetric(A: Float64Array, b: Float64Array, n: number): Float64Array {
  const a = Float64Array.from(A);
  const x = Float64Array.from(b);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r * n + c]) > Math.abs(a[piv * n + c])) piv = r;
    if (Math.abs(a[piv * n + c]) < 1e-300) throw new Error('kernelShap: singular normal equations; add ridge or samples');
    if (piv !== c) {
      for (let j = 0; j < n; j++) [a[c * n + j], a[piv * n + j]] = [a[piv * n + j], a[c * n + j]];
      [x[c], x[piv]] = [x[piv], x[c]];
    }
    for (let r = c + 1; r < n; r++) {
      const f = a[r * n + c] / a[c * n + c];
      if (f === 0) continue;
      for (let j = c; j < n; j++) a[r * n + j] -= f * a[c * n + j];
      x[r] -= f * x[c];
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    let s = x[r];
    for (let j = r + 1; j < n; j++) s -= a[r * n + j] * x[j];
    x[r] = s / a[r * n + r];
  }
  return x;
}
