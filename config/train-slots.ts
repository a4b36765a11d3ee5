import os from 'node:os';
import type { Config } from './index.js';

/**
 * Concurrent trainings per worker when TRAIN_SLOTS is unset: one per core, at most 2
 * (workers/slots.ts says why). Here, not in workers/, because the training activity also needs it
 * to size TensorFlow's thread pools.
 */
export function defaultTrainSlots(worker: Config['worker'], cores: number = os.availableParallelism()): number {
  return worker.trainSlots ?? Math.max(1, Math.min(cores, 2));
}

/** The cores each concurrent training may use (native TensorFlow's thread pools): cores / train slots, at least one. */
export function threadsPerTraining(worker: Config['worker'], cores: number = os.availableParallelism()): number {
  return Math.max(1, Math.floor(cores / defaultTrainSlots(worker, cores)));
}
