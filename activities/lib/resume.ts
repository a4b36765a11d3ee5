import type { EpochMetrics, TrainingHeartbeat } from '../../contracts/index.js';

export interface RecordedEpoch extends EpochMetrics {
  checkpointUri: string | null;
}

/**
 * Rebuild the resume state of a training run from its recorded epochs.
 *
 * Why not rely on heartbeat details alone: the SDK throttles heartbeats (to 0.8 × the heartbeat
 * timeout), so when a worker dies the server may hold details a few epochs old and a retry
 * would redo finished epochs. Each epoch row is written (awaited) before the epoch is reported
 * anywhere, so the rows are the durable record; this replays the trainer's early-stopping rule
 * (improvement = valLoss < best − minDelta) over them.
 */
export function resumeFromEpochs(rows: readonly RecordedEpoch[], minDelta: number): TrainingHeartbeat | undefined {
  const sorted = [...rows].sort((a, b) => a.epoch - b.epoch);
  let state: TrainingHeartbeat | undefined;
  let best = { bestValLoss: Infinity, bestEpoch: 0, bestCheckpointUri: '', epochsWithoutImprovement: 0 };
  for (let i = 0; i < sorted.length; i++) {
    const row = sorted[i];
    // Only a contiguous run 1..E with checkpoints can be resumed from.
    if (row.epoch !== i + 1 || !row.checkpointUri) break;
    if (row.valLoss < best.bestValLoss - minDelta) {
      best = { bestValLoss: row.valLoss, bestEpoch: row.epoch, bestCheckpointUri: row.checkpointUri, epochsWithoutImprovement: 0 };
    } else {
      best = { ...best, epochsWithoutImprovement: best.epochsWithoutImprovement + 1 };
    }
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
