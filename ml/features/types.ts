import type { FeatureDescriptor, FeatureSettings } from '../../contracts/index.js';

/** What a window needs besides its samples: where its frequencies sit. */
export interface FeatureContext {
  samplingRateHz: number;
  /** The signal's own shaft speed (rpm / 60): fault orders are located from it. */
  shaftHz: number;
}

export type Samples = ArrayLike<number>;

/** One domain: its columns (declared once) and a function that fills exactly those columns. */
export interface FeatureDomainImpl {
  descriptors(settings: FeatureSettings): FeatureDescriptor[];
  compute(x: Samples, context: FeatureContext, settings: FeatureSettings): number[];
}
