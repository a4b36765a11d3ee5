/** The Gaussian-process sampler: finds smooth optima fast, handles log/int/categorical/conditional parameters, reproducible. */
import { describe, expect, it } from 'vitest';
import { logExpectedImprovement } from '../../workflows/search/gp-model.js';
import { GpSampler, RandomSampler, SamplerOptionsError, isActive, parseSearchSpace, restoreSampler, type Sampler } from '../../workflows/search/index.js';

const QUADRATIC = { x: { type: 'float', low: -5, high: 5 }, y: { type: 'float', low: -5, high: 5 } } as const;
const quadratic = (p: { x: number; y: number }): number => (p.x - 1.3) ** 2 + 2 * (p.y + 0.7) ** 2;

function drive<P extends Record<string, string | number | boolean>>(s: Sampler<P>, f: (p: P) => number, trials: number): number[] {
  const values: number[] = [];
  for (let i = 0; i < trials; i++) {
    const { trialId, params } = s.ask();
    const v = f(params);
    values.push(v);
    s.tell(trialId, { status: 'complete', value: v });
  }
  return values;
}

const bestOf = (xs: readonly number[]): number => Math.min(...xs);

describe('GpSampler', () => {
  it('finds the optimum of a 2-D quadratic within 10 trials after 5 start-up trials (5 seeds), where random search does not', () => {
    for (let seed = 0; seed < 5; seed++) {
      const gp = drive(new GpSampler(QUADRATIC, { seed, nStartupTrials: 5 }), quadratic, 15);
      const random = drive(new RandomSampler(QUADRATIC, { seed }), quadratic, 15);
      expect(bestOf(gp), `seed ${seed}`).toBeLessThan(0.05);
      expect(bestOf(gp.slice(0, 5))).toBeGreaterThan(0.05); // the start-up alone had not found it
      expect(bestOf(random)).toBeGreaterThan(bestOf(gp));
    }
  });

  it('is reproducible from its seed, and from its JSON state at any point', () => {
    const a = new GpSampler(QUADRATIC, { seed: 3, nStartupTrials: 4 });
    const b = new GpSampler(QUADRATIC, { seed: 3, nStartupTrials: 4 });
    drive(a, quadratic, 9);
    drive(b, quadratic, 9);
    expect(b.trials()).toEqual(a.trials());
    const pending = a.ask(); // a pending trial is part of the state too
    const restored = restoreSampler(JSON.parse(JSON.stringify(a.state())));
    expect(restored.kind).toBe('gp');
    restored.tell(pending.trialId, { status: 'complete', value: quadratic(pending.params) });
    a.tell(pending.trialId, { status: 'complete', value: quadratic(pending.params) });
    drive(a, quadratic, 3);
    drive(restored, (p) => quadratic(p as { x: number; y: number }), 3);
    expect(restored.trials()).toEqual(a.trials());
    expect(new GpSampler(QUADRATIC, { seed: 4, nStartupTrials: 4 }).ask().params).not.toEqual(
      new GpSampler(QUADRATIC, { seed: 3, nStartupTrials: 4 }).ask().params,
    );
  });

  it('a state saved before noiseStart existed restores fitted from 1e-2, asking what that sampler asks', () => {
    const legacy = new GpSampler(QUADRATIC, { seed: 2, nStartupTrials: 4, fitSteps: 40, noiseStart: 1e-2 });
    drive(legacy, quadratic, 8);
    const state = JSON.parse(JSON.stringify(legacy.state())) as { options: Record<string, unknown> };
    delete state.options.noiseStart;
    const restored = restoreSampler(state);
    expect((restored.state() as unknown as { options: { noiseStart: number } }).options.noiseStart).toBe(1e-2);
    expect(restored.ask().params).toEqual(legacy.ask().params);
    // Today's default fit is another one: a fresh sampler on the same trials may ask elsewhere.
    expect(new GpSampler(QUADRATIC, { seed: 2 }).options).toMatchObject({ fitSteps: 100, noiseStart: 1e-4 });
  });

  it('models a log parameter in log space (input warping)', () => {
    const space = { lr: { type: 'float', low: 1e-6, high: 1, log: true } } as const;
    const f = (p: { lr: number }): number => (Math.log10(p.lr) + 4.5) ** 2; // optimum at 10^-4.5
    for (const seed of [0, 1, 2]) {
      const values = drive(new GpSampler(space, { seed, nStartupTrials: 4 }), f, 12);
      expect(bestOf(values)).toBeLessThan(0.01);
    }
  });

  it('handles ints (on their step) and categoricals (one-hot): the right category and value are found', () => {
    const space = {
      kind: { type: 'categorical', choices: ['a', 'b', 'c', 'd'] },
      n: { type: 'int', low: 0, high: 40, step: 2 },
      x: { type: 'float', low: 0, high: 1 },
    } as const;
    const f = (p: { kind: 'a' | 'b' | 'c' | 'd'; n: number; x: number }): number => (p.kind === 'c' ? 0 : 1) + ((p.n - 24) / 10) ** 2 + (p.x - 0.3) ** 2;
    for (const seed of [0, 1, 2]) {
      const s = new GpSampler(space, { seed, nStartupTrials: 6 });
      const values = drive(s, f, 25);
      for (const t of s.trials()) {
        expect((t.params.n as number) % 2).toBe(0);
        expect(['a', 'b', 'c', 'd']).toContain(t.params.kind);
      }
      expect(s.best()?.params.kind).toBe('c');
      expect(bestOf(values)).toBeLessThan(0.05);
    }
  });

  it('draws conditional parameters only when active (from the prior), modelling the unconditional ones', () => {
    const space = {
      opt: { type: 'categorical', choices: ['adam', 'sgd'] },
      momentum: { type: 'float', low: 0, high: 1, when: { param: 'opt', in: ['sgd'] } },
      lr: { type: 'float', low: 1e-4, high: 1, log: true },
    } as const;
    const parsed = parseSearchSpace(space);
    const s = new GpSampler(space, { seed: 1, nStartupTrials: 3 });
    for (let i = 0; i < 20; i++) {
      const { trialId, params } = s.ask();
      for (const name of Object.keys(parsed)) expect(name in params).toBe(isActive(parsed, name, params));
      s.tell(trialId, { status: 'complete', value: (params.opt === 'sgd' ? 0 : 1) + (Math.log10(params.lr) + 2) ** 2 });
    }
    expect(s.trials().filter((t) => t.params.opt === 'sgd').length).toBeGreaterThan(10);
  });

  it('parallel asks (pending trials as liars) are distinct points', () => {
    const s = new GpSampler(QUADRATIC, { seed: 2, nStartupTrials: 5 });
    drive(s, quadratic, 10);
    const batch = Array.from({ length: 4 }, () => JSON.stringify(s.ask().params));
    expect(new Set(batch).size).toBe(4);
  });

  it('a long history is capped at maxObservations and still optimises', () => {
    const s = new GpSampler(QUADRATIC, { seed: 5, nStartupTrials: 30, maxObservations: 20, fitSteps: 10 });
    const values = drive(s, quadratic, 40);
    expect(bestOf(values.slice(30))).toBeLessThan(bestOf(values.slice(0, 30)));
  });

  it('validates its options like the other samplers', () => {
    expect(() => new GpSampler(QUADRATIC, { nCandidates: 0 })).toThrow(SamplerOptionsError);
    expect(() => new GpSampler(QUADRATIC, { kernel: 'rbf' } as never)).toThrow(/kernel: unknown option/);
  });
});

describe('log expected improvement', () => {
  it('matches the closed form where EI is representable, and keeps ranking far in the tail', () => {
    // EI(μ=0, σ=1, best=0) = φ(0) = 0.3989...
    expect(Math.exp(logExpectedImprovement(0, 1, 0))).toBeCloseTo(0.398942, 5);
    // μ = 1, σ = 2, best = 0.5: z = -0.25 → σ(φ(z) + zΦ(z)) = 2(0.386668 − 0.25·0.401294)
    expect(Math.exp(logExpectedImprovement(1, 4, 0.5))).toBeCloseTo(2 * (0.386668 - 0.25 * 0.401294), 5);
    const far = [10, 20, 40].map((m) => logExpectedImprovement(m, 1, 0));
    expect(far.every(Number.isFinite)).toBe(true);
    expect(far[0]).toBeGreaterThan(far[1]);
    expect(far[1]).toBeGreaterThan(far[2]);
    // Continuous across the switch to the asymptotic form at z = -6.
    expect(Math.abs(logExpectedImprovement(5.999, 1, 0) - logExpectedImprovement(6.001, 1, 0))).toBeLessThan(0.02);
  });
});
