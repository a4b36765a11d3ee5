/**
 * A search space declared as plain data (JSON), validated with zod before any campaign starts.
 *
 * A space is an object from parameter name to spec. Declaration order matters and is kept: it
 * is the order in which samplers draw, so the same seed gives the same points. Names are
 * identifiers (never integer-like, which JavaScript would reorder ahead of the others).
 *
 * A parameter with `when: { param, in }` is *conditional*: it exists in a point only when
 * `param` is itself active and took one of the listed values. Inactive parameters are absent
 * from the point (not null), so a sampled point is exactly the set of meaningful settings.
 */
import { z } from 'zod';

export const ParamValueSchema = z.union([z.string(), z.number(), z.boolean()]);
export type ParamValue = z.infer<typeof ParamValueSchema>;
/** A sampled point: only the parameters active for it. */
export type Params = Record<string, ParamValue>;

const ConditionSchema = z
  .object({ param: z.string().min(1), in: z.array(ParamValueSchema).min(1) })
  .strict();
export type Condition = z.infer<typeof ConditionSchema>;

const FloatParamSchema = z
  .object({
    type: z.literal('float'),
    low: z.number().finite(),
    high: z.number().finite(),
    /** Sample (and model, in TPE) in log space: for scale parameters such as a learning rate. */
    log: z.boolean().default(false),
    /** Number of grid points for GridSampler (evenly spaced, geometric when `log`). */
    grid: z.number().int().min(2).max(1000).optional(),
    when: ConditionSchema.optional(),
  })
  .strict();

const IntParamSchema = z
  .object({
    type: z.literal('int'),
    low: z.number().int(),
    high: z.number().int(),
    step: z.number().int().min(1).default(1),
    log: z.boolean().default(false),
    /** Grid points for GridSampler; every step value when omitted. */
    grid: z.number().int().min(2).max(1000).optional(),
    when: ConditionSchema.optional(),
  })
  .strict();

const CategoricalParamSchema = z
  .object({
    type: z.literal('categorical'),
    choices: z.array(ParamValueSchema).min(1).max(256),
    when: ConditionSchema.optional(),
  })
  .strict();

export const ParamSpecSchema = z.discriminatedUnion('type', [FloatParamSchema, IntParamSchema, CategoricalParamSchema]);
export type FloatParam = z.output<typeof FloatParamSchema>;
export type IntParam = z.output<typeof IntParamSchema>;
export type CategoricalParam = z.output<typeof CategoricalParamSchema>;
export type ParamSpec = z.output<typeof ParamSpecSchema>;
/** What a user writes (defaults such as `log: false`, `step: 1` may be omitted). */
export type ParamSpecInput = z.input<typeof ParamSpecSchema>;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Cross-field rules zod's shape cannot say; each issue names the offending path. */
function checkParam(name: string, p: ParamSpec, ctx: z.RefinementCtx): void {
  const at = (...rest: (string | number)[]): (string | number)[] => [name, ...rest];
  if (p.type === 'categorical') {
    const seen = new Set<string>();
    p.choices.forEach((c, i) => {
      const key = `${typeof c}:${String(c)}`;
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: at('choices', i), message: `duplicate choice ${JSON.stringify(c)}` });
      seen.add(key);
    });
    return;
  }
  if (!(p.low < p.high)) ctx.addIssue({ code: 'custom', path: at('low'), message: 'must be < high' });
  if (p.log && p.low <= 0) ctx.addIssue({ code: 'custom', path: at('low'), message: 'must be > 0 for a log parameter' });
  if (p.type === 'int') {
    if (p.log && p.step !== 1) ctx.addIssue({ code: 'custom', path: at('step'), message: 'must be 1 for a log parameter' });
    if (p.low < p.high && (p.high - p.low) % p.step !== 0) {
      ctx.addIssue({ code: 'custom', path: at('step'), message: `must divide high - low (${p.high - p.low})` });
    }
  }
}

/** Can parameter `p` take value `v` at all? (A condition on an impossible value is a typo.) */
function canTake(p: ParamSpec, v: ParamValue): boolean {
  if (p.type === 'categorical') return p.choices.some((c) => c === v);
  if (typeof v !== 'number' || v < p.low || v > p.high) return false;
  return p.type === 'float' || (Number.isInteger(v) && (v - p.low) % p.step === 0);
}

function checkConditions(space: Record<string, ParamSpec>, ctx: z.RefinementCtx): void {
  for (const [name, p] of Object.entries(space)) {
    if (!p.when) continue;
    const parent = space[p.when.param];
    if (p.when.param === name) {
      ctx.addIssue({ code: 'custom', path: [name, 'when', 'param'], message: 'a parameter cannot depend on itself' });
    } else if (!parent) {
      ctx.addIssue({ code: 'custom', path: [name, 'when', 'param'], message: `refers to unknown parameter "${p.when.param}"` });
    } else {
      p.when.in.forEach((v, i) => {
        if (!canTake(parent, v)) {
          ctx.addIssue({ code: 'custom', path: [name, 'when', 'in', i], message: `"${p.when?.param}" can never be ${JSON.stringify(v)}` });
        }
      });
    }
  }
  // Cycles (a → b → a): walk each chain of conditions; a chain longer than the space loops.
  for (const name of Object.keys(space)) {
    const chain = [name];
    let cur = space[name].when?.param;
    while (cur !== undefined && space[cur] && cur !== name && chain.length <= Object.keys(space).length) {
      chain.push(cur);
      cur = space[cur].when?.param;
    }
    if (cur === name && chain.length > 1) {
      ctx.addIssue({ code: 'custom', path: [name, 'when', 'param'], message: `conditions form a cycle: ${[...chain, name].join(' → ')}` });
    }
  }
}

export const SearchSpaceSchema = z
  .record(z.string(), ParamSpecSchema)
  .superRefine((space, ctx) => {
    const names = Object.keys(space);
    if (names.length === 0) ctx.addIssue({ code: 'custom', path: [], message: 'a search space needs at least one parameter' });
    for (const name of names) {
      if (!NAME.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'a parameter name must be an identifier ([A-Za-z_][A-Za-z0-9_]*)' });
      checkParam(name, space[name], ctx);
    }
    checkConditions(space, ctx);
  });
export type SearchSpace = z.output<typeof SearchSpaceSchema>;
export type SearchSpaceInput = z.input<typeof SearchSpaceSchema>;

/** A rejected space; `issues` are `path message` strings such as `learningRate.low must be < high`. */
export class SearchSpaceError extends Error {
  readonly issues: string[];
  constructor(issues: string[]) {
    super(`invalid search space: ${issues.join('; ')}`);
    this.name = 'SearchSpaceError';
    this.issues = issues;
  }
}

/** Validates and normalises (defaults filled in) a space, or throws a SearchSpaceError. */
export function parseSearchSpace(input: unknown): SearchSpace {
  const r = SearchSpaceSchema.safeParse(input);
  if (r.success) return r.data;
  throw new SearchSpaceError(r.error.issues.map((i) => `${i.path.length > 0 ? i.path.map(String).join('.') : '(root)'} ${i.message}`));
}

/**
 * Parameter names with every parent before its children (declaration order otherwise), so a
 * sampler can decide a child's activity from values already drawn.
 */
export function paramOrder(space: SearchSpace): string[] {
  const order: string[] = [];
  const placed = new Set<string>();
  const visit = (name: string): void => {
    if (placed.has(name)) return;
    const parent = space[name].when?.param;
    if (parent !== undefined) visit(parent); // validated acyclic, so this terminates
    placed.add(name);
    order.push(name);
  };
  for (const name of Object.keys(space)) visit(name);
  return order;
}

/** Is `name` active given the (partial) point `params`? Parents are checked recursively. */
export function isActive(space: SearchSpace, name: string, params: Params): boolean {
  const when = space[name].when;
  if (!when) return true;
  if (!(when.param in params) || !isActive(space, when.param, params)) return false;
  const v = params[when.param];
  return when.in.some((x) => x === v);
}

/** Lower/upper bounds in the space a sampler models (log space for log parameters). */
export function internalBounds(p: FloatParam | IntParam): { low: number; high: number } {
  // Ints own the half-step around each value, so the end values are as likely as the others.
  const pad = p.type === 'int' ? p.step / 2 : 0;
  const low = p.low - pad;
  const high = p.high + pad;
  // Log ints have low >= 1, so low - 1/2 > 0 and the log is defined.
  return p.log ? { low: Math.log(low), high: Math.log(high) } : { low, high };
}

export function toInternal(p: FloatParam | IntParam, v: number): number {
  return p.log ? Math.log(v) : v;
}

/** Maps an internal-space number back onto a legal value (clamped, rounded to the step). */
export function fromInternal(p: FloatParam | IntParam, x: number): number {
  const v = p.log ? Math.exp(x) : x;
  if (p.type === 'float') return Math.min(p.high, Math.max(p.low, v));
  const k = Math.round((v - p.low) / p.step);
  return Math.min(p.high, Math.max(p.low, p.low + k * p.step));
}
