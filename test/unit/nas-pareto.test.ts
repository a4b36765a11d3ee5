import { describe, expect, it } from 'vitest';
import { bestByScalarization, dominates, paretoFront, scalarize, type ObjectivePoint } from '../../workflows/search/index.js';

const p = (id: number, accuracy: number, params: number, latencyMs: number): ObjectivePoint => ({ id, accuracy, params, latencyMs });

describe('paretoFront', () => {
  it('keeps exactly the non-dominated points, sorted by accuracy', () => {
    const pts = [
      p(0, 0.9, 10_000, 2), // front: best accuracy
      p(1, 0.8, 5_000, 2), // front: smaller
      p(2, 0.8, 6_000, 2), // dominated by 1
      p(3, 0.7, 5_000, 1), // front: fastest
      p(4, 0.6, 5_000, 1), // dominated by 3
      p(5, 0.9, 10_000, 3), // dominated by 0 (slower, else equal)
      p(6, 0.5, 1_000, 5), // front: smallest
    ];
    expect(paretoFront(pts).map((x) => x.id)).toEqual([0, 1, 3, 6]);
    expect(dominates(pts[1], pts[2])).toBe(true);
    expect(dominates(pts[2], pts[1])).toBe(false);
    expect(dominates(pts[0], pts[0])).toBe(false);
  });

  it('2-objective fronts: accuracy vs params, accuracy vs latency', () => {
    const pts = [p(0, 0.9, 10_000, 2), p(1, 0.8, 5_000, 9), p(2, 0.85, 20_000, 1), p(3, 0.7, 4_000, 1)];
    expect(paretoFront(pts, ['accuracy', 'params']).map((x) => x.id)).toEqual([0, 1, 3]);
    expect(paretoFront(pts, ['accuracy', 'latencyMs']).map((x) => x.id)).toEqual([0, 2]);
  });

  it('keeps ties, ignores non-finite points, handles empty input', () => {
    const pts = [p(0, 0.8, 100, 1), p(1, 0.8, 100, 1), p(2, Number.NaN, 1, 0.1)];
    expect(paretoFront(pts).map((x) => x.id)).toEqual([0, 1]);
    expect(paretoFront([])).toEqual([]);
    expect(paretoFront([p(7, 0.1, 1e9, 1e3)]).map((x) => x.id)).toEqual([7]);
  });

  it('no front member is dominated, every other point is (random points)', () => {
    let s = 1;
    const r = (): number => (s = (s * 16807) % 2147483647) / 2147483647;
    const pts = Array.from({ length: 200 }, (_, i) => p(i, Math.round(r() * 20) / 20, Math.round(r() * 10) * 1000, Math.round(r() * 5)));
    const front = paretoFront(pts);
    const ids = new Set(front.map((x) => x.id));
    for (const a of pts) expect(pts.some((b) => dominates(b, a))).toBe(!ids.has(a.id));
  });
});

describe('scalarize', () => {
  it('is the accuracy by default, and a weighted product otherwise', () => {
    const a = p(0, 0.9, 200_000, 4);
    expect(scalarize(a)).toBe(0.9);
    expect(scalarize(a, { targetParams: 100_000, paramsExponent: -0.07 })).toBeCloseTo(0.9 * 2 ** -0.07, 12);
    expect(scalarize(a, { targetLatencyMs: 2, latencyExponent: -0.5 })).toBeCloseTo(0.9 / Math.SQRT2, 12);
    expect(() => scalarize(a, { paramsExponent: 0.1 })).toThrow();
  });

  it('bestByScalarization trades accuracy for size as declared', () => {
    const big = p(0, 0.92, 400_000, 1);
    const small = p(1, 0.9, 25_000, 1);
    expect(bestByScalarization([big, small])?.id).toBe(0);
    expect(bestByScalarization([big, small], { targetParams: 100_000, paramsExponent: -0.07 })?.id).toBe(1);
    expect(bestByScalarization([])).toBeUndefined();
    expect(bestByScalarization([p(0, 0.5, 1, 1), p(1, 0.5, 1, 1)])?.id).toBe(0);
  });
});
