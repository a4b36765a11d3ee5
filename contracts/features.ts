import { z } from 'zod';

/**
 * Feature engineering (seed tasks extract_features, compute_importance, select_features,
 * compute_correlation): the classical, per-window view of a dataset. The settings below decide
 * which columns a feature matrix has; together with FEATURE_SET_VERSION they identify a set.
 */

/** Bumped whenever any feature's definition changes, so stored sets are never mixed up. */
export const FEATURE_SET_VERSION = 1;

export const FEATURE_DOMAINS = ['time', 'frequency', 'envelope', 'wavelet'] as const;
export const FeatureDomainSchema = z.enum(FEATURE_DOMAINS);
export type FeatureDomain = z.infer<typeof FeatureDomainSchema>;

const HzBandSchema = z.tuple([z.number().min(0), z.number().positive()]).refine(([lo, hi]) => lo < hi, { message: 'a band is [lo, hi] Hz with lo < hi' });

export const FeatureSettingsSchema = z
  .object({
    domains: z
      .array(FeatureDomainSchema)
      .min(1)
      .default([...FEATURE_DOMAINS]),
    /**
     * Spectral energy bands as fractions of Nyquist (so one setting fits every sampling rate);
     * each band's energy is reported as its share of the total power.
     */
    bandEdges: z
      .array(z.number().min(0).max(1))
      .min(2)
      .max(17)
      .default([0, 0.125, 0.25, 0.5, 1])
      .refine((e) => e.every((v, i) => i === 0 || v > e[i - 1]), { message: 'bandEdges must increase strictly' }),
    /** Spectral roll-off: the frequency below which this share of the power lies. */
    rolloff: z.number().gt(0).lt(1).default(0.85),
    /** Envelope band-pass (Hz); default: envelopeBandHz(samplingRate), the simulated and CWRU resonance region. */
    envelopeBandHz: HzBandSchema.optional(),
    /** Half-width of the search window around each fault order, relative (covers the rolling elements' slip). */
    envelopeTolerance: z.number().gt(0).max(0.1).default(0.03),
    /** Daubechies wavelet of the packet decomposition (db1 … db10). */
    wavelet: z.enum(['db1', 'db2', 'db3', 'db4', 'db5', 'db6', 'db7', 'db8', 'db9', 'db10']).default('db4'),
    /** Packet depth: 2^level bands. */
    waveletLevel: z.number().int().min(1).max(5).default(3),
  })
  .strict();
export type FeatureSettings = z.output<typeof FeatureSettingsSchema>;
export type FeatureSettingsRequest = z.input<typeof FeatureSettingsSchema>;

/**
 * signal: the input's own unit (g for CWRU and the simulator); ratio: dimensionless; x-floor: a
 * multiple of the envelope spectrum's median level (its noise floor).
 */
export const FEATURE_UNITS = ['signal', 'Hz', 'ratio', 'x-floor'] as const;
export type FeatureUnit = (typeof FEATURE_UNITS)[number];

/** One column of a feature matrix: declared once in ml/features/catalog.ts. */
export interface FeatureDescriptor {
  name: string;
  domain: FeatureDomain;
  unit: FeatureUnit;
  description: string;
}
