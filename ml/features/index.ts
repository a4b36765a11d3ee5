/**
 * The feature library: per-window features grouped by domain, their names, units and domains
 * declared once (each domain module's descriptors), and a set identified by FEATURE_SET_VERSION
 * plus its normalised settings.
 */
import {
  FEATURE_DOMAINS,
  FEATURE_SET_VERSION,
  FeatureSettingsSchema,
  type FeatureDescriptor,
  type FeatureDomain,
  type FeatureSettings,
  type FeatureSettingsRequest,
} from '../../contracts/index.js';
import { envelopeDomain } from './envelope.js';
import { frequencyDomain } from './frequency.js';
import { timeDomain } from './time.js';
import type { FeatureContext, FeatureDomainImpl, Samples } from './types.js';
import { waveletDomain } from './wavelet.js';

export type { FeatureContext } from './types.js';
export { ENVELOPE_HARMONICS, ENVELOPE_ORDERS, envelopeBand, envelopeFeatureName } from './envelope.js';
export { timeStatistics } from './time.js';
export { waveletFeatureName } from './wavelet.js';

const DOMAINS: Readonly<Record<FeatureDomain, FeatureDomainImpl>> = {
  time: timeDomain,
  frequency: frequencyDomain,
  envelope: envelopeDomain,
  wavelet: waveletDomain,
};

/**
 * Settings with defaults filled and domains in canonical order without repeats: two requests
 * that mean the same set normalise to the same object (and so to the same hash and workflow id).
 */
export function normaliseFeatureSettings(request: FeatureSettingsRequest = {}): FeatureSettings {
  const settings = FeatureSettingsSchema.parse(request);
  return { ...settings, domains: FEATURE_DOMAINS.filter((d) => settings.domains.includes(d)) };
}

/** The columns of a matrix built with these settings, in order. */
export function featureCatalog(settings: FeatureSettings): FeatureDescriptor[] {
  return settings.domains.flatMap((d) => DOMAINS[d].descriptors(settings));
}

/** Every column of the catalog for one window, in catalog order. */
export function extractFeatures(x: Samples, context: FeatureContext, settings: FeatureSettings): Float64Array {
  if (x.length < 16) throw new RangeError(`a window needs at least 16 samples, got ${x.length}`);
  if (!(Number.isFinite(context.samplingRateHz) && context.samplingRateHz > 0)) {
    throw new RangeError(`samplingRateHz must be a positive number, got ${context.samplingRateHz}`);
  }
  const values: number[] = [];
  for (const d of settings.domains) {
    const impl = DOMAINS[d];
    const row = impl.compute(x, context, settings);
    const expected = impl.descriptors(settings).length;
    if (row.length !== expected) throw new Error(`feature domain ${d} computed ${row.length} values for ${expected} declared columns`);
    values.push(...row);
  }
  return Float64Array.from(values);
}

export { FEATURE_SET_VERSION };
