import { describe, expect, it } from 'vitest';
import {
  accuracy,
  correlation,
  correlationFilter,
  crossValidatedAccuracy,
  featureImportance,
  fitForest,
  mrmr,
  predict,
  type Table,
} from '../../ml/features/analysis/index.js';
import { Rng } from '../../ml/random.js';

/**
 * 3 classes × 20 signals × 5 windows. Column 0 carries the class (its mean moves with it),
 * column 1 is an exact copy of column 0, column 2 a weaker informative one, the rest noise.
 */
function planted(columns = 8, seed = 3, copy = true): { t: Table; groups: Int32Array; names: string[] } {
  const rng = new Rng(seed);
  const rows = 3 * 20 * 5;
  const x = new Float32Array(rows * columns);
  const y = new Int32Array(rows);
  const groups = new Int32Array(rows);
  let r = 0;
  for (let s = 0; s < 60; s++) {
    const c = s % 3;
    for (let w = 0; w < 5; w++, r++) {
      y[r] = c;
      groups[r] = s;
      const informative = 2 * c + rng.normal(0, 0.3);
      x[r * columns] = informative;
      x[r * columns + 1] = copy ? informative : rng.normal(0, 1);
      x[r * columns + 2] = 0.5 * c + rng.normal(0, 1);
      for (let j = 3; j < columns; j++) x[r * columns + j] = rng.normal(0, 1);
    }
  }
  return {
    t: { x, rows, columns, y, classes: 3 },
    groups,
    names: ['signal', copy ? 'copy' : 'noise-b', 'weak', ...Array.from({ length: columns - 3 }, (_, j) => `noise${j}`)],
  };
}

describe('random forest', () => {
  it('learns a separable problem and is reproducible from its seed', () => {
    const { t } = planted();
    const a = fitForest(t, { trees: 20, seed: 1 });
    expect(accuracy(predict(a, t.x, t.rows), t.y)).toBeGreaterThan(0.97);
    const b = fitForest(t, { trees: 20, seed: 1 });
    expect(Array.from(b.importance)).toEqual(Array.from(a.importance));
    expect(a.importance.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 9);
  });

  it('refuses a table whose shape does not add up, or with a non-finite value, naming it', () => {
    const { t } = planted();
    expect(() => fitForest({ ...t, rows: t.rows + 1 })).toThrow(/values for 301 rows/);
    const x = Float32Array.from(t.x);
    x[5 * t.columns + 3] = NaN;
    expect(() => fitForest({ ...t, x })).toThrow(/x\[5\]\[3\] is NaN/);
  });
});

describe('importance', () => {
  it('ranks the planted informative feature first by every measure; the weak one next by MI and ANOVA F', () => {
    const { t, groups, names } = planted(8, 3, false);
    for (const rankBy of ['permutation', 'impurity', 'mutual-information', 'anova-f'] as const) {
      const table = featureImportance(t, groups, names, { forest: { trees: 30 }, repeats: 3, testFraction: 0.25, bins: 8, seed: 2, rankBy });
      expect(table.rows[0].feature, rankBy).toBe('signal');
      if (rankBy === 'mutual-information' || rankBy === 'anova-f') expect(table.rows[1].feature, rankBy).toBe('weak');
      expect(table.rows[0].permutation).toBeGreaterThan(0.3);
      expect(table.rows[0].permutationSd).toBeGreaterThanOrEqual(0);
      expect(table.heldOutAccuracy).toBeGreaterThan(0.9);
      // Whole signals on one side: 60 signals, a quarter held out.
      expect(table.testRows).toBe(15 * 5);
    }
  });
});

describe('selection', () => {
  it('mRMR takes the informative feature and drops its duplicate', () => {
    const { t } = planted();
    const chosen = mrmr(t, 3, 8);
    expect(chosen.filter((j) => j === 0 || j === 1)).toHaveLength(1);
    expect(chosen).toContain(2);
  });

  it('the correlation filter keeps one of two identical columns', () => {
    const { t } = planted();
    expect(correlationFilter(t, [0, 1, 2, 3, 4, 5, 6, 7], 0.95)).toEqual([0, 2, 3, 4, 5, 6, 7]);
  });

  it('cross-validated accuracy on the informative feature matches all features, and beats noise alone', () => {
    const { t, groups } = planted();
    const selected = crossValidatedAccuracy(t, groups, [0], 5, { trees: 20 }, 1);
    const all = crossValidatedAccuracy(t, groups, [0, 1, 2, 3, 4, 5, 6, 7], 5, { trees: 20 }, 1);
    const noise = crossValidatedAccuracy(t, groups, [3, 4, 5], 5, { trees: 20 }, 1);
    expect(selected.folds).toHaveLength(5);
    expect(selected.mean).toBeGreaterThan(0.95);
    expect(all.mean).toBeGreaterThan(0.9);
    expect(noise.mean).toBeLessThan(0.6);
  });
});

describe('correlation', () => {
  it('Pearson and Spearman matrices, the pairs over a threshold, and a clustering order that puts a copy next to its original', () => {
    const { t } = planted();
    const c = correlation(t, 0.9);
    expect(c.pearson[0 * 8 + 1]).toBeCloseTo(1, 6);
    expect(c.spearman[1 * 8 + 0]).toBeCloseTo(1, 6);
    expect(c.pairs[0]).toMatchObject({ a: 0, b: 1 });
    expect(c.pairs).toHaveLength(1);
    expect([...c.order].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(Math.abs(c.order.indexOf(0) - c.order.indexOf(1))).toBe(1);
  });
});
