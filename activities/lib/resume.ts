import type { EpochMetrics, TrainingHeartbeat } from '../../contracts/index.js';
import { afterEpoch, NO_BEST_YET } from '../../ml/train/early-stopping.js';

export interface RecordedEpoch extends EpochMetrics {
  checkpointUri: string | null;
}

/**
 * Rebuild the resume state of a training run from its recorded epochs.
 *
 * Why not rely on heartbeat details alone: the SDK throttles heartbeats (to 0.8 × the heartbeat
 * timeout), so when a worker dies the server may hold details a few epochs old and a retry
 * would redo finished epochs. Each epoch row is written (awaited) before the epoch is reported
 * anywhere, so the rows are the durable record; this replays the trainer's own early-stopping
 * rule (`afterEpoch`) over them.
 */
export function resumeFromEpochs(rows: readonly RecordedEpoch[], minDelta: number): TrainingHeartbeat | undefined {
  const sorted = [...rows].sort((a, b) => a.epoch - b.epoch);
  let state: TrainingHeartbeat | undefined;
  let best = NO_BEST_YET;
  for (let i = 0; i < sorted.length; i++) {
    const row = sorted[i];
    // Only a contiguous run 1..E with checkpoints and finite validation losses can be resumed
    // from (the trainer fails a run whose validation loss is not finite, so such a row is foreign).
    if (row.epoch !== i + 1 || !row.checkpointUri || !Number.isFinite(row.valLoss)) break;
    best = afterEpoch(best, row.epoch, row.valLoss, row.checkpointUri, minDelta);
    const { checkpointUri, ...metrics } = row;
    state = { epoch: row.epoch, checkpointUri, metrics, ...best };
  }
  return state;
}

/** The later of two resume states (the heartbeat may lag the rows, or the rows may be missing). */
export function laterResume(a: TrainingHeartbeat | undefined, b: TrainingHeartbeat | undefined): TrainingHeartbeat | undefined {
  if (!a) return b;
  if (!b) return a;
  return b.epoch > a.epoch ? b : a;
}
