/**
 * What the prediction activity stores beside the probabilities, and the choices it makes about
 * which signals and windows a (model, dataset, split) covers. Kept apart from the activities so
 * the analyses and the benchmark read the same format.
 */
import { z } from 'zod';
import type { EvalSplit, SplitSpec } from '../../contracts/index.js';
import { signalRef } from '../../contracts/index.js';
import type { SignalRow } from '../../db/schema.js';
import { splitSignals } from '../../ml/data/split.js';
import { windowStarts } from '../../ml/data/windows.js';

export const PredictionIndexSchema = z.object({
  experimentId: z.string(),
  datasetId: z.string(),
  split: z.string(),
  classes: z.array(z.string()),
  windowLength: z.number().int(),
  windowHop: z.number().int(),
  maxWindowsPerSignal: z.number().int(),
  signals: z.array(z.object({ ref: z.string(), idx: z.number().int(), label: z.string(), conditions: z.record(z.string(), z.string().nullable()) })),
  /** Per window: position of its signal in `signals`, its start, its true class index. */
  windowSignal: z.array(z.number().int()),
  windowStart: z.array(z.number().int()),
  labels: z.array(z.number().int()),
});
export type PredictionIndex = z.infer<typeof PredictionIndexSchema>;

/** Split settings of the experiment (its stored hyperparameters, defaults filled in by training). */
export interface SplitSettings {
  validationFraction: number;
  testFraction: number;
  seed: number;
  windowLength: number;
  windowHop: number;
  maxWindowsPerSignal: number;
  /** The experiment's split rule (unset: by signal). */
  split?: SplitSpec;
}

/** What the split rules read of a signal row (the trainer gets the same from the training activity). */
export function splitSignalOf(r: SignalRow) {
  return {
    index: r.idx,
    label: r.label,
    recording: r.fileHash,
    offset: r.offsetSamples,
    loadHp: r.loadHp,
    rpm: r.rpm ?? (r.shaftHz === null ? null : r.shaftHz * 60),
  };
}

/** The signals of `split`: the experiment's own split rule applied to this dataset's signals. */
export function selectSplit(rows: readonly SignalRow[], split: EvalSplit, s: SplitSettings): SignalRow[] {
  if (split === 'all') return [...rows];
  const parts = splitSignals(rows.map(splitSignalOf), s);
  const chosen = new Set(split === 'test' ? parts.test : parts.validation);
  return rows.filter((r) => chosen.has(r.idx));
}

const fixed = (v: number | null, digits: number): string | null => (v === null || !Number.isFinite(v) ? null : v.toFixed(digits));

/** SNR in 2 dB bands, e.g. "8–10 dB": fine enough to see a trend, coarse enough to fill. */
export function snrBand(db: number | null): string | null {
  if (db === null || !Number.isFinite(db)) return null;
  const lo = Math.floor(db / 2) * 2;
  return `${lo}–${lo + 2} dB`;
}

/** The conditions an error can be broken down by; unknown ones are null (not counted). */
export function conditionsOf(r: SignalRow): Record<string, string | null> {
  return {
    load: r.loadHp === null ? null : `${fixed(r.loadHp, 0)} hp`,
    faultSize: r.label === 'normal' ? 'none' : fixed(r.severityIn, 3),
    snr: snrBand(r.snrDb),
    sourceFile: r.sourceFile,
  };
}

export function buildIndex(
  head: Omit<PredictionIndex, 'signals' | 'windowSignal' | 'windowStart' | 'labels'>,
  rows: readonly SignalRow[],
): { index: PredictionIndex; starts: number[][] } {
  const signals: PredictionIndex['signals'] = [];
  const windowSignal: number[] = [];
  const windowStart: number[] = [];
  const labels: number[] = [];
  const starts: number[][] = [];
  rows.forEach((r, pos) => {
    const label = head.classes.indexOf(r.label);
    const s = windowStarts(r.length, head);
    signals.push({ ref: signalRef(head.datasetId, r.idx), idx: r.idx, label: r.label, conditions: conditionsOf(r) });
    starts.push(s);
    for (const start of s) {
      windowSignal.push(pos);
      windowStart.push(start);
      labels.push(label);
    }
  });
  return { index: { ...head, signals, windowSignal, windowStart, labels }, starts };
}
