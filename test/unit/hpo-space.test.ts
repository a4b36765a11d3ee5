import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CNN_SPACE,
  GridSampler,
  RandomSampler,
  SearchSpaceError,
  TpeSampler,
  isActive,
  parseSearchSpace,
  restoreSampler,
  toTrainHyperparameters,
  type Sampler,
  type SearchSpaceInput,
} from '../../workflows/search/index.js';

function issuesOf(space: unknown): string[] {
  try {
    parseSearchSpace(space);
  } catch (err) {
    expect(err).toBeInstanceOf(SearchSpaceError);
    return (err as SearchSpaceError).issues;
  }
  throw new Error('expected the space to be rejected');
}

const CONDITIONAL: SearchSpaceInput = {
  optimizer: { type: 'categorical', choices: ['adam', 'sgd', 'rmsprop'] },
  momentum: { type: 'float', low: 0, high: 0.99, when: { param: 'optimizer', in: ['sgd'] } },
  // Two levels deep: nesterov exists only with sgd and a large momentum.
  useNesterov: { type: 'categorical', choices: ['yes', 'no'], when: { param: 'momentumBand', in: ['high'] } },
  momentumBand: { type: 'categorical', choices: ['low', 'high'], when: { param: 'optimizer', in: ['sgd'] } },
  rho: { type: 'float', low: 0.8, high: 0.99, when: { param: 'optimizer', in: ['rmsprop'] } },
  lr: { type: 'float', low: 1e-5, high: 1, log: true },
};

describe('search space validation', () => {
  it('accepts the default CNN space and fills defaults', () => {
    expect(DEFAULT_CNN_SPACE.learningRate).toMatchObject({ type: 'float', log: true });
    expect(parseSearchSpace({ n: { type: 'int', low: 1, high: 9 } }).n).toMatchObject({ step: 1, log: false });
  });

  it('names the offending path in every message', () => {
    expect(issuesOf({ learningRate: { type: 'float', low: 0.1, high: 0.01 } })).toEqual(['learningRate.low must be < high']);
    expect(issuesOf({ momentum: { type: 'float', low: 0, high: 1, when: { param: 'optimiser', in: ['sgd'] } } })).toEqual([
      'momentum.when.param refers to unknown parameter "optimiser"',
    ]);
    expect(issuesOf({ lr: { type: 'float', low: 0, high: 1, log: true } })).toEqual(['lr.low must be > 0 for a log parameter']);
    expect(issuesOf({ n: { type: 'int', low: 0, high: 10, step: 3 } })).toEqual(['n.step must divide high - low (10)']);
    expect(issuesOf({ c: { type: 'categorical', choices: ['a', 'a'] } })).toEqual(['c.choices.1 duplicate choice "a"']);
    expect(issuesOf({ o: { type: 'categorical', choices: ['adam'] }, m: { type: 'float', low: 0, high: 1, when: { param: 'o', in: ['sgd'] } } })).toEqual([
      'm.when.in.0 "o" can never be "sgd"',
    ]);
    expect(issuesOf({ batch: { type: 'int', low: 1.5, high: 4 } })[0]).toMatch(/^batch\.low /);
    expect(issuesOf({ x: { type: 'uniform', low: 0, high: 1 } })[0]).toMatch(/^x\.type /);
  });

  it('rejects cycles in conditions, naming the chain', () => {
    const issues = issuesOf({
      a: { type: 'int', low: 0, high: 3, when: { param: 'b', in: [1] } },
      b: { type: 'int', low: 0, high: 3, when: { param: 'a', in: [1] } },
      s: { type: 'int', low: 0, high: 3, when: { param: 's', in: [1] } },
    });
    expect(issues).toContain('a.when.param conditions form a cycle: a → b → a');
    expect(issues).toContain('s.when.param a parameter cannot depend on itself');
  });
});

const samplers: [string, (seed: number) => Sampler][] = [
  ['random', (seed) => new RandomSampler(CONDITIONAL, { seed })],
  ['tpe', (seed) => new TpeSampler(CONDITIONAL, { seed, nStartupTrials: 5 })],
];

describe.each(samplers)('%s sampler over a conditional space', (_name, make) => {
  it('never suggests a parameter while it is inactive, and always suggests active ones', () => {
    const space = parseSearchSpace(CONDITIONAL);
    const s = make(3);
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const { trialId, params } = s.ask();
      for (const name of Object.keys(space)) expect(name in params).toBe(isActive(space, name, params));
      if (params.optimizer === 'sgd') expect(params).toHaveProperty('momentum');
      else expect(params).not.toHaveProperty('momentum');
      if (params.momentumBand !== 'high') expect(params).not.toHaveProperty('useNesterov');
      Object.keys(params).forEach((k) => seen.add(k));
      const lr = params.lr as number;
      s.tell(trialId, { status: 'complete', value: Math.abs(Math.log10(lr) + 3) + (typeof params.momentum === 'number' ? 1 - params.momentum : 0) });
    }
    expect([...seen].sort()).toEqual(Object.keys(space).sort()); // every branch was explored
  });

  it('continues identically after a JSON round trip of its state', () => {
    const a = make(11);
    for (let i = 0; i < 15; i++) {
      const { trialId, params } = a.ask();
      a.tell(trialId, { status: 'complete', value: (params.lr as number) * (params.optimizer === 'adam' ? 1 : 2) });
    }
    a.ask(); // one pending trial travels in the state too
    const b = restoreSampler(JSON.parse(JSON.stringify(a.state())));
    expect(b.state()).toEqual(a.state());
    for (let i = 0; i < 20; i++) {
      const x = a.ask();
      const y = b.ask();
      expect(y).toEqual(x);
      a.tell(x.trialId, { status: 'complete', value: i });
      b.tell(y.trialId, { status: 'complete', value: i });
    }
  });
});

describe('numeric parameter sampling', () => {
  it('samples log parameters uniformly in log space', () => {
    const s = new RandomSampler({ lr: { type: 'float', low: 1e-6, high: 1, log: true } }, { seed: 5 });
    const decades = new Array<number>(6).fill(0);
    const N = 6000;
    for (let i = 0; i < N; i++) {
      const lr = s.ask().params.lr as number;
      expect(lr).toBeGreaterThanOrEqual(1e-6);
      expect(lr).toBeLessThanOrEqual(1);
      decades[Math.min(5, Math.floor(-Math.log10(lr)))]++;
    }
    // Uniform in log space: ~1000 per decade (linear sampling would put ~90 % in the top decade).
    for (const count of decades) expect(Math.abs(count - N / 6)).toBeLessThan(150);
  });

  it('respects int bounds and steps, also for TPE after start-up', () => {
    const space: SearchSpaceInput = {
      kernel: { type: 'int', low: 3, high: 63, step: 4 },
      units: { type: 'int', low: 1, high: 1024, log: true },
    };
    for (const s of [new RandomSampler(space, { seed: 1 }), new TpeSampler(space, { seed: 1, nStartupTrials: 5 })]) {
      const units: number[] = [];
      for (let i = 0; i < 200; i++) {
        const { trialId, params } = s.ask();
        const k = params.kernel as number;
        const u = params.units as number;
        expect(Number.isInteger(k) && k >= 3 && k <= 63 && (k - 3) % 4 === 0).toBe(true);
        expect(Number.isInteger(u) && u >= 1 && u <= 1024).toBe(true);
        units.push(u);
        s.tell(trialId, { status: 'complete', value: Math.abs(k - 31) + Math.abs(Math.log2(u) - 5) });
      }
      // Both end values are reachable (the half-step padding of int bounds).
      if (s.kind === 'random') expect(units.filter((u) => u <= 2).length).toBeGreaterThan(5);
    }
  });

  it('grid-searches a float only with an explicit grid count', () => {
    expect(() => new GridSampler({ x: { type: 'float', low: 0, high: 1 } })).toThrow('x.grid is required');
    const g = new GridSampler({ lr: { type: 'float', low: 1e-4, high: 1e-1, log: true, grid: 4 } });
    const lrs = [0, 1, 2, 3].map(() => g.ask().params.lr as number);
    lrs.forEach((v, i) => expect(v).toBeCloseTo(10 ** (i - 4), 12));
  });
});

describe('DEFAULT_CNN_SPACE → TrainHyperparameters', () => {
  it('maps every sampled point onto valid hyperparameters with as many blocks as sampled', () => {
    const s = new RandomSampler(DEFAULT_CNN_SPACE, { seed: 9 });
    for (let i = 0; i < 200; i++) {
      const { params } = s.ask();
      const hp = toTrainHyperparameters(params, { seed: 7 });
      expect(hp.architecture?.blocks).toHaveLength(params.blocks as number);
      expect(hp).toMatchObject({
        learningRate: params.learningRate,
        batchSize: params.batchSize,
        optimizer: params.optimizer,
        windowLength: params.windowLength,
        seed: 7,
      });
      expect(hp.architecture?.dropout).toBe(params.dropout);
    }
  });

  it('declares a grid for every float, but is too large to grid whole (a campaign would never end)', () => {
    expect(() => new GridSampler(DEFAULT_CNN_SPACE)).toThrow('the grid has more than 100000 points');
    const { learningRate, optimizer, batchSize } = DEFAULT_CNN_SPACE;
    expect(new GridSampler({ learningRate, optimizer, batchSize }).size).toBe(4 * 3 * 4);
  });
});
