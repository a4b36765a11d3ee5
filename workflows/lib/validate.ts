import { ApplicationFailure, patched, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { ERROR_TYPES, SEARCH_ATTRIBUTES, workflowIds, type FieldIssue } from '../../contracts/index.js';

/**
 * Workflows validate their input at the top: callers in other languages start workflows by type
 * name with raw JSON, so the workflow re-checks what the TypeScript client checked.
 */
export { parseInputOrFail as validateWorkflowInput } from '../../contracts/index.js';

/** Runs started before these identity checks existed replay without them. */
const IDENTITY_PATCH = 'identity-checks';

function refuse(what: string, issue: FieldIssue): never {
  throw ApplicationFailure.nonRetryable(`invalid ${what}: ${issue.path}: ${issue.message} (got ${JSON.stringify(issue.value)})`, ERROR_TYPES.invalidInput, {
    issues: [issue],
  });
}

/**
 * The run's id must be the one its entity id derives (`dataset-<datasetId>`, …): the id is what
 * makes a second start of the same entity a no-op, so a run under any other id is refused.
 */
export function requireWorkflowId(what: string, expected: string | undefined, field: string, value: string): void {
  if (!patched(IDENTITY_PATCH)) return;
  const actual = workflowInfo().workflowId;
  if (actual === expected) return;
  refuse(what, {
    path: field,
    message: expected
      ? `the workflow id must be "${expected}" for this ${field}, not "${actual}"`
      : `does not follow its campaign's convention, so no workflow id can match it (workflow id "${actual}")`,
    value,
  });
}

/**
 * A training run linked to a campaign must be that campaign's child: otherwise anyone could make
 * a run (and its search attributes) appear under a campaign they do not own.
 */
export function requireCampaignParent(what: string, campaign: { campaignId: string; kind: 'hpo' | 'nas' } | undefined): void {
  const info = workflowInfo();
  const tagged = info.typedSearchAttributes.get(SEARCH_ATTRIBUTES.campaignId);
  const expected = campaign && workflowIds[campaign.kind](campaign.campaignId);
  const linked = campaign && info.parent?.workflowId === expected ? campaign.campaignId : undefined;
  if ((tagged === undefined || tagged === linked) && (!campaign || linked)) return;
  if (!patched(IDENTITY_PATCH)) return;
  // A starter may also have set the campaign's search attribute itself: the Web UI must not list this run there.
  if (tagged !== undefined && tagged !== linked) upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.campaignId, value: null }]);
  if (!campaign || linked) return;
  const parent = info.parent?.workflowId;
  refuse(what, {
    path: 'campaign',
    message: `a run of ${campaign.kind} campaign "${campaign.campaignId}" must be started by its workflow "${expected ?? ''}" (this one was started ${parent ? `by "${parent}"` : 'directly'}); leave campaign out for a standalone run`,
    value: campaign,
  });
}
