// The signal engine: seeded randomness, bearing kinematics, the simulator and spectral analysis.
export { deriveSeed, Rng } from '../random.js';
export {
  characteristicFrequencies,
  envelopeBandHz,
  faultImpactRateHz,
  impactRateHz,
  resonanceBandHz,
  type CharacteristicFrequencies,
  type FaultyClass,
} from './kinematics.js';
export { countSignals, planSignal, rigResonanceHz, simulateCleanSignal, simulateSignal } from './simulator.js';
export {
  amplitudeSpectrum,
  bandEnvelope,
  crestFactor,
  envelopeSpectrum,
  kurtosis,
  mean,
  measuredSnrDb,
  medianMagnitude,
  peakFrequency,
  peakToMedianRatio,
  powerSpectrum,
  rms,
  spectralPeak,
  type Spectrum,
  type SpectralPeak,
} from './analysis.js';
export { nextPowerOfTwo } from './fft.js';
