/**
 * The input scaling of a model trained with `normalization: "recording"`, reproduced outside the
 * trainer: evaluation and XAI must feed a model the windows it was trained and tested on, and such
 * a model expects every window scaled by the mean and deviation of its recording — over that
 * recording's signals in the same split part, as ml/train/trainer.ts computes them — not z-scored
 * alone. A window z-scored alone loses the loudness the model learned to read (fault size).
 */
import type { SignalRow } from '../../db/schema.js';
import { splitSignals } from '../../ml/data/split.js';
import { recordingStats } from '../../ml/data/windows.js';
import { splitSignalOf, type SplitSettings } from './eval-data.js';

export interface RecordingScale {
  mean: number;
  std: number;
}

/** Scale groups cached per worker: a few hundred recordings' two numbers each. */
const CACHED_SCALES = 512;

/**
 * For each signal index of `rows` (one dataset's signals), the indices of the signals whose
 * samples set its scale: its recording's signals within its split part, in the part's order
 * (the trainer's order, so the float64 sums are the same). Signals the split leaves out of every
 * part (the gap of a time split) form groups of their own per recording.
 */
export function recordingGroups(rows: readonly SignalRow[], settings: SplitSettings): Map<number, number[]> {
  const byIdx = new Map(rows.map((r) => [r.idx, r]));
  const parts = splitSignals(rows.map(splitSignalOf), settings);
  const assigned = new Set([...parts.train, ...parts.validation, ...parts.test]);
  const unassigned = rows.filter((r) => !assigned.has(r.idx)).map((r) => r.idx);
  const out = new Map<number, number[]>();
  for (const [part, indices] of [
    ['train', parts.train],
    ['validation', parts.validation],
    ['test', parts.test],
    ['none', unassigned],
  ] as const) {
    const groups = new Map<string, number[]>();
    for (const idx of indices) {
      const key = `${part}:${byIdx.get(idx)!.fileHash ?? `signal:${idx}`}`;
      const members = groups.get(key) ?? [];
      members.push(idx);
      groups.set(key, members);
    }
    for (const members of groups.values()) for (const idx of members) out.set(idx, members);
  }
  return out;
}

export type ReadSamples = (row: SignalRow) => Promise<Float32Array>;

/**
 * Scales by group, computed once per worker and kept for a while: XAI explains one signal per
 * activity, and every signal of a recording shares its scale.
 */
export class RecordingScales {
  private readonly cache = new Map<string, Promise<RecordingScale>>();

  constructor(private readonly read: ReadSamples) {}

  /** The scale of signal `idx` of `datasetId`, given its group from `recordingGroups`. */
  scaleOf(datasetId: string, idx: number, groups: ReadonlyMap<number, readonly number[]>, rows: ReadonlyMap<number, SignalRow>): Promise<RecordingScale> {
    const members = groups.get(idx);
    if (!members) throw new Error(`signal ${datasetId}:${idx} is not in the dataset's signal list`);
    const key = `${datasetId}|${members.join(',')}`;
    let hit = this.cache.get(key);
    if (!hit) {
      hit = (async () => recordingStats(await Promise.all(members.map((m) => this.read(rows.get(m)!)))))();
      hit.catch(() => this.cache.delete(key));
      this.cache.set(key, hit);
      while (this.cache.size > CACHED_SCALES) this.cache.delete(this.cache.keys().next().value as string);
    }
    return hit;
  }
}
