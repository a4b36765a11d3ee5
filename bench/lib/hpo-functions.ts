/**
 * The suite of bench/hpo-sample-efficiency.ts: box functions of 2–10 dimensions with known
 * minima and two conditional spaces, none of which the samplers were tuned on. Every function is
 * re-declared constant for constant in bench/peers/optuna_samplers.py (Optuna's define-by-run
 * form), so both sides minimise the same thing.
 */
import { BRANIN, HARTMANN6, type Params, type SearchSpaceInput } from '../../workflows/search/index.js';

export interface BenchFunction {
  name: string;
  kind: 'box' | 'conditional';
  dims: number;
  space: SearchSpaceInput;
  optimum: number;
  evaluate(p: Params): number;
}

const box = (names: string[], low: number, high: number): SearchSpaceInput => Object.fromEntries(names.map((n) => [n, { type: 'float', low, high }]));
const xs = (d: number): string[] => Array.from({ length: d }, (_, i) => `x${i + 1}`);
const vec = (p: Params, d: number): number[] => xs(d).map((k) => p[k] as number);

function levy(x: number[]): number {
  const w = x.map((v) => 1 + (v - 1) / 4);
  const d = w.length;
  let s = Math.sin(Math.PI * w[0]) ** 2;
  for (let i = 0; i < d - 1; i++) s += (w[i] - 1) ** 2 * (1 + 10 * Math.sin(Math.PI * w[i] + 1) ** 2);
  return s + (w[d - 1] - 1) ** 2 * (1 + Math.sin(2 * Math.PI * w[d - 1]) ** 2);
}

function rosenbrock(x: number[]): number {
  let s = 0;
  for (let i = 0; i < x.length - 1; i++) s += 100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2;
  return s;
}

function ackley(x: number[]): number {
  const d = x.length;
  const sq = x.reduce((a, v) => a + v * v, 0) / d;
  const cs = x.reduce((a, v) => a + Math.cos(2 * Math.PI * v), 0) / d;
  return -20 * Math.exp(-0.2 * Math.sqrt(sq)) - Math.exp(cs) + 20 + Math.E;
}

const styblinskiTang = (x: number[]): number => x.reduce((a, v) => a + (v ** 4 - 16 * v * v + 5 * v) / 2, 0);
const rastrigin = (x: number[]): number => 10 * x.length + x.reduce((a, v) => a + v * v - 10 * Math.cos(2 * Math.PI * v), 0);

/**
 * A mixed categorical/conditional space shaped like a model-selection problem: three model
 * families with their own parameters (log float, int, log int, categorical); the best family is
 * "net", optimum 0 at units 64, dropout 0.2, lr 1e-2.5 (units and dropout interact).
 */
const MIXED_SPACE: SearchSpaceInput = {
  model: { type: 'categorical', choices: ['linear', 'tree', 'net'] },
  alpha: { type: 'float', low: 1e-4, high: 1, log: true, when: { param: 'model', in: ['linear'] } },
  penalty: { type: 'categorical', choices: ['l1', 'l2'], when: { param: 'model', in: ['linear'] } },
  depth: { type: 'int', low: 1, high: 12, when: { param: 'model', in: ['tree'] } },
  shrink: { type: 'float', low: 0.01, high: 1, when: { param: 'model', in: ['tree'] } },
  units: { type: 'int', low: 8, high: 256, log: true, when: { param: 'model', in: ['net'] } },
  dropout: { type: 'float', low: 0, high: 0.5, when: { param: 'model', in: ['net'] } },
  lr: { type: 'float', low: 1e-4, high: 1, log: true },
};

function mixed(p: Params): number {
  const lr = (Math.log10(p.lr as number) + 2.5) ** 2 * 0.02;
  if (p.model === 'linear') return 0.3 + lr + (Math.log10(p.alpha as number) + 2) ** 2 * 0.05 + (p.penalty === 'l1' ? 0 : 0.05);
  if (p.model === 'tree') return 0.1 + lr + (((p.depth as number) - 7) / 5) ** 2 * 0.2 + ((p.shrink as number) - 0.3) ** 2 * 0.5;
  const u = (Math.log2(p.units as number) - 6) / 2;
  const d = ((p.dropout as number) - 0.2) * 5;
  return lr + 0.1 * (u * u + d * d + 1.5 * u * d);
}

/** A planted correlated optimum inside one branch (the group-decomposition test's function). */
const PLANTED_SPACE: SearchSpaceInput = {
  branch: { type: 'categorical', choices: ['a', 'b', 'c'] },
  a1: { type: 'float', low: 0, high: 1, when: { param: 'branch', in: ['a'] } },
  a2: { type: 'float', low: 0, high: 1, when: { param: 'branch', in: ['a'] } },
  a3: { type: 'float', low: 0, high: 1, when: { param: 'branch', in: ['a'] } },
  b1: { type: 'float', low: 0, high: 1, when: { param: 'branch', in: ['b'] } },
  lr: { type: 'float', low: 0, high: 1 },
};

function planted(p: Params): number {
  if (p.branch === 'b') return 0.5 + 0.1 * ((p.b1 as number) - 0.3) ** 2;
  if (p.branch === 'c') return 0.2;
  const [a1, a2, a3] = [p.a1, p.a2, p.a3] as number[];
  const d1 = (a1 - 0.15) ** 2 + (a2 - 0.85) ** 2 + (a3 - 0.15) ** 2;
  const d2 = (a1 - 0.85) ** 2 + (a2 - 0.15) ** 2 + (a3 - 0.85) ** 2;
  return Math.min(d1, d2);
}

export const BENCH_FUNCTIONS: readonly BenchFunction[] = [
  { name: 'branin', kind: 'box', dims: 2, space: BRANIN.space, optimum: BRANIN.optimum, evaluate: BRANIN.evaluate },
  { name: 'hartmann6', kind: 'box', dims: 6, space: HARTMANN6.space, optimum: HARTMANN6.optimum, evaluate: HARTMANN6.evaluate },
  { name: 'levy5', kind: 'box', dims: 5, space: box(xs(5), -10, 10), optimum: 0, evaluate: (p) => levy(vec(p, 5)) },
  { name: 'rosenbrock4', kind: 'box', dims: 4, space: box(xs(4), -5, 10), optimum: 0, evaluate: (p) => rosenbrock(vec(p, 4)) },
  { name: 'ackley5', kind: 'box', dims: 5, space: box(xs(5), -32.768, 32.768), optimum: 0, evaluate: (p) => ackley(vec(p, 5)) },
  { name: 'styblinskiTang6', kind: 'box', dims: 6, space: box(xs(6), -5, 5), optimum: -39.16616570377142 * 6, evaluate: (p) => styblinskiTang(vec(p, 6)) },
  { name: 'rastrigin10', kind: 'box', dims: 10, space: box(xs(10), -5.12, 5.12), optimum: 0, evaluate: (p) => rastrigin(vec(p, 10)) },
  { name: 'mixed', kind: 'conditional', dims: 8, space: MIXED_SPACE, optimum: 0, evaluate: mixed },
  { name: 'planted', kind: 'conditional', dims: 6, space: PLANTED_SPACE, optimum: 0, evaluate: planted },
];
