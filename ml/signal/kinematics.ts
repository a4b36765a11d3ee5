/**
 * Bearing kinematics and structure: where fault lines and the resonance sit for a given speed
 * and sampling rate. Shared by the simulator, its tests and anyone choosing an envelope band.
 */
import { FAULT_FREQUENCY_MULTIPLES, type FaultClass } from '../../contracts/index.js';

export interface CharacteristicFrequencies {
  shaftHz: number;
  /** Ball-pass frequency, inner race. */
  bpfiHz: number;
  /** Ball-pass frequency, outer race. */
  bpfoHz: number;
  /** Ball spin frequency. */
  bsfHz: number;
  /** Fundamental train (cage) frequency. */
  ftfHz: number;
}

export function characteristicFrequencies(shaftHz: number): CharacteristicFrequencies {
  return {
    shaftHz,
    bpfiHz: FAULT_FREQUENCY_MULTIPLES.BPFI * shaftHz,
    bpfoHz: FAULT_FREQUENCY_MULTIPLES.BPFO * shaftHz,
    bsfHz: FAULT_FREQUENCY_MULTIPLES.BSF * shaftHz,
    ftfHz: FAULT_FREQUENCY_MULTIPLES.FTF * shaftHz,
  };
}

/**
 * Rate of the fault impacts, which is the strongest line of the simulated envelope spectrum.
 * A ball defect strikes the inner and the outer race once each per spin revolution, so its
 * impacts come at 2 × BSF; BSF itself only appears through the unequal strength of the two
 * strikes. Null for a healthy bearing.
 */
export function impactRateHz(label: FaultClass, shaftHz: number): number | null {
  return label === 'normal' ? null : faultImpactRateHz(label, shaftHz);
}

/** The classes with a defect, hence an impact train. */
export type FaultyClass = Exclude<FaultClass, 'normal'>;

/** impactRateHz for a class known to be faulty. */
export function faultImpactRateHz(label: FaultyClass, shaftHz: number): number {
  const f = characteristicFrequencies(shaftHz);
  switch (label) {
    case 'inner_race':
      return f.bpfiHz;
    case 'outer_race':
      return f.bpfoHz;
    case 'ball':
      return 2 * f.bsfHz;
  }
}

/** The CWRU drive-end housing rings in the 2.5–4.5 kHz region at 12 kHz sampling. */
const RESONANCE_BAND_HZ: readonly [number, number] = [2_500, 4_500];
const RESONANCE_REFERENCE_RATE_HZ = 12_000;

/**
 * Band the simulated structural resonance is drawn from. The resonance is physical, so it stays
 * at 2.5–4.5 kHz for any rate >= 12 kHz; below that it is scaled down with the sampling rate so
 * the ring-down stays well below Nyquist (0.21–0.375 × fs) instead of aliasing.
 */
export function resonanceBandHz(samplingRateHz: number): [number, number] {
  const scale = Math.min(1, samplingRateHz / RESONANCE_REFERENCE_RATE_HZ);
  return [RESONANCE_BAND_HZ[0] * scale, RESONANCE_BAND_HZ[1] * scale];
}

/**
 * Envelope-analysis band that contains every simulated resonance at this rate: the resonance
 * band widened by 20 % on each side, capped below Nyquist (at 12 kHz: 2–5.4 kHz).
 */
export function envelopeBandHz(samplingRateHz: number): [number, number] {
  const [lo, hi] = resonanceBandHz(samplingRateHz);
  return [lo * 0.8, Math.min(hi * 1.2, 0.45 * samplingRateHz)];
}
