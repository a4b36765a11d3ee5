import { describe, expect, it } from 'vitest';
import { BaselineOptionsSchema, FeatureAnalysisIdSchema } from '../../contracts/index.js';
import { splitSignals } from '../../ml/data/split.js';
import { runBaseline } from '../../ml/features/analysis/baseline.js';
import type { Table } from '../../ml/features/analysis/index.js';
import { Rng } from '../../ml/random.js';

/**
 * 3 classes × 20 signals × 4 windows; column 0 carries the class, column 1 is noise except on the
 * test signals, where it carries the class perfectly (a leak only a forest fitted on test rows could use).
 */
function table(testSignals: ReadonlySet<number>): { t: Table; signalOfRow: Int32Array } {
  const rng = new Rng(5);
  const rows = 60 * 4;
  const columns = 4;
  const x = new Float32Array(rows * columns);
  const y = new Int32Array(rows);
  const signalOfRow = new Int32Array(rows);
  let r = 0;
  for (let s = 0; s < 60; s++) {
    for (let w = 0; w < 4; w++, r++) {
      const c = s % 3;
      y[r] = c;
      signalOfRow[r] = s;
      x[r * columns] = 2 * c + rng.normal(0, 0.3);
      x[r * columns + 1] = testSignals.has(s) ? 10 * c : rng.normal(0, 1);
      x[r * columns + 2] = rng.normal(0, 1);
      x[r * columns + 3] = rng.normal(0, 1);
    }
  }
  return { t: { x, rows, columns, y, classes: 3 }, signalOfRow };
}

const signals = Array.from({ length: 60 }, (_, i) => ({ index: i, label: ['a', 'b', 'c'][i % 3] }));
const split = splitSignals(signals, { validationFraction: 0.15, testFraction: 0.2, seed: 1 });

describe('runBaseline', () => {
  it('fits on the training signals’ rows, scores the test signals’ rows; counts, confusion and accuracy agree', () => {
    const { t, signalOfRow } = table(new Set(split.test));
    const r = runBaseline(t, signalOfRow, ['a', 'b', 'c'], split, { forest: { trees: 20, seed: 1 }, columns: [0, 2, 3] });
    expect(r.signals).toEqual({ train: split.train.length, validation: split.validation.length, test: split.test.length });
    expect(r.rows.test).toBe(split.test.length * 4);
    expect(r.test.confusion.flat().reduce((a, b) => a + b, 0)).toBe(r.rows.test);
    expect(r.test.accuracy).toBeGreaterThan(0.9);
    expect(r.columns).toEqual([0, 2, 3]);
  });

  it('mRMR chooses on the training rows only: the feature that carries the class only on test signals is not taken', () => {
    const { t, signalOfRow } = table(new Set(split.test));
    const r = runBaseline(t, signalOfRow, ['a', 'b', 'c'], split, { forest: { trees: 10 }, columns: null, mrmrK: 1 });
    expect(r.columns).toEqual([0]);
  });

  it('rows of signals in no part (a time split’s gaps) are left out; a part with no rows is refused by name', () => {
    const { t, signalOfRow } = table(new Set());
    const partial = { train: split.train.slice(0, 30), validation: split.validation, test: split.test };
    const r = runBaseline(t, signalOfRow, ['a', 'b', 'c'], partial, { forest: { trees: 5 }, columns: null });
    expect(r.rows.train).toBe(120);
    expect(() => runBaseline(t, signalOfRow, ['a', 'b', 'c'], { ...split, test: [999] }, { forest: { trees: 5 }, columns: null })).toThrow(
      /the test signals of the split have no rows in the feature set/,
    );
  });
});

describe('BaselineOptionsSchema', () => {
  it('takes one source of features and refuses split settings beside an experiment, naming the field', () => {
    expect(BaselineOptionsSchema.parse({ experimentId: 'exp-1', mrmrK: 5 })).toEqual({ experimentId: 'exp-1', mrmrK: 5 });
    const both = BaselineOptionsSchema.safeParse({ features: ['rms'], mrmrK: 3 });
    expect(both.success).toBe(false);
    expect(both.error?.issues[0]).toMatchObject({ path: ['mrmrK'], message: expect.stringContaining('at most one of selectionId, features and mrmrK') });
    const split = BaselineOptionsSchema.safeParse({ experimentId: 'exp-1', split: { kind: 'time' } });
    expect(split.error?.issues[0]).toMatchObject({ path: ['split'], message: expect.stringContaining('do not give split with experimentId') });
    expect(BaselineOptionsSchema.safeParse({ selectionId: 'importance-0123456789ab' }).success).toBe(false);
    expect(FeatureAnalysisIdSchema.safeParse('baseline-0123456789ab').success).toBe(true);
  });
});
