import type { SplitSpec } from '../../contracts/training.js';
import { mixSeed, mulberry32, shuffled } from '../random.js';

/**
 * Train/validation/test split by *signal*, stratified per class.
 *
 * Windows cut from one recording are strongly correlated; if they landed in both train and test
 * the test accuracy would measure memorisation of that recording, not generalisation. So whole
 * signals are assigned to splits, and windows are cut afterwards.
 */

export interface SplitSignal {
  index: number;
  label: string;
  /** The recording the signal was cut from (imports: the file's content hash); absent = its own recording. */
  recording?: string | null;
  /** First sample of the signal in its recording: orders a recording's signals in time. */
  offset?: number | null;
  loadHp?: number | null;
  rpm?: number | null;
}

export interface SplitOptions {
  validationFraction: number;
  testFraction: number;
  seed: number;
}

export interface SignalSplit {
  train: number[];
  validation: number[];
  test: number[];
}

/** Every class needs at least one signal in each of the three splits. */
export const MIN_SIGNALS_PER_CLASS = 3;

export class SplitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SplitError';
  }
}

/**
 * Deterministic for (signals, fractions, seed), independent of the input order: signals are
 * sorted by index per class before the seeded shuffle. Returned index lists are sorted.
 */
export function splitBySignal(signals: readonly SplitSignal[], opts: SplitOptions): SignalSplit {
  const { validationFraction, testFraction, seed } = opts;
  if (!(validationFraction > 0 && testFraction > 0 && validationFraction + testFraction < 1)) {
    throw new SplitError(`validationFraction (${validationFraction}) and testFraction (${testFraction}) must be > 0 and sum to < 1`);
  }
  const seen = new Set<number>();
  const byClass = new Map<string, number[]>();
  for (const s of signals) {
    if (seen.has(s.index)) throw new SplitError(`signal index ${s.index} appears more than once`);
    seen.add(s.index);
    const list = byClass.get(s.label) ?? [];
    list.push(s.index);
    byClass.set(s.label, list);
  }
  const tooFew = [...byClass].filter(([, idx]) => idx.length < MIN_SIGNALS_PER_CLASS);
  if (tooFew.length > 0) {
    throw new SplitError(
      `too few signals to split by signal: ${tooFew
        .map(([label, idx]) => `class '${label}' has ${idx.length}`)
        .join(', ')} (need at least ${MIN_SIGNALS_PER_CLASS} per class, one for each of train/validation/test)`,
    );
  }

  const out: SignalSplit = { train: [], validation: [], test: [] };
  // Sorted class order so the result does not depend on the order signals were listed in.
  for (const label of [...byClass.keys()].sort()) {
    const indices = byClass
      .get(label)!
      .slice()
      .sort((a, b) => a - b);
    const n = indices.length;
    // Per-class stream: adding a class does not reshuffle the others.
    const order = shuffled(indices, mulberry32(mixSeed(seed, 'split', label)));
    const nTest = clamp(Math.round(n * testFraction), 1, n - 2);
    const nVal = clamp(Math.round(n * validationFraction), 1, n - 1 - nTest);
    out.test.push(...order.slice(0, nTest));
    out.validation.push(...order.slice(nTest, nTest + nVal));
    out.train.push(...order.slice(nTest + nVal));
  }
  for (const list of [out.train, out.validation, out.test]) list.sort((a, b) => a - b);
  return out;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

// ---------------------------------------------------------------------------------------------
// Splits for real recordings (SplitSpec in contracts/training.ts).

export interface SplitWithSpecOptions extends SplitOptions {
  /** Unset = by signal. */
  split?: SplitSpec;
}

/** The split a training request asks for: by signal, by time range of each recording, or by condition. */
export function splitSignals(signals: readonly SplitSignal[], opts: SplitWithSpecOptions): SignalSplit {
  const spec = opts.split ?? { kind: 'signal' };
  switch (spec.kind) {
    case 'signal':
      return splitBySignal(signals, opts);
    case 'time':
      return splitByTime(signals, { ...opts, gapSignals: spec.gapSignals });
    case 'condition':
      return splitByCondition(signals, { ...opts, holdOut: spec.holdOut, within: spec.within, gapSignals: spec.gapSignals });
  }
}

export interface TimeSplitOptions extends SplitOptions {
  /** Signals left out between two parts of one recording (≥ 1: each is at least one window long). */
  gapSignals: number;
}

/**
 * Contiguous time ranges of every recording: [train | gap | validation | gap | test], in offset
 * order. With one recording per condition (CWRU), a by-signal split puts the neighbours of a test
 * signal — the same bearing, seconds apart — into training; here the sides only meet across
 * `gapSignals` left-out signals. Signals without a recording are independent and split by signal.
 */
export function splitByTime(signals: readonly SplitSignal[], opts: TimeSplitOptions): SignalSplit {
  checkFractions(opts.validationFraction, opts.testFraction);
  checkUnique(signals);
  const { recorded, alone } = byRecording(signals);
  const out: SignalSplit = alone.length > 0 ? splitBySignal(alone, opts) : { train: [], validation: [], test: [] };
  for (const [recording, list] of recorded) {
    const parts = cutRecording(recording, list, [opts.testFraction, opts.validationFraction], opts.gapSignals);
    out.train.push(...parts[0]);
    out.validation.push(...parts[1]);
    out.test.push(...parts[2]);
  }
  return sortedSplit(out);
}

export interface ConditionSplitOptions extends SplitOptions {
  holdOut: { loadHp?: number[]; rpmRange?: [number, number] };
  within: 'signal' | 'time';
  gapSignals: number;
}

/**
 * Every signal of a held-out condition is the test set ("does it work at loads it never saw?");
 * the others are split into train and validation (by signal, or by time range with a gap).
 * Refused when nothing is held out, nothing is left, or a held-out class never appears in training.
 */
export function splitByCondition(signals: readonly SplitSignal[], opts: ConditionSplitOptions): SignalSplit {
  checkUnique(signals);
  if (!(opts.validationFraction > 0 && opts.validationFraction < 1)) throw new SplitError(`validationFraction (${opts.validationFraction}) must be in (0, 1)`);
  const held = heldOut(opts.holdOut);
  const test = signals.filter((s) => held.test(s));
  const rest = signals.filter((s) => !held.test(s));
  if (test.length === 0) throw new SplitError(`split.holdOut: no signal has ${held.what}`);
  if (rest.length === 0) throw new SplitError(`split.holdOut: every signal has ${held.what}; nothing is left to train on`);
  const out: SignalSplit = { train: [], validation: [], test: test.map((s) => s.index) };
  if (opts.within === 'signal') {
    const byClass = groupBy(rest, (s) => s.label);
    for (const [label, list] of [...byClass].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (list.length < 2)
        throw new SplitError(`too few signals outside ${held.what}: class '${label}' has ${list.length} (need 2, one for train and one for validation)`);
      const order = shuffled(
        list.map((s) => s.index).sort((a, b) => a - b),
        mulberry32(mixSeed(opts.seed, 'split', label)),
      );
      const nVal = clamp(Math.round(list.length * opts.validationFraction), 1, list.length - 1);
      out.validation.push(...order.slice(0, nVal));
      out.train.push(...order.slice(nVal));
    }
  } else {
    const { recorded, alone } = byRecording(rest);
    if (alone.length > 0) throw new SplitError(`split.within time: signal ${alone[0].index} has no recording; use within: signal`);
    for (const [recording, list] of recorded) {
      const parts = cutRecording(recording, list, [opts.validationFraction], opts.gapSignals);
      out.train.push(...parts[0]);
      out.validation.push(...parts[1]);
    }
  }
  const labelOf = new Map(signals.map((s) => [s.index, s.label]));
  const trained = new Set(out.train.map((i) => labelOf.get(i)));
  const unseen = [...new Set(test.map((s) => s.label))].filter((l) => !trained.has(l));
  if (unseen.length > 0)
    throw new SplitError(`split.holdOut: class(es) ${unseen.map((l) => `'${l}'`).join(', ')} occur only at ${held.what}, never in training`);
  return sortedSplit(out);
}

function heldOut(h: ConditionSplitOptions['holdOut']): { test: (s: SplitSignal) => boolean; what: string } {
  if (h.loadHp !== undefined) {
    const loads = new Set(h.loadHp);
    return { test: (s) => s.loadHp != null && loads.has(s.loadHp), what: `a load of ${h.loadHp.join(' or ')} hp` };
  }
  if (h.rpmRange !== undefined) {
    const [lo, hi] = h.rpmRange;
    return { test: (s) => s.rpm != null && s.rpm >= lo && s.rpm <= hi, what: `an rpm in [${lo}, ${hi}]` };
  }
  throw new SplitError('split.holdOut: give exactly one of loadHp and rpmRange');
}

/**
 * One recording's signals in time order cut into consecutive parts, the last ones sized by
 * `fractions` (e.g. [test, validation] → parts [train, validation, test]); `gap` signals are
 * dropped before each later part. Every part gets at least one signal, or the recording is refused.
 */
function cutRecording(recording: string, list: readonly SplitSignal[], fractions: readonly number[], gap: number): number[][] {
  const ordered = [...list].sort((a, b) => (a.offset ?? a.index) - (b.offset ?? b.index) || a.index - b.index).map((s) => s.index);
  const parts = fractions.length + 1;
  const usable = ordered.length - gap * fractions.length;
  if (usable < parts) {
    throw new SplitError(
      `too few signals to split recording ${recording} by time: it has ${ordered.length}, needs at least ${parts + gap * fractions.length} (${parts} parts and ${gap} left out between each)`,
    );
  }
  // Sizes of the later parts (at least 1 each), leaving at least 1 for the first.
  const later = fractions.map((f) => Math.max(1, Math.round(usable * f)));
  let excess = later.reduce((a, b) => a + b, 0) - (usable - 1);
  for (let i = 0; excess > 0 && i < later.length; i++) {
    const cut = Math.min(excess, later[i] - 1);
    later[i] -= cut;
    excess -= cut;
  }
  // Layout in time: first part, then the later parts in reverse order of `fractions` (train, validation, test).
  const sizes = [usable - later.reduce((a, b) => a + b, 0), ...[...later].reverse()];
  const out: number[][] = [];
  let at = 0;
  sizes.forEach((n, i) => {
    if (i > 0) at += gap;
    out.push(ordered.slice(at, at + n));
    at += n;
  });
  return out;
}

function byRecording(signals: readonly SplitSignal[]): { recorded: [string, SplitSignal[]][]; alone: SplitSignal[] } {
  const alone = signals.filter((s) => s.recording == null);
  const recorded = [
    ...groupBy(
      signals.filter((s) => s.recording != null),
      (s) => s.recording as string,
    ),
  ].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return { recorded, alone };
}

function groupBy<T>(xs: readonly T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    const list = m.get(k) ?? [];
    list.push(x);
    m.set(k, list);
  }
  return m;
}

function checkFractions(validationFraction: number, testFraction: number): void {
  if (!(validationFraction > 0 && testFraction > 0 && validationFraction + testFraction < 1)) {
    throw new SplitError(`validationFraction (${validationFraction}) and testFraction (${testFraction}) must be > 0 and sum to < 1`);
  }
}

function checkUnique(signals: readonly SplitSignal[]): void {
  const seen = new Set<number>();
  for (const s of signals) {
    if (seen.has(s.index)) throw new SplitError(`signal index ${s.index} appears more than once`);
    seen.add(s.index);
  }
}

function sortedSplit(s: SignalSplit): SignalSplit {
  for (const list of [s.train, s.validation, s.test]) list.sort((a, b) => a - b);
  return s;
}
