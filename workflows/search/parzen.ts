/**
 * Parzen estimators for TPE (Bergstra et al. 2011), over one parameter or several jointly.
 *
 * An estimator is a mixture of product kernels: one kernel per observation plus a *prior*
 * kernel that keeps every region reachable. Per dimension:
 * - numeric: a Gaussian truncated to [low, high] (in log space for log parameters). The prior
 *   kernel is N((low+high)/2, high-low). Bandwidth rule (hyperopt's, as in Optuna): with the
 *   observations sorted and the bounds as outer neighbours, sigma is the larger gap to a
 *   neighbour — except the two extreme observations, which use their inner gap only (a point
 *   near a bound is not made wide by it) — clipped to [(high-low)/min(100, n+2), high-low].
 * - categorical: an observation's kernel puts mass 1 on its choice plus priorWeight/(n+1)
 *   spread over all choices; the prior kernel is uniform.
 * Kernel weights follow `observationWeights`, the prior weighing `priorWeight` observations.
 * With one dimension this is the univariate TPE of the paper; with several it is the
 * multivariate TPE of Falkner et al. 2018 / Optuna, which models interactions between
 * parameters (a kernel's coordinates are drawn together).
 */
import type { Prng } from './random.js';

export type DimObservations =
  { kind: 'numeric'; values: readonly number[]; low: number; high: number } | { kind: 'categorical'; indices: readonly number[]; nChoices: number };

type Dim = { kind: 'numeric'; low: number; high: number; mus: number[]; sigmas: number[]; logZ: number[] } | { kind: 'categorical'; logProbs: number[][] };

export interface Parzen {
  dims: Dim[];
  /** log weight of each kernel; the last kernel is the prior. */
  logWeights: number[];
}

/** Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): ample for ranking candidates. */
function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const ax = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * ax);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-ax * ax);
  return sign * y;
}

const normalCdf = (z: number): number => 0.5 * (1 + erf(z / Math.SQRT2));
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

function bandwidths(values: readonly number[], low: number, high: number): number[] {
  const n = values.length;
  const range = high - low;
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b] || a - b);
  const sorted = [low, ...order.map((i) => values[i]), high];
  const sigmas = new Array<number>(n);
  const minSigma = range / Math.min(100, n + 2);
  for (let k = 0; k < n; k++) {
    const left = sorted[k + 1] - sorted[k];
    const right = sorted[k + 2] - sorted[k + 1];
    let s = Math.max(left, right);
    if (n >= 2 && k === 0) s = right;
    if (n >= 2 && k === n - 1) s = left;
    sigmas[order[k]] = Math.min(range, Math.max(minSigma, s));
  }
  return sigmas;
}

function fitDim(obs: DimObservations, priorWeight: number): Dim {
  if (obs.kind === 'categorical') {
    const nKernels = obs.indices.length + 1;
    const row = (observed: number | undefined): number[] => {
      const w = new Array<number>(obs.nChoices).fill(priorWeight / nKernels);
      if (observed !== undefined) w[observed] += 1;
      const total = w.reduce((a, b) => a + b, 0);
      return w.map((v) => Math.log(v / total));
    };
    return { kind: 'categorical', logProbs: [...obs.indices.map((i) => row(i)), row(undefined)] };
  }
  const { low, high } = obs;
  const mus = [...obs.values, (low + high) / 2];
  const sigmas = [...bandwidths(obs.values, low, high), high - low];
  const logZ = mus.map((mu, i) => Math.log(Math.max(1e-300, normalCdf((high - mu) / sigmas[i]) - normalCdf((low - mu) / sigmas[i]))));
  return { kind: 'numeric', low, high, mus, sigmas, logZ };
}

/**
 * Observation weights (Optuna's default): uniform up to 25 observations; beyond, the 25 most
 * recent weigh 1 and older ones ramp down linearly, so g tracks where the search is now.
 * Observations must be in trial order (oldest first) for this to mean "recent".
 */
function observationWeights(n: number): number[] {
  if (n < 25) return new Array<number>(n).fill(1);
  const ramp = n - 25;
  return [...Array.from({ length: ramp }, (_, i) => (ramp === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (ramp - 1))), ...new Array<number>(25).fill(1)];
}

/** Fits one estimator; every dimension holds the same observations, oldest first. */
export function fitParzen(dims: readonly DimObservations[], priorWeight: number): Parzen {
  const n = dims.length === 0 ? 0 : dims[0].kind === 'numeric' ? dims[0].values.length : dims[0].indices.length;
  const w = [...observationWeights(n), priorWeight];
  const total = w.reduce((a, b) => a + b, 0);
  const logWeights = w.map((v) => Math.log(v / total));
  return { dims: dims.map((d) => fitDim(d, priorWeight)), logWeights };
}

function sampleCategorical(logProbs: readonly number[], rng: Prng): number {
  return rng.weighted(logProbs.map(Math.exp));
}

/** One joint draw: numeric dims in internal space, categorical dims as choice indices. */
export function sampleParzen(pe: Parzen, rng: Prng): number[] {
  const k = sampleCategorical(pe.logWeights, rng);
  return pe.dims.map((d) => {
    if (d.kind === 'categorical') return sampleCategorical(d.logProbs[k], rng);
    // Means lie in [low, high] and sigma <= high-low, so acceptance is >= ~1/3 per try.
    for (let tries = 0; tries < 64; tries++) {
      const x = d.mus[k] + d.sigmas[k] * rng.normal();
      if (x >= d.low && x <= d.high) return x;
    }
    return Math.min(d.high, Math.max(d.low, d.mus[k]));
  });
}

export function logPdfParzen(pe: Parzen, x: readonly number[]): number {
  const terms = pe.logWeights.map((lw, k) => {
    let s = lw;
    pe.dims.forEach((d, j) => {
      if (d.kind === 'categorical') s += d.logProbs[k][x[j]];
      else {
        const z = (x[j] - d.mus[k]) / d.sigmas[k];
        s += -0.5 * z * z - Math.log(d.sigmas[k]) - LOG_SQRT_2PI - d.logZ[k];
      }
    });
    return s;
  });
  const m = Math.max(...terms);
  return m + Math.log(terms.reduce((acc, t) => acc + Math.exp(t - m), 0));
}
