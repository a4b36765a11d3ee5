import { workflowIds, type WorkflowKind } from '../contracts/index.js';

/**
 * The workflows this client starts, by TYPE NAME. Starting by name (not by function) keeps
 * workflow code out of the client's import graph, and a backend in another language uses the
 * same names (see contracts/json-schema/index.json). Adding hpo/nas/xai is one entry here.
 */
export const WORKFLOW_KINDS = {
  dataset: {
    workflowType: 'generateDatasetWorkflow',
    /** Value of the FaultlineKind search attribute. */
    searchKind: 'dataset',
    workflowId: workflowIds.dataset,
    entityField: 'datasetId',
  },
  train: {
    workflowType: 'trainModelWorkflow',
    searchKind: 'train',
    workflowId: workflowIds.train,
    entityField: 'experimentId',
  },
  hpo: {
    workflowType: 'hpoCampaignWorkflow',
    searchKind: 'hpo',
    workflowId: workflowIds.hpo,
    entityField: 'campaignId',
  },
  nas: {
    workflowType: 'nasCampaignWorkflow',
    searchKind: 'nas',
    workflowId: workflowIds.nas,
    entityField: 'campaignId',
  },
  xai: {
    workflowType: 'explainSignalsWorkflow',
    searchKind: 'xai',
    workflowId: workflowIds.xai,
    entityField: 'batchId',
  },
  import: {
    workflowType: 'importMatDatasetWorkflow',
    searchKind: 'import',
    workflowId: workflowIds.import,
    entityField: 'datasetId',
  },
  // Evaluations: the entity id is `<experimentId>-<datasetId>` (client/eval.ts builds it), or a
  // comparison's hash; the workflow id is also the evaluation's row id.
  roc: {
    workflowType: 'evaluateRocWorkflow',
    searchKind: 'evaluate-roc',
    workflowId: (id: string) => `evaluate-roc-${id}`,
    entityField: 'experimentId',
  },
  errors: {
    workflowType: 'evaluateErrorsWorkflow',
    searchKind: 'evaluate-errors',
    workflowId: (id: string) => `evaluate-errors-${id}`,
    entityField: 'experimentId',
  },
  compare: {
    workflowType: 'compareExperimentsWorkflow',
    searchKind: 'compare',
    workflowId: workflowIds.compare,
    entityField: 'comparisonId',
  },
  // The entity id is `<datasetId>-<hash of version, settings, windowing>` (client/features.ts).
  features: {
    workflowType: 'extractFeaturesWorkflow',
    searchKind: 'features',
    workflowId: workflowIds.features,
    entityField: 'featureSetId',
  },
  // The entity id is `<mode>-<hash of featureSetId, mode, options>` (client/features.ts).
  'feature-analysis': {
    workflowType: 'analyzeFeaturesWorkflow',
    searchKind: 'feature-analysis',
    workflowId: workflowIds.featureAnalysis,
    entityField: 'analysisId',
  },
  deploy: {
    workflowType: 'deployModelWorkflow',
    searchKind: 'deploy',
    workflowId: workflowIds.deploy,
    entityField: 'deploymentId',
  },
} as const satisfies Record<string, { workflowType: string; searchKind: WorkflowKind; workflowId: (id: string) => string; entityField: string }>;

export type ClientWorkflowKind = keyof typeof WORKFLOW_KINDS;
export const CLIENT_WORKFLOW_KINDS = Object.keys(WORKFLOW_KINDS) as ClientWorkflowKind[];

/** The fixed part in front of the entity id, e.g. `dataset-` (read off `workflowIds` itself). */
export function workflowIdPrefix(kind: ClientWorkflowKind): string {
  return WORKFLOW_KINDS[kind].workflowId('');
}

/**
 * Accept either an entity id (`ds-1a2b…`) or a full workflow id (`dataset-ds-1a2b…`).
 * A value that already carries the kind's prefix is taken as a workflow id. An entity id that
 * itself starts with the prefix (e.g. a dataset named `dataset-a`) is ambiguous: pass its full
 * workflow id, or use `locateWorkflowId` (api.ts), which tries both readings against the server.
 */
export function resolveWorkflowId(kind: ClientWorkflowKind, idOrWorkflowId: string): string {
  const prefix = workflowIdPrefix(kind);
  return idOrWorkflowId.startsWith(prefix) ? idOrWorkflowId : WORKFLOW_KINDS[kind].workflowId(idOrWorkflowId);
}

/** Every workflow id `idOrWorkflowId` may denote, most likely first (see resolveWorkflowId). */
export function workflowIdCandidates(kind: ClientWorkflowKind, idOrWorkflowId: string): string[] {
  const first = resolveWorkflowId(kind, idOrWorkflowId);
  const second = WORKFLOW_KINDS[kind].workflowId(idOrWorkflowId);
  return first === second ? [first] : [first, second];
}
