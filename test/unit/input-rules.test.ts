import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_CNN_SPACE_INPUT,
  HpoCampaignInputSchema,
  InputValidationError,
  MAX_GRID_POINTS,
  MODEL_CAPS,
  NasCampaignInputSchema,
  SMALLEST_NAS_GENOME,
  TrainModelInputSchema,
  architectureCost,
  architectureIssue,
  estimateDatasetBytes,
  expectedTrainWorkflowId,
  parseInput,
  sequenceLayerNames,
  workflowIds,
  type Architecture,
} from '../../contracts/index.js';
import { buildModel, disposeModel, validateArchitecture } from '../../ml/model/index.js';
import { initBackend } from '../../ml/tf/index.js';
import { DEFAULT_NAS_SPACE, GridSampler, checkGenome, parseSearchSpace, toTrainHyperparameters } from '../../workflows/search/index.js';
import { thrownBy } from '../support/errors.js';

const refusal = (schema: Parameters<typeof parseInput>[0], input: unknown): InputValidationError =>
  thrownBy(() => parseInput(schema, input, 'input'), InputValidationError);
const paths = (err: InputValidationError) => err.issues.map((i) => i.path);
const hpo = (extra: Record<string, unknown>) => ({ campaignId: 'c', datasetId: 'ds', ...extra });
const nas = (extra: Record<string, unknown>) => ({ campaignId: 'n', datasetId: 'ds', ...extra });
const train = (hyperparameters: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  experimentId: 'e',
  datasetId: 'ds',
  hyperparameters,
  ...extra,
});

describe('HPO campaigns: what the grid sampler would throw is refused at the start', () => {
  it('a float without a grid count, an int with too many values, a grid over the cap', () => {
    const err = refusal(
      HpoCampaignInputSchema,
      hpo({ sampler: { kind: 'grid' }, space: { learningRate: { type: 'float', low: 1e-4, high: 1e-2 }, seed: { type: 'int', low: 0, high: 200_000 } } }),
    );
    expect(paths(err)).toEqual(['space.learningRate.grid', 'space.seed.grid']);
    expect(err.message).toMatch(/seed\.grid: is required: the parameter has 200001 grid values/);

    const big = refusal(
      HpoCampaignInputSchema,
      hpo({ sampler: { kind: 'grid' }, space: { seed: { type: 'int', low: 0, high: 999 }, patience: { type: 'int', low: 0, high: 999 } } }),
    );
    expect(big.issues).toEqual([expect.objectContaining({ path: 'space', message: expect.stringContaining(`more than ${MAX_GRID_POINTS} points`) })]);
  });

  it('accepts what the sampler accepts: every grid the schema passes builds a GridSampler', () => {
    for (const space of [
      { learningRate: { type: 'float', low: 1e-4, high: 1e-2, grid: 5 }, optimizer: { type: 'categorical', choices: ['adam', 'sgd'] } },
      // The product of the counts is over the cap, the conditional grid is not.
      {
        optimizer: { type: 'categorical', choices: ['adam', 'sgd'] },
        seed: { type: 'int', low: 0, high: 499, when: { param: 'optimizer', in: ['adam'] } },
        patience: { type: 'int', low: 0, high: 499, when: { param: 'optimizer', in: ['sgd'] } },
      },
    ]) {
      const input = parseInput(HpoCampaignInputSchema, hpo({ sampler: { kind: 'grid' }, space }), 'input');
      expect(new GridSampler(input.space ?? {}).size).toBeGreaterThan(0);
    }
    // The default CNN space has no finite-enough grid (tens of millions of points): refused, not thrown per task.
    const dflt = refusal(HpoCampaignInputSchema, hpo({ sampler: { kind: 'grid' } }));
    expect(dflt.issues).toEqual([expect.objectContaining({ path: 'sampler.kind', message: expect.stringContaining('the default space') })]);
    expect(() => new GridSampler(DEFAULT_CNN_SPACE_INPUT)).toThrow(/more than 100000 points/);
    expect(
      new GridSampler(
        parseSearchSpace({
          optimizer: { type: 'categorical', choices: ['adam', 'sgd'] },
          seed: { type: 'int', low: 0, high: 499, when: { param: 'optimizer', in: ['adam'] } },
          patience: { type: 'int', low: 0, high: 499, when: { param: 'optimizer', in: ['sgd'] } },
        }),
      ).size,
    ).toBe(1000);
  });
});

describe('HPO campaigns: a space must be what trials read', () => {
  it('names an unknown parameter and lists the valid names; a condition parent is fine', () => {
    const err = refusal(
      HpoCampaignInputSchema,
      hpo({ space: { warpFactor: { type: 'float', low: 1, high: 2 }, learningrate: { type: 'float', low: 0.001, high: 0.1 } } }),
    );
    expect(paths(err)).toEqual(['space.warpFactor', 'space.learningrate']);
    expect(err.message).toContain('valid names: learningRate, batchSize, epochs, optimizer, windowLength');
    const parent = {
      depth: { type: 'categorical', choices: ['shallow', 'deep'] },
      patience: { type: 'int', low: 0, high: 4, when: { param: 'depth', in: ['deep'] } },
    };
    expect(parseInput(HpoCampaignInputSchema, hpo({ space: parent }), 'input').space).toBeDefined();
  });

  it('names values the setting refuses, the wrong parameter type, and incomplete blocks', () => {
    const err = refusal(
      HpoCampaignInputSchema,
      hpo({
        space: {
          learningRate: { type: 'float', low: 0.1, high: 20 },
          batchSize: { type: 'float', low: 16, high: 64 },
          optimizer: { type: 'categorical', choices: ['adam', 'adamw'] },
          filters1: { type: 'int', low: 8, high: 16 },
          filters3: { type: 'int', low: 8, high: 16 },
          kernelSize3: { type: 'int', low: 3, high: 5 },
        },
      }),
    );
    expect(paths(err)).toEqual(['space.learningRate.high', 'space.batchSize.type', 'space.optimizer.choices.1', 'space.filters1', 'space.filters3']);
    expect(err.message).toContain('block 1 needs both filters1 and kernelSize1');
    expect(err.message).toContain('block 3 needs block 2');
  });

  it('a synthetic campaign takes exactly the function parameters', () => {
    const err = refusal(
      HpoCampaignInputSchema,
      hpo({
        evaluator: { kind: 'synthetic', function: 'hartmann6' },
        space: { x1: { type: 'float', low: 0, high: 1 }, q: { type: 'float', low: 0, high: 1 } },
      }),
    );
    expect(paths(err)).toEqual(['space.q', 'space']);
    expect(err.message).toContain('hartmann6 needs x2, x3, x4, x5, x6');
    expect(parseInput(HpoCampaignInputSchema, hpo({ evaluator: { kind: 'synthetic', function: 'branin' } }), 'input').evaluator).toEqual({
      kind: 'synthetic',
      function: 'branin',
    });
  });

  it('trials read every setting the space names', () => {
    const hp = toTrainHyperparameters({ patience: 2, seed: 9, windowLength: 1024, windowHop: 512, minDelta: 0.01, testFraction: 0.3 });
    expect(hp).toMatchObject({ patience: 2, seed: 9, windowLength: 1024, windowHop: 512, minDelta: 0.01, testFraction: 0.3 });
    expect(toTrainHyperparameters({ windowLength: 1024 }).windowHop).toBe(1024);
  });

  it('blocks every trial has (no condition) must not collapse at the longest sampled window', () => {
    const blocks = Object.fromEntries(
      Array.from({ length: 12 }, (_, i) => [
        [`filters${i + 1}`, { type: 'int', low: 8, high: 16 }],
        [`kernelSize${i + 1}`, { type: 'int', low: 3, high: 5 }],
      ]).flat(),
    );
    const err = refusal(HpoCampaignInputSchema, hpo({ space: { ...blocks, windowLength: { type: 'categorical', choices: [64, 4096] } } }));
    expect(err.issues).toEqual([
      expect.objectContaining({ path: 'space.filters9', message: expect.stringContaining('block 9 of every trial: pool of 2 on length 1 leaves length 0') }),
    ]);
    // Conditional deep blocks only fail the trials that draw them: the campaign may run.
    const deep = { ...blocks, depth: { type: 'categorical', choices: ['shallow', 'deep'] } };
    for (let i = 4; i <= 12; i++) for (const n of [`filters${i}`, `kernelSize${i}`]) deep[n] = { ...blocks[n], when: { param: 'depth', in: ['deep'] } };
    expect(() => parseInput(HpoCampaignInputSchema, hpo({ space: deep }), 'input')).not.toThrow();
  });

  it('a base architecture is checked at the shortest and longest window the space samples', () => {
    const flat: Architecture = {
      blocks: [{ filters: 8, kernelSize: 3, stride: 1, dilation: 1, pool: 'none', poolSize: 2, batchNorm: false, residual: false }],
      head: 'flatten',
      denseUnits: 64,
      dropout: 0,
    };
    const err = refusal(
      HpoCampaignInputSchema,
      hpo({ space: { windowLength: { type: 'categorical', choices: [256, 65_536] } }, base: { architecture: flat } }),
    );
    expect(err.issues).toEqual([expect.objectContaining({ path: 'base.architecture.params', message: expect.stringContaining('(windowLength 65536)') })]);
    // With blocks in the space, the base architecture is not what trials train.
    expect(() =>
      parseInput(
        HpoCampaignInputSchema,
        hpo({
          space: {
            windowLength: { type: 'categorical', choices: [65_536] },
            filters1: { type: 'int', low: 8, high: 9 },
            kernelSize1: { type: 'int', low: 3, high: 5 },
          },
          base: { architecture: flat },
        }),
        'input',
      ),
    ).not.toThrow();
  });
});

describe('architectures: collapse and caps by the arithmetic the trainer uses', () => {
  const arch = (blocks: Partial<Architecture['blocks'][number]>[], extra: Partial<Architecture> = {}): Architecture => ({
    blocks: blocks.map((b) => ({ filters: 8, kernelSize: 3, stride: 1, dilation: 1, pool: 'max', poolSize: 2, batchNorm: false, residual: false, ...b })),
    head: 'global-avg',
    denseUnits: 0,
    dropout: 0,
    ...extra,
  });

  it('names the block and field of a collapse, stride with dilation, and the caps', () => {
    expect(architectureIssue(arch([{ stride: 4 }, { poolSize: 16 }]), { inputLength: 64, numClasses: 4 })).toEqual({
      path: ['blocks', 1, 'poolSize'],
      message: 'pool of 16 on length 8 leaves length 0 (sequence collapsed)',
    });
    expect(architectureIssue(arch([{ stride: 2, dilation: 2 }]), { inputLength: 64, numClasses: 4 })?.path).toEqual(['blocks', 0, 'dilation']);
    const wide = arch([
      { filters: 512, kernelSize: 512, pool: 'none' },
      { filters: 512, kernelSize: 512, pool: 'none' },
    ]);
    expect(architectureIssue(wide, { inputLength: 1024, numClasses: 4 })).toMatchObject({
      path: ['params'],
      message: expect.stringContaining('exceed maxParams 5,000,000'),
    });
    const slow = arch([
      { filters: 256, kernelSize: 64, pool: 'none' },
      { filters: 64, kernelSize: 64, pool: 'none' },
    ]);
    expect(architectureCost(slow, { inputLength: 65_536, numClasses: 4 }).params).toBeLessThan(MODEL_CAPS.maxParams);
    expect(architectureIssue(slow, { inputLength: 65_536, numClasses: 4 })?.path).toEqual(['macs']);
  });

  it('agrees with ml/model validateArchitecture on what builds', () => {
    for (const [a, len] of [
      [arch([{ stride: 4 }, { poolSize: 16 }]), 64],
      [arch([{ poolSize: 4 }, { poolSize: 4 }, { poolSize: 4 }]), 256],
      [arch([{ poolSize: 4 }, { poolSize: 4 }, { poolSize: 4 }]), 63],
      [
        arch(
          [
            { residual: true, stride: 2 },
            { residual: true, batchNorm: true, filters: 16 },
          ],
          { head: 'flatten', denseUnits: 8 },
        ),
        128,
      ],
    ] as const) {
      const ours = architectureIssue(a, { inputLength: len, numClasses: 3 });
      const theirs = validateArchitecture(a, len, 3);
      expect(ours === undefined, JSON.stringify({ ours, theirs })).toBe(theirs.ok);
      if (theirs.ok) expect(architectureCost(a, { inputLength: len, numClasses: 3 }).params).toBe(theirs.params);
    }
  });

  it('training inputs: an explicit architecture at its window, the default one at a short window', () => {
    const collapse = refusal(TrainModelInputSchema, train({ windowLength: 128, architecture: arch([{ poolSize: 16 }, { poolSize: 16 }]) }));
    expect(collapse.issues).toEqual([
      expect.objectContaining({ path: 'hyperparameters.architecture.blocks.1.poolSize', message: expect.stringContaining('(windowLength 128)') }),
    ]);
    const short = refusal(TrainModelInputSchema, train({ windowLength: 64, windowHop: 64 }));
    expect(short.issues).toEqual([
      expect.objectContaining({ path: 'hyperparameters.windowLength', value: 64, message: expect.stringContaining('the default architecture') }),
    ]);
    expect(parseInput(TrainModelInputSchema, train({ windowLength: 128 }), 'input').hyperparameters.windowLength).toBe(128);
  });

  describe('Grad-CAM layer names', () => {
    beforeAll(async () => {
      await initBackend('cpu');
    });

    it('are the built model layers that output [batch, time, channels]', () => {
      for (const a of [
        arch([{}, { batchNorm: true }]),
        arch(
          [
            { residual: true, stride: 2 },
            { residual: true, filters: 8 },
            { residual: true, filters: 16, pool: 'none' },
          ],
          { head: 'flatten', denseUnits: 4, dropout: 0.1 },
        ),
      ]) {
        const model = buildModel(a, { inputLength: 64, numClasses: 3, seed: 1 });
        const sequence = model.layers.filter((l) => l.outputShape.length === 3 && l.name !== 'signal').map((l) => l.name);
        expect(sequenceLayerNames(a, 64).sort()).toEqual(sequence.sort());
        disposeModel(model);
      }
    });
  });
});

describe('NAS campaigns: limits no candidate could meet are refused', () => {
  it('minOutputLength over the window, maxParams below the smallest genome or over the cap', () => {
    const err = refusal(NasCampaignInputSchema, nas({ training: { windowLength: 512 }, limits: { minOutputLength: 513, maxParams: 100 } }));
    expect(paths(err)).toEqual(['limits.minOutputLength', 'limits.maxParams']);
    expect(paths(refusal(NasCampaignInputSchema, nas({ limits: { maxParams: 6_000_000 } })))).toEqual(['limits.maxParams']);
    expect(parseInput(NasCampaignInputSchema, nas({}), 'input').limits.maxParams).toBe(200_000);
  });

  it('the smallest genome is the cheapest of the NAS space', () => {
    const b = SMALLEST_NAS_GENOME.blocks[0];
    expect(b.filters).toBe(Math.min(...DEFAULT_NAS_SPACE.filters));
    expect(b.kernelSize).toBe(Math.min(...DEFAULT_NAS_SPACE.kernelSize));
    expect(SMALLEST_NAS_GENOME.blocks).toHaveLength(DEFAULT_NAS_SPACE.minBlocks);
    expect(Math.min(...DEFAULT_NAS_SPACE.denseUnits)).toBe(0);
    const params = architectureCost(SMALLEST_NAS_GENOME, { inputLength: 2048, numClasses: 2 }).params;
    expect(checkGenome(SMALLEST_NAS_GENOME, { inputLength: 2048, numClasses: 2, maxParams: params })).toMatchObject({ ok: true });
    expect(checkGenome(SMALLEST_NAS_GENOME, { inputLength: 2048, numClasses: 2, maxParams: params - 1 })).toMatchObject({ ok: false });
  });
});

describe('artifact URIs', () => {
  it('a checkpoint is an artifact URI: paths and other schemes are refused by field', () => {
    for (const uri of [
      '../../etc/passwd',
      'file:///etc/passwd',
      '/etc/passwd',
      'https://x/y',
      `artifact:sha256/${'A'.repeat(64)}`,
      `artifact:sha256/${'a'.repeat(63)}`,
    ]) {
      const err = refusal(TrainModelInputSchema, train({}, { resumeFrom: { checkpointUri: uri, epoch: 1 } }));
      expect(err.issues).toEqual([expect.objectContaining({ path: 'resumeFrom.checkpointUri', value: uri })]);
    }
    expect(
      parseInput(TrainModelInputSchema, train({}, { resumeFrom: { checkpointUri: `artifact:sha256/${'a'.repeat(64)}`, epoch: 1 } }), 'input').resumeFrom?.epoch,
    ).toBe(1);
  });
});

describe('workflow ids of training runs', () => {
  it('standalone: train-<experimentId>; trials and candidates: the id their campaign gives them', () => {
    expect(expectedTrainWorkflowId({ experimentId: 'e1' })).toBe('train-e1');
    const hpo = { campaignId: 'c', kind: 'hpo' as const, index: 4 };
    expect(expectedTrainWorkflowId({ experimentId: 'c-t4', campaign: hpo })).toBe(workflowIds.hpoTrial('c', 4));
    expect(expectedTrainWorkflowId({ experimentId: 'c-t4-r2-a3', campaign: hpo })).toBe(workflowIds.hpoTrial('c', 4, 2, 3));
    expect(expectedTrainWorkflowId({ experimentId: 'c-t4-a2', campaign: hpo })).toBe(workflowIds.hpoTrial('c', 4, 0, 2));
    const cand = { campaignId: 'n', kind: 'nas' as const, index: 0 };
    expect(expectedTrainWorkflowId({ experimentId: 'n-cand-0-a2', campaign: cand })).toBe(workflowIds.nasCandidate('n', 0, 2));
    for (const experimentId of ['c-t5', 'c-t4-a1', 'c-t4-r0', 'c-t04', 'other-t4', 'c-cand-4']) {
      expect(expectedTrainWorkflowId({ experimentId, campaign: hpo }), experimentId).toBeUndefined();
    }
  });
});

describe('dataset size', () => {
  it('is the float32 bytes of every signal', () => {
    expect(estimateDatasetBytes({ classes: ['normal', 'ball'], signalsPerClass: 10, signalLength: 1024 })).toBe(2 * 10 * 1024 * 4);
    // The issue's example: the CLI's maximum is 3.2 TB.
    expect(estimateDatasetBytes({ classes: ['normal', 'inner_race', 'outer_race', 'ball'], signalsPerClass: 100_000, signalLength: 2_000_000 })).toBe(3.2e12);
  });
});
