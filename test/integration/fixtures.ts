import type { StartDatasetRequest, StartTrainingRequest } from '../../client/api.js';

/**
 * A dataset small enough for CI: 4 classes × 8 signals of 16,384 samples. Eight signals per class
 * is the least that leaves five per class for training after the by-signal split; with four, the
 * reference CNN memorises recordings instead of learning faults.
 */
export const TINY_DATASET: StartDatasetRequest = {
  config: { seed: 7, signalsPerClass: 8, signalLength: 16_384, snrDb: [8, 12] },
  chunkSize: 4,
  maxInFlight: 3,
};
export const TINY_SIGNALS = 32;
export const TINY_EPOCHS = 8;

/** The reference CNN on 2,048-sample windows: under a second per epoch on wasm. */
export function tinyTraining(
  datasetId: string,
  overrides: Partial<NonNullable<StartTrainingRequest['hyperparameters']>> = {},
  experimentId?: string,
): StartTrainingRequest {
  return {
    datasetId,
    experimentId,
    hyperparameters: {
      windowLength: 2_048,
      windowHop: 1_024,
      maxWindowsPerSignal: 12,
      epochs: TINY_EPOCHS,
      batchSize: 32,
      learningRate: 0.003,
      patience: 0,
      seed: 3,
      ...overrides,
    },
  };
}
