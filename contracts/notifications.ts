/**
 * One event type per outcome (the Celery system reused TRAINING_COMPLETE for data generation).
 */
export const EVENT_TYPES = [
  'DATASET_GENERATED',
  'DATASET_GENERATION_FAILED',
  'DATASET_GENERATION_CANCELLED',
  'TRAINING_COMPLETED',
  'TRAINING_FAILED',
  'TRAINING_CANCELLED',
  'IMPORT_COMPLETED',
  'IMPORT_FAILED',
  'IMPORT_CANCELLED',
  'HPO_COMPLETED',
  'HPO_FAILED',
  'HPO_CANCELLED',
  'NAS_COMPLETED',
  'NAS_FAILED',
  'NAS_CANCELLED',
  'XAI_COMPLETED',
  'XAI_FAILED',
  'XAI_CANCELLED',
  'EVALUATION_COMPLETED',
  'EVALUATION_FAILED',
  'EVALUATION_CANCELLED',
  'FEATURES_EXTRACTED',
  'FEATURES_FAILED',
  'FEATURES_CANCELLED',
  'FEATURE_ANALYSIS_COMPLETED',
  'FEATURE_ANALYSIS_FAILED',
  'FEATURE_ANALYSIS_CANCELLED',
  'DEPLOYMENT_COMPLETED',
  'DEPLOYMENT_FAILED',
  'DEPLOYMENT_ROLLED_BACK',
  // Verification runs (tests, quality checks, benchmarks): passed; failed (a test, a finding, a
  // regression, or the tool itself: details.status says which); cancelled or stopped.
  'VERIFY_PASSED',
  'VERIFY_FAILED',
  'VERIFY_CANCELLED',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export type EntityKind = 'dataset' | 'experiment' | 'campaign' | 'xai-batch' | 'evaluation' | 'feature-set' | 'feature-analysis' | 'deployment' | 'verify-run';

export interface NotificationInput {
  eventType: EventType;
  entityKind: EntityKind;
  entityId: string;
  title: string;
  message: string;
  /** Extra small facts (accuracy, counts); never arrays of data. */
  details?: Record<string, unknown>;
}

/** Dashboard paths per entity kind; the base URL comes from DASHBOARD_URL. */
export const DASHBOARD_PATHS: Record<EntityKind, (id: string) => string> = {
  dataset: (id) => `/datasets/${encodeURIComponent(id)}`,
  experiment: (id) => `/experiments/${encodeURIComponent(id)}/results`,
  campaign: (id) => `/campaigns/${encodeURIComponent(id)}`,
  'xai-batch': (id) => `/xai/${encodeURIComponent(id)}`,
  evaluation: (id) => `/evaluations/${encodeURIComponent(id)}`,
  'feature-set': (id) => `/features/${encodeURIComponent(id)}`,
  'feature-analysis': (id) => `/features/analyses/${encodeURIComponent(id)}`,
  deployment: (id) => `/deployments/${encodeURIComponent(id)}`,
  // The entity id is the run's workflow id (verify-tests-…, verify-quality-…, verify-bench-…).
  'verify-run': (id) => `/verify/${encodeURIComponent(id)}`,
};
