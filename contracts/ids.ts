import { z } from 'zod';

/**
 * Entity ids are slugs chosen by the caller or derived from the request's content, so that the
 * workflow id derived from them (DESIGN: idempotent identity) makes a repeated start a no-op.
 */
export const SlugSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,79}$/, 'must be 1-80 chars of a-z, 0-9, "-" or "_", starting with a letter or digit');

export const workflowIds = {
  dataset: (datasetId: string) => `dataset-${datasetId}`,
  train: (experimentId: string) => `train-${experimentId}`,
  hpo: (campaignId: string) => `hpo-${campaignId}`,
  /** Rung 0, first attempt: `hpo-<c>-trial-<n>`; promotions and retries get a suffix. */
  hpoTrial: (campaignId: string, n: number, rung = 0, attempt = 1) =>
    `hpo-${campaignId}-trial-${n}${rung > 0 ? `-rung-${rung}` : ''}${attempt > 1 ? `-attempt-${attempt}` : ''}`,
  nas: (campaignId: string) => `nas-${campaignId}`,
  nasCandidate: (campaignId: string, n: number, attempt = 1) => `nas-${campaignId}-cand-${n}${attempt > 1 ? `-attempt-${attempt}` : ''}`,
  xai: (batchId: string) => `xai-${batchId}`,
  import: (datasetId: string) => `import-${datasetId}`,
  /** Also the evaluation's row id; a split other than `test` is part of the id. */
  evaluateRoc: (experimentId: string, datasetId: string, split = 'test') => `evaluate-roc-${experimentId}-${datasetId}${split === 'test' ? '' : `-${split}`}`,
  evaluateErrors: (experimentId: string, datasetId: string, split = 'test') => `evaluate-errors-${experimentId}-${datasetId}${split === 'test' ? '' : `-${split}`}`,
  /** `comparisonId` is the hash of the sorted experiment ids, dataset and split (client/ids.ts). */
  compare: (comparisonId: string) => `compare-${comparisonId}`,
} as const;

/** Deterministic JSON (sorted keys) used to derive content ids; pure, safe in workflows. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** Experiment id of one trial run (one rung, one attempt) of a campaign. */
export const hpoTrialExperimentId = (campaignId: string, n: number, rung = 0, attempt = 1): string =>
  `${campaignId}-t${n}${rung > 0 ? `-r${rung}` : ''}${attempt > 1 ? `-a${attempt}` : ''}`;

/** Experiment id of one NAS candidate's training run. */
export const nasCandidateExperimentId = (campaignId: string, n: number, attempt = 1): string =>
  `${campaignId}-cand-${n}${attempt > 1 ? `-a${attempt}` : ''}`;
