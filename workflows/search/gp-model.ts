/**
 * Gaussian-process regression for the GP sampler: a Matérn-5/2 kernel with one length scale per
 * input dimension (ARD), a signal variance and a noise variance, fitted by maximising the log
 * marginal likelihood (plus weak log-normal priors that keep the fit sane on a handful of
 * points) with a fixed number of Adam steps on the analytic gradient. Linear algebra is
 * ml-matrix's Cholesky decomposition. Inputs live in the unit cube; targets are standardised
 * by the caller. Everything is a pure function of its arguments: the fit starts from the same
 * point every time, so a sampler restored from its trials fits the same model.
 */
import { CholeskyDecomposition, Matrix } from 'ml-matrix';

const SQRT5 = Math.sqrt(5);
const LOG_2PI = Math.log(2 * Math.PI);

/** log length scales (one per dimension), log signal variance, log noise variance. */
export interface GpHyper {
  logLengths: number[];
  logSignal: number;
  logNoise: number;
}

export interface GpFit {
  hyper: GpHyper;
  x: readonly (readonly number[])[];
  /** K⁻¹y: the posterior mean is k(x*)ᵀα. */
  alpha: number[];
  chol: CholeskyDecomposition;
  logMarginal: number;
}

/** Weak priors (in log space): length scales near half the cube, unit signal, small noise. */
const PRIOR = { logLength: { mean: Math.log(0.5), sd: 1.5 }, logSignal: { mean: 0, sd: 1.5 }, logNoise: { mean: Math.log(1e-2), sd: 2 } };
/** The noise never falls below this (jitter): duplicated points keep K positive definite. */
const MIN_LOG_NOISE = Math.log(1e-6);
const LOG_LENGTH_RANGE = { low: Math.log(1e-2), high: Math.log(20) };

function sqDist(a: readonly number[], b: readonly number[], lengths: readonly number[]): number {
  let s = 0;
  for (let d = 0; d < a.length; d++) {
    const z = (a[d] - b[d]) / lengths[d];
    s += z * z;
  }
  return s;
}

/** Matérn-5/2 correlation at scaled distance r (1 at r = 0). */
function matern52(r: number): number {
  return (1 + SQRT5 * r + (5 / 3) * r * r) * Math.exp(-SQRT5 * r);
}

export function kernel(a: readonly number[], b: readonly number[], h: GpHyper): number {
  return Math.exp(h.logSignal) * matern52(Math.sqrt(sqDist(a, b, h.logLengths.map(Math.exp))));
}

function logPrior(h: GpHyper): { value: number; grad: number[] } {
  const term = (v: number, p: { mean: number; sd: number }): [number, number] => [-0.5 * ((v - p.mean) / p.sd) ** 2, -(v - p.mean) / (p.sd * p.sd)];
  const parts = [...h.logLengths.map((l) => term(l, PRIOR.logLength)), term(h.logSignal, PRIOR.logSignal), term(h.logNoise, PRIOR.logNoise)];
  return { value: parts.reduce((s, [v]) => s + v, 0), grad: parts.map(([, g]) => g) };
}

/** Log marginal likelihood + log prior, and its gradient in [logLengths..., logSignal, logNoise]. */
function objective(x: readonly (readonly number[])[], y: readonly number[], h: GpHyper): { value: number; grad: number[]; fit: GpFit } | undefined {
  const n = x.length;
  const dims = h.logLengths.length;
  const lengths = h.logLengths.map(Math.exp);
  const signal = Math.exp(h.logSignal);
  const noise = Math.exp(h.logNoise);
  const K = new Matrix(n, n);
  const R = new Matrix(n, n); // scaled distances, reused by the gradient
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const r = Math.sqrt(sqDist(x[i], x[j], lengths));
      const k = signal * matern52(r) + (i === j ? noise : 0);
      K.set(i, j, k);
      K.set(j, i, k);
      R.set(i, j, r);
      R.set(j, i, r);
    }
  }
  const chol = new CholeskyDecomposition(K);
  if (!chol.isPositiveDefinite()) return undefined;
  const yv = Matrix.columnVector([...y]);
  const alpha = chol.solve(yv).getColumn(0);
  const L = chol.lowerTriangularMatrix;
  let logDet = 0;
  for (let i = 0; i < n; i++) logDet += 2 * Math.log(L.get(i, i));
  const lml = -0.5 * alpha.reduce((s, a, i) => s + a * y[i], 0) - 0.5 * logDet - 0.5 * n * LOG_2PI;
  // d lml / dθ = ½ tr((ααᵀ − K⁻¹) ∂K/∂θ)
  const Kinv = chol.solve(Matrix.eye(n, n));
  const grad = new Array<number>(dims + 2).fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const w = 0.5 * (alpha[i] * alpha[j] - Kinv.get(i, j));
      const r = R.get(i, j);
      const e = Math.exp(-SQRT5 * r);
      // ∂k/∂log ℓ_d = σ² (5/3)(1 + √5 r) e^{−√5 r} (Δ_d/ℓ_d)²: no singularity at r = 0.
      const common = signal * (5 / 3) * (1 + SQRT5 * r) * e;
      for (let d = 0; d < dims; d++) {
        const z = (x[i][d] - x[j][d]) / lengths[d];
        grad[d] += w * common * z * z;
      }
      grad[dims] += w * signal * matern52(r);
      if (i === j) grad[dims + 1] += w * noise;
    }
  }
  const prior = logPrior(h);
  return {
    value: lml + prior.value,
    grad: grad.map((g, k) => g + prior.grad[k]),
    fit: { hyper: h, x, alpha, chol, logMarginal: lml },
  };
}

/**
 * Fits the hyperparameters: `steps` Adam steps from a fixed start, keeping the best point seen
 * (so more steps never give a worse fit). Deterministic and O(steps · n³). `noiseStart` is the
 * noise variance the fit starts from: low (1e-4) lets a deterministic objective be resolved
 * finely near its optimum within the step budget; the fit still raises it for a noisy one.
 */
export function fitGp(x: readonly (readonly number[])[], y: readonly number[], steps: number, noiseStart = 1e-2): GpFit {
  const dims = x[0]?.length ?? 0;
  let theta = [...new Array<number>(dims).fill(Math.log(0.5)), 0, Math.log(noiseStart)];
  const toHyper = (t: readonly number[]): GpHyper => ({
    logLengths: t.slice(0, dims).map((l) => Math.min(LOG_LENGTH_RANGE.high, Math.max(LOG_LENGTH_RANGE.low, l))),
    logSignal: Math.min(Math.log(100), Math.max(Math.log(1e-3), t[dims])),
    logNoise: Math.min(Math.log(1), Math.max(MIN_LOG_NOISE, t[dims + 1])),
  });
  let best = objective(x, y, toHyper(theta));
  if (!best) {
    // Start with more noise: always positive definite.
    theta[dims + 1] = 0;
    best = objective(x, y, toHyper(theta));
    if (!best) throw new Error('GP fit: the kernel matrix is not positive definite even with unit noise');
  }
  let current = best;
  const m = new Array<number>(theta.length).fill(0);
  const v = new Array<number>(theta.length).fill(0);
  const lr = 0.1;
  for (let t = 1; t <= steps; t++) {
    const g = current.grad;
    theta = theta.map((th, k) => {
      m[k] = 0.9 * m[k] + 0.1 * g[k];
      v[k] = 0.999 * v[k] + 0.001 * g[k] * g[k];
      const mh = m[k] / (1 - 0.9 ** t);
      const vh = v[k] / (1 - 0.999 ** t);
      return th + (lr * mh) / (Math.sqrt(vh) + 1e-8); // ascent
    });
    theta = [...toHyper(theta).logLengths, toHyper(theta).logSignal, toHyper(theta).logNoise];
    const next = objective(x, y, toHyper(theta));
    if (!next) break;
    current = next;
    if (next.value > best.value) best = next;
  }
  return best.fit;
}

/** Posterior mean and variance (of the latent function, noise excluded) at each point. */
export function predict(fit: GpFit, points: readonly (readonly number[])[]): { mean: number; variance: number }[] {
  const signal = Math.exp(fit.hyper.logSignal);
  const L = fit.chol.lowerTriangularMatrix;
  const n = fit.x.length;
  return points.map((p) => {
    const k = fit.x.map((xi) => kernel(xi, p, fit.hyper));
    const mean = k.reduce((s, ki, i) => s + ki * fit.alpha[i], 0);
    // v = L⁻¹k by forward substitution; variance = k(p,p) − vᵀv.
    const w = new Array<number>(n);
    let vv = 0;
    for (let i = 0; i < n; i++) {
      let s = k[i];
      for (let j = 0; j < i; j++) s -= L.get(i, j) * w[j];
      w[i] = s / L.get(i, i);
      vv += w[i] * w[i];
    }
    return { mean, variance: Math.max(1e-12, signal - vv) };
  });
}

/** Normal upper-tail-safe erfc with relative error < 1.2e-7 everywhere (Numerical Recipes' erfcc). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

const normalCdf = (z: number): number => 0.5 * erfc(-z / Math.SQRT2);
const logNormalPdf = (z: number): number => -0.5 * z * z - 0.5 * LOG_2PI;

/**
 * log EI for minimisation, stable far into the tail (Ament et al. 2023, "log EI"): EI itself
 * underflows to 0 where the model is confident, which would leave the search with no gradient
 * to follow; its logarithm keeps ranking those points.
 */
export function logExpectedImprovement(mean: number, variance: number, bestY: number): number {
  const sd = Math.sqrt(variance);
  const z = (bestY - mean) / sd;
  let logH: number;
  if (z > -6) logH = Math.log(Math.max(1e-300, Math.exp(logNormalPdf(z)) + z * normalCdf(z)));
  else logH = logNormalPdf(z) - 2 * Math.log(-z) + Math.log(1 - 3 / (z * z) + 15 / z ** 4);
  return logH + Math.log(sd);
}
