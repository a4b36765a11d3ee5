import { describe, expect, it } from 'vitest';
import {
  AgingEvolution,
  BLOCK_GENES,
  genomeHash,
  RandomNasStrategy,
  restoreNasStrategy,
  type Genome,
  type GenomeLimits,
  type NasStrategy,
  type NasSuggestion,
} from '../../workflows/search/index.js';

const LIMITS: GenomeLimits = { inputLength: 2048, numClasses: 4, maxParams: 300_000 };

/** A deterministic stand-in for validation accuracy: prefers ~20k params, 4 blocks, batch norm. */
function fakeAccuracy(g: Genome): number {
  let params = 0;
  for (const b of g.blocks) params += b.filters * b.kernelSize;
  const size = Math.exp(-((Math.log(params + 1) - Math.log(20_000)) ** 2) / 4);
  const depth = 1 - Math.abs(g.blocks.length - 4) / 8;
  const bn = g.blocks.filter((b) => b.batchNorm).length / g.blocks.length;
  return Math.round((0.5 * size + 0.3 * depth + 0.2 * bn) * 1e6) / 1e6;
}

/** Sequential ask/tell; returns every suggestion. */
function run(s: NasStrategy, n: number, onAsk?: (x: NasSuggestion) => void): NasSuggestion[] {
  const out: NasSuggestion[] = [];
  for (let i = 0; i < n; i++) {
    const x = s.ask();
    onAsk?.(x);
    out.push(x);
    if (x.rejected === undefined && x.duplicateOf === undefined) s.tell(x.candidateId, { status: 'complete', value: fakeAccuracy(x.genome) });
  }
  return out;
}

const evo = (seed: number, P = 10, S = 3): AgingEvolution => new AgingEvolution({ seed, limits: LIMITS, populationSize: P, sampleSize: S });

describe('aging evolution', () => {
  it('starts with P random genomes, then mutates tournament winners', () => {
    const s = evo(1);
    const xs = run(s, 40);
    expect(xs.slice(0, 10).every((x) => x.origin === 'random')).toBe(true);
    expect(xs.slice(10).every((x) => x.origin === 'mutation')).toBe(true);
  });

  it('population size stays P, the oldest member is removed, the child joins', () => {
    const P = 8;
    const s = evo(2, P, 3);
    for (let i = 0; i < 120; i++) {
      const before = [...s.population()];
      const x = s.ask();
      const joinedAtAsk = s.candidates()[x.candidateId].status === 'complete'; // a duplicate of a known result
      if (x.rejected === undefined && x.duplicateOf === undefined) s.tell(x.candidateId, { status: 'complete', value: fakeAccuracy(x.genome) });
      const after = [...s.population()];
      if (x.rejected !== undefined || (x.duplicateOf !== undefined && !joinedAtAsk)) {
        expect(after).toEqual(before);
        continue;
      }
      expect(after.at(-1)).toBe(x.candidateId);
      if (before.length < P) expect(after).toEqual([...before, x.candidateId]);
      else expect(after).toEqual([...before.slice(1), x.candidateId]); // the OLDEST goes, whatever its accuracy
      expect(after.length).toBe(Math.min(P, before.length + 1));
      // Members keep their genome (the next parents); everyone else is compacted away.
      for (const c of s.candidates()) expect(c.genome !== undefined).toBe(after.includes(c.id) || c.status === 'pending');
    }
    expect(s.population()).toHaveLength(P);
  });

  it('the parent is the best of its tournament sample of S distinct members; the child is one mutation of it', () => {
    const P = 12;
    const S = 4;
    const s = evo(3, P, S);
    const genomes = new Map<number, Genome>();
    let checked = 0;
    for (let i = 0; i < 150; i++) {
      const pop = [...s.population()];
      const x = s.ask();
      genomes.set(x.candidateId, x.genome);
      if (x.origin === 'mutation') {
        checked++;
        const sample = x.sample as number[];
        expect(sample).toHaveLength(Math.min(S, pop.length));
        expect(new Set(sample).size).toBe(sample.length);
        for (const id of sample) expect(pop).toContain(id);
        const values = sample.map((id) => s.candidates()[id].value as number);
        expect(s.candidates()[x.parentId as number].value).toBe(Math.max(...values));
        expect(sample).toContain(x.parentId);
        if (x.rejected === undefined) {
          const parent = genomes.get(x.parentId as number) as Genome;
          expect(genomeHash(x.genome)).not.toBe(genomeHash(parent));
          expect(x.mutation).toMatch(/^(blocks\[\d+\]\.(\w+): .+ -> .+|add blocks\[\d+\]|remove blocks\[\d+\]|head: .+|denseUnits: .+|dropout: .+)$/);
          const m = /^blocks\[\d+\]\.(\w+):/.exec(x.mutation as string);
          if (m) expect(BLOCK_GENES).toContain(m[1]);
        }
      }
      if (x.rejected === undefined && x.duplicateOf === undefined) s.tell(x.candidateId, { status: 'complete', value: fakeAccuracy(x.genome) });
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('with S = P the tournament always picks the population best (ties: lowest id)', () => {
    const s = evo(4, 6, 6);
    run(s, 6);
    for (let i = 0; i < 30; i++) {
      const pop = s.population();
      let best = pop[0];
      for (const id of pop) {
        const v = s.candidates()[id].value as number;
        const b = s.candidates()[best].value as number;
        if (v > b || (v === b && id < best)) best = id;
      }
      const x = s.ask();
      expect(x.parentId).toBe(best);
      if (x.rejected === undefined && x.duplicateOf === undefined) s.tell(x.candidateId, { status: 'complete', value: fakeAccuracy(x.genome) });
    }
  });

  it('improves on its initial population on the stand-in objective', () => {
    const s = evo(5, 20, 5);
    const xs = run(s, 200);
    const initialBest = Math.max(...xs.slice(0, 20).map((x) => fakeAccuracy(x.genome)));
    expect(s.best()?.value).toBeGreaterThan(initialBest);
  });

  it('is deterministic per seed', () => {
    const a = run(evo(7), 60);
    const b = run(evo(7), 60);
    const c = run(evo(8), 60);
    expect(b).toEqual(a);
    expect(c.map((x) => x.hash)).not.toEqual(a.map((x) => x.hash));
  });

  it('JSON state round trip (with candidates in flight) gives identical future asks', () => {
    const a = evo(9, 10, 3);
    run(a, 25);
    const inFlight = [a.ask(), a.ask(), a.ask()];
    const b = restoreNasStrategy(JSON.parse(JSON.stringify(a.state())));
    expect(b.kind).toBe('aging-evolution');
    expect(b.state()).toEqual(a.state());
    for (const s of [a, b])
      for (const x of inFlight)
        if (x.rejected === undefined && x.duplicateOf === undefined) s.tell(x.candidateId, { status: 'complete', value: fakeAccuracy(x.genome) });
    expect(run(b, 40)).toEqual(run(a, 40));
    expect(b.state()).toEqual(a.state());
  });

  it('failed and rejected candidates never join the population; tell is idempotent', () => {
    const s = evo(10, 4, 2);
    const xs = [s.ask(), s.ask(), s.ask(), s.ask(), s.ask()];
    expect(xs.every((x) => x.origin === 'random')).toBe(true);
    s.tell(xs[0].candidateId, { status: 'failed' });
    s.tell(xs[1].candidateId, { status: 'rejected', reason: 'latency: 12 ms over the 5 ms cap' });
    s.tell(xs[1].candidateId, { status: 'rejected', reason: 'latency: 12 ms over the 5 ms cap' });
    expect(() => s.tell(xs[1].candidateId, { status: 'complete', value: 0.9 })).toThrow(/already rejected/);
    expect(() => s.tell(99, { status: 'failed' })).toThrow(RangeError);
    expect(() => s.tell(xs[2].candidateId, { status: 'complete', value: Number.NaN })).toThrow(RangeError);
    s.tell(xs[2].candidateId, { status: 'complete', value: 0.5 });
    s.tell(xs[2].candidateId, { status: 'complete', value: 0.5 });
    expect(s.population()).toEqual([xs[2].candidateId]);
    expect(s.candidates()[xs[1].candidateId]).toMatchObject({ status: 'rejected', reason: 'latency: 12 ms over the 5 ms cap' });
    expect(s.candidates()[xs[0].candidateId].genome).toBeUndefined();
    // Two of the first four failed: live initial candidates < P, so asks stay random.
    expect(s.ask().origin).toBe('random');
  });

  it('reports duplicates and copies the earlier outcome instead of training twice', () => {
    // A tiny space: 2 x 2 genomes, so duplicates are certain.
    const s = new AgingEvolution({
      seed: 11,
      limits: LIMITS,
      populationSize: 3,
      sampleSize: 2,
      space: {
        minBlocks: 2,
        maxBlocks: 2,
        filters: [8, 16],
        kernelSize: [3],
        stride: [1],
        dilation: [1],
        pool: ['max'],
        poolSize: [2],
        batchNorm: [false],
        residual: [false],
        head: ['global-avg', 'global-max'],
        denseUnits: [0],
        dropout: [0],
      },
    });
    const first = new Map<string, number>();
    let pendingDup: NasSuggestion | undefined;
    for (let i = 0; i < 40; i++) {
      const x = s.ask();
      const orig = first.get(x.hash);
      if (x.rejected !== undefined) continue;
      if (orig === undefined) {
        first.set(x.hash, x.candidateId);
        expect(x.duplicateOf).toBeUndefined();
        // Leave the very first candidate pending for a while to see the outcome propagate.
        if (i === 0) continue;
        s.tell(x.candidateId, { status: 'complete', value: fakeAccuracy(x.genome) });
      } else {
        expect(x.duplicateOf).toBe(orig);
        const o = s.candidates()[orig];
        if (o.status === 'complete') expect(s.candidates()[x.candidateId]).toMatchObject({ status: 'complete', value: o.value });
        else pendingDup ??= x;
      }
      if (i === 30) s.tell(first.get([...first.keys()][0]) as number, { status: 'complete', value: 0.123 });
    }
    expect(pendingDup).toBeDefined();
    expect(s.candidates()[(pendingDup as NasSuggestion).candidateId]).toMatchObject({ status: 'complete', value: 0.123 });
    expect(s.candidates().filter((c) => c.duplicateOf !== undefined).length).toBeGreaterThan(20);
  });
});

describe('random NAS strategy', () => {
  it('draws valid random genomes, deterministically, and restores from JSON', () => {
    const a = new RandomNasStrategy({ seed: 1, limits: LIMITS });
    const xs = run(a, 30);
    expect(xs.every((x) => x.origin === 'random' && x.rejected === undefined)).toBe(true);
    expect(a.population()).toEqual([]);
    expect(run(new RandomNasStrategy({ seed: 1, limits: LIMITS }), 30)).toEqual(xs);
    const b = restoreNasStrategy(JSON.parse(JSON.stringify(a.state())));
    expect(b.kind).toBe('random');
    expect(run(b, 20)).toEqual(run(a, 20));
    // Complete candidates keep no genome: the state stays small.
    expect(a.candidates().every((c) => c.genome === undefined)).toBe(true);
    expect(a.best()?.value).toBe(Math.max(...a.candidates().map((c) => c.value ?? -1)));
  });

  it('records a rejection when the limits admit no genome', () => {
    const s = new RandomNasStrategy({ seed: 2, limits: { ...LIMITS, maxParams: 10 }, maxSampleAttempts: 5 });
    const x = s.ask();
    expect(x.rejected).toMatch(/^no valid genome in 5 random draws; last: (params|blocks\[\d+\]\.(poolSize|stride)): /);
    expect(s.candidates()[0]).toMatchObject({ status: 'rejected', reason: x.rejected });
  });

  it('rejects malformed state', () => {
    const st = new RandomNasStrategy({ seed: 3, limits: LIMITS }).state();
    expect(() => restoreNasStrategy({ ...st, kind: 'grid' })).toThrow();
    expect(() => restoreNasStrategy({ ...st, candidates: [{ id: 1, hash: 'x', status: 'pending', origin: 'random' }] })).toThrow();
  });
});
