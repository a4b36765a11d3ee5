import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { upsertSearchAttributes } from '@temporalio/workflow';
import { SEARCH_ATTRIBUTES, type RunStatus, type WorkflowKind } from '../../contracts/index.js';

/** Typed search attributes so the Web UI can filter runs by kind, entity and status. */
export function tagRun(kind: WorkflowKind, ids: { datasetId?: string; experimentId?: string; campaignId?: string }): void {
  const pairs: SearchAttributeUpdatePair[] = [{ key: SEARCH_ATTRIBUTES.kind, value: kind }];
  if (ids.datasetId) pairs.push({ key: SEARCH_ATTRIBUTES.datasetId, value: ids.datasetId });
  if (ids.experimentId) pairs.push({ key: SEARCH_ATTRIBUTES.experimentId, value: ids.experimentId });
  if (ids.campaignId) pairs.push({ key: SEARCH_ATTRIBUTES.campaignId, value: ids.campaignId });
  upsertSearchAttributes(pairs);
}

export function setRunStatus(status: RunStatus, bestScore?: number): void {
  const pairs: SearchAttributeUpdatePair[] = [{ key: SEARCH_ATTRIBUTES.status, value: status }];
  if (bestScore !== undefined && Number.isFinite(bestScore)) pairs.push({ key: SEARCH_ATTRIBUTES.bestScore, value: bestScore });
  upsertSearchAttributes(pairs);
}
