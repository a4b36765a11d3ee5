/**
 * Search-space helpers for the samplers: validation with readable issues, the order in which
 * parameters are drawn, conditional activity and the internal (log) scale. The shape itself is
 * the contract's (contracts/search-space.ts).
 */
import {
  SearchSpaceSchema,
  type FloatParam,
  type IntParam,
  type Params,
  type ParamValue,
  type SearchSpace,
  type SearchSpaceInput,
} from '../../contracts/search-space.js';

export * from '../../contracts/search-space.js';

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
  // Stepped values own the half-step around them, so the end values are as likely as the others.
  const pad = p.step !== undefined ? p.step / 2 : 0;
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
  if (p.step === undefined) return Math.min(p.high, Math.max(p.low, v));
  const k = Math.round((v - p.low) / p.step);
  const stepped = Math.min(p.high, Math.max(p.low, p.low + k * p.step));
  // Float steps: 0.1 + 2 × 0.1 is 0.30000000000000004; report the decimal the user means.
  return p.type === 'float' ? Number(stepped.toPrecision(12)) : stepped;
}

type DeepReadonly<T> = T extends readonly (infer U)[] ? readonly DeepReadonly<U>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;
/** A space as written in code: plain or `as const` (readonly) objects are both accepted. */
export type SpaceDeclaration = SearchSpaceInput | DeepReadonly<SearchSpaceInput>;

/** The value type of one declared parameter: its choices' union, or number. */
type ValueOf<P> = P extends { type: 'categorical'; choices: readonly (infer C)[] } ? C : P extends { type: 'float' | 'int' } ? number : ParamValue;
type ConditionalKeys<S> = { [K in keyof S]: S[K] extends { when: object } ? K : never }[keyof S];

/**
 * The point type of a declared space: one typed field per parameter, optional when conditional
 * (absent while inactive). A space only known at run time (a plain SearchSpace) gives Params.
 */
export type ParamsOf<S> = string extends keyof S
  ? Params
  : { -readonly [K in Exclude<keyof S, ConditionalKeys<S>>]: ValueOf<S[K]> } & { -readonly [K in ConditionalKeys<S>]?: ValueOf<S[K]> };
