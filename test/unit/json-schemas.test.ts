import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateJsonSchemaFiles, SCHEMA_DIR } from '../../scripts/gen-json-schemas.js';
import type { z } from 'zod';
import {
  ExplainSignalsInputSchema,
  FaultClassSchema,
  GenerateDatasetInputSchema,
  HpoCampaignInputSchema,
  OptimizerSchema,
  TrainModelInputSchema,
  WORKFLOW_TASK_QUEUE,
  XAI_METHODS,
} from '../../contracts/index.js';

/** Keys the zod object cannot do without (no default, not optional), read off zod itself. */
function zodRequiredKeys(schema: z.ZodObject): string[] {
  return Object.entries(schema.shape)
    .filter(([, field]) => !(field as z.ZodType).safeParse(undefined).success)
    .map(([key]) => key)
    .sort();
}

type Json = Record<string, unknown>;
const read = (name: string): Json => JSON.parse(readFileSync(path.join(SCHEMA_DIR, name), 'utf8')) as Json;
const props = (schema: Json): Record<string, Json> => schema.properties as Record<string, Json>;

describe('contracts/json-schema', () => {
  const generated = generateJsonSchemaFiles();

  it('committed files equal freshly generated ones (run `npm run schemas` if not)', () => {
    for (const [name, text] of Object.entries(generated)) {
      expect(readFileSync(path.join(SCHEMA_DIR, name), 'utf8'), name).toBe(text);
    }
  });

  it('index maps each workflow type to its schema, queue, id pattern and the progress query', () => {
    const index = read('index.json');
    const workflows = index.workflows as Record<string, Json>;
    expect(Object.keys(workflows).sort()).toEqual([
      'compareExperimentsWorkflow',
      'evaluateErrorsWorkflow',
      'evaluateRocWorkflow',
      'explainSignalsWorkflow',
      'generateDatasetWorkflow',
      'hpoCampaignWorkflow',
      'nasCampaignWorkflow',
      'trainModelWorkflow',
    ]);
    expect(new RegExp((workflows.evaluateRocWorkflow.workflowId as Json).pattern as string).test('evaluate-roc-exp-0123456789ab-ds-1')).toBe(true);
    expect((workflows.compareExperimentsWorkflow.workflowId as Json).template).toBe('compare-{comparisonId}');
    for (const [type, entry] of Object.entries(workflows)) {
      expect(entry.input).toBe(`${type}.input.json`);
      expect(entry.taskQueue).toBe(WORKFLOW_TASK_QUEUE);
      expect(entry.queries).toEqual(['progress']);
    }
    expect(new RegExp((workflows.trainModelWorkflow.workflowId as Json).pattern as string).test('train-exp-0123456789ab')).toBe(true);
    expect(((index.queries as Json).progress as Json).result).toMatchObject({ required: ['phase', 'completed', 'total', 'fraction'] });
  });

  it('dataset input: required keys, defaults optional, enum values from the contract', () => {
    const schema = read('generateDatasetWorkflow.input.json');
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect((schema.required as string[]).sort()).toEqual(zodRequiredKeys(GenerateDatasetInputSchema));
    expect(schema.additionalProperties).toBe(false);
    const config = props(schema).config;
    expect(config.required).toBeUndefined();
    expect((props(config).classes.items as Json).enum).toEqual(FaultClassSchema.options);
  });

  it('training input: required keys and enum values match the zod schema', () => {
    const schema = read('trainModelWorkflow.input.json');
    expect((schema.required as string[]).sort()).toEqual(zodRequiredKeys(TrainModelInputSchema));
    expect(schema.required).not.toContain('hyperparameters');
    const hp = props(schema).hyperparameters;
    expect(props(hp).optimizer.enum).toEqual(OptimizerSchema.options);
    expect(props(hp).epochs).toMatchObject({ type: 'integer', minimum: 1, default: 20 });
    expect((props(props(schema).campaign).kind as Json).enum).toEqual(['hpo', 'nas']);
  });

  it('hpo input: required keys, enums, and the real shape of the search space', () => {
    const schema = read('hpoCampaignWorkflow.input.json');
    expect((schema.required as string[]).sort()).toEqual(zodRequiredKeys(HpoCampaignInputSchema));
    expect((schema.required as string[]).sort()).toEqual(['campaignId', 'datasetId']);
    expect(schema.additionalProperties).toBe(false);
    expect(props(props(schema).sampler).kind.enum).toEqual(['tpe', 'random', 'grid']);
    expect(props(props(schema).pruner).kind.enum).toEqual(['asha', 'median', 'none']);
    expect(props(props(schema).objective).metric.enum).toEqual(['valAccuracy', 'valLoss']);
    const space = props(schema).space;
    const specs = ((space.additionalProperties as Json).oneOf as Json[]).map((s) => (props(s).type as Json).const);
    expect(specs).toEqual(['float', 'int', 'categorical']);
    expect(space.description).toMatch(/when/);
  });

  it('index lists the messages each workflow answers: hpo has the stop signal and the updateCampaign update', () => {
    const index = read('index.json');
    const workflows = index.workflows as Record<string, Json>;
    expect(workflows.hpoCampaignWorkflow).toMatchObject({
      queries: ['progress'],
      signals: ['stop'],
      updates: ['updateCampaign'],
      cancellable: true,
      workflowId: { template: 'hpo-{campaignId}', entityField: 'campaignId' },
      searchAttributes: { FaultlineKind: 'hpo', FaultlineCampaignId: '{campaignId}', FaultlineDatasetId: '{datasetId}', FaultlineStatus: 'RUNNING' },
    });
    expect(workflows.trainModelWorkflow).toMatchObject({ signals: [], updates: [] });
    expect(new RegExp((workflows.hpoCampaignWorkflow.workflowId as Json).pattern as string).test('hpo-c-0123456789ab')).toBe(true);
    for (const entry of Object.values(workflows)) {
      for (const name of entry.signals as string[]) expect(index.signals as Json).toHaveProperty(name);
      for (const name of entry.updates as string[]) expect(index.updates as Json).toHaveProperty(name);
    }
    const update = (index.updates as Record<string, Json>).updateCampaign;
    expect(props(update.argument as Json)).toMatchObject({ maxTrials: { type: 'integer', minimum: 1 }, maxConcurrentTrials: { type: 'integer', minimum: 1 } });
    expect((update.result as Json).required).toEqual(['maxTrials', 'maxConcurrentTrials']);
  });

  it('xai input: required keys, the two selections, every method with its defaults, the refinements JSON Schema can say', () => {
    const schema = read('explainSignalsWorkflow.input.json');
    expect((schema.required as string[]).sort()).toEqual(zodRequiredKeys(ExplainSignalsInputSchema));
    expect((schema.required as string[]).sort()).toEqual(['batchId', 'methods', 'modelId', 'selection']);
    expect(schema.additionalProperties).toBe(false);
    const [ids, dataset] = props(schema).selection.oneOf as Json[];
    expect(props(ids).kind).toMatchObject({ const: 'ids' });
    expect(props(ids).ids).toMatchObject({ uniqueItems: true, minItems: 1, items: { pattern: expect.stringContaining(':') } });
    expect(new RegExp((props(ids).ids.items as Json).pattern as string).test('cwru-demo:17')).toBe(true);
    expect(props(dataset).kind).toMatchObject({ const: 'dataset' });
    expect(dataset.required).toEqual(['kind', 'datasetId']);
    expect((props(dataset).labels.items as Json).enum).toEqual(FaultClassSchema.options);
    const methods = props(schema).methods;
    expect(Object.keys(props(methods))).toEqual([...XAI_METHODS]);
    expect(methods).toMatchObject({ minProperties: 1, additionalProperties: false });
    expect(props(props(methods)['integrated-gradients'])).toMatchObject({ steps: { default: 64 }, baseline: { enum: ['zeros', 'mean'] } });
    expect(props(props(methods)['kernel-shap']).background).toMatchObject({ default: { size: 16 } });
    expect(props(schema).maxInFlight).toMatchObject({ type: 'integer', minimum: 1, default: 8 });
    expect(props(schema).target.enum).toEqual(['predicted', 'label']);
  });

  it('index: xai answers progress and the stop signal, no update; id xai-{batchId}; model and dataset search attributes', () => {
    const workflows = read('index.json').workflows as Record<string, Json>;
    expect(workflows.explainSignalsWorkflow).toMatchObject({
      input: 'explainSignalsWorkflow.input.json',
      queries: ['progress'],
      signals: ['stop'],
      updates: [],
      cancellable: true,
      workflowId: { template: 'xai-{batchId}', entityField: 'batchId', note: expect.stringContaining('"x-"') },
      searchAttributes: { FaultlineKind: 'xai', FaultlineExperimentId: '{modelId}', FaultlineDatasetId: '{selection.datasetId}', FaultlineStatus: 'RUNNING' },
    });
    expect(new RegExp((workflows.explainSignalsWorkflow.workflowId as Json).pattern as string).test('xai-x-0123456789ab')).toBe(true);
  });
});
