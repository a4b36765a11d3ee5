/**
 * Physics-based simulator of drive-end bearing vibration (CWRU-style 6205 bearing).
 *
 * Model per signal: shaft harmonics (imbalance, misalignment) + random rolling background seen
 * through the housing's resonance + for faulty bearings a train of impacts, each exciting that
 * resonance to ring down (SDOF impulse response), at the fault's characteristic rate with 1–2 %
 * random slip of the rolling elements and the class's amplitude modulation + additive white
 * Gaussian (sensor) noise at the requested SNR relative to the clean signal's power.
 *
 * Levels are calibrated loosely on the CWRU 007 recordings at 0 hp (normal rms ~0.07 g,
 * kurtosis ~2.8; inner ~0.29 g; outer ~0.67 g; ball ~0.14 g).
 *
 * Everything random is drawn from streams derived from spec.seed, so a spec alone determines
 * the bytes, and planSignal(config, i) depends only on (config, i).
 */
import { countSimulatedSignals, CWRU_SPEED_BY_LOAD_RPM, simulatedClasses, type SignalSpec, type SimulatorConfig } from '../../contracts/index.js';
import { characteristicFrequencies, faultImpactRateHz, type FaultyClass, impactRateHz, resonanceBandHz } from './kinematics.js';
import { deriveSeed, Rng } from '../random.js';

/** Independent random streams of one signal: changing how one is used never shifts another. */
const STREAM = { plan: 1, clean: 2, noise: 3, rig: 4 } as const;

/** Impact amplitudes (g) are calibrated at the smallest CWRU fault and scale linearly with it. */
const REFERENCE_SEVERITY_IN = 0.007;
/**
 * Peak impact acceleration (g) at the reference severity. Chosen so the levels resemble the
 * CWRU 007 recordings: outer race loudest (the defect sits in the load zone all the time),
 * ball faults weakest.
 */
const IMPACT_AMPLITUDE_G: Readonly<Record<FaultyClass, number>> = {
  inner_race: 1.5,
  outer_race: 2.5,
  ball: 0.8,
};
/** A ring-down is written until it has decayed to e^-9.2 ≈ 1e-4 of its peak. */
const RING_DOWN_NEPERS = 9.2;

// ---------------------------------------------------------------------------------------------
// Planning: which signal has which label, severity, load, speed and SNR.
// ---------------------------------------------------------------------------------------------

export function countSignals(config: SimulatorConfig): number {
  return countSimulatedSignals(config);
}

/**
 * Metadata of signal `index` of a dataset.
 *
 * Labels are interleaved: index i has class classes[i % classes.length] (simulatedClasses: one
 * per fault type, or per fault type and diameter with scheme fault-type-size), and k = floor(i /
 * classes.length) is its ordinal within the class. Interleaving keeps any contiguous range of
 * indices (a generation chunk, or a dataset cut short) class-balanced.
 * Under fault-type, faulty classes cycle severity fastest, then load (severity = severitiesIn[k % S],
 * load = loadsHp[floor(k / S) % L]), so every (severity, load) pair appears once per S × L signals;
 * classes with one diameter (normal, every fault-type-size class) cycle the loads alone.
 * The impact amplitude scales with the diameter, so a larger fault is a louder one.
 */
export function planSignal(config: SimulatorConfig, index: number): SignalSpec {
  const total = countSignals(config);
  const classes = simulatedClasses(config);
  if (!Number.isInteger(index) || index < 0 || index >= total) {
    throw new RangeError(`index must be an integer in [0, ${total}) (${classes.length} classes × ${config.signalsPerClass} signalsPerClass), got ${index}`);
  }
  const nClasses = classes.length;
  const cls = classes[index % nClasses];
  const label = cls.faultType;
  const k = Math.floor(index / nClasses);
  const nSeverities = config.severitiesIn.length;
  const cyclesSeverity = cls.severityIn === null;
  const severityIn = cls.severityIn ?? config.severitiesIn[k % nSeverities];
  const loadHp = config.loadsHp[(cyclesSeverity ? Math.floor(k / nSeverities) : k) % config.loadsHp.length];
  const rpm = CWRU_SPEED_BY_LOAD_RPM[loadHp];
  if (rpm === undefined) {
    throw new RangeError(`loadsHp: no nominal CWRU shaft speed for a load of ${loadHp} hp`);
  }

  const seed = deriveSeed(config.seed, index);
  const rng = new Rng(deriveSeed(seed, STREAM.plan));
  const shaftHz = (rpm / 60) * (1 + config.speedJitter * rng.uniform(-1, 1));
  const [snrLo, snrHi] = config.snrDb;
  const snrDb = rng.uniform(snrLo, snrHi);
  const resonanceHz = rigResonanceHz(config) * (1 + config.resonanceJitter * rng.uniform(-1, 1));
  return { index, label, severityIn, loadHp, shaftHz, snrDb, resonanceHz, seed };
}

/**
 * The rig's housing resonance. A dataset models one test rig (as CWRU does): a resonance redrawn
 * per recording over the whole band made every recording a different machine, and a CNN then
 * learned recordings instead of faults (train accuracy 1.0, held-out signals near chance).
 */
export function rigResonanceHz(config: SimulatorConfig): number {
  if (config.rigResonanceHz !== undefined) return config.rigResonanceHz;
  const [lo, hi] = resonanceBandHz(config.samplingRateHz);
  return new Rng(deriveSeed(config.seed, STREAM.rig)).uniform(lo, hi);
}

// ---------------------------------------------------------------------------------------------
// Synthesis.
// ---------------------------------------------------------------------------------------------

/** The simulated signal: clean vibration + white Gaussian noise at spec.snrDb. */
export function simulateSignal(spec: SignalSpec, samplingRateHz: number, length: number): Float32Array {
  const clean = simulateCleanSignal(spec, samplingRateHz, length);
  const noiseSd = Math.sqrt(meanSquare(clean) / 10 ** (spec.snrDb / 10));
  const rng = new Rng(deriveSeed(spec.seed, STREAM.noise));
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = clean[i] + rng.normal(0, noiseSd);
  return out;
}

/**
 * The noise-free part of simulateSignal(spec, ...), in float64. simulateSignal adds its noise to
 * exactly this, so (noisy - clean) is the noise (useful to check SNRs and denoisers).
 */
export function simulateCleanSignal(spec: SignalSpec, samplingRateHz: number, length: number): Float64Array {
  validateSynthesisInput(spec, samplingRateHz, length);
  const rng = new Rng(deriveSeed(spec.seed, STREAM.clean));
  const x = new Float64Array(length);
  const structure = drawStructure(spec.resonanceHz, rng);
  addShaftHarmonics(x, spec.shaftHz, samplingRateHz, rng);
  addRollingBackground(x, structure, samplingRateHz, rng);
  if (spec.label !== 'normal') addFaultImpacts(x, spec, spec.label, structure, samplingRateHz, rng);
  return x;
}

/** The housing's dominant mode, which both the background and the fault impacts excite. */
interface Structure {
  decayPerS: number;
  dampedOmega: number;
}

function drawStructure(naturalHz: number, rng: Rng): Structure {
  const zeta = rng.uniform(0.04, 0.08);
  return {
    decayPerS: zeta * 2 * Math.PI * naturalHz,
    dampedOmega: 2 * Math.PI * naturalHz * Math.sqrt(1 - zeta * zeta),
  };
}

/**
 * Random vibration of a healthy bearing (rolling contact, lubrication, the rest of the rig)
 * seen through the housing resonance: white Gaussian forcing through the same mode as a
 * two-pole resonator. Without it the healthy signal would be bare sinusoids (kurtosis 1.5)
 * and the faulty ones bare impacts (kurtosis far above CWRU's); with it the healthy level and
 * kurtosis sit near the CWRU normal recording (rms ~0.07 g, kurtosis ~2.8).
 */
function addRollingBackground(x: Float64Array, structure: Structure, fs: number, rng: Rng): void {
  const targetRms = rng.uniform(0.04, 0.07);
  const r = Math.exp(-structure.decayPerS / fs);
  const a1 = 2 * r * Math.cos(structure.dampedOmega / fs);
  const a2 = -r * r;
  const y = new Float64Array(x.length);
  let y1 = 0;
  let y2 = 0;
  let sumSquares = 0;
  for (let i = 0; i < y.length; i++) {
    const v = rng.normal() + a1 * y1 + a2 * y2;
    y[i] = v;
    y2 = y1;
    y1 = v;
    sumSquares += v * v;
  }
  const scale = sumSquares > 0 ? targetRms / Math.sqrt(sumSquares / y.length) : 0;
  for (let i = 0; i < x.length; i++) x[i] += scale * y[i];
}

function validateSynthesisInput(spec: SignalSpec, samplingRateHz: number, length: number): void {
  if (!Number.isFinite(samplingRateHz) || samplingRateHz <= 0) {
    throw new RangeError(`samplingRateHz must be a positive number, got ${samplingRateHz}`);
  }
  if (!Number.isInteger(length) || length < 1) {
    throw new RangeError(`length must be a positive integer, got ${length}`);
  }
  if (!Number.isFinite(spec.shaftHz) || spec.shaftHz <= 0) {
    throw new RangeError(`spec.shaftHz must be a positive number, got ${spec.shaftHz}`);
  }
  if (!Number.isFinite(spec.snrDb)) throw new RangeError(`spec.snrDb must be finite, got ${spec.snrDb}`);
  if (!Number.isFinite(spec.resonanceHz) || spec.resonanceHz <= 0 || spec.resonanceHz >= 0.45 * samplingRateHz) {
    throw new RangeError(`spec.resonanceHz must be in (0, ${0.45 * samplingRateHz}) Hz at this sampling rate, got ${spec.resonanceHz}`);
  }
  if (!Number.isFinite(spec.severityIn) || spec.severityIn < 0) {
    throw new RangeError(`spec.severityIn must be >= 0, got ${spec.severityIn}`);
  }
  // The fault lines must be representable: the impact rate must stay below Nyquist.
  const rate = impactRateHz(spec.label, spec.shaftHz);
  if (rate !== null && rate >= samplingRateHz / 2) {
    throw new RangeError(`spec.shaftHz ${spec.shaftHz} puts the ${spec.label} impact rate ${rate} Hz above Nyquist`);
  }
}

/**
 * 1×, 2×, 3× shaft rate with falling amplitudes and random phases (residual imbalance and
 * misalignment, present in every real recording including the healthy ones).
 */
function addShaftHarmonics(x: Float64Array, shaftHz: number, fs: number, rng: Rng): void {
  const a1 = rng.uniform(0.03, 0.07);
  const amplitudes = [a1, a1 * rng.uniform(0.3, 0.6), a1 * rng.uniform(0.1, 0.3)];
  amplitudes.forEach((amplitude, h) => {
    const omega = (2 * Math.PI * (h + 1) * shaftHz) / fs;
    if (omega >= Math.PI) return; // above Nyquist it would only alias
    addSinusoid(x, amplitude, omega, rng.uniform(0, 2 * Math.PI));
  });
}

/** x[i] += a sin(omega i + phase), by phasor rotation: one complex multiply per sample. */
function addSinusoid(x: Float64Array, amplitude: number, omega: number, phase: number): void {
  const cr = Math.cos(omega);
  const ci = Math.sin(omega);
  let re = amplitude * Math.cos(phase);
  let im = amplitude * Math.sin(phase);
  for (let i = 0; i < x.length; i++) {
    x[i] += im;
    const nr = re * cr - im * ci;
    im = re * ci + im * cr;
    re = nr;
  }
}

interface Modulation {
  depth: number;
  frequencyHz: number;
  phase: number;
}

/**
 * The fault's impact train. Each impact excites the structural resonance; its amplitude is set
 * by severity, a ±10 % scatter, the class's load-zone modulation and (ball) which race is hit.
 */
function addFaultImpacts(x: Float64Array, spec: SignalSpec, label: FaultyClass, structure: Structure, fs: number, rng: Rng): void {
  const freqs = characteristicFrequencies(spec.shaftHz);
  const period = 1 / faultImpactRateHz(label, spec.shaftHz);
  // Rolling elements slip a little: each interval deviates by up to ±slip (Antoni & Randall's
  // 1–2 %). Intervals accumulate, so the lines smear more at higher harmonics, as in practice.
  const slip = rng.uniform(0.01, 0.02);

  const ring = makeRingDown(structure.decayPerS, structure.dampedOmega, fs);

  const peak = IMPACT_AMPLITUDE_G[label] * (spec.severityIn / REFERENCE_SEVERITY_IN);
  // Inner race: the defect turns with the shaft and passes through the load zone once per
  // revolution. Ball: the defective ball is carried through the load zone by the cage.
  // Outer race: the defect is stationary in the load zone, so its impacts are not modulated.
  let modulation: Modulation | null = null;
  if (label === 'inner_race') {
    modulation = { depth: rng.uniform(0.4, 0.8), frequencyHz: freqs.shaftHz, phase: rng.uniform(0, 2 * Math.PI) };
  } else if (label === 'ball') {
    modulation = { depth: rng.uniform(0.3, 0.6), frequencyHz: freqs.ftfHz, phase: rng.uniform(0, 2 * Math.PI) };
  }
  // Ball: strikes alternate between the outer race (direct path to the sensor) and the inner
  // race (weaker: attenuated through the ball and shaft). The asymmetry puts a line at BSF
  // beside the impact rate 2 × BSF.
  const innerStrikeRatio = label === 'ball' ? rng.uniform(0.65, 0.85) : 1;
  let outerStrike = rng.uniform() < 0.5;

  const durationS = x.length / fs;
  for (let t = rng.uniform(0, period); t < durationS; t += period * (1 + slip * rng.uniform(-1, 1))) {
    let amplitude = peak * rng.uniform(0.9, 1.1);
    if (modulation !== null) {
      amplitude *= 1 - (modulation.depth * (1 - Math.cos(2 * Math.PI * modulation.frequencyHz * t + modulation.phase))) / 2;
    }
    if (label === 'ball') {
      if (!outerStrike) amplitude *= innerStrikeRatio;
      outerStrike = !outerStrike;
    }
    ring(x, t, amplitude);
  }
}

type RingDown = (x: Float64Array, impactTimeS: number, amplitude: number) => void;

/**
 * Adds a e^(-decay·τ) sin(ω_d τ), τ = t - impact time, over the ring-down's own samples only
 * (a few hundred), so the cost is O(impacts × ring length), not O(impacts × signal length).
 * Impacts fall between samples; the fractional offset is kept, so the impact rate is exact.
 */
function makeRingDown(decayPerS: number, dampedOmega: number, fs: number): RingDown {
  const ringSamples = Math.ceil((RING_DOWN_NEPERS / decayPerS) * fs);
  const dt = 1 / fs;
  // One step multiplies the phasor by e^(-decay·dt) e^(i ω_d dt).
  const g = Math.exp(-decayPerS * dt);
  const stepRe = g * Math.cos(dampedOmega * dt);
  const stepIm = g * Math.sin(dampedOmega * dt);
  return (x, impactTimeS, amplitude) => {
    const first = Math.ceil(impactTimeS * fs);
    const end = Math.min(x.length, first + ringSamples);
    const tau = first * dt - impactTimeS;
    const m = amplitude * Math.exp(-decayPerS * tau);
    let re = m * Math.cos(dampedOmega * tau);
    let im = m * Math.sin(dampedOmega * tau);
    for (let i = first; i < end; i++) {
      x[i] += im;
      const nr = re * stepRe - im * stepIm;
      im = re * stepIm + im * stepRe;
      re = nr;
    }
  };
}

function meanSquare(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return s / x.length;
}
