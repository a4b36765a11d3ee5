/** The ask/tell API as the README documents it: options validated up front, typed points, float steps, non-finite values. */
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  GridSampler,
  RandomSampler,
  SamplerOptionsError,
  SamplerStateError,
  TpeSampler,
  parseSearchSpace,
  restoreSampler,
  type Sampler,
} from '../../workflows/search/index.js';

const X = { x: { type: 'float', low: 0, high: 1 } } as const;

function optionIssues(make: () => unknown): string[] {
  try {
    make();
  } catch (err) {
    expect(err).toBeInstanceOf(SamplerOptionsError);
    return (err as SamplerOptionsError).issues;
  }
  throw new Error('expected the options to be refused');
}

describe('options are validated at construction', () => {
  it.each([
    ['tpe', (o: unknown) => new TpeSampler(X, o as never)],
    ['random', (o: unknown) => new RandomSampler(X, o as never)],
  ])('%s: a mistyped direction is refused naming option and value', (_k, make) => {
    expect(optionIssues(() => make({ direction: 'min' }))).toEqual(["direction: expected 'minimize' | 'maximize', got 'min'"]);
    expect(() => make({ direction: 'min' })).toThrow(/options: direction: expected 'minimize' \| 'maximize', got 'min'$/);
  });

  it('an unknown option is named with the known ones, not dumped as a ZodError', () => {
    const issues = optionIssues(() => new TpeSampler(X, { nStartup: 3 } as never));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^nStartup: unknown option \(known: nStartupTrials, .*seed, direction\)$/);
    expect(() => new TpeSampler(X, { nStartup: 3 } as never)).not.toThrow(/"code"/);
  });

  it('out-of-range and mistyped values name the option and the value', () => {
    expect(optionIssues(() => new TpeSampler(X, { gamma: 2 }))).toEqual(['gamma: expected <1, got 2']);
    expect(optionIssues(() => new TpeSampler(X, { seed: -1 }))).toEqual(['seed: expected >=0, got -1']);
    expect(optionIssues(() => new TpeSampler(X, { nEiCandidates: 1.5 }))).toEqual(['nEiCandidates: expected an integer, got 1.5']);
    expect(optionIssues(() => new RandomSampler(X, { seed: 'a' } as never))).toEqual(["seed: expected number, got 'a'"]);
    expect(optionIssues(() => new GridSampler(X, { seed: 1 } as never))[0]).toMatch(/^seed: unknown option \(known: direction\)$/);
    expect(optionIssues(() => new TpeSampler(X, 7 as never))).toEqual(['expected an options object, got 7']);
  });

  it('the options object is optional: seed 0, minimise', () => {
    const a = new TpeSampler(X);
    const b = new TpeSampler(X, { seed: 0, direction: 'minimize' });
    expect(a.direction).toBe('minimize');
    expect(a.ask()).toEqual(b.ask());
    expect(new RandomSampler(X).ask()).toEqual(new RandomSampler(X, { seed: 0 }).ask());
  });
});

describe('restoring a state', () => {
  it('a bad state is refused naming the field and the value, not with a ZodError dump', () => {
    const s = new TpeSampler(X, { seed: 1 });
    const state = { ...JSON.parse(JSON.stringify(s.state())), direction: 'min' };
    expect(() => restoreSampler(state)).toThrow(SamplerStateError);
    expect(() => restoreSampler(state)).toThrow("invalid sampler state: direction: expected 'minimize' | 'maximize', got 'min'");
    expect(() => restoreSampler({ ...state, direction: 'minimize', kind: 'cmaes' })).toThrow(/^invalid sampler state: kind: /);
  });
});

describe('params are typed from the declared space', () => {
  it('categoricals as their choices, numbers as numbers, conditionals optional', () => {
    const s = new RandomSampler(
      {
        optimizer: { type: 'categorical', choices: ['adam', 'sgd'] },
        lr: { type: 'float', low: 1e-4, high: 1, log: true },
        momentum: { type: 'float', low: 0, high: 0.9, when: { param: 'optimizer', in: ['sgd'] } },
      },
      { seed: 1 },
    );
    const { params } = s.ask();
    expectTypeOf(params.optimizer).toEqualTypeOf<'adam' | 'sgd'>();
    expectTypeOf(params.lr).toEqualTypeOf<number>();
    expectTypeOf(params.momentum).toEqualTypeOf<number | undefined>();
    expect(['adam', 'sgd']).toContain(params.optimizer);
    expect(params.lr * 2).toBeGreaterThan(0); // used as a number, no cast
    // A space known only at run time still gives the untyped Params, and a typed sampler is a Sampler.
    const untyped: Sampler = s;
    expectTypeOf(untyped.ask().params).toEqualTypeOf<Record<string, string | number | boolean>>();
  });
});

describe('float step', () => {
  const space = { x: { type: 'float', low: 0, high: 0.5, step: 0.1 } } as const;

  it('every sampler returns values on the step, as the decimals written', () => {
    const allowed = [0, 0.1, 0.2, 0.3, 0.4, 0.5];
    for (const s of [new RandomSampler(space, { seed: 2 }), new TpeSampler(space, { seed: 2, nStartupTrials: 3 })]) {
      for (let i = 0; i < 40; i++) {
        const { trialId, params } = s.ask();
        expect(allowed).toContain(params.x);
        s.tell(trialId, { status: 'complete', value: (params.x - 0.3) ** 2 });
      }
    }
    // Both ends are reachable (half a step of room at each end, as for ints).
    const seen = new Set<number>();
    const r = new RandomSampler(space, { seed: 5 });
    for (let i = 0; i < 200; i++) seen.add(r.ask().params.x);
    expect([...seen].sort()).toEqual(allowed);
  });

  it('a grid over a stepped float needs no grid count', () => {
    const g = new GridSampler(space);
    expect(g.size).toBe(6);
    const xs: number[] = [];
    while (!g.isExhausted()) xs.push(g.ask().params.x);
    expect(xs).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5]);
  });

  it('a step that does not divide the range, or with log, is refused naming the path', () => {
    expect(() => parseSearchSpace({ x: { type: 'float', low: 0, high: 1, step: 0.3 } })).toThrow('x.step must divide high - low (1)');
    expect(() => parseSearchSpace({ x: { type: 'float', low: 0.1, high: 1, step: 0.1, log: true } })).toThrow('x.step cannot be combined with log');
    expect(() => parseSearchSpace({ x: { type: 'float', low: 0, high: 1, step: 0 } })).toThrow(/^invalid search space: x\.step /);
  });
});

describe('non-finite values', () => {
  it.each([Number.NaN, Infinity, -Infinity])('tell(%s) records the trial as failed, and the sampler goes on', (v) => {
    const s = new TpeSampler(X, { seed: 1, nStartupTrials: 2 });
    const a = s.ask();
    s.tell(a.trialId, { status: 'complete', value: v });
    expect(s.trials()[a.trialId]).toEqual({ id: a.trialId, params: a.params, status: 'failed' });
    s.tell(a.trialId, { status: 'complete', value: v }); // a retried tell is a no-op
    const b = s.ask();
    s.tell(b.trialId, { status: 'pruned', value: v });
    expect(s.trials()[b.trialId].status).toBe('failed');
    expect(s.best()).toBeUndefined();
    // The state stays JSON (no NaN written as null) and restores.
    const restored = restoreSampler(JSON.parse(JSON.stringify(s.state())));
    expect(restored.ask()).toEqual(s.ask());
  });

  it('a value that is not a number at all is a programming error', () => {
    const s = new RandomSampler(X);
    const { trialId } = s.ask();
    expect(() => s.tell(trialId, { status: 'complete', value: '0.5' as never })).toThrow(/value must be a number \(got "0.5"\)/);
  });
});
