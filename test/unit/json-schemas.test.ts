import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { generateJsonSchemaFiles, SCHEMA_DIR } from '../../scripts/gen-json-schemas.js';
import type { z } from 'zod';
import {
  ExplainSignalsInputSchema,
  CLASS_SCHEMES,
  ClassLabelSchema,
  FaultClassSchema,
  GenerateDatasetInputSchema,
  HpoCampaignInputSchema,
  ImportMatDatasetInputSchema,
  OptimizerSchema,
  RUN_STATUSES,
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
/** The branches of a discriminated union, written as `allOf: [{ if, then }, ...]` by the generator. */
const branches = (union: Json): Json[] => (union.allOf as Json[]).map((b) => b.then as Json);

/** The FaultlineKind values, read off the contract's own declaration (a type, so read as text). */
function faultlineKinds(): string[] {
  const source = readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../contracts/search-attributes.ts'), 'utf8');
  const union = /export type WorkflowKind =([^;]+);/.exec(source)?.[1] ?? '';
  return [...union.matchAll(/'([^']+)'/g)].map((m) => m[1]).sort();
}

/** The FaultlineKind values workflows/ passes to tagRun (literally, or in a conditional). */
function tagRunKinds(): Set<string> {
  const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../workflows');
  const kinds = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    for (const call of readFileSync(path.join(dir, file), 'utf8').matchAll(/tagRun\(([^{]+)\{/g)) {
      for (const m of call[1].matchAll(/'([a-z-]+)'/g)) kinds.add(m[1]);
    }
  }
  return kinds;
}

/** Validate `value` against a committed input schema with a real draft 2020-12 validator. */
function validate(file: string, value: unknown): ErrorObject[] {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const check = ajv.compile(read(file));
  return check(value) ? [] : (check.errors ?? []);
}

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
      'analyzeFeaturesWorkflow',
      'compareExperimentsWorkflow',
      'deployModelWorkflow',
      'evaluateErrorsWorkflow',
      'evaluateRocWorkflow',
      'explainSignalsWorkflow',
      'extractFeaturesWorkflow',
      'generateDatasetWorkflow',
      'hpoCampaignWorkflow',
      'importMatDatasetWorkflow',
      'nasCampaignWorkflow',
      'retentionWorkflow',
      'runBenchmarksWorkflow',
      'runQualityChecksWorkflow',
      'runTestSuiteWorkflow',
      'trainModelWorkflow',
    ]);
    expect(new RegExp((workflows.runTestSuiteWorkflow.workflowId as Json).pattern as string).test('verify-tests-202612041500-1a2b3c4d')).toBe(true);
    expect(new RegExp((workflows.runQualityChecksWorkflow.workflowId as Json).pattern as string).test('verify-quality-fixture-quality')).toBe(true);
    expect((workflows.runBenchmarksWorkflow.workflowId as Json).template).toBe('verify-bench-{runId}');
    expect(new RegExp((workflows.evaluateRocWorkflow.workflowId as Json).pattern as string).test('evaluate-roc-exp-0123456789ab-ds-1')).toBe(true);
    expect((workflows.compareExperimentsWorkflow.workflowId as Json).template).toBe('compare-{comparisonId}');
    expect((workflows.extractFeaturesWorkflow.workflowId as Json).template).toBe('features-{featureSetId}');
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
    expect(props(config).scheme.enum).toEqual([...CLASS_SCHEMES]);
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
    expect(props(props(schema).sampler).kind.enum).toEqual(['tpe', 'gp', 'random', 'grid', 'nsga2']);
    expect(props(props(schema).pruner).kind.enum).toEqual(['asha', 'median', 'none']);
    expect(props(props(schema).objective).metric.enum).toEqual(['valAccuracy', 'valLoss']);
    const space = props(schema).space;
    const specs = branches(space.additionalProperties as Json).map((s) => (props(s).type as Json).const);
    expect(specs).toEqual(['float', 'int', 'categorical']);
    expect(props(space.additionalProperties as Json).type).toEqual({ enum: ['float', 'int', 'categorical'] });
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
    const [ids, dataset] = branches(props(schema).selection);
    expect(props(ids).kind).toMatchObject({ const: 'ids' });
    expect(props(ids).ids).toMatchObject({ uniqueItems: true, minItems: 1, items: { pattern: expect.stringContaining(':') } });
    expect(new RegExp((props(ids).ids.items as Json).pattern as string).test('cwru-demo:17')).toBe(true);
    expect(props(dataset).kind).toMatchObject({ const: 'dataset' });
    expect(dataset.required).toEqual(['kind', 'datasetId']);
    expect((props(dataset).labels.items as Json).enum).toEqual(ClassLabelSchema.options);
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

  it('index lists every FaultlineKind value with the workflow that sets it, and every FaultlineStatus', () => {
    const index = read('index.json');
    const values = index.searchAttributeValues as { FaultlineKind: Record<string, Json>; FaultlineStatus: string[] };
    expect(faultlineKinds()).toEqual(expect.arrayContaining(['dataset', 'hpo', 'hpo-trial', 'import', 'nas', 'nas-candidate', 'train', 'xai']));
    expect(Object.keys(values.FaultlineKind).sort()).toEqual(faultlineKinds());
    const workflows = index.workflows as Record<string, Json>;
    // The kinds the workflows actually tag runs with (tagRun calls), read off their source.
    const tagged = tagRunKinds();
    for (const [kind, entry] of Object.entries(values.FaultlineKind)) {
      // A kind no workflow sets yet is declared as reserved, without a workflow type.
      expect(entry.workflowType === null, kind).toBe(!tagged.has(kind));
      if (entry.workflowType === null) {
        expect(entry.startable, kind).toBe(false);
        continue;
      }
      expect(workflows, kind).toHaveProperty(entry.workflowType as string);
      // A startable kind is the one its workflow's start attributes name; child kinds are not.
      const startKind = (workflows[entry.workflowType as string].searchAttributes as Json).FaultlineKind;
      expect(startKind === kind, kind).toBe(entry.startable);
    }
    expect(values.FaultlineStatus).toEqual([...RUN_STATUSES]);
  });

  it('import input: required keys, file-name and root rules, exactly one of files and glob', () => {
    const file = 'importMatDatasetWorkflow.input.json';
    const schema = read(file);
    expect((schema.required as string[]).sort()).toEqual(zodRequiredKeys(ImportMatDatasetInputSchema as unknown as z.ZodObject));
    expect((read('index.json').workflows as Record<string, Json>).importMatDatasetWorkflow).toMatchObject({
      input: file,
      signals: ['stop'],
      workflowId: { template: 'import-{datasetId}', entityField: 'datasetId' },
      searchAttributes: { FaultlineKind: 'import', FaultlineDatasetId: '{datasetId}', FaultlineStatus: 'RUNNING' },
    });
    expect(validate(file, { datasetId: 'cwru', files: ['97.mat', { artifactUri: `artifact:sha256/${'a'.repeat(64)}`, name: '98.mat' }] })).toEqual([]);
    expect(validate(file, { datasetId: 'cwru', glob: '*.mat', root: 'cwru/12k' })).toEqual([]);
    const paths = (value: unknown) => validate(file, value).map((e) => e.instancePath);
    expect(paths({ datasetId: 'cwru', files: ['../etc/passwd'] })).toContain('/files/0');
    expect(paths({ datasetId: 'cwru', files: ['..'] })).toContain('/files/0');
    expect(paths({ datasetId: 'cwru', files: [{ artifactUri: 'file:///etc/passwd', name: 'a.mat' }] })).toContain('/files/0/artifactUri');
    expect(paths({ datasetId: 'cwru', glob: '*', root: 'a/../../etc' })).toContain('/root');
    expect(validate(file, { datasetId: 'cwru' }).map((e) => e.params)).toContainEqual({ missingProperty: 'glob' });
    expect(validate(file, { datasetId: 'cwru', files: ['a.mat'], glob: '*' }).some((e) => e.keyword === 'not')).toBe(true);
    // The zod contract agrees on every one of these.
    for (const bad of [{ files: ['../etc/passwd'] }, { files: ['..'] }, { glob: '*', root: 'a/../../etc' }, {}, { files: ['a.mat'], glob: '*' }]) {
      expect(ImportMatDatasetInputSchema.safeParse({ datasetId: 'cwru', ...bad }).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('discriminated unions: a validator names the bad discriminator, or the bad field of the branch it selects', () => {
    const hpo = 'hpoCampaignWorkflow.input.json';
    const base = { campaignId: 'c1', datasetId: 'ds1' };
    expect(
      validate(hpo, { ...base, space: { lr: { type: 'float', low: 1e-4, high: 1e-1, log: true } }, evaluator: { kind: 'synthetic', function: 'branin' } }),
    ).toEqual([]);
    // Ajv adds an `if` error ("must match then schema") above the branch's own: that one says nothing.
    const errors = (value: unknown, file = hpo) =>
      validate(file, value)
        .filter((e) => e.keyword !== 'if')
        .map((e) => `${e.instancePath} ${e.keyword}`);
    // Not "must match exactly one schema in oneOf": the field inside the float branch.
    expect(errors({ ...base, space: { lr: { type: 'float', low: 'x', high: 1 } } })).toContain('/space/lr/low type');
    expect(errors({ ...base, space: { lr: { type: 'flot', low: 0, high: 1 } } })).toEqual(['/space/lr/type enum']);
    expect(errors({ ...base, space: { n: { type: 'int', low: 1, high: 8, choices: [1] } } })).toContain('/space/n additionalProperties');
    expect(errors({ ...base, evaluator: { kind: 'synthetic', function: 'rosenbrock' } })).toEqual(['/evaluator/function enum']);
    expect(errors({ ...base, evaluator: { kind: 'simulated' } })).toEqual(['/evaluator/kind enum']);
    const xai = 'explainSignalsWorkflow.input.json';
    const batch = { batchId: 'b1', modelId: 'exp-1', methods: { occlusion: {} } };
    expect(validate(xai, { ...batch, selection: { kind: 'ids', ids: ['ds1:0'] } })).toEqual([]);
    expect(errors({ ...batch, selection: { kind: 'ids', ids: ['../ds1:0'] } }, xai)).toEqual(['/selection/ids/0 pattern']);
    expect(errors({ ...batch, selection: { kind: 'dataset', datasetId: 'ds1', labels: ['cage'] } }, xai)).toEqual(['/selection/labels/0 enum']);
    expect(errors({ ...batch, selection: { kind: 'everything' } }, xai)).toEqual(['/selection/kind enum']);
    // No oneOf with a const discriminator is left in any committed schema.
    for (const name of Object.keys(generated)) expect(generated[name], name).not.toMatch(/"oneOf"/);
  });
});
