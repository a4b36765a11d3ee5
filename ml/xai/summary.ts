import { powerSpectrum } from '../signal/index.js';
import { checkInt, checkWindow, segmentBounds, XaiInputError } from './common.js';

export interface SummaryOptions {
  samplingRateHz: number;
  /** Equal segments the window is cut into for the ranking. Default 16. */
  segments?: number;
  /** Segments reported. Default 3. */
  topK?: number;
  /** Equal-width frequency bands over (0, fs/2]. Default 8. */
  bands?: number;
}

export interface SegmentShare {
  start: number;
  end: number;
  /** Σ|attr| in the segment / Σ|attr| over the window. */
  share: number;
  /** Σ attr (sign: evidence for (+) or against (−) the class). */
  sum: number;
}

export interface AttributionSummary {
  topSegments: SegmentShare[];
  dominantBand: { lowHz: number; highHz: number; share: number };
  /** Frequency of the largest bin of the attribution-weighted signal's spectrum. */
  peakHz: number;
  /** Σ|attr|: 0 means the method attributed nothing (e.g. a dead Grad-CAM map). */
  totalAbs: number;
  /** Share of |attr| of every segment, in position order (sums to 1 unless totalAbs is 0). */
  segmentShares: number[];
  /** Share of the weighted spectrum (DC left out) of every band, low to high. */
  bandShares: number[];
}

const round = (v: number, digits = 6): number => Number(v.toPrecision(digits));

/**
 * A small JSON-able digest of one attribution map for a Postgres row: where in time (top
 * segments by share of |attribution|) and where in frequency (dominant band of the spectrum of
 * x ⊙ |attr|, i.e. of the signal as the explanation sees it). The DC bin is left out of the band
 * shares: weighting by |attr| adds an offset that says nothing about the fault frequencies.
 */
export function summarizeAttribution(x: Float32Array, attributions: Float32Array, opts: SummaryOptions): AttributionSummary {
  checkWindow(x, x.length);
  checkWindow(attributions, x.length, 'attributions');
  if (!(opts.samplingRateHz > 0) || !Number.isFinite(opts.samplingRateHz)) {
    throw new XaiInputError(`samplingRateHz must be a positive number, got ${opts.samplingRateHz}`);
  }
  const segments = opts.segments ?? 16;
  checkInt('segments', segments, 1, x.length);
  const topK = opts.topK ?? 3;
  checkInt('topK', topK, 1, segments);
  const bands = opts.bands ?? 8;
  checkInt('bands', bands, 1);

  let totalAbs = 0;
  for (let i = 0; i < attributions.length; i++) totalAbs += Math.abs(attributions[i]);
  const bounds = segmentBounds(x.length, segments);
  const shares: SegmentShare[] = [];
  for (let s = 0; s < segments; s++) {
    let abs = 0;
    let sum = 0;
    for (let i = bounds[s]; i < bounds[s + 1]; i++) {
      abs += Math.abs(attributions[i]);
      sum += attributions[i];
    }
    shares.push({ start: bounds[s], end: bounds[s + 1], share: totalAbs > 0 ? round(abs / totalAbs) : 0, sum: round(sum) });
  }
  const segmentShares = shares.map((x) => x.share);
  shares.sort((a, b) => b.share - a.share || a.start - b.start);

  const weighted = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) weighted[i] = x[i] * Math.abs(attributions[i]);
  const { frequencies, magnitudes } = powerSpectrum(weighted, opts.samplingRateHz);
  const nyquist = opts.samplingRateHz / 2;
  const bandPower = new Float64Array(bands);
  let total = 0;
  let peak = 1;
  for (let k = 1; k < magnitudes.length; k++) {
    const b = Math.min(bands - 1, Math.floor((frequencies[k] / nyquist) * bands));
    bandPower[b] += magnitudes[k];
    total += magnitudes[k];
    if (magnitudes[k] > magnitudes[peak]) peak = k;
  }
  let best = 0;
  for (let b = 1; b < bands; b++) if (bandPower[b] > bandPower[best]) best = b;
  return {
    topSegments: shares.slice(0, topK),
    dominantBand: {
      lowHz: round((best * nyquist) / bands),
      highHz: round(((best + 1) * nyquist) / bands),
      share: total > 0 ? round(bandPower[best] / total) : 0,
    },
    peakHz: magnitudes.length > 1 ? round(frequencies[peak]) : 0,
    totalAbs: round(totalAbs),
    segmentShares,
    bandShares: Array.from(bandPower, (p) => (total > 0 ? round(p / total) : 0)),
  };
}
