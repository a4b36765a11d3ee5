import type { ArtifactStore } from '../../artifacts/types.js';
import { putFloat32 } from '../../artifacts/codecs.js';
import type { Architecture, TrainHyperparameters } from '../../contracts/training.js';
import { mulberry32 } from '../../ml/random.js';
import type { TrainingJob, TrainingSignalRef } from '../../ml/train/trainer.js';

/**
 * Small, quickly learnable synthetic vibration data for training tests: four classes with
 * distinct signatures under noise, random phase/amplitude per signal so windows differ.
 *   normal: noise + shaft harmonic; tone: a 0.11 cycles/sample tone;
 *   impulse-fast / impulse-slow: decaying resonance bursts every 37 / 97 samples.
 */
export const TEST_CLASSES = ['normal', 'tone', 'impulse_fast', 'impulse_slow'];

export function syntheticSignal(classIndex: number, seed: number, length: number): Float32Array {
  const rand = mulberry32(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const amp = 0.5 + 2 * rand();
  const phase = rand() * 2 * Math.PI;
  const out = new Float32Array(length);
  const period = classIndex === 2 ? 37 : 97;
  const offset = Math.floor(rand() * period);
  for (let i = 0; i < length; i++) {
    let v = 0.6 * gauss() + 0.3 * Math.sin(2 * Math.PI * 0.004 * i + phase);
    if (classIndex === 1) v += 1.2 * Math.sin(2 * Math.PI * 0.11 * i + phase);
    if (classIndex >= 2) {
      const k = (i + offset) % period;
      v += 3 * Math.exp(-k / 6) * Math.sin(2 * Math.PI * 0.23 * k);
    }
    out[i] = amp * v;
  }
  return out;
}

export async function storeSyntheticSignals(store: ArtifactStore, opts: { perClass: number; length: number; seed: number }): Promise<TrainingSignalRef[]> {
  const refs: TrainingSignalRef[] = [];
  for (let c = 0; c < TEST_CLASSES.length; c++) {
    for (let i = 0; i < opts.perClass; i++) {
      const index = c * opts.perClass + i;
      const stored = await putFloat32(store, syntheticSignal(c, opts.seed * 10_007 + index, opts.length), 'signal');
      refs.push({ index, label: TEST_CLASSES[c], uri: stored.uri });
    }
  }
  return refs;
}

export const SMALL_ARCHITECTURE: Architecture = {
  blocks: [
    { filters: 8, kernelSize: 16, stride: 4, dilation: 1, pool: 'max', poolSize: 2, batchNorm: false, residual: false },
    { filters: 16, kernelSize: 5, stride: 1, dilation: 1, pool: 'max', poolSize: 2, batchNorm: false, residual: false },
  ],
  head: 'global-avg',
  denseUnits: 0,
  dropout: 0,
};

export const SMALL_HYPERPARAMETERS: TrainHyperparameters = {
  windowLength: 256,
  windowHop: 256,
  maxWindowsPerSignal: 8,
  epochs: 6,
  batchSize: 16,
  learningRate: 0.01,
  optimizer: 'adam',
  patience: 0,
  minDelta: 0,
  validationFraction: 0.2,
  testFraction: 0.2,
  seed: 3,
};

export function smallJob(signals: TrainingSignalRef[], hp: Partial<TrainHyperparameters> = {}): TrainingJob {
  return {
    experimentId: 'exp-test',
    classes: TEST_CLASSES,
    signals,
    hyperparameters: { ...SMALL_HYPERPARAMETERS, ...hp },
    architecture: SMALL_ARCHITECTURE,
  };
}
