import os from 'node:os';
import type { Config } from '../config/index.js';
import { defaultTrainSlots } from '../config/train-slots.js';

export interface SlotCounts {
  train: number;
  cpu: number;
  control: number;
}

/**
 * Default concurrency per queue when TRAIN_SLOTS / CPU_SLOTS are unset.
 * - train: one slot per training device. On a GPU host set TRAIN_SLOTS to the GPU count. On a
 *   CPU host each training runs the single-threaded wasm backend in its own thread/process, so
 *   the cores are the devices — capped at 2 because more concurrent trainings than that starve
 *   the cpu queue and the heartbeats on a typical 2-core worker (measured: two processes ≈ 2×,
 *   see reference/environment-notes.md) and make every trial slower instead of more trials faster.
 * - cpu: one slot per core (dataset chunks, features, XAI are CPU-bound and run off the loop).
 * - control: CONTROL_SLOTS (default 50): small I/O-bound steps that mostly wait on Postgres.
 */
export function defaultSlots(worker: Config['worker'], cores: number = os.availableParallelism()): SlotCounts {
  return {
    train: defaultTrainSlots(worker, cores),
    cpu: worker.cpuSlots ?? Math.max(1, cores),
    control: worker.controlSlots,
  };
}
