/**
 * Parzen estimators for TPE (Bergstra et al. 2011), one parameter at a time.
 *
 * Numeric: a mixture of Gaussians truncated to [low, high] (in log space for log parameters),
 * one component per observation plus a *prior* component N((low+high)/2, high-low) that keeps
 * every region reachable. Bandwidth rule (hyperopt's, also Optuna's univariate default): with
 * the observations and the prior mean sorted, each component's sigma is the larger distance to
 * its neighbours (the bounds act as neighbours at the ends), clipped to
 * [(high-low) / min(100, n+1), high-low]; the prior's sigma is high-low. Weights are uniform,
 * the prior weighing `priorWeight` observations.
 *
 * Categorical: observed counts plus `priorWeight` spread evenly over the choices, normalised.
 */
import type { Prng } from './random.js';

export interface NumericParzen {
  low: number;
  high: number;
  mus: number[];
  sigmas: number[];
  weights: number[];
  /** log of each component's truncation mass (its CDF between low and high). */
  logZ: number[];
}

/** Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7): ample for ranking candidates. */
function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const ax = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * ax);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-ax * ax);
  return sign * y;
}

function normalCdf(z: number): number {
  return 0.5 * (1 + erf(z / Math.SQRT2));
}

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

export function fitNumeric(observations: readonly number[], low: number, high: number, priorWeight: number): NumericParzen {
  const range = high - low;
  const prior = (low + high) / 2;
  const mus = [...observations, prior];
  const order = mus.map((_, i) => i).sort((a, b) => mus[a] - mus[b] || a - b);
  const sigmas = new Array<number>(mus.length);
  const minSigma = range / Math.min(100, mus.length);
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    const left = k === 0 ? low : mus[order[k - 1]];
    const right = k === order.length - 1 ? high : mus[order[k + 1]];
    sigmas[i] = Math.min(range, Math.max(minSigma, mus[i] - left, right - mus[i]));
  }
  sigmas[mus.length - 1] = range; // the prior stays wide whatever its neighbours
  const raw = [...observations.map(() => 1), priorWeight];
  const total = raw.reduce((a, b) => a + b, 0);
  const weights = raw.map((w) => w / total);
  const logZ = mus.map((mu, i) => Math.log(Math.max(1e-300, normalCdf((high - mu) / sigmas[i]) - normalCdf((low - mu) / sigmas[i]))));
  return { low, high, mus, sigmas, weights, logZ };
}

/** One draw: pick a component by weight, then its truncated Gaussian by rejection. */
export function sampleNumeric(pe: NumericParzen, rng: Prng): number {
  const i = rng.weighted(pe.weights);
  // Each mean lies in [low, high] and sigma <= high-low, so acceptance is >= ~1/3 per try.
  for (let tries = 0; tries < 64; tries++) {
    const x = pe.mus[i] + pe.sigmas[i] * rng.normal();
    if (x >= pe.low && x <= pe.high) return x;
  }
  return Math.min(pe.high, Math.max(pe.low, pe.mus[i]));
}

export function logPdfNumeric(pe: NumericParzen, x: number): number {
  const terms = pe.mus.map((mu, i) => {
    const z = (x - mu) / pe.sigmas[i];
    return Math.log(pe.weights[i]) - 0.5 * z * z - Math.log(pe.sigmas[i]) - LOG_SQRT_2PI - pe.logZ[i];
  });
  const m = Math.max(...terms);
  return m + Math.log(terms.reduce((acc, t) => acc + Math.exp(t - m), 0));
}

/** Probabilities of each choice index. */
export function fitCategorical(observedIndices: readonly number[], nChoices: number, priorWeight: number): number[] {
  const counts = new Array<number>(nChoices).fill(priorWeight / nChoices);
  for (const i of observedIndices) counts[i] += 1;
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => c / total);
}
