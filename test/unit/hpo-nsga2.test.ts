/** NSGA-II and its multi-objective bookkeeping: front invariants, elitism, progress over random search, state. */
import { describe, expect, it } from 'vitest';
import {
  Nsga2Sampler,
  Prng,
  RandomSampler,
  SamplerOptionsError,
  crowdingDistance,
  dominatesVec,
  isActive,
  nonDominatedSort,
  paretoTrials,
  parseSearchSpace,
  restoreSampler,
  type Direction,
} from '../../workflows/search/index.js';

const ZDT1 = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`x${i}`, { type: 'float', low: 0, high: 1 } as const]));
/** ZDT1 (Zitzler, Deb & Thiele 2000), both minimised; the true front is f2 = 1 − √f1 at g = 1. */
function zdt1(p: Record<string, string | number | boolean>): [number, number] {
  const x = Object.keys(ZDT1).map((k) => p[k] as number);
  const g = 1 + (9 * x.slice(1).reduce((a, b) => a + b, 0)) / (x.length - 1);
  return [x[0], g * (1 - Math.sqrt(x[0] / g))];
}

/** Hypervolume of 2-D minimisation points against reference `ref`. */
function hypervolume(points: readonly (readonly number[])[], ref: readonly [number, number]): number {
  const pts = points.filter((p) => p[0] < ref[0] && p[1] < ref[1]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let hv = 0;
  let bestY = ref[1];
  for (const [x, y] of pts) {
    if (y >= bestY) continue;
    hv += (ref[0] - x) * (bestY - y);
    bestY = y;
  }
  return hv;
}

function checkFronts(points: number[][], dirs: Direction[]): void {
  const fronts = nonDominatedSort(points, dirs);
  expect(fronts.flat().sort((a, b) => a - b)).toEqual(points.map((_, i) => i));
  fronts.forEach((front, k) => {
    for (const i of front) {
      // Nothing in this front or a later one dominates a member...
      for (const later of fronts.slice(k)) for (const j of later) expect(dominatesVec(points[j], points[i], dirs)).toBe(false);
      // ...and a member of a later front is dominated by someone in the front before.
      if (k > 0) expect(fronts[k - 1].some((j) => dominatesVec(points[j], points[i], dirs))).toBe(true);
    }
  });
}

describe('non-dominated sort and crowding', () => {
  it('fronts partition the points; each is non-dominated given the earlier ones (random 2- and 3-objective sets)', () => {
    const rng = Prng.fromSeed(7);
    for (const dirs of [
      ['minimize', 'minimize'],
      ['maximize', 'minimize', 'minimize'],
    ] as Direction[][]) {
      // Rounded values: ties and duplicates are part of the check.
      const points = Array.from({ length: 60 }, () => dirs.map(() => Math.round(rng.next() * 10) / 10));
      checkFronts(points, dirs);
    }
  });

  it('crowding distance: the extremes of each objective are infinite, inner points finite and positive', () => {
    const points = [
      [0, 4],
      [1, 3],
      [2, 2.5],
      [3, 1],
      [4, 0],
    ];
    const d = crowdingDistance(points, [0, 1, 2, 3, 4]);
    expect(d[0]).toBe(Infinity);
    expect(d[4]).toBe(Infinity);
    expect(d.slice(1, 4).every((v) => Number.isFinite(v) && v > 0)).toBe(true);
    // (1,3) has neighbours (0,4),(2,2.5): 2/4 + 1.5/4.
    expect(d[1]).toBeCloseTo(0.875, 12);
  });
});

describe('Nsga2Sampler', () => {
  const run = (
    s: { ask(): { trialId: number; params: Record<string, string | number | boolean> }; tell(id: number, o: { status: 'complete'; values: number[] }): void },
    n: number,
  ) => {
    for (let i = 0; i < n; i++) {
      const { trialId, params } = s.ask();
      s.tell(trialId, { status: 'complete', values: zdt1(params) });
    }
  };

  it('the Pareto front holds mutually non-dominated trials, and dominates every other complete trial', () => {
    const s = new Nsga2Sampler(ZDT1, { directions: ['minimize', 'minimize'], populationSize: 20, seed: 1 });
    run(s, 300);
    const front = s.paretoFront();
    const dirs: Direction[] = ['minimize', 'minimize'];
    expect(front.length).toBeGreaterThan(5);
    for (const a of front) for (const b of front) expect(dominatesVec(a.values ?? [], b.values ?? [], dirs)).toBe(false);
    const others = s.trials().filter((t) => !front.includes(t));
    for (const t of others) expect(front.some((f) => dominatesVec(f.values ?? [], t.values ?? [], dirs))).toBe(true);
    expect(front).toEqual(paretoTrials(s.trials(), dirs));
  });

  it('is elitist: every generation’s parents keep the whole first front of what came before (when it fits)', () => {
    const P = 16;
    const s = new Nsga2Sampler(ZDT1, { directions: ['minimize', 'minimize'], populationSize: P, seed: 2 });
    run(s, 6 * P);
    for (let g = 1; g <= 5; g++) {
      const parents = s.parents(g);
      expect(parents.length).toBeLessThanOrEqual(P);
      const before = s.trials().slice(0, g * P);
      const front = paretoTrials(before, ['minimize', 'minimize']);
      if (front.length <= P) for (const t of front) expect(parents.map((r) => r.trial.id)).toContain(t.id);
      // Ranks and crowding are those of the parent population itself.
      expect(parents.filter((r) => r.rank === 0).length).toBeGreaterThan(0);
    }
  });

  it('approaches the ZDT1 front faster than random search (hypervolume after 300 trials, 5 seeds)', () => {
    let wins = 0;
    for (let seed = 0; seed < 5; seed++) {
      const nsga = new Nsga2Sampler(ZDT1, { directions: ['minimize', 'minimize'], populationSize: 30, seed });
      run(nsga, 300);
      const random = new RandomSampler(ZDT1, { seed });
      const randomPoints: number[][] = [];
      for (let i = 0; i < 300; i++) randomPoints.push(zdt1(random.ask().params));
      const hvN = hypervolume(
        nsga.paretoFront().map((t) => t.values ?? []),
        [1.1, 11],
      );
      if (hvN > hypervolume(randomPoints, [1.1, 11])) wins++;
    }
    expect(wins).toBe(5);
  });

  it('mixed directions: maximising accuracy while minimising latency', () => {
    const space = { width: { type: 'int', low: 1, high: 64 } } as const;
    const s = new Nsga2Sampler(space, { directions: ['maximize', 'minimize'], populationSize: 8, seed: 3 });
    for (let i = 0; i < 40; i++) {
      const { trialId, params } = s.ask();
      s.tell(trialId, { status: 'complete', values: [1 - 1 / params.width, params.width * 0.1] }); // both grow with width: every width is on the front
    }
    const front = s.paretoFront();
    expect(new Set(front.map((t) => t.params.width)).size).toBe(new Set(s.trials().map((t) => t.params.width)).size);
  });

  it('conditional parameters appear exactly when active', () => {
    const space = {
      opt: { type: 'categorical', choices: ['adam', 'sgd'] },
      momentum: { type: 'float', low: 0, high: 1, when: { param: 'opt', in: ['sgd'] } },
      lr: { type: 'float', low: 1e-4, high: 1, log: true },
    } as const;
    const parsed = parseSearchSpace(space);
    const s = new Nsga2Sampler(space, { directions: ['minimize', 'minimize'], populationSize: 6, seed: 4 });
    for (let i = 0; i < 40; i++) {
      const { trialId, params } = s.ask();
      for (const name of Object.keys(parsed)) expect(name in params).toBe(isActive(parsed, name, params));
      s.tell(trialId, { status: 'complete', values: [params.lr, params.momentum ?? 0.5] });
    }
  });

  it('tell checks the number of values; non-finite values record a failure', () => {
    const s = new Nsga2Sampler(ZDT1, { directions: ['minimize', 'minimize'] });
    const a = s.ask();
    expect(() => s.tell(a.trialId, { status: 'complete', value: 1 })).toThrow('needs 2 values (one per objective), got 1');
    s.tell(a.trialId, { status: 'complete', values: [1, Number.NaN] });
    expect(s.trials()[a.trialId].status).toBe('failed');
    expect(s.best()).toBeUndefined();
    expect(() => new Nsga2Sampler(ZDT1, { directions: ['minimize'] } as never)).toThrow(SamplerOptionsError);
    expect(() => new Nsga2Sampler(ZDT1, { directions: ['minimize', 'min'] } as never)).toThrow("directions.1: expected 'minimize' | 'maximize', got 'min'");
  });

  it('state round-trips through JSON mid-generation (pending trials included): identical future asks', () => {
    const s = new Nsga2Sampler(ZDT1, { directions: ['minimize', 'minimize'], populationSize: 10, seed: 5 });
    run(s, 25);
    const pending = s.ask();
    const restored = restoreSampler(JSON.parse(JSON.stringify(s.state())));
    expect(restored.kind).toBe('nsga2');
    for (const x of [s, restored]) x.tell(pending.trialId, { status: 'complete', values: zdt1(pending.params) });
    run(s, 10);
    run(restored, 10);
    expect(restored.trials()).toEqual(s.trials());
  });
});
