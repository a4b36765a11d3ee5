import { describe, expect, it } from 'vitest';
import { CWRU_SPEED_BY_LOAD_RPM, FEATURE_DOMAINS, SimulatorConfigSchema, type FaultClass, type SignalSpec } from '../../contracts/index.js';
import { extractFeatures, featureCatalog, normaliseFeatureSettings } from '../../ml/features/index.js';
import { countSignals, planSignal, Rng, simulateSignal } from '../../ml/signal/index.js';

const FS = 12_000;
const SETTINGS = normaliseFeatureSettings();
const CATALOG = featureCatalog(SETTINGS);
const CONTEXT = { samplingRateHz: FS, shaftHz: 1797 / 60 };

function byName(x: ArrayLike<number>, context = CONTEXT): Record<string, number> {
  const row = extractFeatures(x, context, SETTINGS);
  return Object.fromEntries(CATALOG.map((d, i) => [d.name, row[i]]));
}

/** A whole number of periods, so the moments are exact up to rounding. */
function sine(amplitude: number, periods = 200, samplesPerPeriod = 60): Float64Array {
  const n = periods * samplesPerPeriod;
  return Float64Array.from({ length: n }, (_, i) => amplitude * Math.sin((2 * Math.PI * i) / samplesPerPeriod + 0.3));
}

describe('feature catalog', () => {
  it('declares every column once, with a domain and a unit, in canonical domain order', () => {
    const names = CATALOG.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    expect([...new Set(CATALOG.map((d) => d.domain))]).toEqual([...FEATURE_DOMAINS]);
    // 11 time + 5 spectral shape + 4 bands + 4 orders × 3 harmonics + 8 wavelet-packet bands.
    expect(names).toHaveLength(11 + 9 + 12 + 8);
    expect(extractFeatures(sine(1), CONTEXT, SETTINGS)).toHaveLength(names.length);
  });

  it('normalises a request: domains in canonical order without repeats, defaults filled', () => {
    const a = normaliseFeatureSettings({ domains: ['wavelet', 'time', 'wavelet'] });
    expect(a.domains).toEqual(['time', 'wavelet']);
    expect(a).toEqual(normaliseFeatureSettings({ domains: ['time', 'wavelet'], waveletLevel: 3 }));
    expect(featureCatalog(a).map((d) => d.domain)).not.toContain('envelope');
  });

  it('refuses bad settings and bad windows with the field and the value', () => {
    expect(() => normaliseFeatureSettings({ bandEdges: [0, 0.5, 0.25] })).toThrow(/bandEdges must increase/);
    expect(() => extractFeatures(new Float64Array(8), CONTEXT, SETTINGS)).toThrow(/at least 16 samples, got 8/);
    expect(() => extractFeatures(sine(1), { samplingRateHz: FS, shaftHz: 0 }, SETTINGS)).toThrow(/shaftHz must be a positive number.*got 0/);
  });
});

describe('known answers', () => {
  it('a pure sine: RMS = A/√2, crest √2, kurtosis 1.5, skewness 0, shape π/(2√2), peak-to-peak 2A', () => {
    const A = 2.5;
    const f = byName(sine(A, 200, 60));
    expect(f.rms).toBeCloseTo(A / Math.SQRT2, 3);
    expect(f.crest_factor).toBeCloseTo(Math.SQRT2, 3);
    expect(f.kurtosis).toBeCloseTo(1.5, 4);
    expect(f.skewness).toBeCloseTo(0, 6);
    expect(f.shape_factor).toBeCloseTo(Math.PI / (2 * Math.SQRT2), 3);
    expect(f.peak_to_peak).toBeCloseTo(2 * A, 2);
    expect(f.mean).toBeCloseTo(0, 9);
    // 200 Hz: all the power in one line (nearest bin of the padded grid), hence entropy near 0.
    expect(f.peak_frequency).toBeCloseTo(200, -1);
    expect(f.spectral_centroid).toBeCloseTo(200, -1);
    expect(f.spectral_entropy).toBeLessThan(0.2);
    expect(f['band_energy_0_0.125']).toBeGreaterThan(0.99);
  });

  it('white Gaussian noise: kurtosis ≈ 3, skewness ≈ 0, flat spectrum (entropy near 1, bands by width)', () => {
    const rng = new Rng(7);
    const f = byName(Float64Array.from({ length: 102_400 }, () => rng.normal(0, 1)));
    expect(f.kurtosis).toBeGreaterThan(2.9);
    expect(f.kurtosis).toBeLessThan(3.1);
    expect(Math.abs(f.skewness)).toBeLessThan(0.05);
    expect(f.std).toBeCloseTo(1, 1);
    expect(f.spectral_entropy).toBeGreaterThan(0.9);
    expect(f.spectral_centroid / (FS / 4)).toBeCloseTo(1, 1);
    expect(f['band_energy_0.5_1']).toBeCloseTo(0.5, 1);
    // Wavelet packets split white noise's energy evenly: 1/8 each.
    for (let b = 0; b < 8; b++) expect(f[`wp_db4_l3_b${b}`]).toBeCloseTo(1 / 8, 1);
  });

  it('wavelet-packet bands come in frequency order: a tone at 0.8 × Nyquist lands in band 6 of 8', () => {
    const n = 8192;
    const f = byName(Float64Array.from({ length: n }, (_, i) => Math.sin(2 * Math.PI * 0.4 * i)));
    const bands = Array.from({ length: 8 }, (_, b) => f[`wp_db4_l3_b${b}`]);
    expect(bands.indexOf(Math.max(...bands))).toBe(6);
  });
});

describe('envelope features on simulated signals', () => {
  const config = SimulatorConfigSchema.parse({ seed: 11, signalsPerClass: 12 });
  const specs: SignalSpec[] = Array.from({ length: countSignals(config) }, (_, i) => planSignal(config, i));
  const columnOf: Record<Exclude<FaultClass, 'normal'>, string> = { inner_race: 'env_bpfi_1x', outer_race: 'env_bpfo_1x', ball: 'env_2bsf_1x' };

  for (const load of config.loadsHp) {
    it(`at ${load} hp the largest fault-order amplitude names the class, at every severity (shaft speed from the rig's rpm)`, () => {
      const shaftHz = CWRU_SPEED_BY_LOAD_RPM[load] / 60;
      const faulty = specs.filter((s) => s.loadHp === load && s.label !== 'normal');
      expect(faulty.length).toBe(3 * config.severitiesIn.length);
      for (const spec of faulty) {
        const f = byName(simulateSignal(spec, config.samplingRateHz, config.signalLength), { samplingRateHz: config.samplingRateHz, shaftHz });
        const scores = Object.entries(columnOf).map(([label, column]) => ({ label, value: f[column] }));
        const winner = scores.reduce((a, b) => (b.value > a.value ? b : a));
        expect(winner.label, `${spec.label} ${spec.severityIn} in: ${JSON.stringify(scores)}`).toBe(spec.label);
      }
    });
  }
});
