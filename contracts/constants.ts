/**
 * Domain constants. Everything that was a magic number in the Celery system lives here, once.
 */

/** Default samples per simulated signal (CWRU-style, ~8.5 s at 12 kHz). */
export const SIGNAL_LENGTH = 102_400;
/** Default sampling rate of simulated signals, Hz (CWRU drive-end 12 kHz recordings). */
export const DEFAULT_SAMPLING_RATE_HZ = 12_000;

/** The classes a classifier predicts, in label-index order. */
export const FAULT_CLASSES = ['normal', 'inner_race', 'outer_race', 'ball'] as const;
export type FaultClass = (typeof FAULT_CLASSES)[number];

/**
 * SKF 6205-2RS JEM (CWRU drive-end bearing) characteristic frequencies as multiples of the
 * shaft rotation frequency (CWRU Bearing Data Center).
 */
export const FAULT_FREQUENCY_MULTIPLES = {
  BPFI: 5.4152,
  BPFO: 3.5848,
  BSF: 4.7135,
  FTF: 0.39828,
} as const;

/** SKF 6205 geometry, inches (ball diameter, pitch diameter), 9 balls. */
export const BEARING_6205 = {
  balls: 9,
  ballDiameterIn: 0.3126,
  pitchDiameterIn: 1.537,
  contactAngleDeg: 0,
} as const;

/** Nominal motor speeds of the CWRU rig by load (hp → rpm). */
export const CWRU_SPEED_BY_LOAD_RPM: Readonly<Record<number, number>> = { 0: 1797, 1: 1772, 2: 1750, 3: 1730 };

/** Fault severities the simulator knows, as CWRU fault diameters in inches. */
export const FAULT_SEVERITIES_IN = [0.007, 0.014, 0.021] as const;

/** Training defaults (the reference 1D CNN of the environment notes). */
export const TRAINING_DEFAULTS = {
  windowLength: 2048,
  windowHop: 2048,
  batchSize: 32,
  learningRate: 1e-3,
  epochs: 20,
  patience: 5,
  minDelta: 1e-4,
  validationFraction: 0.15,
  testFraction: 0.2,
  maxWindowsPerSignal: 48,
} as const;

/** Dataset generation defaults. */
export const DATASET_DEFAULTS = {
  signalsPerClass: 10,
  snrDb: 10,
  chunkSize: 8,
  maxInFlight: 4,
} as const;

/** Payload budget we hold ourselves to (Temporal warns at 256 KB, fails at 2 MB). */
export const MAX_PAYLOAD_BYTES = 64 * 1024;
