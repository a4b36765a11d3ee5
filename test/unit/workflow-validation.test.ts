import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  DATASET_DEFAULTS,
  DEFAULT_SAMPLING_RATE_HZ,
  ERROR_TYPES,
  FAULT_CLASSES,
  FAULT_SEVERITIES_IN,
  GenerateDatasetInputSchema,
  InputValidationError,
  MAX_REPORTED_ISSUES,
  parseInput,
  SIGNAL_LENGTH,
  SimulatorConfigSchema,
  TRAINING_DEFAULTS,
  TrainHyperparametersSchema,
  TrainModelInputSchema,
} from '../../contracts/index.js';
import { validateWorkflowInput } from '../../workflows/lib/validate.js';
import { thrownBy } from '../support/errors.js';

const invalid = (schema: z.ZodType, input: unknown, what = 'input'): InputValidationError =>
  thrownBy(() => parseInput(schema, input, what), InputValidationError);

const train = (extra: Record<string, unknown> = {}) => ({ experimentId: 'exp-1', datasetId: 'ds-1', ...extra });
const dataset = (config: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({ datasetId: 'ds-1', config, ...extra });

describe('parseInput messages', () => {
  it('name the nested path and the value: hyperparameters.epochs', () => {
    const err = invalid(TrainModelInputSchema, train({ hyperparameters: { epochs: 0 } }), 'trainModel input');
    expect(err.issues).toEqual([expect.objectContaining({ path: 'hyperparameters.epochs', value: 0 })]);
    expect(err.message).toMatch(/^invalid trainModel input: hyperparameters\.epochs: .+ \(got 0\)$/);
    expect(err.name).toBe('InputValidationError');
  });

  it('name the nested path and the value: config.snrDb', () => {
    const err = invalid(GenerateDatasetInputSchema, dataset({ snrDb: [20, 5] }));
    expect(err.issues).toEqual([expect.objectContaining({ path: 'config.snrDb', value: [20, 5] })]);
    expect(err.message).toContain('config.snrDb');
    expect(err.message).toContain('(got [20,5])');
  });

  it('name array elements by index: config.snrDb.1, architecture.blocks.0.filters', () => {
    const snr = invalid(GenerateDatasetInputSchema, dataset({ snrDb: [0, 99] }));
    expect(snr.issues).toEqual([expect.objectContaining({ path: 'config.snrDb.1', value: 99 })]);
    expect(snr.message).toContain('config.snrDb.1');
    expect(snr.message).toContain('(got 99)');

    const arch = invalid(TrainModelInputSchema, train({ hyperparameters: { architecture: { blocks: [{ filters: 0, kernelSize: 3 }] } } }));
    expect(arch.issues).toEqual([expect.objectContaining({ path: 'hyperparameters.architecture.blocks.0.filters', value: 0 })]);
  });

  it('quote string values and list every issue', () => {
    const err = invalid(TrainModelInputSchema, train({ datasetId: 'Bad Id', hyperparameters: { optimizer: 'adamw', learningRate: -1 } }));
    expect(err.issues.map((i) => i.path).sort()).toEqual(['datasetId', 'hyperparameters.learningRate', 'hyperparameters.optimizer']);
    expect(err.message).toContain('datasetId: ');
    expect(err.message).toContain('(got "Bad Id")');
    expect(err.message).toContain('(got "adamw")');
    expect(err.message).toContain('(got -1)');
    expect(err.message.split('; ')).toHaveLength(3);
  });

  it('say "(root)" and omit the value for a missing input', () => {
    const err = invalid(TrainModelInputSchema, undefined);
    expect(err.issues).toEqual([expect.objectContaining({ path: '' })]);
    expect(err.message).toContain('(root): ');
    expect(err.message).not.toContain('(got');
  });

  it('omit "(got …)" for a missing required field', () => {
    const err = invalid(TrainModelInputSchema, { experimentId: 'exp-1' });
    expect(err.issues).toEqual([expect.objectContaining({ path: 'datasetId', value: undefined })]);
    expect(err.message).not.toContain('(got');
  });

  it('shorten long values', () => {
    const long = 'x'.repeat(500);
    const err = invalid(TrainModelInputSchema, train({ datasetId: long }));
    expect(err.message).toContain('...)');
    expect(err.message.length).toBeLessThan(400);
  });

  it('return the parsed output on success', () => {
    const out = parseInput(TrainModelInputSchema, train(), 'x');
    expect(out.experimentId).toBe('exp-1');
    expect(out.hyperparameters.epochs).toBe(TRAINING_DEFAULTS.epochs);
  });
});

describe('validateWorkflowInput', () => {
  it('turns a bad input into a non-retryable InvalidInput failure carrying the issues', () => {
    const failure = thrownBy(
      () => validateWorkflowInput(TrainModelInputSchema, train({ hyperparameters: { epochs: 0 } }), 'trainModelWorkflow input'),
      ApplicationFailure,
    );
    expect(failure.nonRetryable).toBe(true);
    expect(failure.type).toBe(ERROR_TYPES.invalidInput);
    expect(failure.message).toContain('hyperparameters.epochs');
    expect(failure.message).toContain('(got 0)');
    expect(failure.details).toEqual([{ issues: [expect.objectContaining({ path: 'hyperparameters.epochs', value: 0 })] }]);
  });

  it('keeps the failure small whatever the input: at most MAX_REPORTED_ISSUES issues, values cut, the total stated', () => {
    // 10,000 bad fields, each value a 10,000-char string: uncapped, the failure's details alone
    // were ~100 MB, past Temporal's 2 MB limit, so the workflow task could not even fail the run.
    const schema = z.record(z.string(), z.number());
    const input = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`p${i}`, 'x'.repeat(10_000)]));
    const failure = thrownBy(() => validateWorkflowInput(schema, input, 'huge input'), ApplicationFailure);
    expect(failure.type).toBe(ERROR_TYPES.invalidInput);
    const [details] = failure.details as [{ issues: { path: string; value: unknown }[]; omittedIssues: number }];
    expect(details.issues).toHaveLength(MAX_REPORTED_ISSUES);
    expect(details.omittedIssues).toBe(10_000 - MAX_REPORTED_ISSUES);
    expect(details.issues[0]).toMatchObject({ path: 'p0' });
    expect((details.issues[0].value as string).length).toBeLessThanOrEqual(200);
    expect(failure.message).toContain('p0:');
    expect(failure.message).toContain('10000 in all');
    expect(JSON.stringify(failure.details).length + failure.message.length).toBeLessThan(64 * 1024);
    // The client-side error keeps every issue for the caller to inspect.
    expect(invalid(schema, input).issues).toHaveLength(10_000);
  });

  it('returns the parsed value with defaults', () => {
    expect(validateWorkflowInput(GenerateDatasetInputSchema, dataset(), 'x').chunkSize).toBe(DATASET_DEFAULTS.chunkSize);
  });
});

describe('dataset schemas', () => {
  it('apply every default', () => {
    const out = GenerateDatasetInputSchema.parse(dataset());
    expect(out).toEqual({
      datasetId: 'ds-1',
      chunkSize: DATASET_DEFAULTS.chunkSize,
      maxInFlight: DATASET_DEFAULTS.maxInFlight,
      config: {
        seed: 42,
        samplingRateHz: DEFAULT_SAMPLING_RATE_HZ,
        signalLength: SIGNAL_LENGTH,
        classes: [...FAULT_CLASSES],
        signalsPerClass: DATASET_DEFAULTS.signalsPerClass,
        severitiesIn: [...FAULT_SEVERITIES_IN],
        loadsHp: [0, 1, 2, 3],
        speedJitter: 0.01,
        resonanceJitter: 0.03,
        snrDb: [DATASET_DEFAULTS.snrDb, DATASET_DEFAULTS.snrDb],
      },
    });
  });

  it('keep given values over defaults', () => {
    const out = SimulatorConfigSchema.parse({ seed: 7, classes: ['ball', 'normal'], snrDb: [-5, 15] });
    expect(out).toMatchObject({ seed: 7, classes: ['ball', 'normal'], snrDb: [-5, 15] });
  });

  it('reject unknown keys at the top and in config, naming them', () => {
    const top = invalid(GenerateDatasetInputSchema, dataset({}, { colour: 'red' }));
    expect(top.message).toContain('colour');
    const nested = invalid(GenerateDatasetInputSchema, dataset({ snr: 5 }));
    expect(nested.issues).toEqual([expect.objectContaining({ path: 'config' })]);
    expect(nested.message).toContain('snr');
  });

  it('reject snrDb with lo > hi, accept lo = hi', () => {
    const err = invalid(SimulatorConfigSchema, { snrDb: [10, 0] });
    expect(err.issues).toEqual([expect.objectContaining({ path: 'snrDb', value: [10, 0] })]);
    expect(err.message).toContain('snrDb[0] must be <= snrDb[1]');
    expect(SimulatorConfigSchema.parse({ snrDb: [3, 3] }).snrDb).toEqual([3, 3]);
  });

  it('reject a repeated class', () => {
    const err = invalid(GenerateDatasetInputSchema, dataset({ classes: ['normal', 'ball', 'normal'] }));
    expect(err.issues).toEqual([expect.objectContaining({ path: 'config.classes', value: ['normal', 'ball', 'normal'] })]);
    expect(err.message).toContain('must not repeat a class');
  });

  it('reject a class it does not know, naming the element', () => {
    const err = invalid(SimulatorConfigSchema, { classes: ['normal', 'cage'] });
    expect(err.issues).toEqual([expect.objectContaining({ path: 'classes.1', value: 'cage' })]);
  });

  it('reject a rig resonance too close to Nyquist, on rigResonanceHz', () => {
    const err = invalid(SimulatorConfigSchema, { samplingRateHz: 12_000, rigResonanceHz: 5_500 });
    expect(err.issues).toEqual([expect.objectContaining({ path: 'rigResonanceHz', value: 5_500 })]);
    expect(SimulatorConfigSchema.parse({ samplingRateHz: 12_000, rigResonanceHz: 3_000 }).rigResonanceHz).toBe(3_000);
  });
});

describe('training schemas', () => {
  it('apply every hyperparameter default, also when hyperparameters are absent', () => {
    const expected = { ...TRAINING_DEFAULTS, optimizer: 'adam', seed: 1 };
    expect(TrainHyperparametersSchema.parse({})).toEqual(expected);
    const out = TrainModelInputSchema.parse(train());
    expect(out.hyperparameters).toEqual(expected);
    expect(out.maxTrainingMinutes).toBe(120);
    expect(out.resumeFrom).toBeUndefined();
    expect(out.campaign).toBeUndefined();
  });

  it('fill defaults of a partial hyperparameter set and of architecture blocks', () => {
    const out = TrainModelInputSchema.parse(train({ hyperparameters: { epochs: 3, architecture: { blocks: [{ filters: 8, kernelSize: 5 }] } } }));
    expect(out.hyperparameters.epochs).toBe(3);
    expect(out.hyperparameters.batchSize).toBe(TRAINING_DEFAULTS.batchSize);
    expect(out.hyperparameters.architecture).toEqual({
      blocks: [{ filters: 8, kernelSize: 5, stride: 1, dilation: 1, pool: 'max', poolSize: 2, batchNorm: false, residual: false }],
      head: 'global-avg',
      denseUnits: 0,
      dropout: 0,
    });
  });

  it('reject unknown keys at every level, naming them', () => {
    expect(invalid(TrainModelInputSchema, train({ colour: 'red' })).message).toContain('colour');
    const hp = invalid(TrainModelInputSchema, train({ hyperparameters: { epoch: 3 } }));
    expect(hp.issues).toEqual([expect.objectContaining({ path: 'hyperparameters' })]);
    expect(hp.message).toContain('epoch');
    const block = invalid(TrainModelInputSchema, train({ hyperparameters: { architecture: { blocks: [{ filters: 8, kernelSize: 5, padding: 'same' }] } } }));
    expect(block.issues).toEqual([expect.objectContaining({ path: 'hyperparameters.architecture.blocks.0' })]);
    expect(block.message).toContain('padding');
    const campaign = invalid(TrainModelInputSchema, train({ campaign: { campaignId: 'c1', kind: 'hpo', index: 0, trial: 1 } }));
    expect(campaign.message).toContain('trial');
    const resume = invalid(TrainModelInputSchema, train({ resumeFrom: { checkpointUri: 'a', epoch: 1, extra: true } }));
    expect(resume.message).toContain('extra');
  });

  it('reject out-of-range hyperparameters with their path', () => {
    for (const [key, value] of [
      ['epochs', 1.5],
      ['batchSize', 0],
      ['windowLength', 32],
      ['validationFraction', 0.9],
      ['minDelta', -0.1],
    ] as const) {
      const err = invalid(TrainModelInputSchema, train({ hyperparameters: { [key]: value } }));
      expect(err.issues).toEqual([expect.objectContaining({ path: `hyperparameters.${key}`, value })]);
    }
  });
});
