/**
 * The NAS search space as data: the allowed values of every gene. `randomGenome` draws each gene
 * uniformly from its choices; `mutate` changes exactly one gene of a parent (or adds / removes
 * one block) and re-draws, a bounded number of times, until `checkGenome` accepts the child.
 */
import { z } from 'zod';
import type { Prng } from '../random.js';
import { canonicalGenome, checkGenome, MAX_GENOME_BLOCKS, MIN_GENOME_BLOCKS, type Genome, type GenomeBlock, type GenomeLimits } from './genome.js';

const ints = (max: number) => z.array(z.number().int().min(1).max(max)).min(1);

export const NasSpaceSchema = z
  .object({
    /** Depth range of random genomes and of add/remove-block mutations (within 2..8). */
    minBlocks: z.number().int().min(MIN_GENOME_BLOCKS).max(MAX_GENOME_BLOCKS).default(MIN_GENOME_BLOCKS),
    maxBlocks: z.number().int().min(MIN_GENOME_BLOCKS).max(MAX_GENOME_BLOCKS).default(MAX_GENOME_BLOCKS),
    filters: ints(512).default([8, 16, 32, 64, 128]),
    kernelSize: ints(512).default([3, 5, 7, 9, 16, 32, 64]),
    stride: ints(64).default([1, 2, 4]),
    dilation: ints(64).default([1, 2, 4]),
    pool: z
      .array(z.enum(['max', 'avg', 'none']))
      .min(1)
      .default(['max', 'avg', 'none']),
    poolSize: ints(16).default([2, 4]),
    batchNorm: z.array(z.boolean()).min(1).default([false, true]),
    residual: z.array(z.boolean()).min(1).default([false, true]),
    head: z
      .array(z.enum(['global-avg', 'global-max', 'flatten']))
      .min(1)
      .default(['global-avg', 'global-max', 'flatten']),
    denseUnits: z.array(z.number().int().min(0).max(1024)).min(1).default([0, 32, 64, 128]),
    dropout: z.array(z.number().min(0).max(0.9)).min(1).default([0, 0.1, 0.25, 0.5]),
  })
  .strict()
  .refine((s) => s.minBlocks <= s.maxBlocks, { message: 'minBlocks must be <= maxBlocks', path: ['minBlocks'] });
export type NasSpace = z.output<typeof NasSpaceSchema>;
export type NasSpaceInput = z.input<typeof NasSpaceSchema>;

/** Every gene at its default choices: 2–8 blocks. */
export const DEFAULT_NAS_SPACE: NasSpace = NasSpaceSchema.parse({});

export function parseNasSpace(space: NasSpaceInput): NasSpace {
  return NasSpaceSchema.parse(space);
}

export const BLOCK_GENES = ['filters', 'kernelSize', 'stride', 'dilation', 'pool', 'poolSize', 'batchNorm', 'residual'] as const;
export type BlockGene = (typeof BLOCK_GENES)[number];
export const HEAD_GENES = ['head', 'denseUnits', 'dropout'] as const;
export type HeadGene = (typeof HEAD_GENES)[number];

type GeneValue = number | string | boolean;

const pick = <T>(rng: Prng, xs: readonly T[]): T => xs[rng.int(xs.length)];

/**
 * One block with every gene uniform over its choices. Stride and dilation cannot both exceed 1
 * (tfjs rejects it), so the dilation is drawn only for stride-1 blocks (otherwise 1, when the
 * space allows it).
 */
export function randomBlock(rng: Prng, space: NasSpace): GenomeBlock {
  const stride = pick(rng, space.stride);
  const dilations = stride > 1 && space.dilation.includes(1) ? [1] : space.dilation;
  return {
    filters: pick(rng, space.filters),
    kernelSize: pick(rng, space.kernelSize),
    stride,
    dilation: pick(rng, dilations),
    pool: pick(rng, space.pool),
    poolSize: pick(rng, space.poolSize),
    batchNorm: pick(rng, space.batchNorm),
    residual: pick(rng, space.residual),
  };
}

/**
 * A genome drawn from the space: depth uniform in [minBlocks, maxBlocks], each gene uniform.
 * It is schema-valid but may break limits (collapse, parameter cap): see `sampleGenome`.
 */
export function randomGenome(rng: Prng, space: NasSpace): Genome {
  const depth = space.minBlocks + rng.int(space.maxBlocks - space.minBlocks + 1);
  const blocks: GenomeBlock[] = [];
  for (let i = 0; i < depth; i++) blocks.push(randomBlock(rng, space));
  return canonicalGenome({ blocks, head: pick(rng, space.head), denseUnits: pick(rng, space.denseUnits), dropout: pick(rng, space.dropout) });
}

/** A genome, or why the last of the bounded attempts was rejected (with that attempt). */
export type SampleResult = { genome: Genome } | { rejected: string; genome: Genome };

/** Rejection sampling of `randomGenome` against `limits`, at most `maxAttempts` draws. */
export function sampleGenome(rng: Prng, space: NasSpace, limits: GenomeLimits, maxAttempts = 100): SampleResult {
  let last: { reason: string; genome: Genome } | undefined;
  for (let attempt = 0; attempt < Math.max(1, maxAttempts); attempt++) {
    const genome = randomGenome(rng, space);
    const check = checkGenome(genome, limits);
    if (check.ok) return { genome };
    last = { reason: check.reason, genome };
  }
  const l = last as { reason: string; genome: Genome };
  return { rejected: `no valid genome in ${maxAttempts} random draws; last: ${l.reason}`, genome: l.genome };
}

/** What a mutation did. `gene` paths read like check reasons: `blocks[2].kernelSize`, `head`. */
export type Mutation =
  { kind: 'gene'; path: string; from: GeneValue; to: GeneValue } | { kind: 'add-block'; index: number } | { kind: 'remove-block'; index: number };

export function describeMutation(m: Mutation): string {
  switch (m.kind) {
    case 'gene':
      return `${m.path}: ${String(m.from)} -> ${String(m.to)}`;
    case 'add-block':
      return `add blocks[${m.index}]`;
    case 'remove-block':
      return `remove blocks[${m.index}]`;
  }
}

export type MutateResult = { genome: Genome; mutation: Mutation } | { rejected: string; genome: Genome; mutation: Mutation };

type Site = { kind: 'block'; index: number; gene: BlockGene } | { kind: 'head'; gene: HeadGene } | { kind: 'add-block' } | { kind: 'remove-block' };

function alternatives<T extends GeneValue>(choices: readonly T[], current: T): T[] {
  return choices.filter((c) => c !== current);
}

/**
 * Every place a single mutation can act on `g`: each gene that has another value to take, plus
 * add-block / remove-block while the depth stays within the space. A block's poolSize is not a
 * site while its pool is 'none' (the change would be silent: same model, another hash).
 */
function mutationSites(g: Genome, space: NasSpace): Site[] {
  const sites: Site[] = [];
  g.blocks.forEach((b, index) => {
    for (const gene of BLOCK_GENES) {
      if (gene === 'poolSize' && b.pool === 'none') continue;
      if (alternatives<GeneValue>(space[gene], b[gene]).length > 0) sites.push({ kind: 'block', index, gene });
    }
  });
  for (const gene of HEAD_GENES) {
    if (alternatives<GeneValue>(space[gene], g[gene]).length > 0) sites.push({ kind: 'head', gene });
  }
  if (g.blocks.length < Math.min(space.maxBlocks, MAX_GENOME_BLOCKS)) sites.push({ kind: 'add-block' });
  if (g.blocks.length > Math.max(space.minBlocks, MIN_GENOME_BLOCKS)) sites.push({ kind: 'remove-block' });
  return sites;
}

function mutateOnce(parent: Genome, rng: Prng, space: NasSpace): { genome: Genome; mutation: Mutation } | undefined {
  const sites = mutationSites(parent, space);
  if (sites.length === 0) return undefined;
  const site = pick(rng, sites);
  const blocks = parent.blocks.map((b) => ({ ...b }));
  const child: Genome = { ...parent, blocks };
  switch (site.kind) {
    case 'block': {
      const block = blocks[site.index];
      const from = block[site.gene];
      const to = pick(rng, alternatives<GeneValue>(space[site.gene], from));
      (block as Record<BlockGene, GeneValue>)[site.gene] = to;
      return { genome: canonicalGenome(child), mutation: { kind: 'gene', path: `blocks[${site.index}].${site.gene}`, from, to } };
    }
    case 'head': {
      const from = parent[site.gene];
      const to = pick(rng, alternatives<GeneValue>(space[site.gene], from));
      (child as unknown as Record<HeadGene, GeneValue>)[site.gene] = to;
      return { genome: canonicalGenome(child), mutation: { kind: 'gene', path: site.gene, from, to } };
    }
    case 'add-block': {
      const index = rng.int(blocks.length + 1);
      blocks.splice(index, 0, randomBlock(rng, space));
      return { genome: canonicalGenome(child), mutation: { kind: 'add-block', index } };
    }
    case 'remove-block': {
      const index = rng.int(blocks.length);
      blocks.splice(index, 1);
      return { genome: canonicalGenome(child), mutation: { kind: 'remove-block', index } };
    }
  }
}

/**
 * A NEW genome differing from `parent` in exactly one gene, or by one inserted / removed block
 * (depth kept within the space and 2..8). Children that `checkGenome` rejects are re-drawn
 * (fresh site and value) up to `maxAttempts` times; then `{ rejected }` carries the last
 * reason, attempt and mutation for the caller to record. The parent is never modified.
 */
export function mutate(parent: Genome, rng: Prng, space: NasSpace, limits: GenomeLimits, maxAttempts = 20): MutateResult {
  const p = canonicalGenome(parent);
  let last: { reason: string; genome: Genome; mutation: Mutation } | undefined;
  for (let attempt = 0; attempt < Math.max(1, maxAttempts); attempt++) {
    const m = mutateOnce(p, rng, space);
    if (!m) return { rejected: 'no gene of this genome can change within the space', genome: p, mutation: { kind: 'gene', path: 'genome', from: '', to: '' } };
    const check = checkGenome(m.genome, limits);
    if (check.ok) return m;
    last = { reason: check.reason, ...m };
  }
  const l = last as { reason: string; genome: Genome; mutation: Mutation };
  return {
    rejected: `no valid mutation in ${maxAttempts} attempts; last (${describeMutation(l.mutation)}): ${l.reason}`,
    genome: l.genome,
    mutation: l.mutation,
  };
}
