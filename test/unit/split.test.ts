import { describe, expect, it } from 'vitest';
import { selectSplit } from '../../activities/lib/eval-data.js';
import { SplitSpecSchema, TrainHyperparametersSchema } from '../../contracts/index.js';
import type { SignalRow } from '../../db/schema.js';
import { splitBySignal, splitByCondition, splitByTime, SplitError, splitSignals, type SignalSplit, type SplitSignal } from '../../ml/data/split.js';
import { windowStarts } from '../../ml/data/windows.js';

const CLASSES = ['normal', 'inner_race', 'outer_race', 'ball'];
const signals = (perClass: number) => CLASSES.flatMap((label, c) => Array.from({ length: perClass }, (_, i) => ({ index: c * 100 + i, label })));
const opts = { validationFraction: 0.15, testFraction: 0.2, seed: 7 };

describe('splitBySignal', () => {
  it('puts every signal in exactly one split', () => {
    const all = signals(12);
    const s = splitBySignal(all, opts);
    const seen = [...s.train, ...s.validation, ...s.test];
    expect(seen.length).toBe(all.length);
    expect(new Set(seen).size).toBe(all.length);
    expect(new Set(seen)).toEqual(new Set(all.map((x) => x.index)));
  });

  it('is stratified: every class is in every split, in proportion', () => {
    const all = signals(12);
    const labelOf = new Map(all.map((x) => [x.index, x.label]));
    const s = splitBySignal(all, opts);
    for (const label of CLASSES) {
      const count = (ids: number[]) => ids.filter((i) => labelOf.get(i) === label).length;
      expect(count(s.test)).toBe(Math.round(12 * 0.2));
      expect(count(s.validation)).toBe(Math.round(12 * 0.15));
      expect(count(s.train)).toBe(12 - Math.round(12 * 0.2) - Math.round(12 * 0.15));
    }
  });

  it('gives each class one signal per split at the minimum of 3', () => {
    const s = splitBySignal(signals(3), opts);
    expect([s.train.length, s.validation.length, s.test.length]).toEqual([4, 4, 4]);
  });

  it('is deterministic for a seed, independent of input order, and varies with the seed', () => {
    const all = signals(10);
    const a = splitBySignal(all, opts);
    const b = splitBySignal([...all].reverse(), opts);
    expect(b).toEqual(a);
    const c = splitBySignal(all, { ...opts, seed: 8 });
    expect(c.test).not.toEqual(a.test);
  });

  it('names the class that has too few signals', () => {
    const all = [...signals(5), { index: 900, label: 'cage' }, { index: 901, label: 'cage' }];
    expect(() => splitBySignal(all, opts)).toThrow(SplitError);
    expect(() => splitBySignal(all, opts)).toThrow(/class 'cage' has 2/);
  });

  it('rejects duplicate indices and impossible fractions', () => {
    expect(() => splitBySignal([...signals(3), { index: 0, label: 'ball' }], opts)).toThrow(/index 0 appears more than once/);
    expect(() => splitBySignal(signals(3), { ...opts, validationFraction: 0.5, testFraction: 0.5 })).toThrow(/sum to < 1/);
  });
});

// ---------------------------------------------------------------------------------------------
// Splits for real recordings: by time range of each recording, and by condition.

const LENGTH = 4096;
const WINDOW = 2048;
/** CWRU-like: one recording per class, each cut into `perRecording` consecutive signals. */
function recordings(perRecording: number, loads: number[] = [0]): SplitSignal[] {
  const out: SplitSignal[] = [];
  let index = 0;
  for (const loadHp of loads) {
    for (const label of CLASSES) {
      for (let k = 0; k < perRecording; k++) {
        out.push({ index: index++, label, recording: `${label}@${loadHp}`, offset: k * LENGTH, loadHp, rpm: 1797 - 22 * loadHp });
      }
    }
  }
  return out;
}

type Side = 'train' | 'validation' | 'test';
function sideOf(split: SignalSplit): Map<number, Side> {
  const m = new Map<number, Side>();
  for (const side of ['train', 'validation', 'test'] as const) for (const i of split[side]) m.set(i, side);
  return m;
}

/** The smallest distance (samples between one's end and the other's start) of two windows (hop = WINDOW / 2) of one recording on two sides. */
function minCrossSideDistance(all: readonly SplitSignal[], split: SignalSplit): number {
  const side = sideOf(split);
  let min = Infinity;
  const byRecording = new Map<string, { start: number; side: Side }[]>();
  for (const s of all) {
    const sd = side.get(s.index);
    if (sd === undefined) continue;
    const list = byRecording.get(s.recording ?? String(s.index)) ?? [];
    for (const start of windowStarts(LENGTH, { windowLength: WINDOW, windowHop: WINDOW / 2, maxWindowsPerSignal: 100 }))
      list.push({ start: (s.offset ?? 0) + start, side: sd });
    byRecording.set(s.recording ?? String(s.index), list);
  }
  for (const list of byRecording.values()) {
    for (const a of list) for (const b of list) if (a.side !== b.side) min = Math.min(min, Math.abs(a.start - b.start) - WINDOW);
  }
  return min;
}

describe('splitByTime (split: { kind: "time" })', () => {
  const timeOpts = { ...opts, gapSignals: 1 };

  it('gives each recording contiguous train, then validation, then test ranges, with a left-out signal between', () => {
    const all = recordings(29);
    const s = splitByTime(all, timeOpts);
    const side = sideOf(s);
    for (const label of CLASSES) {
      const seq = all.filter((x) => x.label === label).map((x) => side.get(x.index) ?? 'gap');
      // 29 signals, 2 left out: 27 usable → test round(27 × 0.2) = 5, validation round(27 × 0.15) = 4, train 18.
      expect(seq.join(',')).toBe([...Array(18).fill('train'), 'gap', ...Array(4).fill('validation'), 'gap', ...Array(5).fill('test')].join(','));
    }
  });

  it('never puts neighbouring windows on both sides: every cross-side pair of windows is at least a window apart', () => {
    for (const gapSignals of [1, 2, 3]) {
      const all = recordings(20);
      const s = splitByTime(all, { ...opts, gapSignals });
      // Windows never overlap across sides, and between them lie gapSignals whole signals (≥ 1 window each).
      expect(minCrossSideDistance(all, s)).toBeGreaterThanOrEqual(gapSignals * LENGTH - (LENGTH - WINDOW));
      expect(minCrossSideDistance(all, s)).toBeGreaterThanOrEqual(WINDOW);
      // Adjacent signals of one recording are never on two different sides.
      const side = sideOf(s);
      for (let i = 1; i < all.length; i++) {
        const [a, b] = [all[i - 1], all[i]];
        if (a.recording !== b.recording) continue;
        const [sa, sb] = [side.get(a.index), side.get(b.index)];
        if (sa !== undefined && sb !== undefined) expect(sa).toBe(sb);
      }
    }
  });

  it('the by-signal split of the same recordings does put neighbours on both sides (what the time split exists to avoid)', () => {
    const all = recordings(29);
    // 0: a training window ends where a test window begins, on the same bearing.
    expect(minCrossSideDistance(all, splitBySignal(all, opts))).toBe(0);
  });

  it('orders by offset, not by index or input order; the same split for any input order', () => {
    const all = recordings(12);
    const shuffledIdx = all.map((s, i) => ({ ...s, index: 1000 - i }));
    const s = splitByTime([...shuffledIdx].reverse(), timeOpts);
    expect(s).toEqual(splitByTime(shuffledIdx, timeOpts));
    const offsetOf = new Map(shuffledIdx.map((x) => [x.index, x.offset ?? 0]));
    for (const label of CLASSES) {
      const mine = (ids: number[]) => ids.filter((i) => shuffledIdx.find((x) => x.index === i)?.label === label).map((i) => offsetOf.get(i) ?? 0);
      expect(Math.max(...mine(s.train))).toBeLessThan(Math.min(...mine(s.validation)));
      expect(Math.max(...mine(s.validation))).toBeLessThan(Math.min(...mine(s.test)));
    }
  });

  it('splits signals without a recording (simulated, independent) by signal, beside the recorded ones', () => {
    const sim = signals(6).map((x) => ({ ...x, index: x.index + 10_000 }));
    const s = splitByTime([...recordings(8), ...sim], timeOpts);
    const simOnly = splitBySignal(sim, opts);
    for (const side of ['train', 'validation', 'test'] as const) expect(s[side].filter((i) => i >= 10_000)).toEqual(simOnly[side]);
  });

  it('refuses a recording too short for three parts and the gaps, naming it and the count needed', () => {
    const all = [...recordings(8), ...Array.from({ length: 4 }, (_, k) => ({ index: 500 + k, label: 'ball', recording: 'short.mat', offset: k * LENGTH }))];
    expect(() => splitByTime(all, timeOpts)).toThrow(SplitError);
    expect(() => splitByTime(all, timeOpts)).toThrow(/recording short\.mat by time: it has 4, needs at least 5/);
    expect(() => splitByTime(recordings(5), timeOpts)).not.toThrow();
  });
});

describe('splitByCondition (split: { kind: "condition" })', () => {
  const cond = { ...opts, within: 'signal' as const, gapSignals: 1 };

  it('holds out every signal at the given loads as the test set; train and validation see only the others', () => {
    const all = recordings(6, [0, 1, 2, 3]);
    const s = splitByCondition(all, { ...cond, holdOut: { loadHp: [1, 2, 3] } });
    const loadOf = new Map(all.map((x) => [x.index, x.loadHp]));
    expect(s.test).toEqual(all.filter((x) => x.loadHp !== 0).map((x) => x.index));
    expect([...s.train, ...s.validation].every((i) => loadOf.get(i) === 0)).toBe(true);
    expect(new Set([...s.train, ...s.validation, ...s.test]).size).toBe(all.length);
    // Every class is trained and validated on.
    const labelOf = new Map(all.map((x) => [x.index, x.label]));
    for (const label of CLASSES) {
      expect(s.train.some((i) => labelOf.get(i) === label)).toBe(true);
      expect(s.validation.some((i) => labelOf.get(i) === label)).toBe(true);
    }
  });

  it('holds out an rpm range; within: time keeps each remaining recording contiguous with a gap', () => {
    const all = recordings(10, [0, 2]);
    const s = splitByCondition(all, { ...cond, within: 'time', holdOut: { rpmRange: [1700, 1760] } });
    expect(s.test).toEqual(all.filter((x) => x.loadHp === 2).map((x) => x.index));
    const rest = all.filter((x) => x.loadHp === 0);
    expect(minCrossSideDistance(rest, { ...s, test: [] })).toBeGreaterThanOrEqual(WINDOW);
    expect(s.train.length + s.validation.length).toBe(rest.length - CLASSES.length);
  });

  it('refuses a hold-out that matches nothing, everything, or a class never trained on, naming it', () => {
    const all = recordings(6, [0, 1]);
    expect(() => splitByCondition(all, { ...cond, holdOut: { loadHp: [3] } })).toThrow(/split\.holdOut: no signal has a load of 3 hp/);
    expect(() => splitByCondition(all, { ...cond, holdOut: { loadHp: [0, 1] } })).toThrow(/every signal has a load of 0 or 1 hp; nothing is left/);
    const onlyAtOne = all.filter((x) => !(x.label === 'ball' && x.loadHp === 0));
    expect(() => splitByCondition(onlyAtOne, { ...cond, holdOut: { loadHp: [1] } })).toThrow(
      /class\(es\) 'ball' occur only at a load of 1 hp, never in training/,
    );
  });
});

describe('splitSignals: the request picks the split', () => {
  it('no split is the by-signal split; time and condition dispatch with their contract defaults', () => {
    const all = recordings(12, [0, 1]);
    expect(splitSignals(all, opts)).toEqual(splitBySignal(all, opts));
    expect(splitSignals(all, { ...opts, split: SplitSpecSchema.parse({ kind: 'signal' }) })).toEqual(splitBySignal(all, opts));
    expect(splitSignals(all, { ...opts, split: SplitSpecSchema.parse({ kind: 'time' }) })).toEqual(splitByTime(all, { ...opts, gapSignals: 1 }));
    const c = SplitSpecSchema.parse({ kind: 'condition', holdOut: { loadHp: [1] } });
    expect(splitSignals(all, { ...opts, split: c })).toEqual(splitByCondition(all, { ...opts, holdOut: { loadHp: [1] }, within: 'signal', gapSignals: 1 }));
  });

  it('the contract refuses a hold-out with both or neither condition, and a gap of 0, naming the field', () => {
    const issue = (v: unknown) => TrainHyperparametersSchema.safeParse({ split: v }).error?.issues[0];
    expect(issue({ kind: 'condition', holdOut: { loadHp: [1], rpmRange: [1, 2] } })).toMatchObject({
      path: ['split', 'holdOut'],
      message: 'give exactly one of loadHp and rpmRange',
    });
    expect(issue({ kind: 'condition', holdOut: {} })).toMatchObject({ path: ['split', 'holdOut'] });
    expect(issue({ kind: 'time', gapSignals: 0 })).toMatchObject({ path: ['split', 'gapSignals'] });
    expect(issue({ kind: 'random' })).toMatchObject({ path: ['split', 'kind'] });
    expect(TrainHyperparametersSchema.parse({})).not.toHaveProperty('split');
  });
});

describe("evaluations apply the experiment's own split rule (selectSplit)", () => {
  it('the test split of an experiment trained with split: time is its recordings’ last ranges, as in training', () => {
    const all = recordings(10);
    const rows = all.map(
      (s) =>
        ({
          idx: s.index,
          label: s.label,
          fileHash: s.recording,
          offsetSamples: s.offset,
          loadHp: s.loadHp,
          rpm: s.rpm,
          shaftHz: null,
          length: LENGTH,
        }) as unknown as SignalRow,
    );
    const settings = { ...opts, windowLength: WINDOW, windowHop: WINDOW, maxWindowsPerSignal: 2 };
    const test = selectSplit(rows, 'test', { ...settings, split: { kind: 'time', gapSignals: 1 } }).map((r) => r.idx);
    expect(test).toEqual(splitByTime(all, { ...opts, gapSignals: 1 }).test);
    // Without a split rule: the by-signal test split, which differs.
    expect(selectSplit(rows, 'test', settings).map((r) => r.idx)).toEqual(splitBySignal(all, opts).test);
    expect(test).not.toEqual(splitBySignal(all, opts).test);
  });
});
