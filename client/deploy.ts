/**
 * Typed client for deployModelWorkflow: validate the request with the contract's schema, derive
 * the deployment id (default `<experimentId>-deploy`), start it idempotently, read results.
 */
import { DeployModelInputSchema, parseInput, SEARCH_ATTRIBUTES, type DeployModelInput, type DeployModelRequest } from '../contracts/index.js';
import { startIdempotent } from './start.js';
import type { StartedRun, TemporalClientLike } from './types.js';
import { WORKFLOW_KINDS } from './workflow-kinds.js';

export type StartDeploymentRequest = Omit<DeployModelRequest, 'deploymentId'> & { deploymentId?: string };

export function prepareDeployInput(request: StartDeploymentRequest): DeployModelInput {
  const deploymentId = request.deploymentId ?? `${request.experimentId}-deploy`;
  return parseInput(DeployModelInputSchema, { ...request, deploymentId }, `${WORKFLOW_KINDS.deploy.workflowType} input`);
}

/** Start (or find) the deployment; the same deployment id twice runs once. */
export async function startDeployment(client: TemporalClientLike, request: StartDeploymentRequest): Promise<StartedRun> {
  const input = prepareDeployInput(request);
  return startIdempotent(client, {
    workflowType: WORKFLOW_KINDS.deploy.workflowType,
    workflowId: WORKFLOW_KINDS.deploy.workflowId(input.deploymentId),
    entityId: input.deploymentId,
    input,
    staticSummary: input.stopAfter
      ? `deploy ${input.experimentId} up to ${input.stopAfter} [${input.formats.join(', ')}], nothing published`
      : `deploy ${input.experimentId} (ONNX export, optimise, quantize [${input.formats.join(', ')}], validate within ${input.maxAccuracyDropPp} pp, benchmark, publish)`,
    typedSearchAttributes: [
      { key: SEARCH_ATTRIBUTES.kind, value: WORKFLOW_KINDS.deploy.searchKind },
      { key: SEARCH_ATTRIBUTES.experimentId, value: input.experimentId },
      { key: SEARCH_ATTRIBUTES.status, value: 'RUNNING' },
    ],
  });
}
