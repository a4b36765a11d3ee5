/**
 * The statistics the comparisons need, with no dependency: McNemar's test for paired
 * classifiers (exact binomial when the discordant pairs are few, chi-square with continuity
 * correction otherwise), the chi-square(1) tail, and the Wilson interval of a proportion.
 * Checked against scipy (`binomtest`, `chi2.sf`, `proportion_ci(method="wilson")`).
 */

const LN2 = Math.LN2;
/** Φ⁻¹(0.975). */
export const Z_95 = 1.959963984540054;

/**
 * Two-sided exact binomial p-value of k successes in n trials at p = 1/2:
 * min(1, 2 · P[X ≤ min(k, n − k)]), summed in log space so n in the thousands does not underflow.
 */
export function binomialTwoSidedHalf(k: number, n: number): number {
  if (n === 0) return 1;
  const m = Math.min(k, n - k);
  const logs: number[] = [];
  let logC = 0;
  for (let i = 0; i <= m; i++) {
    if (i > 0) logC += Math.log(n - i + 1) - Math.log(i);
    logs.push(logC - n * LN2);
  }
  const top = Math.max(...logs);
  const tail = Math.exp(top) * logs.reduce((a, l) => a + Math.exp(l - top), 0);
  return Math.min(1, 2 * tail);
}

/**
 * ln Γ(x) for x > 0: the recurrence Γ(x) = Γ(x + 1) / x lifts x above 15, where Stirling's series
 * (to the x⁻⁹ term) is accurate to double precision.
 */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`logGamma: x must be > 0, got ${x}`);
  let shift = 0;
  while (x < 15) {
    shift += Math.log(x);
    x += 1;
  }
  const x2 = 1 / (x * x);
  const series = (1 / x) * (1 / 12 - x2 * (1 / 360 - x2 * (1 / 1260 - x2 * (1 / 1680 - x2 / 1188))));
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + series - shift;
}

/** Regularised upper incomplete gamma Q(a, x): series below a + 1, Lentz's continued fraction above. */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const lead = a * Math.log(x) - x - logGamma(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 10_000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-17) break;
    }
    return 1 - sum * Math.exp(lead);
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(lead) * h;
}

/** P[χ²(df) ≥ x]. */
export function chiSquareSf(x: number, df = 1): number {
  return x <= 0 ? 1 : gammaQ(df / 2, x / 2);
}

export interface McNemarResult {
  /** Pairs only the first classifier got right. */
  b: number;
  /** Pairs only the second classifier got right. */
  c: number;
  method: 'exact' | 'chi2';
  /** The chi-square statistic (for `exact`: the one the chi-square test would use). */
  statistic: number;
  pValue: number;
}

/** Below this many discordant pairs the chi-square approximation is poor; the exact test is used. */
export const MCNEMAR_EXACT_BELOW = 25;

export function mcnemarExact(b: number, c: number): number {
  return binomialTwoSidedHalf(Math.min(b, c), b + c);
}

/** (max(0, |b − c| − 1))² / (b + c): Edwards' continuity correction, never negative. */
export function mcnemarChi2Statistic(b: number, c: number): number {
  const n = b + c;
  return n === 0 ? 0 : Math.max(0, Math.abs(b - c) - 1) ** 2 / n;
}

export function mcnemar(b: number, c: number, exactBelow = MCNEMAR_EXACT_BELOW): McNemarResult {
  for (const [name, v] of [
    ['b', b],
    ['c', c],
  ] as const) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`mcnemar: ${name} must be a non-negative integer, got ${v}`);
  }
  const statistic = mcnemarChi2Statistic(b, c);
  if (b + c < exactBelow) return { b, c, method: 'exact', statistic, pValue: mcnemarExact(b, c) };
  return { b, c, method: 'chi2', statistic, pValue: chiSquareSf(statistic, 1) };
}

/** McNemar on paired outcomes (true = correct) of two classifiers over the same samples. */
export function mcnemarPaired(firstCorrect: ArrayLike<boolean>, secondCorrect: ArrayLike<boolean>, exactBelow = MCNEMAR_EXACT_BELOW): McNemarResult {
  if (firstCorrect.length !== secondCorrect.length) {
    throw new RangeError(`mcnemar: ${firstCorrect.length} and ${secondCorrect.length} outcomes are not paired`);
  }
  let b = 0;
  let c = 0;
  for (let i = 0; i < firstCorrect.length; i++) {
    if (firstCorrect[i] && !secondCorrect[i]) b++;
    else if (!firstCorrect[i] && secondCorrect[i]) c++;
  }
  return mcnemar(b, c, exactBelow);
}

/** Wilson score interval of k successes in n (95 % by default). */
export function wilsonInterval(k: number, n: number, z = Z_95): { low: number; high: number } {
  if (n === 0) return { low: 0, high: 1 };
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return { low: Math.max(0, center - half), high: Math.min(1, center + half) };
}
