/**
 * Sampler options: the fields every sampler shares, and the one parser that turns a rejected
 * option into a sentence naming the option and the value given
 * (`direction: expected 'minimize' | 'maximize', got 'min'`), never a raw ZodError dump.
 * Samplers validate at construction, so a typo fails at once instead of silently searching the
 * wrong way.
 */
import { z } from 'zod';
import { DirectionSchema } from './space.js';

/** Options of every sampler: the seed (any 32-bit unsigned integer) and the direction. */
export const CommonOptionsShape = {
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .default(0),
  direction: DirectionSchema.default('minimize'),
};

export const CommonOptionsSchema = z.object(CommonOptionsShape).strict();
export type CommonOptions = z.output<typeof CommonOptionsSchema>;
/** What a caller may pass: everything optional (seed 0, minimise). */
export type SamplerOptions = z.input<typeof CommonOptionsSchema>;

/** Rejected sampler options; `issues` are `option: what was wrong` sentences. */
export class SamplerOptionsError extends Error {
  readonly issues: string[];
  constructor(what: string, issues: string[]) {
    super(`${what} options: ${issues.join('; ')}`);
    this.name = 'SamplerOptionsError';
    this.issues = issues;
  }
}

const show = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : v === undefined ? 'undefined' : (JSON.stringify(v) ?? String(v)));

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const k of path) cur = cur !== null && typeof cur === 'object' ? (cur as Record<PropertyKey, unknown>)[k] : undefined;
  return cur;
}

function sentence(issue: z.core.$ZodIssue, input: unknown, known: readonly string[]): string[] {
  const at = issue.path.map(String).join('.');
  const got = show(valueAt(input, issue.path));
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((k) => `${[at, k].filter(Boolean).join('.')}: unknown option (known: ${known.join(', ')})`);
    case 'invalid_value':
      return [`${at}: expected ${issue.values.map(show).join(' | ')}, got ${got}`];
    case 'invalid_type':
      return [`${at}: expected ${issue.expected === 'int' ? 'an integer' : issue.expected}, got ${got}`];
    default:
      return [`${at}: ${issue.message.replace(/^Too (small|big): expected number to be /, 'expected ')}, got ${got}`];
  }
}

/** `path: what was wrong, got value` sentences for a failed parse of `input`. */
export function describeIssues(error: z.ZodError, input: unknown, known: readonly string[] = []): string[] {
  return error.issues.flatMap((i) => sentence(i, input, known));
}

/**
 * Parses `input` (undefined means "all defaults") with `schema`, or throws a
 * SamplerOptionsError whose issues name each option and the value given.
 */
export function parseOptions<T extends z.ZodObject>(what: string, schema: T, input: unknown): z.output<T> {
  const given = input ?? {};
  if (typeof given !== 'object' || Array.isArray(given)) throw new SamplerOptionsError(what, [`expected an options object, got ${show(input)}`]);
  const r = schema.safeParse(given);
  if (r.success) return r.data;
  const known = Object.keys(schema.shape);
  throw new SamplerOptionsError(
    what,
    r.error.issues.flatMap((i) => sentence(i, given, known)),
  );
}
