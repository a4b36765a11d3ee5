/**
 * `npm run schemas`: JSON Schemas (draft 2020-12) of every workflow input, generated from the
 * zod contracts, plus an index a backend in any language can start workflows from. The output
 * is committed; test/unit/json-schemas.test.ts fails when it drifts from the zod schemas.
 *
 *   npm run schemas            write contracts/json-schema/
 *   npm run schemas -- --check exit 1 if the committed files are stale
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { WORKFLOW_KINDS, type ClientWorkflowKind } from '../client/workflow-kinds.js';
import {
  CompareExperimentsInputSchema,
  EvaluateErrorsInputSchema,
  EvaluateRocInputSchema,
  ExplainSignalsInputSchema,
  ExtractFeaturesInputSchema,
  AnalyzeFeaturesInputSchema,
  GenerateDatasetInputSchema,
  ImportMatDatasetInputSchema,
  DeployModelInputSchema,
  HpoCampaignInputSchema,
  HpoCampaignUpdateSchema,
  NasCampaignInputSchema,
  NasCampaignUpdateSchema,
  progressQuery,
  ProgressSchema,
  RETENTION_SCHEDULE_ID,
  RetentionInputSchema,
  RunBenchmarksInputSchema,
  RunQualityChecksInputSchema,
  RunTestSuiteInputSchema,
  VERIFY_WORKFLOW_IDS,
  RUN_STATUSES,
  SEARCH_ATTRIBUTE_REGISTRATIONS,
  SlugSchema,
  stopSignal,
  TrainModelInputSchema,
  updateCampaignUpdate,
  updateNasCampaignUpdate,
  WORKFLOW_TASK_QUEUE,
  workflowIds,
  type WorkflowKind,
} from '../contracts/index.js';

export const SCHEMA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../contracts/json-schema');

/** Every workflow a foreign backend may start: the TypeScript client's kinds, and MAT imports. */
export type SchemaKind = ClientWorkflowKind | 'import';

/** Type name, FaultlineKind value, workflow id and entity field of each startable workflow. */
export const SCHEMA_KINDS: Record<SchemaKind, { workflowType: string; searchKind: WorkflowKind; workflowId: (id: string) => string; entityField: string }> = {
  ...WORKFLOW_KINDS,
  import: { workflowType: 'importMatDatasetWorkflow', searchKind: 'import', workflowId: workflowIds.import, entityField: 'datasetId' },
};

/** The workflows a foreign backend may start, with the zod schema of their single argument. */
export const WORKFLOW_INPUTS: Record<SchemaKind, z.ZodType> = {
  dataset: GenerateDatasetInputSchema,
  train: TrainModelInputSchema,
  hpo: HpoCampaignInputSchema,
  nas: NasCampaignInputSchema,
  xai: ExplainSignalsInputSchema,
  roc: EvaluateRocInputSchema,
  errors: EvaluateErrorsInputSchema,
  compare: CompareExperimentsInputSchema,
  import: ImportMatDatasetInputSchema,
  features: ExtractFeaturesInputSchema,
  'feature-analysis': AnalyzeFeaturesInputSchema,
  deploy: DeployModelInputSchema,
};

/** Workflow ids that are not `<prefix><entity id>`: the evaluations of (experiment, dataset). */
const WORKFLOW_ID_TEMPLATES: Partial<Record<SchemaKind, { template: string; pattern: string }>> = {
  roc: { template: 'evaluate-roc-{experimentId}-{datasetId}', pattern: '^evaluate-roc-[a-z0-9][a-z0-9_-]*$' },
  errors: { template: 'evaluate-errors-{experimentId}-{datasetId}', pattern: '^evaluate-errors-[a-z0-9][a-z0-9_-]*$' },
};

const ID_FIELD_NOTE: Record<SchemaKind, string> = {
  dataset: 'Any slug you choose, or derive it like the TypeScript client: "ds-" + first 12 hex of sha256(canonical JSON of config with defaults applied).',
  train:
    'Any slug you choose, or derive it like the TypeScript client: "exp-" + first 12 hex of sha256(canonical JSON of {datasetId, hyperparameters, resumeFrom} with defaults applied).',
  hpo: 'Any slug you choose, or derive it like the TypeScript client: "c-" + first 12 hex of sha256(canonical JSON of the whole input without campaignId, defaults applied, the search space normalised and written as an array of [name, spec] pairs in declaration order, since that order is the sampling order). The workflow id is then "hpo-c-<hex>".',
  nas: 'Any slug you choose, or derive it like the TypeScript client: "n-" + first 12 hex of sha256(canonical JSON of the whole input without campaignId, defaults applied). The workflow id is then "nas-n-<hex>".',
  xai: 'Any slug you choose, or derive it like the TypeScript client: "x-" + first 12 hex of sha256(canonical JSON of the whole input without batchId, defaults applied). The workflow id is then "xai-x-<hex>".',
  roc: 'The experiment and the dataset evaluated on (its own when the input leaves datasetId out: pass the one it was trained on), then "-<split>" unless split is "test". The workflow id is also the evaluation\'s row id in Postgres.',
  errors: 'As for evaluateRocWorkflow: experiment, dataset, then "-<split>" unless split is "test".',
  compare:
    'Any slug you choose, or derive it like the TypeScript client: first 12 hex of sha256(canonical JSON of {experimentIds sorted, datasetId (null when absent), split}). The workflow id is then "compare-<hex>".',
  import:
    'Any slug you choose, or derive it like the TypeScript client: "mat-" + first 12 hex of sha256(canonical JSON of the request as sent, without datasetId, defaults NOT applied). The workflow id is then "import-mat-<hex>".',
  features:
    '"<datasetId>-" + first 12 hex of sha256(canonical JSON of {version: 1, datasetId, settings, window}) with defaults applied and settings.domains in the order time, frequency, envelope, wavelet without repeats (the TypeScript client derives it so). The workflow id is then "features-<featureSetId>".',
  'feature-analysis':
    '"<mode>-" + first 12 hex of sha256(canonical JSON of {featureSetId, mode, options}) with defaults applied (the TypeScript client derives it so). The workflow id is then "feature-analysis-<analysisId>".',
  deploy:
    'Any slug you choose; the TypeScript client uses "<experimentId>-deploy". The workflow id is then "deploy-<deploymentId>"; model version ids are "<deploymentId>.<kind>".',
};

/**
 * The messages each workflow answers beyond cancellation, by name (described once, at the top
 * of index.json). Internal signals such as `epochCompleted` (activity → its own workflow) are
 * not listed: a caller must not send them.
 */
const WORKFLOW_MESSAGES: Record<SchemaKind, { queries: string[]; signals: string[]; updates: string[] }> = {
  dataset: { queries: [progressQuery.name], signals: [], updates: [] },
  train: { queries: [progressQuery.name], signals: [], updates: [] },
  hpo: { queries: [progressQuery.name], signals: [stopSignal.name], updates: [updateCampaignUpdate.name] },
  nas: { queries: [progressQuery.name], signals: [stopSignal.name], updates: [updateNasCampaignUpdate.name] },
  xai: { queries: [progressQuery.name], signals: [stopSignal.name], updates: [] },
  roc: { queries: [progressQuery.name], signals: [], updates: [] },
  errors: { queries: [progressQuery.name], signals: [], updates: [] },
  compare: { queries: [progressQuery.name], signals: [], updates: [] },
  import: { queries: [progressQuery.name], signals: [stopSignal.name], updates: [] },
  features: { queries: [progressQuery.name], signals: [], updates: [] },
  'feature-analysis': { queries: [progressQuery.name], signals: [], updates: [] },
  deploy: { queries: [progressQuery.name], signals: [], updates: [] },
};

/** What client/api.ts sets at start ({field} = that input field), so foreign starts filter alike. */
const START_SEARCH_ATTRIBUTES: Record<SchemaKind, Record<string, string>> = {
  dataset: { FaultlineKind: WORKFLOW_KINDS.dataset.searchKind, FaultlineDatasetId: '{datasetId}', FaultlineStatus: 'RUNNING' },
  train: {
    FaultlineKind: WORKFLOW_KINDS.train.searchKind,
    FaultlineExperimentId: '{experimentId}',
    FaultlineDatasetId: '{datasetId}',
    FaultlineStatus: 'RUNNING',
  },
  hpo: {
    FaultlineKind: WORKFLOW_KINDS.hpo.searchKind,
    FaultlineCampaignId: '{campaignId}',
    FaultlineDatasetId: '{datasetId}',
    FaultlineStatus: 'RUNNING',
  },
  nas: {
    FaultlineKind: WORKFLOW_KINDS.nas.searchKind,
    FaultlineCampaignId: '{campaignId}',
    FaultlineDatasetId: '{datasetId}',
    FaultlineStatus: 'RUNNING',
  },
  // The model is a trained experiment's id; the dataset only exists for a dataset selection.
  xai: {
    FaultlineKind: WORKFLOW_KINDS.xai.searchKind,
    FaultlineExperimentId: '{modelId}',
    FaultlineDatasetId: '{selection.datasetId}',
    FaultlineStatus: 'RUNNING',
  },
  roc: { FaultlineKind: WORKFLOW_KINDS.roc.searchKind, FaultlineExperimentId: '{experimentId}', FaultlineDatasetId: '{datasetId}', FaultlineStatus: 'RUNNING' },
  errors: {
    FaultlineKind: WORKFLOW_KINDS.errors.searchKind,
    FaultlineExperimentId: '{experimentId}',
    FaultlineDatasetId: '{datasetId}',
    FaultlineStatus: 'RUNNING',
  },
  compare: { FaultlineKind: WORKFLOW_KINDS.compare.searchKind, FaultlineDatasetId: '{datasetId}', FaultlineStatus: 'RUNNING' },
  import: { FaultlineKind: SCHEMA_KINDS.import.searchKind, FaultlineDatasetId: '{datasetId}', FaultlineStatus: 'RUNNING' },
  features: { FaultlineKind: WORKFLOW_KINDS.features.searchKind, FaultlineDatasetId: '{datasetId}', FaultlineStatus: 'RUNNING' },
  'feature-analysis': { FaultlineKind: WORKFLOW_KINDS['feature-analysis'].searchKind, FaultlineStatus: 'RUNNING' },
  deploy: { FaultlineKind: WORKFLOW_KINDS.deploy.searchKind, FaultlineExperimentId: '{experimentId}', FaultlineStatus: 'RUNNING' },
};

/**
 * Every value the FaultlineKind search attribute takes, with the workflow that sets it. Keyed by
 * the contract's WorkflowKind, so a new kind does not compile until it is described here; the
 * two child kinds are started by their campaign only.
 */
const FAULTLINE_KINDS: Record<WorkflowKind, { workflowType: string | null; startable: boolean; workflowId: string; description: string }> = {
  dataset: { workflowType: 'generateDatasetWorkflow', startable: true, workflowId: 'dataset-{datasetId}', description: 'Simulated dataset generation.' },
  import: {
    workflowType: 'importMatDatasetWorkflow',
    startable: true,
    workflowId: 'import-{datasetId}',
    description: 'Import of MAT-file recordings into a dataset.',
  },
  train: { workflowType: 'trainModelWorkflow', startable: true, workflowId: 'train-{experimentId}', description: 'A standalone training run.' },
  hpo: { workflowType: 'hpoCampaignWorkflow', startable: true, workflowId: 'hpo-{campaignId}', description: 'An HPO campaign.' },
  'hpo-trial': {
    workflowType: 'trainModelWorkflow',
    startable: false,
    workflowId: 'hpo-{campaignId}-trial-{n}[-rung-{k}][-attempt-{a}]',
    description: 'One trial (rung, attempt) of an HPO campaign: a child trainModelWorkflow the campaign starts; FaultlineCampaignId names the campaign.',
  },
  nas: { workflowType: 'nasCampaignWorkflow', startable: true, workflowId: 'nas-{campaignId}', description: 'A NAS campaign.' },
  'nas-candidate': {
    workflowType: 'trainModelWorkflow',
    startable: false,
    workflowId: 'nas-{campaignId}-cand-{n}[-attempt-{a}]',
    description: 'One candidate architecture of a NAS campaign: a child trainModelWorkflow the campaign starts; FaultlineCampaignId names the campaign.',
  },
  xai: { workflowType: 'explainSignalsWorkflow', startable: true, workflowId: 'xai-{batchId}', description: 'A batch of XAI explanations.' },
  'evaluate-roc': {
    workflowType: 'evaluateRocWorkflow',
    startable: true,
    workflowId: 'evaluate-roc-{experimentId}-{datasetId}[-{split}]',
    description: 'ROC analysis (curves, AUC with bootstrap intervals) of one experiment on a dataset.',
  },
  'evaluate-errors': {
    workflowType: 'evaluateErrorsWorkflow',
    startable: true,
    workflowId: 'evaluate-errors-{experimentId}-{datasetId}[-{split}]',
    description: 'Error analysis (confusion, F1, calibration, mistakes by condition) of one experiment on a dataset.',
  },
  compare: {
    workflowType: 'compareExperimentsWorkflow',
    startable: true,
    workflowId: 'compare-{comparisonId}',
    description: 'Comparison of experiments on one shared test set (accuracy intervals, McNemar, Pareto front).',
  },
  retention: {
    workflowType: 'retentionWorkflow',
    startable: true,
    workflowId: 'faultline-retention-{scheduled time} (the Schedule) or retention-{id} (faultline retention run)',
    description:
      "Retention: deletes rows past their kind's retention and unreferenced artifacts (mark, grace, sweep); started by the faultline-retention Schedule or the CLI.",
  },
  features: {
    workflowType: 'extractFeaturesWorkflow',
    startable: true,
    workflowId: 'features-{featureSetId}',
    description: 'Feature extraction of a dataset (time, frequency, envelope, wavelet-packet features per signal or window) into a stored float32 matrix.',
  },
  'feature-analysis': {
    workflowType: 'analyzeFeaturesWorkflow',
    startable: true,
    workflowId: 'feature-analysis-{analysisId}',
    description: 'Importance, selection or correlation analysis (a mode) of a stored feature set.',
  },
  deploy: {
    workflowType: 'deployModelWorkflow',
    startable: true,
    workflowId: 'deploy-{deploymentId}',
    description:
      'Deployment saga of one experiment: ONNX export (checked against tfjs), onnxruntime graph optimisation, quantization (formats: int8 static calibrated on the training split, int8 dynamic, float16), validation on the test split, benchmark, publish; rolls back on failure or cancellation. Typed client: client/deploy.ts; CLI: faultline deploy pipeline|export|optimize|quantize|benchmark|result (the single steps stop after that step: stopAfter).',
  },
  'verify-tests': {
    workflowType: 'runTestSuiteWorkflow',
    startable: true,
    workflowId: 'verify-tests-{runId}',
    description: "A sandboxed run of the project's vitest suite (chosen files, name pattern, optional v8 coverage).",
  },
  'verify-quality': {
    workflowType: 'runQualityChecksWorkflow',
    startable: true,
    workflowId: 'verify-quality-{runId}',
    description:
      'Sandboxed tsc, eslint and prettier --check over a path; findings as rows (file, line, column, rule, severity, message), counts by rule, pass/fail.',
  },
  'verify-bench': {
    workflowType: 'runBenchmarksWorkflow',
    startable: true,
    workflowId: 'verify-bench-{runId}',
    description: "The project's benchmarks (--only a list) on faultline-train; the summary stored and compared with the last stored run of each bench.",
  },
};

/** Input side: fields with defaults are optional, exactly what a caller may send. */
export function inputJsonSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
}

/**
 * The XAI contract's refinements, where JSON Schema can say them: at least one method
 * (`minProperties`), no repeated signal (`uniqueItems`); `fromIndex < toIndex` only in words.
 */
function withXaiRules(kind: SchemaKind, schema: Record<string, unknown>): Record<string, unknown> {
  if (kind !== 'xai') return schema;
  const properties = schema.properties as Record<string, Record<string, unknown>>;
  const [ids, dataset] = properties.selection.oneOf as Record<string, Record<string, Record<string, unknown>>>[];
  return {
    ...schema,
    properties: {
      ...properties,
      selection: {
        ...properties.selection,
        oneOf: [
          { ...ids, properties: { ...ids.properties, ids: { ...ids.properties.ids, uniqueItems: true } } },
          {
            ...dataset,
            description: 'Signals of a dataset, lowest indices first: labels filter, indices in [fromIndex, toIndex) (fromIndex < toIndex), at most limit.',
          },
        ],
      },
      methods: {
        ...properties.methods,
        minProperties: 1,
        description: 'The methods to run, each with its options ({} = defaults). At least one.',
      },
    },
  };
}

/**
 * The import contract's refinements JSON Schema can say: file names without folders, `..` or
 * control characters; a root without `..` segments; exactly one of `files` and `glob`.
 */
function withImportRules(kind: SchemaKind, schema: Record<string, unknown>): Record<string, unknown> {
  if (kind !== 'import') return schema;
  const fileName = (s: Record<string, unknown>) => ({
    ...s,
    not: { anyOf: [{ pattern: '[/\\\\\\u0000-\\u001f]' }, { enum: ['.', '..'] }] },
    description: 'A file name: no folders ("/", "\\"), not "." or "..", no control characters.',
  });
  const properties = schema.properties as Record<string, Record<string, unknown>>;
  const files = properties.files;
  const [name, stored] = (files.items as { anyOf: Record<string, unknown>[] }).anyOf;
  const storedProps = stored.properties as Record<string, Record<string, unknown>>;
  const labels = properties.labels;
  const [cwru, map] = labels.anyOf as Record<string, unknown>[];
  return {
    ...schema,
    properties: {
      ...properties,
      root: {
        ...properties.root,
        not: { pattern: '(^|[/\\\\])\\.\\.([/\\\\]|$)' },
        description: 'A folder inside IMPORT_ROOT, relative to it, without ".." segments.',
      },
      files: { ...files, items: { anyOf: [fileName(name), { ...stored, properties: { ...storedProps, name: fileName(storedProps.name) } }] } },
      labels: { ...labels, anyOf: [cwru, { ...map, propertyNames: fileName(map.propertyNames as Record<string, unknown>) }] },
    },
    // Exactly one of files and glob, said so that a validator names the missing or extra key.
    if: { required: ['files'] },
    then: { not: { required: ['glob'] } },
    else: { required: ['glob'] },
  };
}

/**
 * A `oneOf` whose branches are objects told apart by one required `const` property (zod's
 * discriminated unions) makes validators report "not valid under any of the given schemas" for
 * any mistake. Rewritten as an enum on the discriminator plus one `if`/`then` per branch, a
 * validator reports the bad discriminator, or the bad field inside the branch it names.
 */
export function discriminateOneOfs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(discriminateOneOfs);
  if (node === null || typeof node !== 'object') return node;
  const out = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, discriminateOneOfs(v)])) as Record<string, unknown>;
  const byType = splitByJsonType(out);
  if (byType) return byType;
  const branches = out.oneOf;
  if (!Array.isArray(branches)) return out;
  const key = discriminatorOf(branches as Record<string, unknown>[]);
  if (key === undefined) return out;
  const values = (branches as Record<string, Record<string, Record<string, unknown>>>[]).map((b) => b.properties[key].const);
  const { oneOf: _replaced, ...rest } = out;
  return {
    ...rest,
    type: 'object',
    required: [key],
    properties: { [key]: { enum: values } },
    allOf: (branches as Record<string, unknown>[]).map((branch, i) => ({ if: { properties: { [key]: { const: values[i] } }, required: [key] }, then: branch })),
  };
}

/** A union of one string and one object schema (a file name or a stored file): split on the JSON type. */
function splitByJsonType(node: Record<string, unknown>): Record<string, unknown> | undefined {
  const union = (node.anyOf ?? node.oneOf) as Record<string, unknown>[] | undefined;
  if (!Array.isArray(union) || union.length !== 2) return undefined;
  const text = union.find((b) => b.type === 'string');
  const object = union.find((b) => b.type === 'object');
  if (!text || !object) return undefined;
  const { anyOf: _a, oneOf: _o, ...rest } = node;
  return { ...rest, if: { type: 'string' }, then: text, else: object };
}

function discriminatorOf(branches: Record<string, unknown>[]): string | undefined {
  if (branches.length < 2 || !branches.every((b) => b.type === 'object' && b.properties && Array.isArray(b.required))) return undefined;
  const first = branches[0].properties as Record<string, Record<string, unknown>>;
  return Object.keys(first).find((key) => {
    const values = branches.map((b) => (b.properties as Record<string, Record<string, unknown>>)[key]?.const);
    return values.every((v) => v !== undefined) && branches.every((b) => (b.required as string[]).includes(key)) && new Set(values).size === values.length;
  });
}

export function inputSchemaFile(kind: SchemaKind): string {
  return `${SCHEMA_KINDS[kind].workflowType}.input.json`;
}

/** Every file of contracts/json-schema/ that is generated, by name, as its exact text. */
export function generateJsonSchemaFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  const slugPattern = (inputJsonSchema(SlugSchema).pattern as string).replace(/^\^/, '');
  const workflows: Record<string, unknown> = {};
  for (const kind of Object.keys(WORKFLOW_INPUTS) as SchemaKind[]) {
    const { workflowType, entityField } = SCHEMA_KINDS[kind];
    const file = inputSchemaFile(kind);
    files[file] = render({
      ...(discriminateOneOfs(withImportRules(kind, withXaiRules(kind, inputJsonSchema(WORKFLOW_INPUTS[kind])))) as Record<string, unknown>),
      $id: file,
      title: `${workflowType} input`,
      description: `The single argument of the ${workflowType} workflow. Generated from the zod contract; do not edit.`,
    });
    const prefix = SCHEMA_KINDS[kind].workflowId('');
    workflows[workflowType] = {
      input: file,
      taskQueue: WORKFLOW_TASK_QUEUE,
      workflowId: {
        template: WORKFLOW_ID_TEMPLATES[kind]?.template ?? `${prefix}{${entityField}}`,
        pattern: WORKFLOW_ID_TEMPLATES[kind]?.pattern ?? `^${prefix}${slugPattern}`,
        entityField,
        note: ID_FIELD_NOTE[kind],
      },
      startOptions: {
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
        workflowExecutionTimeout: null,
      },
      searchAttributes: START_SEARCH_ATTRIBUTES[kind],
      ...WORKFLOW_MESSAGES[kind],
      cancellable: true,
    };
  }
  // Retention has no entity of its own (its id is a time or a name); a backend may start it too.
  files['retentionWorkflow.input.json'] = render({
    ...inputJsonSchema(RetentionInputSchema),
    $id: 'retentionWorkflow.input.json',
    title: 'retentionWorkflow input',
    description: 'The single argument of the retentionWorkflow workflow. Generated from the zod contract; do not edit.',
  });
  workflows.retentionWorkflow = {
    input: 'retentionWorkflow.input.json',
    taskQueue: WORKFLOW_TASK_QUEUE,
    workflowId: {
      template: 'retention-{id}',
      pattern: `^retention-${slugPattern}`,
      entityField: null,
      note: `Any slug (the CLI uses the UTC minute, e.g. retention-20261203t0200). Runs of the ${RETENTION_SCHEDULE_ID} Schedule are named by Temporal: ${RETENTION_SCHEDULE_ID}-<scheduled time>.`,
    },
    startOptions: { workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY', workflowExecutionTimeout: null },
    searchAttributes: { FaultlineKind: 'retention', FaultlineStatus: 'RUNNING' },
    queries: [progressQuery.name],
    signals: [],
    updates: [],
    cancellable: true,
  };
  // Verification runs: the run id is the entity (given, or the minute and a request hash).
  files['runTestSuiteWorkflow.input.json'] = render({
    ...inputJsonSchema(RunTestSuiteInputSchema),
    $id: 'runTestSuiteWorkflow.input.json',
    title: 'runTestSuiteWorkflow input',
    description: 'The single argument of the runTestSuiteWorkflow workflow. Generated from the zod contract; do not edit.',
  });
  workflows.runTestSuiteWorkflow = {
    input: 'runTestSuiteWorkflow.input.json',
    taskQueue: WORKFLOW_TASK_QUEUE,
    workflowId: {
      template: VERIFY_WORKFLOW_IDS.tests('{runId}'),
      pattern: `^${VERIFY_WORKFLOW_IDS.tests('')}[a-z0-9][a-z0-9-]{0,63}$`,
      entityField: 'runId',
      note: 'Refused unless it is verify-tests-<runId>. The CLI derives runId from the UTC minute and a hash of the request.',
    },
    startOptions: { workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY', workflowExecutionTimeout: null },
    searchAttributes: { FaultlineKind: 'verify-tests', FaultlineStatus: 'RUNNING' },
    queries: [progressQuery.name],
    signals: [stopSignal.name],
    updates: [],
    cancellable: true,
  };
  for (const [type, kind, schema] of [
    ['runQualityChecksWorkflow', 'quality', RunQualityChecksInputSchema],
    ['runBenchmarksWorkflow', 'bench', RunBenchmarksInputSchema],
  ] as const) {
    files[`${type}.input.json`] = render({
      ...inputJsonSchema(schema),
      $id: `${type}.input.json`,
      title: `${type} input`,
      description: `The single argument of the ${type} workflow. Generated from the zod contract; do not edit.`,
    });
    workflows[type] = {
      input: `${type}.input.json`,
      taskQueue: WORKFLOW_TASK_QUEUE,
      workflowId: {
        template: VERIFY_WORKFLOW_IDS[kind]('{runId}'),
        pattern: `^${VERIFY_WORKFLOW_IDS[kind]('')}[a-z0-9][a-z0-9-]{0,63}$`,
        entityField: 'runId',
        note: `Refused unless it is verify-${kind}-<runId>. The CLI derives runId from the UTC minute and a hash of the request.`,
      },
      startOptions: { workflowIdConflictPolicy: 'USE_EXISTING', workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY', workflowExecutionTimeout: null },
      searchAttributes: { FaultlineKind: `verify-${kind}`, FaultlineStatus: 'RUNNING' },
      queries: [progressQuery.name],
      signals: [stopSignal.name],
      updates: [],
      cancellable: true,
    };
  }
  files['index.json'] = render({
    $comment: 'Generated by scripts/gen-json-schemas.ts (npm run schemas) from contracts/*.ts; do not edit.',
    taskQueue: WORKFLOW_TASK_QUEUE,
    workflows,
    queries: {
      [progressQuery.name]: {
        description: 'Answered by every long workflow. fraction is 0..1, never 0..100; extra keys are workflow-specific details.',
        result: { ...(z.toJSONSchema(ProgressSchema, { io: 'output', target: 'draft-2020-12' }) as Record<string, unknown>), title: 'Progress' },
      },
    },
    signals: {
      [stopSignal.name]: {
        description: 'Campaigns and batches: finish running work, start nothing new. Argument: {"reason"?: string}.',
      },
    },
    updates: {
      [updateCampaignUpdate.name]: {
        description:
          'hpoCampaignWorkflow: change the trial budget and/or concurrency of a running campaign. Validated by the workflow (a rejected update changes nothing and returns the reason, e.g. a budget below the trials already started). Returns the limits now in force.',
        argument: { ...inputJsonSchema(HpoCampaignUpdateSchema), title: 'HpoCampaignUpdate' },
        result: {
          $schema: 'https://json-schema.org/draft/2020-12/schema',
          title: 'HpoCampaignUpdateResult',
          type: 'object',
          properties: { maxTrials: { type: 'integer', minimum: 1 }, maxConcurrentTrials: { type: 'integer', minimum: 1 } },
          required: ['maxTrials', 'maxConcurrentTrials'],
          additionalProperties: false,
        },
      },
      [updateNasCampaignUpdate.name]: {
        description:
          'nasCampaignWorkflow: change the candidate budget and/or concurrency of a running campaign. Validated by the workflow (a rejected update changes nothing and returns the reason, e.g. a budget below the candidates already started). Returns the limits now in force.',
        argument: { ...inputJsonSchema(NasCampaignUpdateSchema), title: 'NasCampaignUpdate' },
        result: {
          $schema: 'https://json-schema.org/draft/2020-12/schema',
          title: 'NasCampaignUpdateResult',
          type: 'object',
          properties: { maxCandidates: { type: 'integer', minimum: 1 }, maxConcurrentCandidates: { type: 'integer', minimum: 1 } },
          required: ['maxCandidates', 'maxConcurrentCandidates'],
          additionalProperties: false,
        },
      },
    },
    searchAttributes: Object.fromEntries(SEARCH_ATTRIBUTE_REGISTRATIONS),
    searchAttributeValues: {
      FaultlineKind: FAULTLINE_KINDS,
      FaultlineStatus: [...RUN_STATUSES],
    },
  });
  return files;
}

function render(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function main(argv: string[]): number {
  const files = generateJsonSchemaFiles();
  const check = argv.includes('--check');
  let stale = 0;
  mkdirSync(SCHEMA_DIR, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    const target = path.join(SCHEMA_DIR, name);
    let current: string | undefined;
    try {
      current = readFileSync(target, 'utf8');
    } catch {
      current = undefined;
    }
    if (current === text) continue;
    stale++;
    if (check) console.error(`stale: ${path.relative(process.cwd(), target)}`);
    else {
      writeFileSync(target, text);
      console.log(`wrote ${path.relative(process.cwd(), target)}`);
    }
  }
  if (stale === 0) console.log(`contracts/json-schema is up to date (${Object.keys(files).length} files)`);
  return check && stale > 0 ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
