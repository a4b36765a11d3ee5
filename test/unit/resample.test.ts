import { describe, expect, it } from 'vitest';
import { resample, resampledLength } from '../../ml/signal/resample.js';
import { amplitudeSpectrum, spectralPeak } from '../../ml/signal/index.js';

const tone = (hz: number, fs: number, n: number, amp = 1) => Float64Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / fs));
/** RMS over the middle half (the ends see a truncated kernel). */
const midRms = (x: Float64Array) => {
  const a = Math.floor(x.length / 4);
  const b = Math.floor((3 * x.length) / 4);
  let s = 0;
  for (let i = a; i < b; i++) s += x[i] * x[i];
  return Math.sqrt(s / (b - a));
};

describe('resample (windowed-sinc, anti-aliased)', () => {
  it('48 kHz → 12 kHz keeps a 1 kHz tone (amplitude within 0.5 %, same frequency)', () => {
    const y = resample(tone(1000, 48_000, 48_000), 48_000, 12_000);
    expect(y.length).toBe(resampledLength(48_000, 48_000, 12_000));
    expect(y.length).toBe(12_000);
    expect(midRms(y)).toBeCloseTo(Math.SQRT1_2, 2);
    expect(spectralPeak(amplitudeSpectrum(y, 12_000), 100, 5_900).frequency).toBeCloseTo(1000, -1);
  });

  it('48 kHz → 12 kHz removes an 8 kHz tone instead of folding it to 4 kHz (> 60 dB down)', () => {
    const y = resample(tone(8000, 48_000, 48_000), 48_000, 12_000);
    expect(20 * Math.log10(midRms(y) / Math.SQRT1_2)).toBeLessThan(-60);
  });

  it('plain decimation would alias that tone (the test above is not trivially true)', () => {
    const x = tone(8000, 48_000, 48_000);
    const naive = Float64Array.from({ length: 12_000 }, (_, i) => x[4 * i]);
    expect(midRms(naive)).toBeGreaterThan(0.5);
  });

  it('a non-integer ratio (12 kHz → 10 kHz) keeps a 2 kHz tone and a DC level', () => {
    const x = tone(2000, 12_000, 24_000).map((v) => v + 0.25);
    const y = resample(x, 12_000, 10_000);
    expect(y.length).toBe(resampledLength(24_000, 12_000, 10_000));
    let mean = 0;
    for (let i = 5000; i < 15_000; i++) mean += y[i] / 10_000;
    expect(mean).toBeCloseTo(0.25, 2);
    expect(spectralPeak(amplitudeSpectrum(y, 10_000), 100, 4_900).frequency).toBeCloseTo(2000, -1);
  });

  it('upsampling 12 kHz → 48 kHz interpolates a tone', () => {
    const y = resample(tone(500, 12_000, 12_000), 12_000, 48_000);
    expect(midRms(y)).toBeCloseTo(Math.SQRT1_2, 2);
  });

  it('the same rate is a copy, and bad rates are refused by value', () => {
    const x = tone(100, 1000, 64);
    expect(Array.from(resample(x, 1000, 1000))).toEqual(Array.from(x));
    expect(() => resample(x, 0, 1000)).toThrow(/0 → 1000/);
    expect(() => resample(x, 1000.5, 1000)).toThrow(RangeError);
  });
});
