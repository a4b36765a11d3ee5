/**
 * Signal statistics and spectra used to check the simulator and to build features.
 *
 * FFT lengths: fft.js needs powers of two, so signals are zero padded to the next power of two
 * (never truncated: every sample contributes, and a 102,400-sample signal is not cut to 65,536).
 * Padding interpolates the spectrum onto the finer grid fs / N; amplitudes are normalised by the
 * real length n, so they do not depend on the padding.
 */
import { inverseFft, nextPowerOfTwo, realFft } from './fft.js';

/** A one-sided spectrum: magnitudes[k] belongs to frequencies[k] (Hz), 0 … fs/2. */
export interface Spectrum {
  frequencies: Float64Array;
  magnitudes: Float64Array;
}

export interface SpectralPeak {
  frequency: number;
  magnitude: number;
  index: number;
}

type Samples = ArrayLike<number>;

function requireSamples(signal: Samples, what = 'signal'): void {
  if (signal.length === 0) throw new RangeError(`${what} must not be empty`);
}

function requireRate(samplingRateHz: number): void {
  if (!Number.isFinite(samplingRateHz) || samplingRateHz <= 0) {
    throw new RangeError(`samplingRateHz must be a positive number, got ${samplingRateHz}`);
  }
}

export function mean(signal: Samples): number {
  requireSamples(signal);
  let s = 0;
  for (let i = 0; i < signal.length; i++) s += signal[i];
  return s / signal.length;
}

/** Root mean square (about zero, not about the mean: a DC offset counts, as on a meter). */
export function rms(signal: Samples): number {
  requireSamples(signal);
  let s = 0;
  for (let i = 0; i < signal.length; i++) s += signal[i] * signal[i];
  return Math.sqrt(s / signal.length);
}

/**
 * Pearson kurtosis m4 / m2² about the mean (not excess): 3 for Gaussian noise, 1.5 for a sine,
 * well above 3 for the impulsive signals of a damaged bearing. 0 for a constant signal.
 */
export function kurtosis(signal: Samples): number {
  const mu = mean(signal);
  let m2 = 0;
  let m4 = 0;
  for (let i = 0; i < signal.length; i++) {
    const d = signal[i] - mu;
    const d2 = d * d;
    m2 += d2;
    m4 += d2 * d2;
  }
  m2 /= signal.length;
  m4 /= signal.length;
  return m2 === 0 ? 0 : m4 / (m2 * m2);
}

/** Peak |x| over rms: √2 for a sine, large for impacts. 0 for an all-zero signal. */
export function crestFactor(signal: Samples): number {
  const r = rms(signal);
  let peak = 0;
  for (let i = 0; i < signal.length; i++) peak = Math.max(peak, Math.abs(signal[i]));
  return r === 0 ? 0 : peak / r;
}

/**
 * One-sided power spectrum. Scaled so that a sinusoid of amplitude A centred on a bin reads
 * A² / 2 (its mean square) and the DC bin reads mean²; no window (rectangular).
 */
export function powerSpectrum(signal: Samples, samplingRateHz: number): Spectrum {
  requireSamples(signal);
  requireRate(samplingRateHz);
  const amplitude = amplitudeSpectrum(signal, samplingRateHz);
  const power = amplitude.magnitudes;
  const last = power.length - 1;
  for (let k = 0; k < power.length; k++) {
    const a = power[k];
    power[k] = k === 0 || k === last ? a * a : (a * a) / 2;
  }
  return { frequencies: amplitude.frequencies, magnitudes: power };
}

/** One-sided amplitude spectrum: a sinusoid of amplitude A centred on a bin reads A. */
export function amplitudeSpectrum(signal: Samples, samplingRateHz: number): Spectrum {
  requireSamples(signal);
  requireRate(samplingRateHz);
  const n = signal.length;
  const size = nextPowerOfTwo(n);
  const X = realFft(signal, size);
  const half = size / 2;
  const frequencies = new Float64Array(half + 1);
  const magnitudes = new Float64Array(half + 1);
  for (let k = 0; k <= half; k++) {
    frequencies[k] = (k * samplingRateHz) / size;
    const scale = k === 0 || k === half ? 1 / n : 2 / n;
    magnitudes[k] = Math.hypot(X[2 * k], X[2 * k + 1]) * scale;
  }
  return { frequencies, magnitudes };
}

/**
 * Hilbert envelope of the signal band-passed to [lo, hi] Hz, same length as the signal.
 * Both steps happen in one frequency-domain mask: zero everything outside the band and every
 * negative frequency, double the positive in-band bins, transform back; |result| is the
 * envelope. (Brick-wall masking rings a little at the band edges; for envelope analysis of a
 * resonance well inside the band that is immaterial, and it needs no filter design.)
 */
export function bandEnvelope(signal: Samples, samplingRateHz: number, band: readonly [number, number]): Float64Array {
  requireSamples(signal);
  requireRate(samplingRateHz);
  const [lo, hi] = band;
  if (!(lo >= 0 && lo < hi && hi <= samplingRateHz / 2)) {
    throw new RangeError(`band must satisfy 0 <= lo < hi <= samplingRateHz / 2 (${samplingRateHz / 2}), got [${lo}, ${hi}]`);
  }
  const n = signal.length;
  const size = nextPowerOfTwo(n);
  const X = realFft(signal, size);
  const kLo = Math.max(1, Math.ceil((lo * size) / samplingRateHz));
  const kHi = Math.min(size / 2 - 1, Math.floor((hi * size) / samplingRateHz));
  const analytic = new Float64Array(2 * size);
  for (let k = kLo; k <= kHi; k++) {
    analytic[2 * k] = 2 * X[2 * k];
    analytic[2 * k + 1] = 2 * X[2 * k + 1];
  }
  const z = inverseFft(analytic);
  // The padded tail holds only leakage; the envelope covers the real samples.
  const envelope = new Float64Array(n);
  for (let i = 0; i < n; i++) envelope[i] = Math.hypot(z[2 * i], z[2 * i + 1]);
  return envelope;
}

/**
 * Envelope spectrum: the amplitude spectrum of the de-meaned band envelope. A fault whose
 * impacts excite a resonance inside `band` shows lines at its impact rate and harmonics.
 * The band is [lo, hi] Hz (at 12 kHz, 2–5 kHz covers the CWRU and simulated resonances).
 */
export function envelopeSpectrum(signal: Samples, samplingRateHz: number, band: readonly [number, number]): Spectrum {
  const envelope = bandEnvelope(signal, samplingRateHz, band);
  const mu = mean(envelope);
  for (let i = 0; i < envelope.length; i++) envelope[i] -= mu;
  return amplitudeSpectrum(envelope, samplingRateHz);
}

/** Indices [first, last] of the bins with fMin <= frequency <= fMax; throws if there are none. */
function binRange(spectrum: Spectrum, fMin: number, fMax: number): [number, number] {
  const f = spectrum.frequencies;
  let first = 0;
  while (first < f.length && f[first] < fMin) first++;
  let last = f.length - 1;
  while (last >= 0 && f[last] > fMax) last--;
  if (!(fMin <= fMax) || first > last) {
    throw new RangeError(`no spectrum bins between fMin=${fMin} Hz and fMax=${fMax} Hz`);
  }
  return [first, last];
}

/** Largest bin with fMin <= frequency <= fMax. */
export function spectralPeak(spectrum: Spectrum, fMin: number, fMax: number): SpectralPeak {
  const [first, last] = binRange(spectrum, fMin, fMax);
  let index = first;
  for (let k = first + 1; k <= last; k++) if (spectrum.magnitudes[k] > spectrum.magnitudes[index]) index = k;
  return { frequency: spectrum.frequencies[index], magnitude: spectrum.magnitudes[index], index };
}

/** Frequency (Hz) of the largest bin with fMin <= frequency <= fMax. */
export function peakFrequency(spectrum: Spectrum, fMin: number, fMax: number): number {
  return spectralPeak(spectrum, fMin, fMax).frequency;
}

/** Median magnitude over fMin <= frequency <= fMax: a robust level of the noise floor. */
export function medianMagnitude(spectrum: Spectrum, fMin: number, fMax: number): number {
  const [first, last] = binRange(spectrum, fMin, fMax);
  const values = Float64Array.from(spectrum.magnitudes.subarray(first, last + 1)).sort();
  const mid = values.length >> 1;
  return values.length % 2 === 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

/** Peak over median in the same range: how far the strongest line stands out of the floor. */
export function peakToMedianRatio(spectrum: Spectrum, fMin: number, fMax: number): number {
  const median = medianMagnitude(spectrum, fMin, fMax);
  const peak = spectralPeak(spectrum, fMin, fMax).magnitude;
  return median === 0 ? (peak === 0 ? 0 : Infinity) : peak / median;
}

/** SNR in dB of `noisy` against the known `clean` signal: 10 log10(P_clean / P_(noisy-clean)). */
export function measuredSnrDb(clean: Samples, noisy: Samples): number {
  requireSamples(clean, 'clean');
  if (noisy.length !== clean.length) {
    throw new RangeError(`noisy must have the length of clean (${clean.length}), got ${noisy.length}`);
  }
  let signalPower = 0;
  let noisePower = 0;
  for (let i = 0; i < clean.length; i++) {
    const d = noisy[i] - clean[i];
    signalPower += clean[i] * clean[i];
    noisePower += d * d;
  }
  return 10 * Math.log10(signalPower / noisePower);
}
