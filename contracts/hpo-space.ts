/**
 * What an HPO campaign's search space must satisfy beyond its own shape (search-space.ts), so
 * that every check a sampler or a trial would apply runs when the campaign is started — by the
 * client and again at the top of the workflow — instead of failing every workflow task or
 * every trial:
 *
 * - a grid sampler needs a finite grid (a `grid` count on every float, at most MAX_GRID_POINTS);
 * - with the training evaluator, every parameter must be a training setting that a trial reads
 *   (or the parent of a condition), with values that setting accepts;
 * - with a synthetic evaluator, the parameters must be exactly the function's;
 * - a fixed architecture (`base.architecture`) must not collapse at any window length the
 *   campaign may train with.
 *
 * Pure: safe in workflows.
 */
import { z } from 'zod';
import { architectureIssue, MIN_CLASSES, REFERENCE_ARCHITECTURE } from './architecture.js';
import { TRAINING_DEFAULTS } from './constants.js';
import { SearchSpaceSchema, type ParamSpec, type ParamValue, type Params, type SearchSpace, type SearchSpaceInput } from './search-space.js';
import { SYNTHETIC_OBJECTIVES, type SyntheticObjectiveName } from './testing/synthetic-objectives.js';
import { addArchitectureIssue, TRAIN_SETTING_SCHEMAS, type Architecture, type ConvBlock, type TrainSettings } from './training.js';

/** A grid larger than this is a mistake (a campaign would never finish it). */
export const MAX_GRID_POINTS = 100_000;

/** Conv blocks a flat space can describe (`filters<i>` + `kernelSize<i>`), as ArchitectureSchema allows. */
export const MAX_SPACE_BLOCKS = 12;

/**
 * Block `i` (1-based) of an architecture sampled from a flat space: the first is the wide,
 * strided "WDCNN" layer of the reference model, later ones 3-tap-style with batch norm; each
 * max-pools by 2. Filters and kernel size come from the point.
 */
export function spaceBlock(i: number, filters: number, kernelSize: number): ConvBlock {
  return { filters, kernelSize, stride: i === 1 ? 16 : 1, dilation: 1, pool: 'max', poolSize: 2, batchNorm: i > 1, residual: false };
}

/**
 * The default HPO space for the 1D CNN. Field names follow TrainHyperparametersSchema /
 * ArchitectureSchema so a point reads like the hyperparameters it becomes. Blocks 2 and 3 are
 * conditional on `blocks`, which is how a variable-depth network is expressed in a flat space.
 */
export const DEFAULT_CNN_SPACE_INPUT = {
  learningRate: { type: 'float', low: 1e-4, high: 1e-1, log: true, grid: 4 },
  batchSize: { type: 'categorical', choices: [16, 32, 64, 128] },
  /** The full budget of a trial; an ASHA campaign overrides it with its rungs. */
  epochs: { type: 'int', low: 10, high: 40, step: 10 },
  optimizer: { type: 'categorical', choices: ['adam', 'sgd', 'rmsprop'] },
  windowLength: { type: 'categorical', choices: [1024, 2048, 4096] },
  blocks: { type: 'int', low: 1, high: 3 },
  // The first block is the wide, strided "WDCNN" layer of the reference model.
  filters1: { type: 'int', low: 8, high: 64, log: true, grid: 4 },
  kernelSize1: { type: 'int', low: 16, high: 128, step: 16 },
  filters2: { type: 'int', low: 8, high: 128, log: true, grid: 4, when: { param: 'blocks', in: [2, 3] } },
  kernelSize2: { type: 'int', low: 3, high: 9, step: 2, when: { param: 'blocks', in: [2, 3] } },
  filters3: { type: 'int', low: 8, high: 128, log: true, grid: 4, when: { param: 'blocks', in: [3] } },
  kernelSize3: { type: 'int', low: 3, high: 9, step: 2, when: { param: 'blocks', in: [3] } },
  denseUnits: { type: 'categorical', choices: [0, 32, 64, 128] },
  dropout: { type: 'float', low: 0, high: 0.5, grid: 3 },
} as const satisfies SearchSpaceInput;

export const DEFAULT_CNN_SPACE: SearchSpace = SearchSpaceSchema.parse(DEFAULT_CNN_SPACE_INPUT);

type Kind = 'int' | 'number' | 'string';
interface SpaceField {
  kind: Kind;
  schema: z.ZodType;
}

const S = TRAIN_SETTING_SCHEMAS;
/** Settings a trial reads from a sampled point (cnn-space.ts `toTrainHyperparameters`), by name. */
const SETTING_FIELDS: Record<string, SpaceField> = {
  learningRate: { kind: 'number', schema: S.learningRate },
  batchSize: { kind: 'int', schema: S.batchSize },
  epochs: { kind: 'int', schema: S.epochs },
  optimizer: { kind: 'string', schema: S.optimizer },
  windowLength: { kind: 'int', schema: S.windowLength },
  windowHop: { kind: 'int', schema: S.windowHop },
  maxWindowsPerSignal: { kind: 'int', schema: S.maxWindowsPerSignal },
  patience: { kind: 'int', schema: S.patience },
  minDelta: { kind: 'number', schema: S.minDelta },
  validationFraction: { kind: 'number', schema: S.validationFraction },
  testFraction: { kind: 'number', schema: S.testFraction },
  seed: { kind: 'int', schema: S.seed },
};

/** Numeric settings copied from a point as they are (everything but the optimizer and the architecture). */
export const NUMERIC_SPACE_SETTINGS = Object.keys(SETTING_FIELDS).filter((k) => SETTING_FIELDS[k].kind !== 'string');

function architectureField(name: string): SpaceField | undefined {
  const m = /^(filters|kernelSize)([1-9][0-9]?)$/.exec(name);
  if (m && Number(m[2]) <= MAX_SPACE_BLOCKS) return { kind: 'int', schema: z.number().int().min(1).max(512) };
  return undefined;
}

/** The schema of the space parameter `name` when a trial reads it, else undefined. */
export function spaceTrainingField(name: string): SpaceField | undefined {
  return SETTING_FIELDS[name] ?? architectureField(name) ?? HEAD_FIELDS[name];
}

const HEAD_FIELDS: Record<string, SpaceField> = {
  denseUnits: { kind: 'int', schema: z.number().int().min(0).max(1024) },
  dropout: { kind: 'number', schema: z.number().min(0).max(0.9) },
};

/** Every name a training trial reads, for messages (`filters<i>`, `kernelSize<i>` for i = 1..12). */
export const SPACE_TRAINING_NAMES = [
  ...Object.keys(SETTING_FIELDS),
  `filters<1..${MAX_SPACE_BLOCKS}>`,
  `kernelSize<1..${MAX_SPACE_BLOCKS}>`,
  ...Object.keys(HEAD_FIELDS),
];

type Issue = { path: (string | number)[]; message: string };

/** The values at the ends of a parameter's range (every choice of a categorical). */
function extremes(p: ParamSpec): { at: (string | number)[]; value: ParamValue }[] {
  if (p.type === 'categorical') return p.choices.map((value, i) => ({ at: ['choices', i], value }));
  return [
    { at: ['low'], value: p.low },
    { at: ['high'], value: p.high },
  ];
}

function trainingSpaceIssues(space: SearchSpace): Issue[] {
  const issues: Issue[] = [];
  const parents = new Set(Object.values(space).flatMap((p) => (p.when ? [p.when.param] : [])));
  for (const [name, p] of Object.entries(space)) {
    const field = spaceTrainingField(name);
    if (!field) {
      if (!parents.has(name)) {
        issues.push({
          path: [name],
          message: `"${name}" is not a training setting, so no trial would use it; valid names: ${SPACE_TRAINING_NAMES.join(', ')} (or a parameter other parameters' "when" refers to)`,
        });
      }
      continue;
    }
    if (p.type === 'float' && field.kind !== 'number') {
      issues.push({
        path: [name, 'type'],
        message: `${name} takes ${field.kind === 'int' ? 'integers' : 'names'}: use ${field.kind === 'int' ? 'an int' : 'a categorical'} parameter`,
      });
      continue;
    }
    if (p.type === 'int' && field.kind === 'string') {
      issues.push({ path: [name, 'type'], message: `${name} takes names: use a categorical parameter` });
      continue;
    }
    for (const { at, value } of extremes(p)) {
      const r = field.schema.safeParse(value);
      if (!r.success) issues.push({ path: [name, ...at], message: `not a valid ${name}: ${r.error.issues[0]?.message ?? 'invalid'}` });
    }
  }
  // A block is read only with both of its genes and every block before it (toTrainHyperparameters stops at the first gap).
  for (let i = 1; i <= MAX_SPACE_BLOCKS; i++) {
    const f = `filters${i}`;
    const k = `kernelSize${i}`;
    if (f in space !== k in space) {
      const have = f in space ? f : k;
      issues.push({ path: [have], message: `block ${i} needs both ${f} and ${k}` });
    }
    if (i > 1 && (f in space || k in space) && !(`filters${i - 1}` in space && `kernelSize${i - 1}` in space)) {
      issues.push({ path: [f in space ? f : k], message: `block ${i} needs block ${i - 1} (filters${i - 1} and kernelSize${i - 1})` });
    }
  }
  return issues;
}

function syntheticSpaceIssues(space: SearchSpace, fn: SyntheticObjectiveName): Issue[] {
  const expected = Object.keys(SYNTHETIC_OBJECTIVES[fn].space);
  const issues: Issue[] = [];
  for (const [name, p] of Object.entries(space)) {
    if (!expected.includes(name)) issues.push({ path: [name], message: `${fn} takes only ${expected.join(', ')}` });
    else if (p.type === 'categorical' && p.choices.some((c) => typeof c !== 'number')) {
      issues.push({ path: [name, 'choices'], message: `${fn} takes numbers` });
    }
  }
  const missing = expected.filter((n) => !(n in space));
  if (missing.length > 0) issues.push({ path: [], message: `${fn} needs ${missing.join(', ')} (it takes ${expected.join(', ')})` });
  return issues;
}

/** The values of a parameter on the grid, or why it has none (the grid sampler's own rule). */
export function gridValueCount(p: ParamSpec): { count: number } | { issue: Issue } {
  if (p.type === 'categorical') return { count: p.choices.length };
  if (p.grid !== undefined) return { count: p.grid };
  if (p.step === undefined) return { issue: { path: ['grid'], message: 'is required to grid-search a float parameter without a step (sampler.kind "grid")' } };
  const n = Math.round((p.high - p.low) / p.step) + 1;
  if (n > MAX_GRID_POINTS) return { issue: { path: ['grid'], message: `is required: the parameter has ${n} grid values, more than ${MAX_GRID_POINTS}` } };
  return { count: n };
}

function gridIssues(space: SearchSpace): Issue[] {
  const issues: Issue[] = [];
  let product = 1;
  for (const [name, p] of Object.entries(space)) {
    const c = gridValueCount(p);
    if ('issue' in c) issues.push({ path: [name, ...c.issue.path], message: c.issue.message });
    // Conditional parameters multiply only some branches: the product is an upper bound.
    else product *= c.count;
  }
  if (issues.length === 0 && product > MAX_GRID_POINTS && enumerateGrid(space) === undefined) {
    issues.push({ path: [], message: `the grid has more than ${MAX_GRID_POINTS} points (sampler.kind "grid")` });
  }
  return issues;
}

/**
 * The values a parameter takes on the grid, in ascending / declaration order (evenly spaced,
 * geometric when `log`; ints default to every step). Expects `gridValueCount` to have accepted it.
 */
export function gridValues(p: ParamSpec): ParamValue[] {
  if (p.type === 'categorical') return [...p.choices];
  if (p.grid === undefined) {
    const step = p.step ?? 1;
    const round = (v: number): number => (p.type === 'float' ? Number(v.toPrecision(12)) : v);
    return Array.from({ length: Math.round((p.high - p.low) / step) + 1 }, (_, i) => round(p.low + i * step));
  }
  const count = p.grid;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const f = i / (count - 1);
    let v = p.log ? Math.exp(Math.log(p.low) + f * (Math.log(p.high) - Math.log(p.low))) : p.low + f * (p.high - p.low);
    if (i === count - 1) v = p.high; // no rounding drift at the end point
    if (p.step !== undefined) v = p.low + Math.round((v - p.low) / p.step) * p.step;
    if (p.type === 'float' && p.step !== undefined) v = Number(v.toPrecision(12));
    if (out.length === 0 || out[out.length - 1] !== v) out.push(v); // int rounding may merge points
  }
  return out;
}

/** Parameter names with every parent before its children (declaration order otherwise). */
export function parentsFirst(space: SearchSpace): string[] {
  const order: string[] = [];
  const placed = new Set<string>();
  const visit = (name: string): void => {
    if (placed.has(name)) return;
    const parent = space[name].when?.param;
    if (parent !== undefined && space[parent]) visit(parent); // validated acyclic, so this terminates
    placed.add(name);
    order.push(name);
  };
  for (const name of Object.keys(space)) visit(name);
  return order;
}

/** Is `name` active given the (partial) point `params`? Parents are checked recursively. */
export function isParamActive(space: SearchSpace, name: string, params: Params): boolean {
  const when = space[name].when;
  if (!when) return true;
  if (!(when.param in params) || !isParamActive(space, when.param, params)) return false;
  const v = params[when.param];
  return when.in.some((x) => x === v);
}

/**
 * Every grid point in sampling order (parameters parents first, the last varying fastest;
 * conditional parameters only where active), or undefined past `cap` points.
 */
export function enumerateGrid(space: SearchSpace, order: readonly string[] = parentsFirst(space), cap = MAX_GRID_POINTS): Params[] | undefined {
  const values = new Map(order.map((n) => [n, gridValues(space[n])] as const));
  const points: Params[] = [];
  let over = false;
  const walk = (i: number, point: Params): void => {
    if (over) return;
    if (points.length >= cap) {
      over = true;
      return;
    }
    if (i === order.length) {
      points.push(point);
      return;
    }
    const name = order[i];
    if (!isParamActive(space, name, point)) return walk(i + 1, point);
    for (const v of values.get(name) ?? []) walk(i + 1, { ...point, [name]: v });
  };
  walk(0, {});
  return over ? undefined : points;
}

/** The window lengths a trial may use: the space's windowLength values, else the base's, else the default. */
function windowLengthRange(space: SearchSpace, base: TrainSettings): { min: number; max: number } {
  const p = space.windowLength;
  if (p === undefined) {
    const w = base.windowLength ?? TRAINING_DEFAULTS.windowLength;
    return { min: w, max: w };
  }
  const values = p.type === 'categorical' ? p.choices.filter((c): c is number => typeof c === 'number') : [p.low, p.high];
  return values.length === 0
    ? { min: TRAINING_DEFAULTS.windowLength, max: TRAINING_DEFAULTS.windowLength }
    : { min: Math.min(...values), max: Math.max(...values) };
}

export interface HpoSpaceContext {
  space: SearchSpace;
  /** True when the space is the campaign's own (`space`), false for a default one. */
  given: boolean;
  evaluator: { kind: 'training' } | { kind: 'synthetic'; function: SyntheticObjectiveName };
  sampler: 'tpe' | 'gp' | 'random' | 'grid' | 'nsga2';
  base: TrainSettings;
}

/**
 * Every issue of a campaign's space and base, paths relative to the campaign input
 * (`space.learningRate.grid`, `base.architecture.blocks.2.poolSize`).
 */
export function hpoSpaceIssues(c: HpoSpaceContext, ctx: z.RefinementCtx): void {
  const add = (prefix: string, issues: Issue[]) => issues.forEach((i) => ctx.addIssue({ code: 'custom', path: [prefix, ...i.path], message: i.message }));
  if (c.sampler === 'grid') {
    const issues = gridIssues(c.space);
    if (c.given) add('space', issues);
    // The default space is not in the input: what made it a problem is the sampler chosen.
    else
      add(
        'sampler',
        issues.map((i) => ({ path: ['kind'], message: `the default space: ${i.path.join('.')} ${i.message}` })),
      );
  }
  if (!c.given) return;
  if (c.evaluator.kind === 'synthetic') {
    add('space', syntheticSpaceIssues(c.space, c.evaluator.function));
    return;
  }
  add('space', trainingSpaceIssues(c.space));
  const definesBlocks = 'filters1' in c.space;
  if (definesBlocks) {
    // Blocks without a condition are in every trial; strides and pools alone decide a collapse,
    // and one at the longest window the space samples is a collapse in every trial.
    let always = 0;
    while (always < MAX_SPACE_BLOCKS && [`filters${always + 1}`, `kernelSize${always + 1}`].every((n) => c.space[n] && !c.space[n].when)) always++;
    const { max } = windowLengthRange(c.space, c.base);
    const arch: Architecture = { blocks: Array.from({ length: always }, (_, i) => spaceBlock(i + 1, 1, 1)), head: 'global-avg', denseUnits: 0, dropout: 0 };
    const issue = always > 0 ? architectureIssue(arch, { inputLength: max, numClasses: MIN_CLASSES }) : undefined;
    if (issue && issue.path[0] === 'blocks') {
      const k = Number(issue.path[1]) + 1;
      ctx.addIssue({
        code: 'custom',
        path: ['space', `filters${k}`],
        message: `block ${k} of every trial: ${issue.message} (windowLength ${max}; each block pools by 2, the first has stride 16)`,
      });
    }
  } else {
    // The architecture is fixed for every trial: it must work at every window length the space samples.
    const arch: Architecture = c.base.architecture ?? REFERENCE_ARCHITECTURE;
    const { min, max } = windowLengthRange(c.space, c.base);
    const at = c.base.architecture ? ['base', 'architecture'] : [c.space.windowLength ? 'space' : 'base', 'windowLength'];
    const opts = c.base.architecture ? {} : { describe: 'the default architecture (no base.architecture):' };
    // Collapse shows at the shortest window; a flatten head's parameters grow with the longest.
    for (const w of min === max ? [min] : [min, max]) {
      if (addArchitectureIssue(arch, w, at, ctx, opts)) break;
    }
  }
}
