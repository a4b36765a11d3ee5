/**
 * Envelope-spectrum amplitudes at the bearing's fault orders, located at the window's own shaft
 * speed. Each amplitude is the largest envelope-spectrum bin within ±tolerance of h × order ×
 * shaft (h = 1…3; at least ±1 bin), divided by the spectrum's median over the whole searched
 * range: in orders and in multiples of the floor, the same column means the same thing at every
 * load and gain, which raw amplitudes in g at fixed Hz would not.
 */
import { FAULT_FREQUENCY_MULTIPLES, type FeatureDescriptor, type FeatureSettings } from '../../contracts/index.js';
import { envelopeSpectrum, type Spectrum } from '../signal/analysis.js';
import { envelopeBandHz } from '../signal/kinematics.js';
import type { FeatureContext, FeatureDomainImpl, Samples } from './types.js';

/** The fault orders (multiples of shaft speed). A ball defect's impacts come at 2 × BSF (see kinematics.ts). */
export const ENVELOPE_ORDERS = [
  { key: 'bpfi', order: FAULT_FREQUENCY_MULTIPLES.BPFI, what: 'ball-pass frequency, inner race' },
  { key: 'bpfo', order: FAULT_FREQUENCY_MULTIPLES.BPFO, what: 'ball-pass frequency, outer race' },
  { key: '2bsf', order: 2 * FAULT_FREQUENCY_MULTIPLES.BSF, what: 'twice the ball spin frequency' },
  { key: 'ftf', order: FAULT_FREQUENCY_MULTIPLES.FTF, what: 'fundamental train (cage) frequency' },
] as const;
export const ENVELOPE_HARMONICS = [1, 2, 3] as const;

/** The floor is taken from 0.3 × shaft (below the cage order) to 1.1 × the highest line searched. */
const FLOOR_FROM_ORDER = 0.3;
const FLOOR_MARGIN = 1.1;

export function envelopeFeatureName(key: string, harmonic: number): string {
  return `env_${key}_${harmonic}x`;
}

function descriptors(): FeatureDescriptor[] {
  return ENVELOPE_ORDERS.flatMap((o) =>
    ENVELOPE_HARMONICS.map((h) => ({
      name: envelopeFeatureName(o.key, h),
      domain: 'envelope' as const,
      unit: 'x-floor' as const,
      description: `envelope spectrum peak at ${h} × ${o.what} (${o.order} × shaft), over the median envelope level`,
    })),
  );
}

/** Band-pass range of the envelope: the setting, or the resonance region of kinematics.ts. */
export function envelopeBand(context: FeatureContext, settings: FeatureSettings): readonly [number, number] {
  return settings.envelopeBandHz ?? envelopeBandHz(context.samplingRateHz);
}

function maxInWindow(spectrum: Spectrum, centre: number, halfWidth: number): number {
  const df = spectrum.frequencies[1];
  const lo = Math.max(1, Math.floor((centre - halfWidth) / df));
  const hi = Math.min(spectrum.magnitudes.length - 1, Math.ceil((centre + halfWidth) / df));
  let best = 0;
  for (let k = lo; k <= hi; k++) if (spectrum.magnitudes[k] > best) best = spectrum.magnitudes[k];
  return best;
}

function median(values: Float64Array): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function compute(x: Samples, context: FeatureContext, settings: FeatureSettings): number[] {
  const { samplingRateHz, shaftHz } = context;
  if (!(Number.isFinite(shaftHz) && shaftHz > 0)) throw new RangeError(`shaftHz must be a positive number (rpm / 60), got ${shaftHz}`);
  const highest = Math.max(...ENVELOPE_ORDERS.map((o) => o.order)) * ENVELOPE_HARMONICS[ENVELOPE_HARMONICS.length - 1] * shaftHz;
  const floorTop = highest * FLOOR_MARGIN;
  if (floorTop >= samplingRateHz / 2) {
    throw new RangeError(`shaftHz ${shaftHz} puts the 3rd fault harmonics (${floorTop.toFixed(1)} Hz) above Nyquist (${samplingRateHz / 2} Hz)`);
  }
  const spectrum = envelopeSpectrum(x, samplingRateHz, envelopeBand(context, settings));
  const df = spectrum.frequencies[1];
  const first = Math.max(1, Math.ceil((FLOOR_FROM_ORDER * shaftHz) / df));
  const last = Math.min(spectrum.magnitudes.length - 1, Math.floor(floorTop / df));
  const floor = median(spectrum.magnitudes.subarray(first, last + 1));
  const out: number[] = [];
  for (const o of ENVELOPE_ORDERS) {
    for (const h of ENVELOPE_HARMONICS) {
      const centre = h * o.order * shaftHz;
      const amplitude = maxInWindow(spectrum, centre, Math.max(settings.envelopeTolerance * centre, df));
      out.push(floor === 0 ? 0 : amplitude / floor);
    }
  }
  return out;
}

export const envelopeDomain: FeatureDomainImpl = { descriptors, compute };
