import { describe, expect, it } from 'vitest';
import {
  BLOCK_GENES,
  canonicalGenome,
  checkGenome,
  DEFAULT_NAS_SPACE,
  describeMutation,
  genomeHash,
  mutate,
  parseNasSpace,
  Prng,
  randomGenome,
  sampleGenome,
  type Genome,
  type GenomeLimits,
  type Mutation,
} from '../../workflows/search/index.js';

const LIMITS: GenomeLimits = { inputLength: 2048, numClasses: 4, maxParams: 500_000 };

/** How `child` differs from `parent`: the changed gene paths, or the inserted/removed block index. */
function diffGenomes(parent: Genome, child: Genome): Mutation[] {
  const out: Mutation[] = [];
  const pb = parent.blocks;
  const cb = child.blocks;
  const same = (a: object, b: object): boolean => JSON.stringify(a) === JSON.stringify(b);
  const headSame = parent.head === child.head && parent.denseUnits === child.denseUnits && parent.dropout === child.dropout;
  if (cb.length === pb.length + 1) {
    for (let i = 0; i < cb.length; i++) if (headSame && same([...cb.slice(0, i), ...cb.slice(i + 1)], pb)) return [{ kind: 'add-block', index: i }];
    return [{ kind: 'gene', path: 'unexplained', from: '', to: '' }];
  }
  if (cb.length === pb.length - 1) {
    for (let i = 0; i < pb.length; i++) if (headSame && same([...pb.slice(0, i), ...pb.slice(i + 1)], cb)) return [{ kind: 'remove-block', index: i }];
    return [{ kind: 'gene', path: 'unexplained', from: '', to: '' }];
  }
  if (cb.length !== pb.length) return [{ kind: 'gene', path: 'depth', from: pb.length, to: cb.length }];
  pb.forEach((b, i) => {
    for (const g of BLOCK_GENES) if (b[g] !== cb[i][g]) out.push({ kind: 'gene', path: `blocks[${i}].${g}`, from: b[g], to: cb[i][g] });
  });
  for (const g of ['head', 'denseUnits', 'dropout'] as const) if (parent[g] !== child[g]) out.push({ kind: 'gene', path: g, from: parent[g], to: child[g] });
  return out;
}

function validParents(seed: number, n: number): Genome[] {
  const rng = Prng.fromSeed(seed);
  const parents: Genome[] = [];
  while (parents.length < n) {
    const s = sampleGenome(rng, DEFAULT_NAS_SPACE, LIMITS);
    if (!('rejected' in s)) parents.push(s.genome);
  }
  return parents;
}

describe('mutate', () => {
  it('1,000 mutations: a valid genome differing in exactly one gene (or one block), or a recorded rejection', () => {
    const parents = validParents(1, 100);
    const rng = Prng.fromSeed(2);
    const kinds = new Map<string, number>();
    let rejected = 0;
    for (let i = 0; i < 1000; i++) {
      const parent = parents[i % parents.length];
      const before = JSON.stringify(parent);
      const r = mutate(parent, rng, DEFAULT_NAS_SPACE, LIMITS);
      expect(JSON.stringify(parent)).toBe(before); // the parent is never modified
      expect(r.genome).not.toBe(parent);
      if ('rejected' in r) {
        rejected++;
        expect(r.rejected).toMatch(/^no valid mutation in 20 attempts; last \(.+\): (blocks|params|macs)/);
        expect(checkGenome(r.genome, LIMITS).ok).toBe(false);
        continue;
      }
      expect(checkGenome(r.genome, LIMITS)).toMatchObject({ ok: true });
      expect(r.genome.blocks.length).toBeGreaterThanOrEqual(2);
      expect(r.genome.blocks.length).toBeLessThanOrEqual(8);
      expect(genomeHash(r.genome)).not.toBe(genomeHash(parent));
      const diff = diffGenomes(parent, r.genome);
      expect(diff).toEqual([r.mutation]);
      const key = r.mutation.kind === 'gene' ? r.mutation.path.replace(/^blocks\[\d+\]\./, '') : r.mutation.kind;
      kinds.set(key, (kinds.get(key) ?? 0) + 1);
    }
    // Every kind of mutation happens, and rejections stay rare with 20 re-draws.
    for (const k of [...BLOCK_GENES, 'head', 'denseUnits', 'dropout', 'add-block', 'remove-block']) expect(kinds.get(k) ?? 0).toBeGreaterThan(0);
    expect(rejected).toBeLessThan(50);
  });

  it('records a rejection when no mutation can satisfy the limits', () => {
    const parent = validParents(4, 1)[0];
    const { params } = checkGenome(parent, LIMITS) as { params: number };
    // A parameter cap no genome can meet: every attempt fails and the last reason is kept.
    const r = mutate(parent, Prng.fromSeed(5), DEFAULT_NAS_SPACE, { ...LIMITS, maxParams: 1 }, 7);
    expect('rejected' in r).toBe(true);
    if ('rejected' in r) {
      expect(r.rejected).toMatch(/^no valid mutation in 7 attempts; last \(.+\): params: .* exceed maxParams 1$/);
      expect(r.genome.blocks.length).toBeGreaterThanOrEqual(2);
    }
    expect(params).toBeGreaterThan(1);
  });

  it('respects depth bounds: no add at 8 blocks, no remove at 2', () => {
    const rng = Prng.fromSeed(9);
    const fixed = parseNasSpace({
      filters: [8],
      kernelSize: [3],
      stride: [1],
      dilation: [1],
      pool: ['none'],
      batchNorm: [false],
      residual: [false],
      head: ['global-avg'],
      denseUnits: [0],
      dropout: [0],
    });
    const two = randomGenome(rng, { ...fixed, maxBlocks: 2 });
    const eight = canonicalGenome({ blocks: Array.from({ length: 8 }, () => two.blocks[0]) });
    for (let i = 0; i < 50; i++) {
      const a = mutate(two, rng, fixed, LIMITS);
      expect(a.mutation.kind).toBe('add-block');
      const b = mutate(eight, rng, fixed, LIMITS);
      expect(b.mutation.kind).toBe('remove-block');
    }
    // Nothing left to change at all.
    const frozen = { ...fixed, minBlocks: 2, maxBlocks: 2 };
    expect(mutate(two, rng, frozen, LIMITS)).toMatchObject({ rejected: 'no gene of this genome can change within the space' });
  });

  it('never mutates poolSize of a block without pooling; describes mutations', () => {
    const rng = Prng.fromSeed(12);
    const g = canonicalGenome({
      blocks: [
        { filters: 8, kernelSize: 3, pool: 'none' },
        { filters: 8, kernelSize: 3, pool: 'none' },
      ],
    });
    for (let i = 0; i < 300; i++) {
      const r = mutate(g, rng, DEFAULT_NAS_SPACE, LIMITS);
      if (r.mutation.kind === 'gene') expect(r.mutation.path).not.toMatch(/poolSize/);
    }
    expect(describeMutation({ kind: 'gene', path: 'blocks[2].kernelSize', from: 5, to: 7 })).toBe('blocks[2].kernelSize: 5 -> 7');
    expect(describeMutation({ kind: 'add-block', index: 1 })).toBe('add blocks[1]');
  });

  it('random genomes are schema-valid and never combine stride and dilation > 1', () => {
    const rng = Prng.fromSeed(13);
    for (let i = 0; i < 500; i++) {
      const g = randomGenome(rng, DEFAULT_NAS_SPACE);
      expect(canonicalGenome(g)).toEqual(g);
      for (const b of g.blocks) expect(b.stride > 1 && b.dilation > 1).toBe(false);
    }
  });
});
