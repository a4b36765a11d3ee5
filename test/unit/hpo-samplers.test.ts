import { describe, expect, it } from 'vitest';
import {
  BRANIN,
  GridSampler,
  HARTMANN6,
  RandomSampler,
  SearchExhaustedError,
  TpeSampler,
  type Sampler,
  type SearchSpaceInput,
  type TestFunction,
} from '../../workflows/search/index.js';

function run(sampler: Sampler, f: TestFunction, trials: number): number {
  for (let i = 0; i < trials; i++) {
    const { trialId, params } = sampler.ask();
    sampler.tell(trialId, { status: 'complete', value: f.evaluate(params) });
  }
  return sampler.best()?.value ?? Infinity;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

describe('determinism', () => {
  it.each([
    ['random', (seed: number) => new RandomSampler(BRANIN.space, { seed })],
    ['tpe', (seed: number) => new TpeSampler(BRANIN.space, { seed })],
  ])('%s: same seed, same trials; another seed, other trials', (_n, make) => {
    const a = make(1);
    const b = make(1);
    const c = make(2);
    run(a, BRANIN, 30);
    run(b, BRANIN, 30);
    run(c, BRANIN, 30);
    expect(b.trials()).toEqual(a.trials());
    expect(c.trials()[0].params).not.toEqual(a.trials()[0].params);
  });
});

describe('GridSampler', () => {
  const space: SearchSpaceInput = {
    optimizer: { type: 'categorical', choices: ['adam', 'sgd'] },
    momentum: { type: 'float', low: 0.5, high: 0.9, grid: 3, when: { param: 'optimizer', in: ['sgd'] } },
    layers: { type: 'int', low: 1, high: 5, step: 2 },
  };

  it('covers the grid exactly once, in a deterministic order, then reports exhaustion', () => {
    const g = new GridSampler(space);
    // adam: 3 layer values; sgd: 3 momenta × 3 layer values.
    expect(g.size).toBe(3 + 9);
    const seen = new Set<string>();
    while (!g.isExhausted()) seen.add(JSON.stringify(g.ask().params));
    expect(seen.size).toBe(12);
    expect([...seen][0]).toBe('{"optimizer":"adam","layers":1}');
    expect([...seen]).toContain('{"optimizer":"sgd","momentum":0.7,"layers":3}');
    expect(() => g.ask()).toThrow(SearchExhaustedError);
    const again = new GridSampler(space);
    expect(Array.from({ length: 12 }, () => JSON.stringify(again.ask().params))).toEqual([...seen]);
  });
});

describe('TpeSampler', () => {
  it('constant liar: k parallel asks (all pending) are distinct and differ from told points', () => {
    const space: SearchSpaceInput = {
      x: { type: 'int', low: 0, high: 20 },
      c: { type: 'categorical', choices: ['a', 'b', 'c', 'd'] },
    };
    const s = new TpeSampler(space, { seed: 4, nStartupTrials: 8 });
    for (let i = 0; i < 30; i++) {
      const { trialId, params } = s.ask();
      s.tell(trialId, { status: 'complete', value: Math.abs((params.x as number) - 7) + (params.c === 'b' ? 0 : 3) });
    }
    const batch = Array.from({ length: 6 }, () => JSON.stringify(s.ask().params));
    expect(new Set(batch).size).toBe(batch.length);
  });

  it('without the liar, the same parallel asks collapse onto few points', () => {
    // The contrast that shows the liar is what spreads the batch (same data, liar off).
    const space: SearchSpaceInput = { x: { type: 'int', low: 0, high: 20 } };
    const batchOf = (constantLiar: boolean): number => {
      const s = new TpeSampler(space, { seed: 4, nStartupTrials: 8, constantLiar });
      for (let i = 0; i < 30; i++) {
        const { trialId, params } = s.ask();
        s.tell(trialId, { status: 'complete', value: Math.abs((params.x as number) - 7) });
      }
      return new Set(Array.from({ length: 6 }, () => s.ask().params.x)).size;
    };
    expect(batchOf(true)).toBeGreaterThan(batchOf(false));
  });

  it('maximize ranks the other way round', () => {
    const s = new TpeSampler({ x: { type: 'float', low: 0, high: 1 } }, { seed: 2, direction: 'maximize', nStartupTrials: 5 });
    for (let i = 0; i < 40; i++) {
      const { trialId, params } = s.ask();
      s.tell(trialId, { status: 'complete', value: params.x as number });
    }
    expect(s.best()?.value).toBeGreaterThan(0.97);
    const late = s
      .trials()
      .slice(20)
      .map((t) => t.params.x as number);
    expect(median(late)).toBeGreaterThan(0.7);
  });

  it('ignores failed trials and treats pruned ones as bad', () => {
    const s = new TpeSampler({ x: { type: 'float', low: 0, high: 1 } }, { seed: 3, nStartupTrials: 2 });
    const a = s.ask();
    s.tell(a.trialId, { status: 'failed' });
    s.tell(a.trialId, { status: 'failed' }); // a retried tell is a no-op
    expect(() => s.tell(a.trialId, { status: 'complete', value: 1 })).toThrow('already failed');
    const b = s.ask();
    s.tell(b.trialId, { status: 'pruned', value: 5 });
    expect(s.best()).toBeUndefined();
    expect(() => s.tell(99, { status: 'failed' })).toThrow('unknown trial 99');
  });
});

describe('TPE beats random search (20 seeds, 60 trials, median best)', () => {
  it.each([
    { f: BRANIN, multivariate: true },
    { f: HARTMANN6, multivariate: true },
    { f: HARTMANN6, multivariate: false },
  ])('$f.name (multivariate: $multivariate)', ({ f, multivariate }) => {
    const seeds = Array.from({ length: 20 }, (_, i) => i);
    const tpe = median(seeds.map((seed) => run(new TpeSampler(f.space, { seed, multivariate }), f, 60)));
    const random = median(seeds.map((seed) => run(new RandomSampler(f.space, { seed }), f, 60)));
    expect(tpe).toBeLessThan(random);
    expect(tpe).toBeGreaterThanOrEqual(f.optimum - 1e-9);
  });
});
