/**
 * A NAS genome: exactly the training contract's `Architecture`, restricted to 2–8 blocks, so a
 * genome is handed to `trainModelWorkflow` unchanged and builds a tfjs model deterministically.
 *
 * Everything here is pure arithmetic (no tfjs: workflows must not import ml/). `genomeCost`
 * reproduces `validateArchitecture` of ml/model/build.ts exactly — the unit tests compare the two
 * on random genomes — so a candidate is rejected before any training is scheduled.
 */
import { z } from 'zod';
import { architectureCost, architectureIssue, type ArchitectureCost, type CostOptions } from '../../../contracts/architecture.js';
import { ConvBlockSchema, type ConvBlock } from '../../../contracts/training.js';

export const MIN_GENOME_BLOCKS = 2;
export const MAX_GENOME_BLOCKS = 8;

export const GenomeSchema = z
  .object({
    blocks: z.array(ConvBlockSchema).min(MIN_GENOME_BLOCKS).max(MAX_GENOME_BLOCKS),
    head: z.enum(['global-avg', 'global-max', 'flatten']).default('global-avg'),
    denseUnits: z.number().int().min(0).max(1024).default(0),
    dropout: z.number().min(0).max(0.9).default(0),
  })
  .strict();
/** A genome with every default filled (assignable to the contract's `Architecture`). */
export type Genome = z.output<typeof GenomeSchema>;
/** A genome as written by hand: block/head defaults may be omitted. */
export type GenomeInput = z.input<typeof GenomeSchema>;
export type GenomeBlock = ConvBlock;

/**
 * The canonical form: defaults filled and keys in one fixed order (the order of the contract),
 * so `JSON.stringify(canonicalGenome(g))` is the same text for every spelling of a genome.
 * Throws a ZodError when `g` is not a genome at all.
 */
export function canonicalGenome(g: GenomeInput): Genome {
  const p = GenomeSchema.parse(g);
  return {
    blocks: p.blocks.map((b) => ({
      filters: b.filters,
      kernelSize: b.kernelSize,
      stride: b.stride,
      dilation: b.dilation,
      pool: b.pool,
      poolSize: b.poolSize,
      batchNorm: b.batchNorm,
      residual: b.residual,
    })),
    head: p.head,
    denseUnits: p.denseUnits,
    // -0 and 0 are the same rate; JSON would print both as 0 anyway, keep the object equal too.
    dropout: p.dropout === 0 ? 0 : p.dropout,
  };
}

const FNV64_OFFSET = 0xcbf29ce484222325n;
const FNV64_PRIME = 0x100000001b3n;
const MASK64 = 0xffffffffffffffffn;

/** FNV-1a 64 over the UTF-8 bytes of `text`, as 16 hex digits. */
export function fnv1a64(text: string): string {
  let h = FNV64_OFFSET;
  const byte = (b: number): void => {
    h ^= BigInt(b);
    h = (h * FNV64_PRIME) & MASK64;
  };
  for (const ch of text) {
    const c = ch.codePointAt(0) as number;
    if (c < 0x80) byte(c);
    else if (c < 0x800) {
      byte(0xc0 | (c >> 6));
      byte(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
      byte(0xe0 | (c >> 12));
      byte(0x80 | ((c >> 6) & 0x3f));
      byte(0x80 | (c & 0x3f));
    } else {
      byte(0xf0 | (c >> 18));
      byte(0x80 | ((c >> 12) & 0x3f));
      byte(0x80 | ((c >> 6) & 0x3f));
      byte(0x80 | (c & 0x3f));
    }
  }
  return h.toString(16).padStart(16, '0');
}

/**
 * Stable identity of a genome: FNV-1a 64 of its canonical JSON. Key order and omitted defaults
 * do not change it; any gene does. Identical genomes are trained once and the result reused.
 */
export function genomeHash(g: GenomeInput): string {
  return fnv1a64(JSON.stringify(canonicalGenome(g)));
}

export type { CostOptions } from '../../../contracts/architecture.js';
export type GenomeCost = ArchitectureCost;

/**
 * Output length and parameter count by arithmetic (contracts/architecture.ts), equal to
 * `validateArchitecture` of ml/model whenever that accepts the genome. Expects a schema-valid
 * genome (canonicalGenome / GenomeSchema output).
 */
export function genomeCost(g: Genome, opts: CostOptions): GenomeCost {
  return architectureCost(g, opts);
}

export const GenomeLimitsSchema = z
  .object({
    inputLength: z.number().int().min(1),
    numClasses: z.number().int().min(2),
    /** Parameter cap (model.countParams()). */
    maxParams: z.number().int().min(1),
    /** Shortest sequence allowed into the head; default 1 (anything but a collapse). */
    minOutputLength: z.number().int().min(1).optional(),
    /** Optional cap on multiply-accumulates per window: the pre-training latency proxy. */
    maxMacs: z.number().int().min(1).optional(),
  })
  .strict();
export type GenomeLimits = z.output<typeof GenomeLimitsSchema>;

export type GenomeCheck = { ok: true; params: number; outputLength: number; macs: number } | { ok: false; reason: string };

function zodReason(error: z.ZodError): string {
  const issue = error.issues[0];
  let path = '';
  for (const k of issue.path) path += typeof k === 'number' ? `[${k}]` : path ? `.${String(k)}` : String(k);
  return `${path || 'genome'}: ${issue.message}`;
}

/**
 * Whether a genome may be trained under `limits`. Reasons name the block and field at fault
 * (`blocks[3].poolSize: ...`), in the style of validateArchitecture, so they can be recorded
 * as the candidate's rejection.
 */
export function checkGenome(g: GenomeInput, limits: GenomeLimits): GenomeCheck {
  const parsed = GenomeSchema.safeParse(g);
  if (!parsed.success) return { ok: false, reason: zodReason(parsed.error) };
  const genome = parsed.data;
  const issue = architectureIssue(genome, limits);
  if (issue) {
    let path = '';
    for (const k of issue.path) path += typeof k === 'number' ? `[${k}]` : path ? `.${k}` : k;
    return { ok: false, reason: `${path}: ${issue.message}` };
  }
  const cost = genomeCost(genome, limits);
  return { ok: true, params: cost.params, outputLength: cost.outputLength, macs: cost.macs };
}
