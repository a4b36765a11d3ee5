/**
 * Time-domain statistics of one window. Moments are population moments (divide by n) about the
 * mean; rms is about zero, as a meter reads it. A ratio whose denominator is 0 (an all-zero
 * window) is reported as 0 rather than NaN, so a dead channel does not poison a matrix.
 */
import type { FeatureDescriptor } from '../../contracts/index.js';
import type { FeatureDomainImpl, Samples } from './types.js';

const COLUMNS: readonly Omit<FeatureDescriptor, 'domain'>[] = [
  { name: 'mean', unit: 'signal', description: 'arithmetic mean' },
  { name: 'std', unit: 'signal', description: 'standard deviation (population, about the mean)' },
  { name: 'rms', unit: 'signal', description: 'root mean square (about zero)' },
  { name: 'peak', unit: 'signal', description: 'max |x|' },
  { name: 'peak_to_peak', unit: 'signal', description: 'max x − min x' },
  { name: 'crest_factor', unit: 'ratio', description: 'peak / rms (√2 for a sine)' },
  { name: 'kurtosis', unit: 'ratio', description: 'm4 / m2² about the mean, Pearson (3 for Gaussian noise, 1.5 for a sine)' },
  { name: 'skewness', unit: 'ratio', description: 'm3 / m2^1.5 about the mean' },
  { name: 'shape_factor', unit: 'ratio', description: 'rms / mean |x|' },
  { name: 'impulse_factor', unit: 'ratio', description: 'peak / mean |x|' },
  { name: 'clearance_factor', unit: 'ratio', description: 'peak / (mean √|x|)²' },
];

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

export function timeStatistics(x: Samples): number[] {
  const n = x.length;
  let sum = 0;
  let sumSq = 0;
  let sumAbs = 0;
  let sumSqrtAbs = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    const a = Math.abs(v);
    sum += v;
    sumSq += v * v;
    sumAbs += a;
    sumSqrtAbs += Math.sqrt(a);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = sum / n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i] - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  m2 /= n;
  m3 /= n;
  m4 /= n;
  const rms = Math.sqrt(sumSq / n);
  const peak = Math.max(Math.abs(min), Math.abs(max));
  const meanAbs = sumAbs / n;
  const meanSqrtAbs = sumSqrtAbs / n;
  return [
    mean,
    Math.sqrt(m2),
    rms,
    peak,
    max - min,
    ratio(peak, rms),
    ratio(m4, m2 * m2),
    ratio(m3, m2 ** 1.5),
    ratio(rms, meanAbs),
    ratio(peak, meanAbs),
    ratio(peak, meanSqrtAbs * meanSqrtAbs),
  ];
}

export const timeDomain: FeatureDomainImpl = {
  descriptors: () => COLUMNS.map((c) => ({ ...c, domain: 'time' })),
  compute: (x) => timeStatistics(x),
};
