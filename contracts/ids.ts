import { z } from 'zod';

/**
 * Entity ids are slugs chosen by the caller or derived from the request's content, so that the
 * workflow id derived from them (DESIGN: idempotent identity) makes a repeated start a no-op.
 */
export const SlugSchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,79}$/, 'must be 1-80 chars of a-z, 0-9, "-" or "_", starting with a letter or digit');

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
  evaluateErrors: (experimentId: string, datasetId: string, split = 'test') =>
    `evaluate-errors-${experimentId}-${datasetId}${split === 'test' ? '' : `-${split}`}`,
  /** `comparisonId` is the hash of the sorted experiment ids, dataset and split (client/ids.ts). */
  compare: (comparisonId: string) => `compare-${comparisonId}`,
  /** `featureSetId` is `<datasetId>-<hash of version, settings and windowing>` (client/features.ts). */
  features: (featureSetId: string) => `features-${featureSetId}`,
  /** `analysisId` is `<mode>-<hash of featureSetId, mode, options>` (client/features.ts). */
  featureAnalysis: (analysisId: string) => `feature-analysis-${analysisId}`,
  deploy: (deploymentId: string) => `deploy-${deploymentId}`,
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
export const nasCandidateExperimentId = (campaignId: string, n: number, attempt = 1): string => `${campaignId}-cand-${n}${attempt > 1 ? `-a${attempt}` : ''}`;

/**
 * The workflow id a trainModelWorkflow run must have: `train-<experimentId>` for a standalone
 * run; for a campaign's trial or candidate, the child id its campaign gives it, recovered from
 * the experiment id's suffixes (`<c>-t<n>[-r<k>][-a<a>]` → `hpo-<c>-trial-<n>[-rung-<k>][-attempt-<a>]`).
 * Undefined when a campaign run's experiment id does not follow the campaign's convention.
 */
export function expectedTrainWorkflowId(input: {
  experimentId: string;
  campaign?: { campaignId: string; kind: 'hpo' | 'nas'; index: number };
}): string | undefined {
  const c = input.campaign;
  if (!c) return workflowIds.train(input.experimentId);
  if (!input.experimentId.startsWith(`${c.campaignId}-`)) return undefined;
  const rest = input.experimentId.slice(c.campaignId.length + 1);
  // Parse, then rebuild: only the canonical spelling (no `-a1`, no `-r0`, no leading zeros) round-trips.
  if (c.kind === 'hpo') {
    const m = /^t(\d+)(?:-r(\d+))?(?:-a(\d+))?$/.exec(rest);
    if (!m || Number(m[1]) !== c.index) return undefined;
    const rung = m[2] === undefined ? 0 : Number(m[2]);
    const attempt = m[3] === undefined ? 1 : Number(m[3]);
    return hpoTrialExperimentId(c.campaignId, c.index, rung, attempt) === input.experimentId
      ? workflowIds.hpoTrial(c.campaignId, c.index, rung, attempt)
      : undefined;
  }
  const m = /^cand-(\d+)(?:-a(\d+))?$/.exec(rest);
  if (!m || Number(m[1]) !== c.index) return undefined;
  const attempt = m[2] === undefined ? 1 : Number(m[2]);
  return nasCandidateExperimentId(c.campaignId, c.index, attempt) === input.experimentId ? workflowIds.nasCandidate(c.campaignId, c.index, attempt) : undefined;
}
