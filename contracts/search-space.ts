/**
 * The shape of a search space, declared as plain data (JSON): the contract of an HPO campaign's
 * `space`, validated by the client, by the workflow at its top and by the samplers that run it.
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

export const ConditionSchema = z.object({ param: z.string().min(1), in: z.array(ParamValueSchema).min(1) }).strict();
export type Condition = z.infer<typeof ConditionSchema>;

export const FloatParamSchema = z
  .object({
    type: z.literal('float'),
    low: z.number().finite(),
    high: z.number().finite(),
    /** Sample (and model, in TPE) in log space: for scale parameters such as a learning rate. */
    log: z.boolean().default(false),
    /** Discretisation: values are low + k·step (Optuna's `step`); not with `log`; must divide high - low. */
    step: z.number().finite().positive().optional(),
    /** Number of grid points for GridSampler (evenly spaced, geometric when `log`; every step value when omitted with a `step`). */
    grid: z.number().int().min(2).max(1000).optional(),
    when: ConditionSchema.optional(),
  })
  .strict();

export const IntParamSchema = z
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

export const CategoricalParamSchema = z
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

/** Is `x` a whole multiple of `step`, to float precision (0.3 / 0.1 is 2.9999999999999996)? */
export function isMultiple(x: number, step: number): boolean {
  const k = x / step;
  return Math.abs(k - Math.round(k)) < 1e-9 * Math.max(1, Math.abs(k));
}

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
  if (p.type === 'float' && p.step !== undefined) {
    if (p.log) ctx.addIssue({ code: 'custom', path: at('step'), message: 'cannot be combined with log' });
    else if (p.low < p.high && !isMultiple(p.high - p.low, p.step)) {
      ctx.addIssue({ code: 'custom', path: at('step'), message: `must divide high - low (${p.high - p.low})` });
    }
  }
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
  if (p.type === 'float') return p.step === undefined || isMultiple(v - p.low, p.step);
  return Number.isInteger(v) && (v - p.low) % p.step === 0;
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
  })
  .describe(
    'Search space: parameter name (an identifier) → float | int | categorical spec; `when: {param, in}` makes a parameter conditional. Also checked for low < high, step dividing high - low, log > 0, known and acyclic conditions.',
  );
export type SearchSpace = z.output<typeof SearchSpaceSchema>;
export type SearchSpaceInput = z.input<typeof SearchSpaceSchema>;

/** Minimise or maximise an objective (samplers, pruners, evolution). */
export const DirectionSchema = z.enum(['minimize', 'maximize']);
export type Direction = z.infer<typeof DirectionSchema>;
