import { describe, expect, it } from 'vitest';
import {
  amplitudeSpectrum,
  bandEnvelope,
  crestFactor,
  envelopeSpectrum,
  kurtosis,
  measuredSnrDb,
  medianMagnitude,
  peakFrequency,
  peakToMedianRatio,
  powerSpectrum,
  Rng,
  rms,
  spectralPeak,
  type Spectrum,
} from '../../ml/signal/index.js';

const FS = 12_000;

function sine(n: number, amplitude: number, frequencyHz: number, fs = FS, phase = 0.3): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => amplitude * Math.sin((2 * Math.PI * frequencyHz * i) / fs + phase));
}

function gaussian(n: number, seed: number, sd = 1): Float64Array {
  const r = new Rng(seed);
  return Float64Array.from({ length: n }, () => r.normal(0, sd));
}

describe('statistics', () => {
  it('rms of a sine is A / √2, of a constant its value', () => {
    // 100 Hz at 12 kHz over 12,000 samples: an integer number of periods.
    expect(rms(sine(12_000, 3, 100))).toBeCloseTo(3 / Math.SQRT2, 10);
    expect(rms(new Float64Array(10).fill(-2))).toBe(2);
  });

  it('kurtosis is 3 for Gaussian noise, 1.5 for a sine, large for sparse impulses', () => {
    expect(Math.abs(kurtosis(gaussian(400_000, 1)) - 3)).toBeLessThan(0.05);
    expect(kurtosis(sine(12_000, 1, 100))).toBeCloseTo(1.5, 6);
    const impulses = new Float64Array(10_000);
    for (let i = 0; i < impulses.length; i += 100) impulses[i] = 1;
    // Bernoulli(p = 0.01): (1 - 3p + 3p²) / (p (1 - p)) ≈ 98.
    expect(kurtosis(impulses)).toBeCloseTo((1 - 0.03 + 0.0003) / (0.01 * 0.99), 6);
    expect(kurtosis(new Float64Array(16).fill(4))).toBe(0);
  });

  it('crest factor is √2 for a sine and √n for a single impulse', () => {
    expect(crestFactor(sine(12_000, 2, 250, FS, Math.PI / 2))).toBeCloseTo(Math.SQRT2, 6);
    const impulse = new Float64Array(400);
    impulse[17] = -5;
    expect(crestFactor(impulse)).toBeCloseTo(20, 10);
  });

  it('rejects empty signals', () => {
    expect(() => rms([])).toThrow(RangeError);
    expect(() => kurtosis([])).toThrow(RangeError);
  });

  it('measuredSnrDb gives 10 log10 of the power ratio', () => {
    const clean = sine(12_000, 1, 100); // power 0.5
    const noisy = clean.map((v, i) => v + (i % 2 === 0 ? 0.05 : -0.05)); // noise power 0.0025
    expect(measuredSnrDb(clean, noisy)).toBeCloseTo(10 * Math.log10(0.5 / 0.0025), 8);
    expect(() => measuredSnrDb(clean, noisy.subarray(1))).toThrow(/length/);
  });
});

describe('powerSpectrum', () => {
  it('puts a bin-centred sinusoid of amplitude A at its frequency with power A² / 2', () => {
    const n = 4_096;
    const f = (341 * FS) / n; // exactly bin 341
    const p = powerSpectrum(sine(n, 2, f), FS);
    expect(p.frequencies).toHaveLength(n / 2 + 1);
    expect(p.frequencies[n / 2]).toBe(FS / 2);
    const peak = spectralPeak(p, 0, FS / 2);
    expect(peak.index).toBe(341);
    expect(peak.frequency).toBeCloseTo(f, 9);
    expect(peak.magnitude).toBeCloseTo(2, 9);
  });

  it('satisfies Parseval for power-of-two lengths and reads a DC offset as mean²', () => {
    const x = gaussian(8_192, 2).map((v) => v + 0.5);
    const p = powerSpectrum(x, FS);
    const total = p.magnitudes.reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(rms(x) ** 2, 9);
    const mu = x.reduce((a, b) => a + b, 0) / x.length;
    expect(p.magnitudes[0]).toBeCloseTo(mu * mu, 12);
  });

  it('zero pads other lengths: the peak stays within one bin and the amplitude is not diluted', () => {
    const n = 10_000; // padded to 16,384
    const f = 1_234.5;
    const a = amplitudeSpectrum(sine(n, 1.5, f), FS);
    expect(a.frequencies).toHaveLength(16_384 / 2 + 1);
    const bin = FS / 16_384;
    expect(Math.abs(peakFrequency(a, 0, FS / 2) - f)).toBeLessThanOrEqual(bin);
    // Off-bin scalloping of a rectangular window costs at most ~36 % (-3.9 dB).
    expect(spectralPeak(a, 0, FS / 2).magnitude).toBeGreaterThan(1.5 * 0.63);
    expect(spectralPeak(a, 0, FS / 2).magnitude).toBeLessThanOrEqual(1.5 * 1.001);
  });
});

describe('envelopeSpectrum', () => {
  it('recovers an amplitude modulation of a carrier inside the band: line at the modulation rate, height m', () => {
    const n = 12_000 * 4;
    const fm = 100;
    const m = 0.4;
    const x = Float64Array.from({ length: n }, (_, i) => {
      const t = i / FS;
      return (1 + m * Math.cos(2 * Math.PI * fm * t)) * Math.sin(2 * Math.PI * 3_000 * t);
    });
    const env = envelopeSpectrum(x, FS, [2_000, 4_000]);
    const peak = spectralPeak(env, 20, 1_000);
    expect(Math.abs(peak.frequency - fm)).toBeLessThanOrEqual(FS / 65_536);
    expect(peak.magnitude).toBeCloseTo(m, 1);
  });

  it('ignores what lies outside the band', () => {
    const n = 30_000;
    const t = (i: number): number => i / FS;
    // A strong 50 Hz hum modulated at 7 Hz, plus a clean in-band carrier modulated at 120 Hz.
    const x = Float64Array.from(
      { length: n },
      (_, i) =>
        10 * (1 + 0.9 * Math.cos(2 * Math.PI * 7 * t(i))) * Math.sin(2 * Math.PI * 50 * t(i)) +
        (1 + 0.5 * Math.cos(2 * Math.PI * 120 * t(i))) * Math.sin(2 * Math.PI * 3_500 * t(i)),
    );
    const env = envelopeSpectrum(x, FS, [2_500, 4_500]);
    expect(Math.abs(peakFrequency(env, 1, 500) - 120)).toBeLessThan(0.5);
    expect(spectralPeak(env, 5, 9).magnitude).toBeLessThan(0.01);
  });

  it('gives the amplitude of an in-band sinusoid as its envelope', () => {
    const x = sine(16_384, 0.7, (1_400 * FS) / 16_384);
    const e = bandEnvelope(x, FS, [1_000, 1_100]);
    // Bin-centred: no leakage, so the envelope is constant everywhere.
    for (let i = 0; i < e.length; i += 997) expect(e[i]).toBeCloseTo(0.7, 9);
  });

  it('rejects a band outside [0, fs/2] or reversed, naming the band', () => {
    const x = sine(1_000, 1, 100);
    expect(() => envelopeSpectrum(x, FS, [3_000, 2_000])).toThrow(/band/);
    expect(() => envelopeSpectrum(x, FS, [2_000, 7_000])).toThrow(/band/);
  });
});

describe('peaks and floors', () => {
  const spectrum: Spectrum = {
    frequencies: Float64Array.from([0, 10, 20, 30, 40, 50]),
    magnitudes: Float64Array.from([9, 1, 3, 2, 5, 4]),
  };

  it('spectralPeak and peakFrequency search only [fMin, fMax] (inclusive)', () => {
    expect(spectralPeak(spectrum, 10, 30)).toEqual({ frequency: 20, magnitude: 3, index: 2 });
    expect(peakFrequency(spectrum, 10, 50)).toBe(40);
    expect(peakFrequency(spectrum, 0, 50)).toBe(0);
  });

  it('medianMagnitude and peakToMedianRatio', () => {
    expect(medianMagnitude(spectrum, 10, 50)).toBe(3);
    expect(medianMagnitude(spectrum, 10, 40)).toBe(2.5);
    expect(peakToMedianRatio(spectrum, 10, 50)).toBeCloseTo(5 / 3, 12);
  });

  it('throws a RangeError when no bin lies in the range', () => {
    expect(() => spectralPeak(spectrum, 11, 19)).toThrow(RangeError);
    expect(() => peakFrequency(spectrum, 30, 20)).toThrow(/fMin/);
  });
});
