/** TPE's group decomposition (Optuna's group=True): a conditional branch's parameters are modelled jointly. */
import { describe, expect, it } from 'vitest';
import { TpeSampler, drawGroups, isActive, paramOrder, parseSearchSpace, restoreSampler } from '../../workflows/search/index.js';

const NESTED = {
  optimizer: { type: 'categorical', choices: ['adam', 'sgd', 'rmsprop'] },
  momentum: { type: 'float', low: 0, high: 0.99, when: { param: 'optimizer', in: ['sgd'] } },
  useNesterov: { type: 'categorical', choices: ['yes', 'no'], when: { param: 'momentumBand', in: ['high'] } },
  momentumBand: { type: 'categorical', choices: ['low', 'high'], when: { param: 'optimizer', in: ['sgd'] } },
  nesterovGain: { type: 'float', low: 0, high: 1, when: { param: 'momentumBand', in: ['high'] } },
  rho: { type: 'float', low: 0.8, high: 0.99, when: { param: 'optimizer', in: ['rmsprop'] } },
  lr: { type: 'float', low: 1e-5, high: 1, log: true },
} as const;

/**
 * A planted correlated optimum inside a branch: in branch `a`, the best points are two opposite
 * corners of the cube (0.15, 0.85, 0.15) and (0.85, 0.15, 0.85). Each coordinate alone is
 * bimodal, so drawing them one at a time mixes the modes (mostly bad points); only a joint
 * model keeps a good point's coordinates together. Branches b and c are plateaus (0.5, 0.2).
 */
const PLANTED = {
  branch: { type: 'categorical', choices: ['a', 'b', 'c'] },
  a1: { type: 'float', low: 0, high: 1, when: { param: 'branch', in: ['a'] } },
  a2: { type: 'float', low: 0, high: 1, when: { param: 'branch', in: ['a'] } },
  a3: { type: 'float', low: 0, high: 1, when: { param: 'branch', in: ['a'] } },
  b1: { type: 'float', low: 0, high: 1, when: { param: 'branch', in: ['b'] } },
  lr: { type: 'float', low: 0, high: 1 },
} as const;

function planted(p: { branch: 'a' | 'b' | 'c'; a1?: number; a2?: number; a3?: number; b1?: number }): number {
  if (p.branch === 'b') return 0.5 + 0.1 * ((p.b1 ?? 0) - 0.3) ** 2;
  if (p.branch === 'c') return 0.2;
  const [a1, a2, a3] = [p.a1 ?? NaN, p.a2 ?? NaN, p.a3 ?? NaN];
  const d1 = (a1 - 0.15) ** 2 + (a2 - 0.85) ** 2 + (a3 - 0.15) ** 2;
  const d2 = (a1 - 0.85) ** 2 + (a2 - 0.15) ** 2 + (a3 - 0.85) ** 2;
  return Math.min(d1, d2);
}

describe('drawGroups', () => {
  const space = parseSearchSpace(NESTED);
  const order = paramOrder(space);

  it('groups the parameters that share a chain of conditions, parents first', () => {
    expect(drawGroups(space, order, { multivariate: true, group: true })).toEqual([
      ['optimizer', 'lr'],
      ['momentum', 'momentumBand'],
      ['useNesterov', 'nesterovGain'],
      ['rho'],
    ]);
  });

  it('without group each conditional parameter is alone; univariate, every parameter is', () => {
    expect(drawGroups(space, order, { multivariate: true, group: false })).toEqual([
      ['optimizer', 'lr'],
      ['momentum'],
      ['momentumBand'],
      ['useNesterov'],
      ['nesterovGain'],
      ['rho'],
    ]);
    expect(drawGroups(space, order, { multivariate: false, group: true })).toEqual(order.map((n) => [n]));
  });

  it('the same values in another order are the same condition', () => {
    const s = parseSearchSpace({
      k: { type: 'int', low: 1, high: 3 },
      x: { type: 'float', low: 0, high: 1, when: { param: 'k', in: [2, 3] } },
      y: { type: 'float', low: 0, high: 1, when: { param: 'k', in: [3, 2] } },
      z: { type: 'float', low: 0, high: 1, when: { param: 'k', in: [3] } },
    });
    expect(drawGroups(s, paramOrder(s), { multivariate: true, group: true })).toEqual([['k'], ['x', 'y'], ['z']]);
  });
});

describe('TpeSampler with groups', () => {
  it('is on by default when the space has conditionals, off for a box space', () => {
    expect(new TpeSampler(NESTED).options.group).toBe(true);
    expect(new TpeSampler({ x: { type: 'float', low: 0, high: 1 } }).options.group).toBe(false);
    expect(new TpeSampler(NESTED, { group: false }).options.group).toBe(false);
  });

  it('never suggests an inactive parameter and always suggests the active ones', () => {
    const space = parseSearchSpace(NESTED);
    for (const seed of [1, 2, 3]) {
      const s = new TpeSampler(NESTED, { seed, nStartupTrials: 5 });
      for (let i = 0; i < 60; i++) {
        const { trialId, params } = s.ask();
        for (const name of Object.keys(space)) expect(name in params, `${name} in ${JSON.stringify(params)}`).toBe(isActive(space, name, params));
        const penalty = params.optimizer === 'sgd' ? Math.abs((params.momentum ?? 0) - 0.9) + (params.nesterovGain ?? 0.5) : 1;
        s.tell(trialId, { status: 'complete', value: penalty + Math.abs(Math.log10(params.lr) + 2) });
      }
      // The search did reach the deepest branch, so the check above covered it.
      expect(s.trials().some((t) => 'nesterovGain' in t.params)).toBe(true);
    }
  });

  it('finds a planted correlated optimum in a branch more often than without groups (30 seeds × 60 trials)', () => {
    const found = (group: boolean): number => {
      let hits = 0;
      for (let seed = 0; seed < 30; seed++) {
        const s = new TpeSampler(PLANTED, { seed, group });
        for (let i = 0; i < 60; i++) {
          const { trialId, params } = s.ask();
          s.tell(trialId, { status: 'complete', value: planted(params) });
        }
        if ((s.best()?.value ?? Infinity) < 0.01) hits++;
      }
      return hits;
    };
    const withGroups = found(true);
    const without = found(false);
    expect(withGroups).toBeGreaterThanOrEqual(without + 5);
    expect(withGroups).toBeGreaterThanOrEqual(25);
  });

  it('states round-trip with the resolved group; a state from before groups restores without them', () => {
    const s = new TpeSampler(PLANTED, { seed: 5, nStartupTrials: 3 });
    for (let i = 0; i < 8; i++) {
      const { trialId, params } = s.ask();
      s.tell(trialId, { status: 'complete', value: planted(params) });
    }
    const state = JSON.parse(JSON.stringify(s.state())) as ReturnType<typeof s.state>;
    expect(state.options.group).toBe(true);
    expect(restoreSampler(state).ask()).toEqual(s.ask());
    const legacy = JSON.parse(JSON.stringify(state)) as typeof state;
    delete legacy.options.group;
    const old = restoreSampler(legacy) as TpeSampler;
    expect(old.options.group).toBe(false);
  });
});
