/**
 * Standard synthetic objectives (minimise) with known optima: what the `synthetic` evaluator of
 * an HPO campaign names (the workflow takes the space from here, the activity evaluates), shared
 * with the sampler tests and the sample-efficiency bench (and its Optuna peer, which re-declares
 * them in Python with the same constants), so "our TPE vs theirs" compares like with like.
 * Pure arithmetic: safe in workflows.
 */
import type { Params, SearchSpaceInput } from '../search-space.js';

export interface TestFunction {
  name: string;
  space: SearchSpaceInput;
  /** Global minimum value. */
  optimum: number;
  evaluate(params: Params): number;
}

const n = (p: Params, k: string): number => p[k] as number;

/** Branin–Hoo on [-5, 10] × [0, 15]; minimum 0.397887 at three points. */
export const BRANIN: TestFunction = {
  name: 'branin',
  space: { x1: { type: 'float', low: -5, high: 10 }, x2: { type: 'float', low: 0, high: 15 } },
  optimum: 0.39788735772973816,
  evaluate(p) {
    const x1 = n(p, 'x1');
    const x2 = n(p, 'x2');
    const b = 5.1 / (4 * Math.PI ** 2);
    const c = 5 / Math.PI;
    const t = 1 / (8 * Math.PI);
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10;
  },
};

const H6_ALPHA = [1.0, 1.2, 3.0, 3.2];
const H6_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const H6_P = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
].map((row) => row.map((v) => v * 1e-4));

/** Hartmann-6 on [0, 1]^6; minimum -3.32237. */
export const HARTMANN6: TestFunction = {
  name: 'hartmann6',
  space: Object.fromEntries(Array.from({ length: 6 }, (_, j) => [`x${j + 1}`, { type: 'float', low: 0, high: 1 }])),
  optimum: -3.3223680114155147,
  evaluate(p) {
    let sum = 0;
    for (let i = 0; i < 4; i++) {
      let inner = 0;
      for (let j = 0; j < 6; j++) inner += H6_A[i][j] * (n(p, `x${j + 1}`) - H6_P[i][j]) ** 2;
      sum += H6_ALPHA[i] * Math.exp(-inner);
    }
    return -sum;
  },
};

export const TEST_FUNCTIONS: readonly TestFunction[] = [BRANIN, HARTMANN6];

export const SYNTHETIC_OBJECTIVE_NAMES = ['branin', 'hartmann6'] as const;
export type SyntheticObjectiveName = (typeof SYNTHETIC_OBJECTIVE_NAMES)[number];
/** By the name an HPO campaign's `synthetic` evaluator gives. */
export const SYNTHETIC_OBJECTIVES: Readonly<Record<SyntheticObjectiveName, TestFunction>> = { branin: BRANIN, hartmann6: HARTMANN6 };
