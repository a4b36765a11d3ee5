import type { EpochMetrics, TrainingHeartbeat } from '../../contracts/index.js';
import type { RecordedEpoch } from './resume.js';

/**
 * Where a finished epoch goes, in the one order that keeps the invariant of resume.ts (an epoch
 * is reported anywhere only once its row is durable):
 *
 * 1. `record`: the epoch row (awaited; if it throws nothing else happens, and the retry, which
 *    resumes from the rows, trains the epoch again);
 * 2. `heartbeat`: the resume point Temporal keeps for a retry;
 * 3. `signal`: the workflow's progress.
 *
 * Heartbeating before the row was written lost epochs: a failed write left a heartbeat at
 * epoch N over rows ending at N−1, the retry resumed after N, and epoch N got neither a row nor
 * a signal.
 */
export interface EpochSinks {
  record(report: TrainingHeartbeat): Promise<void>;
  heartbeat(report: TrainingHeartbeat): void;
  signal(metrics: EpochMetrics): Promise<void>;
}

export async function reportEpoch(sinks: EpochSinks, report: TrainingHeartbeat): Promise<void> {
  await sinks.record(report);
  sinks.heartbeat(report);
  await sinks.signal(report.metrics);
}

/**
 * The epoch row a heartbeat proves was trained but that was never written: a heartbeat past
 * every recorded epoch, left by an attempt that heartbeated before writing (the order before
 * reportEpoch) or by a write that failed after it. Its metrics and checkpoint are exactly what
 * the row would have held, so the retry writes it instead of losing the epoch.
 */
export function missingEpochRow(rows: readonly Pick<RecordedEpoch, 'epoch'>[], heartbeat: TrainingHeartbeat | undefined): RecordedEpoch | undefined {
  if (!heartbeat || !heartbeat.checkpointUri || heartbeat.metrics?.epoch !== heartbeat.epoch) return undefined;
  if (rows.some((r) => r.epoch >= heartbeat.epoch)) return undefined;
  return { ...heartbeat.metrics, checkpointUri: heartbeat.checkpointUri };
}

/**
 * The recorded epochs a resumed attempt must still signal: those after the newest epoch the
 * workflow has seen (`seen`, from its progress query) up to where training resumes. A signal is
 * lost when the attempt that wrote the row died (or Temporal was unreachable) before sending it.
 */
export function unsignalledEpochs<R extends Pick<RecordedEpoch, 'epoch'>>(rows: readonly R[], seen: number, resumeEpoch: number): R[] {
  return rows.filter((r) => r.epoch > seen && r.epoch <= resumeEpoch).sort((a, b) => a.epoch - b.epoch);
}
