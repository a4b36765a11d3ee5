import { describe, expect, it } from 'vitest';
import { missingEpochRow, reportEpoch, unsignalledEpochs, type EpochSinks } from '../../activities/lib/epoch-report.js';
import { laterResume, resumeFromEpochs, type RecordedEpoch } from '../../activities/lib/resume.js';
import type { EpochMetrics, TrainingHeartbeat } from '../../contracts/training.js';
import { afterEpoch, NO_BEST_YET } from '../../ml/train/early-stopping.js';

function metrics(epoch: number): EpochMetrics {
  return { epoch, loss: 1 / epoch, accuracy: 0.5, valLoss: 1 / epoch + 0.05, valAccuracy: 0.4, durationMs: 10, samplesPerSec: 100 };
}

/** The report the trainer sends after `epoch`, with early stopping carried from `prev`. */
function report(epoch: number, prev: TrainingHeartbeat | undefined): TrainingHeartbeat {
  const m = metrics(epoch);
  const best = afterEpoch(prev ?? NO_BEST_YET, epoch, m.valLoss, `ckpt-${epoch}`, 0);
  return { epoch, checkpointUri: `ckpt-${epoch}`, metrics: m, ...best };
}

/**
 * The durable side of a training run: epoch rows (keyed by epoch, like the table), the last
 * heartbeat Temporal holds, and the signals the workflow received. `failWrites` makes the next
 * n row writes throw, like a database that has gone away.
 */
class World {
  rows = new Map<number, RecordedEpoch>();
  heartbeat: TrainingHeartbeat | undefined;
  signals: number[] = [];
  failWrites = 0;
  log: string[] = [];

  sinks(): EpochSinks {
    return {
      record: async (hb) => {
        this.log.push(`record ${hb.epoch}`);
        if (this.failWrites > 0) {
          this.failWrites--;
          throw new Error('Connection terminated unexpectedly');
        }
        this.rows.set(hb.epoch, { ...hb.metrics, checkpointUri: hb.checkpointUri });
      },
      heartbeat: (hb) => {
        this.log.push(`heartbeat ${hb.epoch}`);
        this.heartbeat = hb;
      },
      signal: async (m) => {
        this.log.push(`signal ${m.epoch}`);
        this.signals.push(m.epoch);
      },
    };
  }

  /** The workflow keeps the newest epoch it was told about (workflows/train.ts). */
  seen(): number {
    return Math.max(0, ...this.signals);
  }

  /**
   * One attempt of the training activity as activities/training.ts runs it: repair the row a
   * heartbeat proves, resume from the later of heartbeat and rows, signal what the workflow
   * missed, then train to `epochs`. Returns the error that ended the attempt, if any.
   */
  async attempt(epochs: number, beforeEpoch?: (epoch: number) => void): Promise<Error | undefined> {
    const rows = [...this.rows.values()];
    const missing = missingEpochRow(rows, this.heartbeat);
    if (missing) {
      this.rows.set(missing.epoch, missing);
      rows.push(missing);
    }
    const resume = laterResume(this.heartbeat, resumeFromEpochs(rows, 0));
    if (resume) for (const r of unsignalledEpochs(rows, this.seen(), resume.epoch)) this.signals.push(r.epoch);
    let prev = resume;
    try {
      for (let e = (resume?.epoch ?? 0) + 1; e <= epochs; e++) {
        beforeEpoch?.(e);
        const hb = report(e, prev);
        await reportEpoch(this.sinks(), hb);
        prev = hb;
      }
      return undefined;
    } catch (err) {
      return err as Error;
    }
  }
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('reportEpoch', () => {
  it('writes the row, then heartbeats, then signals', async () => {
    const w = new World();
    await reportEpoch(w.sinks(), report(1, undefined));
    expect(w.log).toEqual(['record 1', 'heartbeat 1', 'signal 1']);
  });

  it('neither heartbeats nor signals an epoch whose row could not be written', async () => {
    const w = new World();
    w.failWrites = 1;
    await expect(reportEpoch(w.sinks(), report(1, undefined))).rejects.toThrow(/Connection terminated/);
    expect(w.log).toEqual(['record 1']);
    expect(w.heartbeat).toBeUndefined();
    expect(w.signals).toEqual([]);
  });
});

describe('a failed epoch write loses nothing', () => {
  it('retries train every epoch once into a row and a signal', async () => {
    const w = new World();
    // Epochs 1-4 are written; then the database refuses the writes of epoch 5 three times.
    const failures: Error[] = [];
    let failure = await w.attempt(8, (e) => {
      if (e === 5 && failures.length === 0) w.failWrites = 3;
    });
    while (failure && failures.length < 10) {
      failures.push(failure);
      failure = await w.attempt(8);
    }
    expect(failures.map((f) => f.message)).toEqual(Array(3).fill('Connection terminated unexpectedly'));
    expect([...w.rows.keys()].sort((a, b) => a - b)).toEqual(range(8));
    expect(w.signals).toEqual(range(8));
    expect(w.heartbeat?.epoch).toBe(8);
  });

  it('repairs the row a heartbeat-first attempt left missing (the order before this fix)', async () => {
    const w = new World();
    let prev: TrainingHeartbeat | undefined;
    for (let e = 1; e <= 4; e++) {
      prev = report(e, prev);
      await reportEpoch(w.sinks(), prev);
    }
    // The old order: heartbeat epoch 5, then its write failed, so no row and no signal.
    const fifth = report(5, prev);
    w.heartbeat = fifth;
    expect(await w.attempt(8)).toBeUndefined();
    expect(w.rows.get(5)).toEqual({ ...fifth.metrics, checkpointUri: fifth.checkpointUri });
    expect([...w.rows.keys()].sort((a, b) => a - b)).toEqual(range(8));
    expect(w.signals).toEqual(range(8));
  });

  it('signals an epoch whose row was written by an attempt that died before signalling it', async () => {
    const w = new World();
    let prev: TrainingHeartbeat | undefined;
    for (let e = 1; e <= 3; e++) {
      prev = report(e, prev);
      await reportEpoch(w.sinks(), prev);
    }
    // Epoch 4: row written, then the worker was killed (no heartbeat, no signal).
    const fourth = report(4, prev);
    w.rows.set(4, { ...fourth.metrics, checkpointUri: fourth.checkpointUri });
    expect(await w.attempt(6)).toBeUndefined();
    expect(w.signals).toEqual(range(6));
  });
});

describe('missingEpochRow', () => {
  const hb = report(3, report(2, report(1, undefined)));
  const rowsTo = (n: number) => range(n).map((epoch) => ({ epoch }));

  it('is the heartbeat epoch when every row is older', () => {
    expect(missingEpochRow(rowsTo(2), hb)).toEqual({ ...hb.metrics, checkpointUri: 'ckpt-3' });
    expect(missingEpochRow([], report(1, undefined))?.epoch).toBe(1);
  });

  it('is nothing when the rows already hold that epoch or a later one', () => {
    expect(missingEpochRow(rowsTo(3), hb)).toBeUndefined();
    expect(missingEpochRow(rowsTo(5), hb)).toBeUndefined();
  });

  it('is nothing without a usable heartbeat', () => {
    expect(missingEpochRow(rowsTo(2), undefined)).toBeUndefined();
    expect(missingEpochRow(rowsTo(2), { ...hb, checkpointUri: '' })).toBeUndefined();
    expect(missingEpochRow(rowsTo(2), { ...hb, metrics: metrics(2) })).toBeUndefined();
  });
});

describe('unsignalledEpochs', () => {
  it('is the rows after what the workflow saw, up to the resume point, in order', () => {
    const rows = [5, 3, 4, 1, 2].map((epoch) => ({ epoch }));
    expect(unsignalledEpochs(rows, 2, 4).map((r) => r.epoch)).toEqual([3, 4]);
    expect(unsignalledEpochs(rows, 5, 5)).toEqual([]);
  });
});
