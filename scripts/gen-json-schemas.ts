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
import { WORKFLOW_KINDS, workflowIdPrefix, type ClientWorkflowKind } from '../client/workflow-kinds.js';
import {
  CompareExperimentsInputSchema,
  EvaluateErrorsInputSchema,
  EvaluateRocInputSchema,
  ExplainSignalsInputSchema,
  GenerateDatasetInputSchema,
  HpoCampaignInputSchema,
  HpoCampaignUpdateSchema,
  NasCampaignInputSchema,
  NasCampaignUpdateSchema,
  progressQuery,
  ProgressSchema,
  SEARCH_ATTRIBUTE_REGISTRATIONS,
  SlugSchema,
  stopSignal,
  TrainModelInputSchema,
  updateCampaignUpdate,
  updateNasCampaignUpdate,
  WORKFLOW_TASK_QUEUE,
} from '../contracts/index.js';

export const SCHEMA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../contracts/json-schema');

/** The workflows a foreign backend may start, with the zod schema of their single argument. */
export const WORKFLOW_INPUTS: Record<ClientWorkflowKind, z.ZodType> = {
  dataset: GenerateDatasetInputSchema,
  train: TrainModelInputSchema,
  hpo: HpoCampaignInputSchema,
  nas: NasCampaignInputSchema,
  xai: ExplainSignalsInputSchema,
  roc: EvaluateRocInputSchema,
  errors: EvaluateErrorsInputSchema,
  compare: CompareExperimentsInputSchema,
};

/** Workflow ids that are not `<prefix><entity id>`: the evaluations of (experiment, dataset). */
const WORKFLOW_ID_TEMPLATES: Partial<Record<ClientWorkflowKind, { template: string; pattern: string }>> = {
  roc: { template: 'evaluate-roc-{experimentId}-{datasetId}', pattern: '^evaluate-roc-[a-z0-9][a-z0-9_-]*$' },
  errors: { template: 'evaluate-errors-{experimentId}-{datasetId}', pattern: '^evaluate-errors-[a-z0-9][a-z0-9_-]*$' },
};

const ID_FIELD_NOTE: Record<ClientWorkflowKind, string> = {
  dataset: 'Any slug you choose, or derive it like the TypeScript client: "ds-" + first 12 hex of sha256(canonical JSON of config with defaults applied).',
  train: 'Any slug you choose, or derive it like the TypeScript client: "exp-" + first 12 hex of sha256(canonical JSON of {datasetId, hyperparameters, resumeFrom} with defaults applied).',
  hpo: 'Any slug you choose, or derive it like the TypeScript client: "c-" + first 12 hex of sha256(canonical JSON of the whole input without campaignId, defaults applied, the search space normalised and written as an array of [name, spec] pairs in declaration order, since that order is the sampling order). The workflow id is then "hpo-c-<hex>".',
  nas: 'Any slug you choose, or derive it like the TypeScript client: "n-" + first 12 hex of sha256(canonical JSON of the whole input without campaignId, defaults applied). The workflow id is then "nas-n-<hex>".',
  xai: 'Any slug you choose, or derive it like the TypeScript client: "x-" + first 12 hex of sha256(canonical JSON of the whole input without batchId, defaults applied). The workflow id is then "xai-x-<hex>".',
  roc: 'The experiment and the dataset evaluated on (its own when the input leaves datasetId out: pass the one it was trained on), then "-<split>" unless split is "test". The workflow id is also the evaluation\'s row id in Postgres.',
  errors: 'As for evaluateRocWorkflow: experiment, dataset, then "-<split>" unless split is "test".',
  compare: 'Any slug you choose, or derive it like the TypeScript client: first 12 hex of sha256(canonical JSON of {experimentIds sorted, datasetId (null when absent), split}). The workflow id is then "compare-<hex>".',
};

/**
 * The messages each workflow answers beyond cancellation, by name (described once, at the top
 * of index.json). Internal signals such as `epochCompleted` (activity → its own workflow) are
 * not listed: a caller must not send them.
 */
const WORKFLOW_MESSAGES: Record<ClientWorkflowKind, { queries: string[]; signals: string[]; updates: string[] }> = {
  dataset: { queries: [progressQuery.name], signals: [], updates: [] },
  train: { queries: [progressQuery.name], signals: [], updates: [] },
  hpo: { queries: [progressQuery.name], signals: [stopSignal.name], updates: [updateCampaignUpdate.name] },
  nas: { queries: [progressQuery.name], signals: [stopSignal.name], updates: [updateNasCampaignUpdate.name] },
  xai: { queries: [progressQuery.name], signals: [stopSignal.name], updates: [] },
  roc: { queries: [progressQuery.name], signals: [], updates: [] },
  errors: { queries: [progressQuery.name], signals: [], updates: [] },
  compare: { queries: [progressQuery.name], signals: [], updates: [] },
};

/** What client/api.ts sets at start ({field} = that input field), so foreign starts filter alike. */
const START_SEARCH_ATTRIBUTES: Record<ClientWorkflowKind, Record<string, string>> = {
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
  errors: { FaultlineKind: WORKFLOW_KINDS.errors.searchKind, FaultlineExperimentId: '{experimentId}', FaultlineDatasetId: '{datasetId}', FaultlineStatus: 'RUNNING' },
  compare: { FaultlineKind: WORKFLOW_KINDS.compare.searchKind, FaultlineDatasetId: '{datasetId}', FaultlineStatus: 'RUNNING' },
};

/** Input side: fields with defaults are optional, exactly what a caller may send. */
export function inputJsonSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
}

/**
 * The XAI contract's refinements, where JSON Schema can say them: at least one method
 * (`minProperties`), no repeated signal (`uniqueItems`); `fromIndex < toIndex` only in words.
 */
function withXaiRules(kind: ClientWorkflowKind, schema: Record<string, unknown>): Record<string, unknown> {
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
          { ...dataset, description: 'Signals of a dataset, lowest indices first: labels filter, indices in [fromIndex, toIndex) (fromIndex < toIndex), at most limit.' },
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

export function inputSchemaFile(kind: ClientWorkflowKind): string {
  return `${WORKFLOW_KINDS[kind].workflowType}.input.json`;
}

/** Every file of contracts/json-schema/ that is generated, by name, as its exact text. */
export function generateJsonSchemaFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  const slugPattern = (inputJsonSchema(SlugSchema).pattern as string).replace(/^\^/, '');
  const workflows: Record<string, unknown> = {};
  for (const kind of Object.keys(WORKFLOW_INPUTS) as ClientWorkflowKind[]) {
    const { workflowType, entityField } = WORKFLOW_KINDS[kind];
    const file = inputSchemaFile(kind);
    files[file] = render({
      ...withXaiRules(kind, inputJsonSchema(WORKFLOW_INPUTS[kind])),
      $id: file,
      title: `${workflowType} input`,
      description: `The single argument of the ${workflowType} workflow. Generated from the zod contract; do not edit.`,
    });
    const prefix = workflowIdPrefix(kind);
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
