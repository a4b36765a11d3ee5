import { describe, expect, it } from 'vitest';
import {
  CWRU_SPEED_BY_LOAD_RPM,
  FAULT_CLASSES,
  FAULT_SEVERITIES_IN,
  SimulatorConfigSchema,
  classLabel,
  countSimulatedSignals,
  estimateDatasetBytes,
  schemeClasses,
  simulatedClasses,
  type FaultClass,
  type SignalSpec,
  type SimulatorConfig,
} from '../../contracts/index.js';
import {
  characteristicFrequencies,
  countSignals,
  deriveSeed,
  envelopeBandHz,
  envelopeSpectrum,
  impactRateHz,
  kurtosis,
  measuredSnrDb,
  medianMagnitude,
  peakFrequency,
  planSignal,
  powerSpectrum,
  resonanceBandHz,
  rigResonanceHz,
  Rng,
  simulateCleanSignal,
  simulateSignal,
  spectralPeak,
  type Spectrum,
} from '../../ml/signal/index.js';

/** Defaults: 12 kHz, 102,400 samples, 3 severities, 4 loads, 10 dB SNR. */
function config(overrides: Partial<SimulatorConfig> = {}): SimulatorConfig {
  return SimulatorConfigSchema.parse(overrides);
}

/** Every (severity, load) pair of one class: with 3 severities × 4 loads, 12 signals per class. */
function specsOf(label: FaultClass, seed: number): SignalSpec[] {
  const c = config({ seed, signalsPerClass: 12 });
  const specs: SignalSpec[] = [];
  for (let i = 0; i < countSignals(c); i++) {
    const spec = planSignal(c, i);
    if (spec.label === label) specs.push(spec);
  }
  return specs;
}

const SEEDS = [1, 2024];
const { samplingRateHz: FS, signalLength: N } = config();
/** The fault lines of the 6205 at CWRU speeds lie in 100–290 Hz; 50–300 Hz keeps 1× and 2× shaft out. */
const SEARCH_HZ: [number, number] = [50, 300];

const envelopeCache = new Map<string, Spectrum>();
function envelopeOf(spec: SignalSpec): Spectrum {
  const key = `${spec.seed}`;
  let env = envelopeCache.get(key);
  if (env === undefined) {
    env = envelopeSpectrum(simulateSignal(spec, FS, N), FS, envelopeBandHz(FS));
    envelopeCache.set(key, env);
  }
  return env;
}

function relativeError(measured: number, expected: number): number {
  return Math.abs(measured - expected) / expected;
}

/** Line strength: the largest bin within ±2 % of f over the median of the search range. */
function lineToMedian(env: Spectrum, f: number): number {
  return spectralPeak(env, f * 0.98, f * 1.02).magnitude / medianMagnitude(env, ...SEARCH_HZ);
}

describe('random', () => {
  it('Rng is reproducible from its seed and differs between seeds', () => {
    const draw = (seed: number): number[] => {
      const r = new Rng(seed);
      return Array.from({ length: 8 }, () => r.nextUint32());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  it('uniform and normal have the right moments', () => {
    const r = new Rng(7);
    const n = 200_000;
    let su = 0;
    let sn = 0;
    let sn2 = 0;
    let minU = 1;
    let maxU = 0;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      su += u;
      minU = Math.min(minU, u);
      maxU = Math.max(maxU, u);
      const z = r.normal(2, 3);
      sn += z;
      sn2 += (z - 2) ** 2;
    }
    expect(minU).toBeGreaterThanOrEqual(0);
    expect(maxU).toBeLessThan(1);
    expect(su / n).toBeCloseTo(0.5, 2);
    expect(sn / n).toBeCloseTo(2, 1);
    expect(Math.sqrt(sn2 / n)).toBeCloseTo(3, 1);
  });

  it('deriveSeed depends only on (seed, index) and stays a non-negative int32', () => {
    const seeds = new Set<number>();
    for (let i = 0; i < 10_000; i++) {
      const s = deriveSeed(42, i);
      expect(Number.isInteger(s) && s >= 0 && s <= 2 ** 31 - 1).toBe(true);
      seeds.add(s);
    }
    expect(seeds.size).toBe(10_000);
    expect(deriveSeed(42, 5)).toBe(deriveSeed(42, 5));
    expect(deriveSeed(42, 5)).not.toBe(deriveSeed(43, 5));
    expect(() => deriveSeed(42, -1)).toThrow(RangeError);
  });
});

describe('planSignal', () => {
  it('counts classes × signalsPerClass', () => {
    expect(countSignals(config())).toBe(40);
    expect(countSignals(config({ classes: ['normal', 'ball'], signalsPerClass: 7 }))).toBe(14);
  });

  it('interleaves the classes, so every class is covered evenly and every chunk is balanced', () => {
    const c = config({ signalsPerClass: 9 });
    const labels = Array.from({ length: countSignals(c) }, (_, i) => planSignal(c, i).label);
    for (let i = 0; i < labels.length; i++) expect(labels[i]).toBe(FAULT_CLASSES[i % FAULT_CLASSES.length]);
    for (const label of FAULT_CLASSES) expect(labels.filter((l) => l === label)).toHaveLength(9);
  });

  it('cycles severity then load for faulty classes, load alone for normal', () => {
    const c = config({ signalsPerClass: 12 });
    const specs = Array.from({ length: countSignals(c) }, (_, i) => planSignal(c, i));
    for (const label of ['inner_race', 'outer_race', 'ball'] as const) {
      const pairs = specs.filter((s) => s.label === label).map((s) => `${s.severityIn}@${s.loadHp}`);
      // 12 signals = every (severity, load) pair exactly once.
      expect(new Set(pairs).size).toBe(12);
      for (const severity of FAULT_SEVERITIES_IN) expect(pairs.filter((p) => p.startsWith(`${severity}@`))).toHaveLength(4);
    }
    const normal = specs.filter((s) => s.label === 'normal');
    expect(normal.every((s) => s.severityIn === 0)).toBe(true);
    expect(normal.map((s) => s.loadHp)).toEqual([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]);
  });

  it('fault-type-size: normal + 3 types × 3 diameters = 10 classes, each with one diameter, cycling the loads', () => {
    const c = config({ scheme: 'fault-type-size', signalsPerClass: 8 });
    const classes = simulatedClasses(c);
    // The same labels, in the same order, as the 10-class scheme an import declares.
    expect(classes.map((k) => k.label)).toEqual(schemeClasses('fault-type-size'));
    expect(countSignals(c)).toBe(80);
    expect(countSimulatedSignals(c)).toBe(80);
    expect(estimateDatasetBytes(c)).toBe(80 * c.signalLength * 4);
    const specs = Array.from({ length: countSignals(c) }, (_, i) => planSignal(c, i));
    for (const k of classes) {
      const of = specs.filter((s, i) => classes[i % classes.length].label === k.label);
      expect(of).toHaveLength(8);
      expect(of.every((s) => s.label === k.faultType && s.severityIn === k.severityIn)).toBe(true);
      expect(of.every((s) => classLabel('fault-type-size', s.label, s.severityIn) === k.label)).toBe(true);
      // Every class sees every load (twice in 8 signals): a class is never confounded with a load.
      expect(of.map((s) => s.loadHp)).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
    }
  });

  it('fault-type-size follows the requested classes and diameters; without a scheme the 4-class plan is unchanged', () => {
    const c = config({ scheme: 'fault-type-size', classes: ['normal', 'ball'], severitiesIn: [0.007, 0.021], signalsPerClass: 2 });
    expect(simulatedClasses(c).map((k) => k.label)).toEqual(['normal', 'ball_007', 'ball_021']);
    expect(countSignals(c)).toBe(6);
    // `scheme: fault-type` spelt out plans exactly what no scheme plans.
    const plain = config({ signalsPerClass: 12 });
    const explicit = config({ signalsPerClass: 12, scheme: 'fault-type' });
    for (let i = 0; i < countSignals(plain); i++) expect(planSignal(explicit, i)).toEqual(planSignal(plain, i));
  });

  it('fault-type-size refuses diameters that name the same class', () => {
    const r = SimulatorConfigSchema.safeParse({ scheme: 'fault-type-size', severitiesIn: [0.007, 0.0072] });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({ path: ['severitiesIn'], message: expect.stringContaining('distinct diameters in mils') });
    // Under fault-type the diameters only vary the amplitude, so near-equal ones are fine.
    expect(SimulatorConfigSchema.safeParse({ severitiesIn: [0.007, 0.0072] }).success).toBe(true);
  });

  it('fault-type-size: a larger fault is a louder one (impacts scale with the diameter)', () => {
    const c = config({ scheme: 'fault-type-size', seed: 5, signalsPerClass: 1, loadsHp: [0], snrDb: [60, 60] });
    const classes = simulatedClasses(c);
    const at = (label: string) =>
      planSignal(
        c,
        classes.findIndex((k) => k.label === label),
      );
    const peak = (spec: SignalSpec) => simulateCleanSignal(spec, FS, 24_000).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    for (const t of ['inner_race', 'outer_race', 'ball'] as const) {
      expect(peak(at(`${t}_014`))).toBeGreaterThan(peak(at(`${t}_007`)));
      expect(peak(at(`${t}_021`))).toBeGreaterThan(peak(at(`${t}_014`)));
    }
  });

  it('draws the shaft speed within ±speedJitter of the nominal CWRU speed and the SNR within its range', () => {
    const c = config({ signalsPerClass: 50, speedJitter: 0.02, snrDb: [0, 20] });
    const snrs: number[] = [];
    for (let i = 0; i < countSignals(c); i++) {
      const s = planSignal(c, i);
      const nominalHz = CWRU_SPEED_BY_LOAD_RPM[s.loadHp] / 60;
      expect(Math.abs(s.shaftHz / nominalHz - 1)).toBeLessThanOrEqual(0.02);
      expect(s.snrDb).toBeGreaterThanOrEqual(0);
      expect(s.snrDb).toBeLessThanOrEqual(20);
      expect(s.seed).toBe(deriveSeed(c.seed, i));
      snrs.push(s.snrDb);
    }
    // Actually drawn, not pinned to one end of the range.
    expect(Math.max(...snrs) - Math.min(...snrs)).toBeGreaterThan(10);
  });

  it('is deterministic and independent of the dataset size', () => {
    const small = config({ seed: 9, signalsPerClass: 5 });
    const large = config({ seed: 9, signalsPerClass: 500 });
    for (let i = 0; i < countSignals(small); i++) {
      expect(planSignal(small, i)).toEqual(planSignal(small, i));
      expect(planSignal(large, i)).toEqual(planSignal(small, i));
    }
  });

  it('gives a fixed SNR when the range is a single value', () => {
    expect(planSignal(config({ snrDb: [7, 7] }), 3).snrDb).toBe(7);
  });

  it('rejects an index out of range with a RangeError naming the field', () => {
    const c = config();
    expect(() => planSignal(c, 40)).toThrow(RangeError);
    expect(() => planSignal(c, 40)).toThrow(/index/);
    expect(() => planSignal(c, -1)).toThrow(/index/);
    expect(() => planSignal(c, 1.5)).toThrow(/index/);
  });
});

describe('simulateSignal', () => {
  it('returns finite float32 samples of the requested length', () => {
    const x = simulateSignal(planSignal(config(), 1), FS, N);
    expect(x).toBeInstanceOf(Float32Array);
    expect(x).toHaveLength(N);
    expect(x.every(Number.isFinite)).toBe(true);
  });

  it('is fully determined by the spec: same spec, same bytes; other index or seed, other signal', () => {
    const c = config({ seed: 3 });
    const spec = planSignal(c, 5);
    const a = Buffer.from(simulateSignal(spec, FS, N).buffer);
    const b = Buffer.from(simulateSignal({ ...spec }, FS, N).buffer);
    expect(a.equals(b)).toBe(true);
    // Index 9 has the same class (inner race) as index 5, so only the randomness differs.
    const other = Buffer.from(simulateSignal(planSignal(c, 9), FS, N).buffer);
    expect(a.equals(other)).toBe(false);
    const otherSeed = Buffer.from(simulateSignal(planSignal(config({ seed: 4 }), 5), FS, N).buffer);
    expect(a.equals(otherSeed)).toBe(false);
  });

  for (const seed of SEEDS) {
    it(`inner race (seed ${seed}): the envelope spectrum peaks within 2 % of BPFI × shaft, at every severity and load`, () => {
      for (const spec of specsOf('inner_race', seed)) {
        const { bpfiHz } = characteristicFrequencies(spec.shaftHz);
        expect(relativeError(peakFrequency(envelopeOf(spec), ...SEARCH_HZ), bpfiHz)).toBeLessThan(0.02);
      }
    });

    it(`outer race (seed ${seed}): the envelope spectrum peaks within 2 % of BPFO × shaft`, () => {
      for (const spec of specsOf('outer_race', seed)) {
        const { bpfoHz } = characteristicFrequencies(spec.shaftHz);
        expect(relativeError(peakFrequency(envelopeOf(spec), ...SEARCH_HZ), bpfoHz)).toBeLessThan(0.02);
      }
    });

    it(`ball (seed ${seed}): the envelope spectrum peaks within 2 % of 2 × BSF × shaft, with a BSF line beside it`, () => {
      // The defective ball strikes the outer and the inner race once each per spin revolution,
      // so its impacts come at 2 × BSF and that is the strongest line. BSF appears only because
      // the two strikes differ in strength (the inner-race strike reaches the sensor weaker),
      // so it is a clear but smaller line.
      for (const spec of specsOf('ball', seed)) {
        const env = envelopeOf(spec);
        const { bsfHz } = characteristicFrequencies(spec.shaftHz);
        expect(relativeError(peakFrequency(env, ...SEARCH_HZ), 2 * bsfHz)).toBeLessThan(0.02);
        expect(lineToMedian(env, bsfHz)).toBeGreaterThan(6);
      }
    });

    it(`normal (seed ${seed}): no prominent line at any fault frequency, unlike the faulty signals`, () => {
      let worstNormal = 0;
      for (const spec of specsOf('normal', seed)) {
        const env = envelopeOf(spec);
        const f = characteristicFrequencies(spec.shaftHz);
        for (const line of [f.bpfiHz, f.bpfoHz, f.bsfHz, 2 * f.bsfHz]) worstNormal = Math.max(worstNormal, lineToMedian(env, line));
      }
      let weakestFault = Infinity;
      for (const label of ['inner_race', 'outer_race', 'ball'] as const) {
        for (const spec of specsOf(label, seed)) {
          const rate = impactRateHz(label, spec.shaftHz) ?? Number.NaN;
          weakestFault = Math.min(weakestFault, lineToMedian(envelopeOf(spec), rate));
        }
      }
      // Noise alone: the largest of a few dozen bins is a few times the median.
      expect(worstNormal).toBeLessThan(6);
      expect(weakestFault).toBeGreaterThan(10 * worstNormal);
    });
  }

  it('finds the fault lines at other sampling rates too (48 kHz, resonance kept at 2.5–4.5 kHz)', () => {
    const fs = 48_000;
    const length = 196_608;
    expect(resonanceBandHz(fs)).toEqual([2_500, 4_500]);
    const c = config({ seed: 11, samplingRateHz: fs, signalLength: length });
    for (let i = 1; i < 4; i++) {
      const spec = planSignal(c, i);
      const env = envelopeSpectrum(simulateSignal(spec, fs, length), fs, envelopeBandHz(fs));
      const rate = impactRateHz(spec.label, spec.shaftHz) ?? Number.NaN;
      expect(relativeError(peakFrequency(env, ...SEARCH_HZ), rate)).toBeLessThan(0.02);
    }
  });

  it('measures the requested SNR within 1 dB', () => {
    const c = config({ seed: 5, signalsPerClass: 6, snrDb: [-5, 30] });
    for (let i = 0; i < countSignals(c); i++) {
      const spec = planSignal(c, i);
      const snr = measuredSnrDb(simulateCleanSignal(spec, FS, N), simulateSignal(spec, FS, N));
      expect(Math.abs(snr - spec.snrDb)).toBeLessThan(1);
    }
  });

  it('makes faulty signals more impulsive (higher kurtosis) than normal ones, as in CWRU data', () => {
    for (const seed of SEEDS) {
      const normal = specsOf('normal', seed).map((s) => kurtosis(simulateSignal(s, FS, N)));
      const faulty = (['inner_race', 'outer_race', 'ball'] as const).flatMap((label) => specsOf(label, seed).map((s) => kurtosis(simulateSignal(s, FS, N))));
      // Healthy: sinusoids + Gaussian background and noise, near-Gaussian (CWRU normal: 2.76).
      // Impacts make every faulty signal heavier-tailed, most of them far more.
      for (const k of normal) expect(k).toBeGreaterThan(2.4);
      expect(Math.max(...normal)).toBeLessThan(3.1);
      expect(Math.min(...faulty)).toBeGreaterThan(Math.max(...normal) + 0.5);
      const meanOf = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
      expect(meanOf(faulty)).toBeGreaterThan(2 * meanOf(normal));
    }
  });

  it('puts the shaft rotation at 1× in the spectrum and the fault energy in the resonance band', () => {
    const c = config({ seed: 8 });
    const normal = planSignal(c, 0);
    expect(relativeError(peakFrequency(powerSpectrum(simulateSignal(normal, FS, N), FS), 5, 1_000), normal.shaftHz)).toBeLessThan(0.01);
    const outer = planSignal(c, 2);
    expect(outer.label).toBe('outer_race');
    const [lo, hi] = resonanceBandHz(FS);
    const resonance = peakFrequency(powerSpectrum(simulateCleanSignal(outer, FS, N), FS), 1_000, FS / 2);
    expect(resonance).toBeGreaterThan(lo * 0.9);
    expect(resonance).toBeLessThan(hi * 1.1);
  });

  it('scales the impacts with severity', () => {
    // Same class, load and randomness stream except severity: only the amplitude should change.
    const spec = planSignal(config({ seed: 21 }), 1);
    const small = simulateCleanSignal({ ...spec, severityIn: 0.007 }, FS, N);
    const large = simulateCleanSignal({ ...spec, severityIn: 0.021 }, FS, N);
    const band = resonanceBandHz(FS);
    const bandPower = (x: Float64Array): number => {
      const p = powerSpectrum(x, FS);
      let s = 0;
      for (let k = 0; k < p.frequencies.length; k++) if (p.frequencies[k] >= band[0] && p.frequencies[k] <= band[1]) s += p.magnitudes[k];
      return s;
    };
    // Linear amplitude scaling: 3× the diameter, ~9× the power.
    expect(bandPower(large) / bandPower(small)).toBeGreaterThan(8);
    expect(bandPower(large) / bandPower(small)).toBeLessThan(10);
  });

  it('rejects bad synthesis input with a RangeError naming the field', () => {
    const spec = planSignal(config(), 1);
    expect(() => simulateSignal(spec, FS, 0)).toThrow(/length/);
    expect(() => simulateSignal(spec, 0, N)).toThrow(/samplingRateHz/);
    expect(() => simulateSignal({ ...spec, shaftHz: -1 }, FS, N)).toThrow(/shaftHz/);
  });
});

describe('rig resonance', () => {
  it('is one rig per dataset: every recording within ±resonanceJitter of the rig resonance', () => {
    const c = config({ seed: 11, signalsPerClass: 10 });
    const rig = rigResonanceHz(c);
    const [lo, hi] = resonanceBandHz(c.samplingRateHz);
    expect(rig).toBeGreaterThanOrEqual(lo);
    expect(rig).toBeLessThanOrEqual(hi);
    const specs = Array.from({ length: countSignals(c) }, (_, i) => planSignal(c, i));
    for (const s of specs) expect(Math.abs(s.resonanceHz / rig - 1)).toBeLessThanOrEqual(c.resonanceJitter + 1e-12);
    // Different datasets are different rigs.
    expect(rigResonanceHz(config({ seed: 12 }))).not.toBe(rig);
  });

  it('honours an explicit rig resonance and shows it in the envelope band', () => {
    const c = config({ seed: 5, rigResonanceHz: 3_000, resonanceJitter: 0 });
    const spec = planSignal(c, 1);
    expect(spec.resonanceHz).toBe(3_000);
    const x = simulateSignal(spec, c.samplingRateHz, c.signalLength);
    const ps = powerSpectrum(x, c.samplingRateHz);
    expect(Math.abs(peakFrequency(ps, 1_000, 5_500) - 3_000)).toBeLessThan(150);
  });

  it('rejects a resonance the sampling rate cannot represent, naming the field', () => {
    expect(() => SimulatorConfigSchema.parse({ rigResonanceHz: 9_000 })).toThrow(/rigResonanceHz/);
    expect(() => simulateSignal({ ...planSignal(config(), 0), resonanceHz: 7_000 }, 12_000, 4_096)).toThrow(/resonanceHz/);
  });
});
