/**
 * Typed client for the evaluation workflows: validate the request with the contract's schema,
 * resolve the experiment's own dataset when none is given (from the FaultlineDatasetId search
 * attribute of its training run), derive the evaluation's workflow id, start it idempotently,
 * and read results.
 */
import { createHash } from 'node:crypto';
import type { SearchAttributePair } from '@temporalio/common';
import {
  canonicalJson,
  comparisonSummary,
  errorsSummary,
  rocSummary,
  CompareExperimentsInputSchema,
  EvaluateErrorsInputSchema,
  EvaluateRocInputSchema,
  parseInput,
  SEARCH_ATTRIBUTES,
  workflowIds,
  type CompareExperimentsInput,
  type CompareExperimentsRequest,
  type EvaluateErrorsInput,
  type EvaluateErrorsRequest,
  type EvaluateRocInput,
  type EvaluateRocRequest,
} from '../contracts/index.js';
import { startIdempotent } from './start.js';
import type { StartedRun, TemporalClientLike } from './types.js';
import { WORKFLOW_KINDS } from './workflow-kinds.js';

export class DatasetNotResolvedError extends Error {
  constructor(experimentId: string) {
    super(`experimentId "${experimentId}": no training run of it is visible to look up its dataset; pass datasetId (--dataset)`);
    this.name = 'DatasetNotResolvedError';
  }
}

/** The dataset an experiment was trained on, read off its training run's search attributes. */
export async function experimentDataset(client: TemporalClientLike, experimentId: string): Promise<string> {
  const query = `${SEARCH_ATTRIBUTES.experimentId.name} = ${JSON.stringify(experimentId)} AND ${SEARCH_ATTRIBUTES.kind.name} IN ("train", "hpo-trial", "nas-candidate")`;
  for await (const run of client.workflow.list({ query, pageSize: 10 })) {
    const datasetId = run.typedSearchAttributes.get(SEARCH_ATTRIBUTES.datasetId);
    if (datasetId) return datasetId;
  }
  throw new DatasetNotResolvedError(experimentId);
}

/** `<hash of the sorted experiment ids, dataset and split>`: the same set in any order is one comparison. */
export function deriveComparisonId(input: Pick<CompareExperimentsInput, 'experimentIds' | 'split'> & { datasetId?: string }): string {
  const key = { experimentIds: [...input.experimentIds].sort(), datasetId: input.datasetId ?? null, split: input.split };
  return createHash('sha256').update(canonicalJson(key)).digest('hex').slice(0, 12);
}

function start(
  client: TemporalClientLike,
  workflowType: string,
  workflowId: string,
  entityId: string,
  input: unknown,
  staticSummary: string,
  attrs: SearchAttributePair[],
): Promise<StartedRun> {
  return startIdempotent(client, { workflowType, workflowId, entityId, input, staticSummary, typedSearchAttributes: attrs });
}

async function withDataset<T extends { experimentId: string; datasetId?: string }>(client: TemporalClientLike, input: T): Promise<T & { datasetId: string }> {
  return { ...input, datasetId: input.datasetId ?? (await experimentDataset(client, input.experimentId)) };
}

export function prepareRocInput(request: EvaluateRocRequest): EvaluateRocInput {
  return parseInput(EvaluateRocInputSchema, request, `${WORKFLOW_KINDS.roc.workflowType} input`);
}

export function prepareErrorsInput(request: EvaluateErrorsRequest): EvaluateErrorsInput {
  return parseInput(EvaluateErrorsInputSchema, request, `${WORKFLOW_KINDS.errors.workflowType} input`);
}

export type StartComparisonRequest = Omit<CompareExperimentsRequest, 'comparisonId'> & { comparisonId?: string };

export function prepareComparisonInput(request: StartComparisonRequest): CompareExperimentsInput {
  const what = `${WORKFLOW_KINDS.compare.workflowType} input`;
  const partial = parseInput(CompareExperimentsInputSchema.partial({ comparisonId: true }), request, what);
  return parseInput(CompareExperimentsInputSchema, { ...partial, comparisonId: partial.comparisonId ?? deriveComparisonId(partial) }, what);
}

/** `evaluate-roc-<experimentId>-<datasetId>`; the entity id is `<experimentId>-<datasetId>[-<split>]`. */
export async function startRocEvaluation(client: TemporalClientLike, request: EvaluateRocRequest): Promise<StartedRun> {
  const input = await withDataset(client, prepareRocInput(request));
  const workflowId = workflowIds.evaluateRoc(input.experimentId, input.datasetId, input.split);
  return start(client, WORKFLOW_KINDS.roc.workflowType, workflowId, workflowId.slice('evaluate-roc-'.length), input, rocSummary(input), [
    { key: SEARCH_ATTRIBUTES.kind, value: WORKFLOW_KINDS.roc.searchKind },
    { key: SEARCH_ATTRIBUTES.experimentId, value: input.experimentId },
    { key: SEARCH_ATTRIBUTES.datasetId, value: input.datasetId },
  ]);
}

export async function startErrorsEvaluation(client: TemporalClientLike, request: EvaluateErrorsRequest): Promise<StartedRun> {
  const input = await withDataset(client, prepareErrorsInput(request));
  const workflowId = workflowIds.evaluateErrors(input.experimentId, input.datasetId, input.split);
  return start(client, WORKFLOW_KINDS.errors.workflowType, workflowId, workflowId.slice('evaluate-errors-'.length), input, errorsSummary(input), [
    { key: SEARCH_ATTRIBUTES.kind, value: WORKFLOW_KINDS.errors.searchKind },
    { key: SEARCH_ATTRIBUTES.experimentId, value: input.experimentId },
    { key: SEARCH_ATTRIBUTES.datasetId, value: input.datasetId },
  ]);
}

/** `compare-<hash>`; without a dataset, the first experiment's (resolved here so the id names it). */
export async function startComparison(client: TemporalClientLike, request: StartComparisonRequest): Promise<StartedRun> {
  const first = parseInput(CompareExperimentsInputSchema.partial({ comparisonId: true }), request, `${WORKFLOW_KINDS.compare.workflowType} input`);
  const datasetId = first.datasetId ?? (await experimentDataset(client, first.experimentIds[0]));
  const input = prepareComparisonInput({ ...request, datasetId });
  return start(client, WORKFLOW_KINDS.compare.workflowType, workflowIds.compare(input.comparisonId), input.comparisonId, input, comparisonSummary(input), [
    { key: SEARCH_ATTRIBUTES.kind, value: WORKFLOW_KINDS.compare.searchKind },
    { key: SEARCH_ATTRIBUTES.datasetId, value: datasetId },
  ]);
}
