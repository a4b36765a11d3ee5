import { describe, expect, it } from 'vitest';
import { splitBySignal, SplitError } from '../../ml/data/split.js';

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
