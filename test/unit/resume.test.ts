import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { laterResume, resumeFromEpochs, type RecordedEpoch } from '../../activities/lib/resume.js';
import { FileArtifactStore } from '../../artifacts/file-store.js';
import type { TfjsBackendChoice } from '../../config/index.js';
import type { TrainingHeartbeat } from '../../contracts/training.js';
import { initBackend } from '../../ml/tf/index.js';
import { runTraining, type TrainingSignalRef } from '../../ml/train/index.js';
import { smallJob, storeSyntheticSignals } from './training-fixtures.js';

/** A recorded epoch with the given validation loss; other metrics derived from the epoch number. */
function row(epoch: number, valLoss: number, checkpointUri: string | null = `ckpt-${epoch}`): RecordedEpoch {
  return { epoch, loss: valLoss + 0.1, accuracy: 0.5, valLoss, valAccuracy: 0.4, durationMs: 10 * epoch, samplesPerSec: 100, checkpointUri };
}

function rows(valLosses: number[]): RecordedEpoch[] {
  return valLosses.map((v, i) => row(i + 1, v));
}

/** What resumeFromEpochs must produce for a given early-stopping state after `r`. */
function heartbeat(
  r: RecordedEpoch,
  best: Pick<TrainingHeartbeat, 'bestValLoss' | 'bestEpoch' | 'bestCheckpointUri' | 'epochsWithoutImprovement'>,
): TrainingHeartbeat {
  const { checkpointUri, ...metrics } = r;
  return { epoch: r.epoch, checkpointUri: checkpointUri ?? '', metrics, ...best };
}

describe('resumeFromEpochs', () => {
  it('returns undefined for no rows', () => {
    expect(resumeFromEpochs([], 0)).toBeUndefined();
  });

  it('resumes after the last of a contiguous run 1..E, carrying its metrics and checkpoint', () => {
    const input = rows([1.0, 0.8, 0.6]);
    expect(resumeFromEpochs(input, 0)).toEqual(
      heartbeat(input[2], { bestValLoss: 0.6, bestEpoch: 3, bestCheckpointUri: 'ckpt-3', epochsWithoutImprovement: 0 }),
    );
  });

  it('does not put checkpointUri inside metrics', () => {
    const state = resumeFromEpochs(rows([1.0]), 0);
    expect(state?.metrics).not.toHaveProperty('checkpointUri');
    expect(state?.checkpointUri).toBe('ckpt-1');
  });

  it('uses only the contiguous prefix: a gap ends it', () => {
    const input = [row(1, 1.0), row(2, 0.9), row(4, 0.1), row(5, 0.05)];
    const state = resumeFromEpochs(input, 0);
    expect(state?.epoch).toBe(2);
    expect(state?.bestValLoss).toBe(0.9);
    expect(state?.bestEpoch).toBe(2);
  });

  it('cannot resume when epoch 1 is missing', () => {
    expect(resumeFromEpochs([row(2, 1.0), row(3, 0.9)], 0)).toBeUndefined();
  });

  it('stops at the first epoch without a checkpoint', () => {
    const input = [row(1, 1.0), row(2, 0.9), row(3, 0.5, null), row(4, 0.4)];
    const state = resumeFromEpochs(input, 0);
    expect(state?.epoch).toBe(2);
    expect(state?.checkpointUri).toBe('ckpt-2');
    // Epoch 3's better loss is not counted: its weights are not recoverable.
    expect(state?.bestValLoss).toBe(0.9);
  });

  it('treats an empty checkpoint URI as missing', () => {
    expect(resumeFromEpochs([row(1, 1.0, '')], 0)).toBeUndefined();
  });

  it('sorts unordered rows by epoch first', () => {
    const ordered = rows([1.0, 0.7, 0.9, 0.6]);
    const shuffled = [ordered[2], ordered[0], ordered[3], ordered[1]];
    expect(resumeFromEpochs(shuffled, 0)).toEqual(resumeFromEpochs(ordered, 0));
    expect(resumeFromEpochs(shuffled, 0)?.epoch).toBe(4);
  });

  it('does not reorder the caller’s array', () => {
    const input = [row(2, 0.9), row(1, 1.0)];
    resumeFromEpochs(input, 0);
    expect(input.map((r) => r.epoch)).toEqual([2, 1]);
  });

  it('counts epochs without improvement and keeps the best epoch’s checkpoint', () => {
    const input = rows([1.0, 0.8, 0.85, 0.9, 0.7, 0.75]);
    expect(resumeFromEpochs(input, 0)).toEqual(
      heartbeat(input[5], { bestValLoss: 0.7, bestEpoch: 5, bestCheckpointUri: 'ckpt-5', epochsWithoutImprovement: 1 }),
    );
    expect(resumeFromEpochs(input.slice(0, 4), 0)).toMatchObject({ bestEpoch: 2, bestCheckpointUri: 'ckpt-2', epochsWithoutImprovement: 2 });
  });

  it('an equal loss is not an improvement (strict <)', () => {
    expect(resumeFromEpochs(rows([0.5, 0.5]), 0)).toMatchObject({ bestEpoch: 1, epochsWithoutImprovement: 1 });
  });

  it('needs an improvement of more than minDelta to reset the counter', () => {
    // 1.0 → 0.95 is 0.05 better: not enough with minDelta 0.1; 0.85 is 0.15 better than the best (1.0).
    const input = rows([1.0, 0.95, 0.92, 0.85]);
    expect(resumeFromEpochs(input.slice(0, 3), 0.1)).toMatchObject({ bestValLoss: 1.0, bestEpoch: 1, epochsWithoutImprovement: 2 });
    expect(resumeFromEpochs(input, 0.1)).toMatchObject({ bestValLoss: 0.85, bestEpoch: 4, bestCheckpointUri: 'ckpt-4', epochsWithoutImprovement: 0 });
    // Exactly minDelta better is not enough either (valLoss < best − minDelta).
    expect(resumeFromEpochs(rows([1.0, 0.75]), 0.25)).toMatchObject({ bestEpoch: 1, epochsWithoutImprovement: 1 });
  });

  it('always takes epoch 1 as the first best, whatever minDelta', () => {
    expect(resumeFromEpochs(rows([123.4]), 1e9)).toMatchObject({ bestValLoss: 123.4, bestEpoch: 1, bestCheckpointUri: 'ckpt-1', epochsWithoutImprovement: 0 });
  });

  it('follows the trainer’s rule step by step on arbitrary sequences', () => {
    // The trainer (ml/train/trainer.ts): start from {Infinity, 0, '', 0}; after each epoch,
    // valLoss < best − minDelta ⇒ new best, counter 0; otherwise counter + 1.
    const sequences = [
      [2.0, 1.5, 1.6, 1.4, 1.45, 1.39, 1.38, 2.0],
      [0.3, 0.3, 0.3, 0.29],
      [5, 4, 3, 2, 1],
      [1, 2, 3, 4, 5],
    ];
    for (const minDelta of [0, 0.005, 0.05, 0.5]) {
      for (const seq of sequences) {
        const input = rows(seq);
        let best = { bestValLoss: Infinity, bestEpoch: 0, bestCheckpointUri: '', epochsWithoutImprovement: 0 };
        for (let k = 0; k < input.length; k++) {
          const r = input[k];
          best =
            r.valLoss < best.bestValLoss - minDelta
              ? { bestValLoss: r.valLoss, bestEpoch: r.epoch, bestCheckpointUri: r.checkpointUri ?? '', epochsWithoutImprovement: 0 }
              : { ...best, epochsWithoutImprovement: best.epochsWithoutImprovement + 1 };
          expect(resumeFromEpochs(input.slice(0, k + 1), minDelta), `minDelta ${minDelta}, ${JSON.stringify(seq)} after epoch ${k + 1}`).toEqual(
            heartbeat(r, best),
          );
        }
      }
    }
  });
});

/**
 * The real trainer as the oracle: rebuilding the state from the epochs it reported must give,
 * after every epoch, exactly the heartbeat it sent — for minDelta values where every epoch counts,
 * where none after the first does, and one in between where both happen.
 */
describe('resumeFromEpochs against runTraining', () => {
  const BACKEND = (process.env.TFJS_BACKEND as TfjsBackendChoice | undefined) ?? 'wasm';
  let dir: string;
  let store: FileArtifactStore;
  let signals: TrainingSignalRef[];

  beforeAll(async () => {
    await initBackend(BACKEND);
    dir = await mkdtemp(path.join(tmpdir(), 'faultline-resume-'));
    store = new FileArtifactStore(dir);
    signals = await storeSyntheticSignals(store, { perClass: 8, length: 256 * 6, seed: 2 });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function heartbeats(minDelta: number): Promise<TrainingHeartbeat[]> {
    const out: TrainingHeartbeat[] = [];
    await runTraining(smallJob(signals, { epochs: 8, patience: 0, minDelta }), { artifacts: store, onEpoch: async (h) => void out.push(h) });
    return out;
  }

  const asRows = (hs: TrainingHeartbeat[]): RecordedEpoch[] => hs.map((h) => ({ ...h.metrics, checkpointUri: h.checkpointUri }));

  it('reproduces every heartbeat of a real run', async () => {
    const plain = await heartbeats(0);
    expect(plain).toHaveLength(8);
    // A minDelta between the smallest and largest step-to-step improvement gives both outcomes.
    const steps = plain
      .slice(1)
      .map((h, i) => plain[i].metrics.valLoss - h.metrics.valLoss)
      .filter((d) => d > 0)
      .sort((a, b) => a - b);
    const middle = steps.length >= 2 ? (steps[0] + steps[steps.length - 1]) / 2 : 0.01;

    for (const minDelta of [0, middle, 100]) {
      const sent = minDelta === 0 ? plain : await heartbeats(minDelta);
      const recorded = asRows(sent);
      for (let k = 1; k <= sent.length; k++) {
        expect(resumeFromEpochs(recorded.slice(0, k), minDelta), `minDelta ${minDelta}, after epoch ${k}`).toEqual(sent[k - 1]);
      }
      // Order of the rows as read back from the database does not matter.
      expect(resumeFromEpochs([...recorded].reverse(), minDelta)).toEqual(sent[sent.length - 1]);
      if (minDelta === middle) {
        const later = sent.slice(1).map((h) => h.epochsWithoutImprovement);
        expect(later.some((n) => n === 0) && later.some((n) => n > 0), `minDelta ${minDelta}: ${JSON.stringify(later)}`).toBe(true);
      }
      if (minDelta === 100) expect(sent.map((h) => h.epochsWithoutImprovement)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    }
  });
});

describe('laterResume', () => {
  const at = (epoch: number, tag: string): TrainingHeartbeat =>
    heartbeat(row(epoch, 1 / epoch, `${tag}-${epoch}`), {
      bestValLoss: 1 / epoch,
      bestEpoch: epoch,
      bestCheckpointUri: `${tag}-${epoch}`,
      epochsWithoutImprovement: 0,
    });

  it('picks the state with the larger epoch, whichever side it is on', () => {
    const hb = at(3, 'heartbeat');
    const rowsState = at(5, 'rows');
    expect(laterResume(hb, rowsState)).toBe(rowsState);
    expect(laterResume(rowsState, hb)).toBe(rowsState);
  });

  it('keeps the first on a tie', () => {
    const a = at(4, 'a');
    const b = at(4, 'b');
    expect(laterResume(a, b)).toBe(a);
  });

  it('returns whichever exists, or undefined', () => {
    const a = at(2, 'a');
    expect(laterResume(a, undefined)).toBe(a);
    expect(laterResume(undefined, a)).toBe(a);
    expect(laterResume(undefined, undefined)).toBeUndefined();
  });
});
