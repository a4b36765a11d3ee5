import { describe, expect, it } from 'vitest';
import { validateArchitecture, REFERENCE_ARCHITECTURE, REFERENCE_PARAM_COUNT } from '../../ml/model/index.js';
import {
  canonicalGenome,
  checkGenome,
  DEFAULT_NAS_SPACE,
  fnv1a64,
  genomeCost,
  genomeHash,
  parseNasSpace,
  Prng,
  randomGenome,
  type Genome,
  type GenomeInput,
  type GenomeLimits,
} from '../../workflows/search/index.js';

const LIMITS: GenomeLimits = { inputLength: 2048, numClasses: 4, maxParams: 10_000_000 };

const TWO_BLOCKS: GenomeInput = {
  blocks: [
    { filters: 16, kernelSize: 64, stride: 16 },
    { filters: 32, kernelSize: 3, batchNorm: true },
  ],
};

describe('genome hash', () => {
  it('FNV-1a 64 matches the published test vectors', () => {
    expect(fnv1a64('')).toBe('cbf29ce484222325');
    expect(fnv1a64('a')).toBe('af63dc4c8601ec8c');
    expect(fnv1a64('foobar')).toBe('85944171f73967e8');
  });

  it('is canonical: key order and omitted defaults do not change it', () => {
    const full: Genome = canonicalGenome(TWO_BLOCKS);
    expect(full.blocks[1]).toEqual({ filters: 32, kernelSize: 3, stride: 1, dilation: 1, pool: 'max', poolSize: 2, batchNorm: true, residual: false });
    const reordered: GenomeInput = {
      dropout: 0,
      denseUnits: 0,
      head: 'global-avg',
      blocks: [
        { residual: false, batchNorm: false, poolSize: 2, pool: 'max', dilation: 1, stride: 16, kernelSize: 64, filters: 16 },
        { batchNorm: true, kernelSize: 3, filters: 32 },
      ],
    };
    expect(genomeHash(reordered)).toBe(genomeHash(TWO_BLOCKS));
    expect(genomeHash(full)).toBe(genomeHash(TWO_BLOCKS));
    expect(JSON.stringify(canonicalGenome(reordered))).toBe(JSON.stringify(full));
    expect(genomeHash(TWO_BLOCKS)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('changes with any single gene', () => {
    const base = canonicalGenome(TWO_BLOCKS);
    const h = genomeHash(base);
    const variants: Genome[] = [
      { ...base, head: 'flatten' },
      { ...base, denseUnits: 32 },
      { ...base, dropout: 0.1 },
      { ...base, blocks: [...base.blocks, base.blocks[1]] },
      { ...base, blocks: [base.blocks[1], base.blocks[0]] },
    ];
    const blockChanges: Partial<Genome['blocks'][number]>[] = [
      { filters: 17 },
      { kernelSize: 5 },
      { stride: 2 },
      { dilation: 2 },
      { pool: 'avg' },
      { poolSize: 3 },
      { batchNorm: false },
      { residual: true },
    ];
    for (const c of blockChanges) variants.push({ ...base, blocks: [base.blocks[0], { ...base.blocks[1], ...c }] });
    const hashes = new Set(variants.map(genomeHash));
    expect(hashes.size).toBe(variants.length);
    expect(hashes.has(h)).toBe(false);
  });

  it('is distinct over many random genomes', () => {
    const rng = Prng.fromSeed(3);
    const byHash = new Map<string, string>();
    for (let i = 0; i < 2000; i++) {
      const g = randomGenome(rng, DEFAULT_NAS_SPACE);
      const json = JSON.stringify(g);
      const prev = byHash.get(genomeHash(g));
      if (prev !== undefined) expect(prev).toBe(json);
      byHash.set(genomeHash(g), json);
    }
  });
});

describe('genomeCost equals validateArchitecture', () => {
  it('on the reference architecture', () => {
    const ref = canonicalGenome(REFERENCE_ARCHITECTURE);
    expect(genomeCost(ref, { inputLength: 2048, numClasses: 4 })).toMatchObject({ outputLength: 16, params: REFERENCE_PARAM_COUNT });
  });

  it('on 200+ random genomes (all heads, residual projections, collapses)', () => {
    // A wide space: large strides and pools make many genomes collapse, which must agree too.
    const space = parseNasSpace({
      filters: [1, 3, 8, 16, 33],
      kernelSize: [1, 2, 3, 7, 16, 64],
      stride: [1, 2, 3, 5],
      dilation: [1, 2, 3],
      poolSize: [1, 2, 3, 4, 7],
      denseUnits: [0, 1, 16, 100],
      dropout: [0, 0.5],
    });
    const rng = Prng.fromSeed(11);
    let accepted = 0;
    let collapsed = 0;
    for (let i = 0; i < 1000 && accepted < 250; i++) {
      const g = randomGenome(rng, space);
      const inputLength = [64, 100, 513, 2048, 4096][i % 5];
      const numClasses = 2 + (i % 9);
      const expected = validateArchitecture(g, inputLength, numClasses);
      const cost = genomeCost(g, { inputLength, numClasses });
      const check = checkGenome(g, { inputLength, numClasses, maxParams: Number.MAX_SAFE_INTEGER });
      if (expected.ok) {
        accepted++;
        expect({ outputLength: cost.outputLength, params: cost.params }).toEqual({ outputLength: expected.outputLength, params: expected.params });
        expect(check).toMatchObject({ ok: true, params: expected.params, outputLength: expected.outputLength });
      } else {
        collapsed++;
        expect(cost.outputLength).toBe(0);
        expect(check.ok).toBe(false);
        // Both blame the same block.
        const block = (r: string): string | undefined => /^blocks\[\d+\]/.exec(r)?.[0];
        if (!check.ok) expect(block(check.reason)).toBe(block(expected.reason));
      }
    }
    expect(accepted).toBeGreaterThanOrEqual(200);
    expect(collapsed).toBeGreaterThan(20);
  });
});

describe('checkGenome', () => {
  const g = canonicalGenome(TWO_BLOCKS);

  it('accepts a valid genome and reports its parameters', () => {
    expect(checkGenome(g, LIMITS)).toEqual({
      ok: true,
      ...(() => {
        const c = genomeCost(g, LIMITS);
        return { params: c.params, outputLength: c.outputLength, macs: c.macs };
      })(),
    });
  });

  it('names the block and field of a collapse', () => {
    const r = checkGenome({ ...g, blocks: [g.blocks[0], { ...g.blocks[1], poolSize: 16 }, { ...g.blocks[1], poolSize: 16 }] }, LIMITS);
    expect(r).toEqual({ ok: false, reason: 'blocks[2].poolSize: pool of 16 on length 4 leaves length 0 (sequence collapsed)' });
    const s = checkGenome(
      {
        ...g,
        blocks: [
          { ...g.blocks[0], stride: 64, pool: 'none' },
          { ...g.blocks[1], stride: 64 },
        ],
      },
      { ...LIMITS, minOutputLength: 2 },
    );
    expect(s).toEqual({ ok: false, reason: 'blocks[1].stride: stride 64 on length 32 leaves length 1 (< minOutputLength 2)' });
  });

  it('rejects stride and dilation both > 1, naming the block', () => {
    const r = checkGenome({ ...g, blocks: [g.blocks[0], { ...g.blocks[1], stride: 2, dilation: 2 }] }, LIMITS);
    expect(r).toEqual({ ok: false, reason: 'blocks[1].dilation: dilation 2 with stride 2 is unsupported (one of them must be 1)' });
    expect(validateArchitecture({ ...g, blocks: [g.blocks[0], { ...g.blocks[1], stride: 2, dilation: 2 }] }, 2048).ok).toBe(false);
  });

  it('rejects over the parameter and MAC caps', () => {
    const { params, macs } = genomeCost(g, LIMITS);
    expect(checkGenome(g, { ...LIMITS, maxParams: params })).toMatchObject({ ok: true });
    expect(checkGenome(g, { ...LIMITS, maxParams: params - 1 })).toEqual({
      ok: false,
      reason: `params: ${params.toLocaleString('en-US')} parameters exceed maxParams ${(params - 1).toLocaleString('en-US')}`,
    });
    expect(checkGenome(g, { ...LIMITS, maxParams: 1_234_567, maxMacs: 1 })).toEqual({
      ok: false,
      reason: `macs: ${macs.toLocaleString('en-US')} multiply-accumulates exceed maxMacs 1`,
    });
    expect(checkGenome(g, { ...LIMITS, maxMacs: macs - 1 })).toMatchObject({ ok: false, reason: expect.stringMatching(/^macs: /) });
  });

  it('rejects schema violations with the path: depth outside 2..8, bad genes', () => {
    expect(checkGenome({ blocks: [g.blocks[0]] }, LIMITS)).toMatchObject({ ok: false, reason: expect.stringMatching(/^blocks: /) });
    expect(checkGenome({ blocks: Array.from({ length: 9 }, () => g.blocks[1]) }, LIMITS)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^blocks: /),
    });
    expect(checkGenome({ ...g, blocks: [g.blocks[0], { ...g.blocks[1], kernelSize: 0 }] }, LIMITS)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^blocks\[1\]\.kernelSize: /),
    });
    expect(checkGenome({ ...g, dropout: 0.95 }, LIMITS)).toMatchObject({ ok: false, reason: expect.stringMatching(/^dropout: /) });
  });
});
