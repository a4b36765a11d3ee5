import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Typed search attributes the Web UI and `temporal workflow list --query` filter on.
 * The dev-server launcher registers exactly these (see temporal-config/).
 */
export const SEARCH_ATTRIBUTES = {
  kind: defineSearchAttributeKey('FaultlineKind', SearchAttributeType.KEYWORD),
  status: defineSearchAttributeKey('FaultlineStatus', SearchAttributeType.KEYWORD),
  campaignId: defineSearchAttributeKey('FaultlineCampaignId', SearchAttributeType.KEYWORD),
  datasetId: defineSearchAttributeKey('FaultlineDatasetId', SearchAttributeType.KEYWORD),
  experimentId: defineSearchAttributeKey('FaultlineExperimentId', SearchAttributeType.KEYWORD),
  bestScore: defineSearchAttributeKey('FaultlineBestScore', SearchAttributeType.DOUBLE),
} as const;

/** Name=Type pairs for `temporal server start-dev --search-attribute`. */
export const SEARCH_ATTRIBUTE_REGISTRATIONS: ReadonlyArray<[string, 'Keyword' | 'Double' | 'Int' | 'Text' | 'Bool' | 'Datetime']> = [
  ['FaultlineKind', 'Keyword'],
  ['FaultlineStatus', 'Keyword'],
  ['FaultlineCampaignId', 'Keyword'],
  ['FaultlineDatasetId', 'Keyword'],
  ['FaultlineExperimentId', 'Keyword'],
  ['FaultlineBestScore', 'Double'],
];

export type WorkflowKind =
  | 'dataset'
  | 'train'
  | 'hpo'
  | 'hpo-trial'
  | 'nas'
  | 'nas-candidate'
  | 'xai'
  | 'import'
  | 'evaluate-roc'
  | 'evaluate-errors'
  | 'compare'
  | 'retention'
  | 'features'
  | 'feature-analysis'
  | 'deploy'
  | 'verify-tests'
  | 'verify-quality'
  | 'verify-bench';
