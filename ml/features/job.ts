/**
 * A batch of signals to featurise in one call (what a child process of the pool runs): the rows
 * are every signal's windows in order, the columns the catalog of the settings.
 */
import type { FeatureSettings } from '../../contracts/index.js';
import { featureCatalog, extractFeatures } from './index.js';

export interface FeatureJobSignal {
  uri: string;
  samplingRateHz: number;
  shaftHz: number;
  /** Window starts in samples; with windowLength null, one row over the whole signal ([0]). */
  starts: number[];
}

export interface FeatureJob {
  settings: FeatureSettings;
  windowLength: number | null;
  signals: FeatureJobSignal[];
}

/** Bad input that retrying cannot fix (a window past the end, a shaft speed the spectrum cannot hold). */
export class FeatureInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeatureInputError';
  }
}

/** rows × columns float32, row-major: the rows of signal 0's windows, then signal 1's, … */
export function runFeatureJob(samples: readonly Float32Array[], job: FeatureJob): Float32Array {
  const columns = featureCatalog(job.settings).length;
  const rows = job.signals.reduce((n, s) => n + s.starts.length, 0);
  const out = new Float32Array(rows * columns);
  let row = 0;
  job.signals.forEach((s, i) => {
    const x = samples[i];
    const length = job.windowLength ?? x.length;
    for (const start of s.starts) {
      if (start < 0 || start + length > x.length) {
        throw new FeatureInputError(`signal ${s.uri}: window [${start}, ${start + length}) is outside its ${x.length} samples`);
      }
      let values: Float64Array;
      try {
        values = extractFeatures(x.subarray(start, start + length), { samplingRateHz: s.samplingRateHz, shaftHz: s.shaftHz }, job.settings);
      } catch (err) {
        if (err instanceof RangeError) throw new FeatureInputError(`signal ${s.uri}: ${err.message}`);
        throw err;
      }
      out.set(values, row * columns);
      row++;
    }
  });
  return out;
}
