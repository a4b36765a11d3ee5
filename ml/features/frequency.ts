/**
 * Spectral shape of one window, from the one-sided power spectrum of ml/signal (zero padded to a
 * power of two, rectangular window). The DC bin is left out of every feature: an offset says
 * nothing about the machine's frequency content and would drag the centroid to 0 Hz.
 */
import type { FeatureDescriptor, FeatureSettings } from '../../contracts/index.js';
import { powerSpectrum } from '../signal/analysis.js';
import type { FeatureContext, FeatureDomainImpl, Samples } from './types.js';

const SHAPE: readonly Omit<FeatureDescriptor, 'domain'>[] = [
  { name: 'spectral_centroid', unit: 'Hz', description: 'power-weighted mean frequency' },
  { name: 'spectral_spread', unit: 'Hz', description: 'power-weighted standard deviation of frequency about the centroid' },
  {
    name: 'spectral_entropy',
    unit: 'ratio',
    description: 'Shannon entropy of the normalised power spectrum / ln(bins): 1 for white noise, near 0 for a pure tone',
  },
  { name: 'spectral_rolloff', unit: 'Hz', description: 'lowest frequency below which the roll-off share of the power lies' },
  { name: 'peak_frequency', unit: 'Hz', description: 'frequency of the largest power bin' },
];

function bandName(lo: number, hi: number): string {
  return `band_energy_${lo}_${hi}`;
}

function descriptors(settings: FeatureSettings): FeatureDescriptor[] {
  const bands: FeatureDescriptor[] = [];
  const e = settings.bandEdges;
  for (let i = 0; i + 1 < e.length; i++) {
    bands.push({ name: bandName(e[i], e[i + 1]), domain: 'frequency', unit: 'ratio', description: `share of the power in [${e[i]}, ${e[i + 1]}) × Nyquist` });
  }
  return [...SHAPE.map((c) => ({ ...c, domain: 'frequency' as const })), ...bands];
}

function compute(x: Samples, context: FeatureContext, settings: FeatureSettings): number[] {
  const { frequencies: f, magnitudes: p } = powerSpectrum(x, context.samplingRateHz);
  const last = p.length - 1;
  let total = 0;
  let weighted = 0;
  let peakIndex = 1;
  for (let k = 1; k <= last; k++) {
    total += p[k];
    weighted += f[k] * p[k];
    if (p[k] > p[peakIndex]) peakIndex = k;
  }
  const bands = settings.bandEdges.length - 1;
  if (total === 0) return [0, 0, 0, 0, 0, ...new Array<number>(bands).fill(0)];
  const centroid = weighted / total;
  let spreadSum = 0;
  let entropy = 0;
  let rolloff = f[last];
  let cumulative = 0;
  let rolledOff = false;
  for (let k = 1; k <= last; k++) {
    const d = f[k] - centroid;
    spreadSum += d * d * p[k];
    const q = p[k] / total;
    if (q > 0) entropy -= q * Math.log(q);
    cumulative += p[k];
    if (!rolledOff && cumulative >= settings.rolloff * total) {
      rolloff = f[k];
      rolledOff = true;
    }
  }
  const nyquist = context.samplingRateHz / 2;
  const shares = new Array<number>(bands).fill(0);
  for (let k = 1; k <= last; k++) {
    const fraction = f[k] / nyquist;
    // Bands are half-open [lo, hi); the last one also takes the Nyquist bin.
    for (let b = 0; b < bands; b++) {
      const lo = settings.bandEdges[b];
      const hi = settings.bandEdges[b + 1];
      if (fraction >= lo && (fraction < hi || (b === bands - 1 && fraction <= hi))) {
        shares[b] += p[k];
        break;
      }
    }
  }
  return [centroid, Math.sqrt(spreadSum / total), entropy / Math.log(last), rolloff, f[peakIndex], ...shares.map((s) => s / total)];
}

export const frequencyDomain: FeatureDomainImpl = { descriptors, compute };
