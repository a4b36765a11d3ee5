/**
 * Typed client for feature extraction: normalise the settings (defaults, canonical domain
 * order), derive the set's id from what it is (version, dataset, settings, windowing), start it
 * idempotently and read the result.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import {
  AnalyzeFeaturesInputSchema,
  type AnalyzeFeaturesInput,
  type AnalyzeFeaturesRequest,
  type FeatureAnalysisResult,
  canonicalJson,
  ExtractFeaturesInputSchema,
  FEATURE_DOMAINS,
  FEATURE_SET_VERSION,
  parseInput,
  SEARCH_ATTRIBUTES,
  workflowIds,
  type ExtractFeaturesInput,
  type ExtractFeaturesRequest,
  type ExtractFeaturesResult,
  type ExtractFeaturesStopped,
  BaselineOptionsSchema,
  type BaselineOptions,
  type FeatureAnalysisStopped,
  type FeatureAnalysisOptions,
} from '../contracts/index.js';
import { RunStoppedError } from './errors.js';
import { getResult } from './runs.js';
import { startIdempotent } from './start.js';
import type { StartedRun, TemporalClientLike } from './types.js';
import { WORKFLOW_KINDS } from './workflow-kinds.js';

/** `<datasetId>-<first 12 hex of sha256(canonical JSON of {version, datasetId, settings, window})>`. */
export function deriveFeatureSetId(input: Pick<ExtractFeaturesInput, 'datasetId' | 'settings' | 'window'>): string {
  const identity = { version: FEATURE_SET_VERSION, datasetId: input.datasetId, settings: input.settings, window: input.window };
  return `${input.datasetId}-${createHash('sha256').update(canonicalJson(identity)).digest('hex').slice(0, 12)}`;
}

export type StartFeaturesRequest = Omit<ExtractFeaturesRequest, 'featureSetId'>;

/** The workflow's input: defaults applied, domains in canonical order without repeats, the id derived. */
export function prepareFeaturesInput(request: StartFeaturesRequest): ExtractFeaturesInput {
  const what = `${WORKFLOW_KINDS.features.workflowType} input`;
  const partial = parseInput(ExtractFeaturesInputSchema.omit({ featureSetId: true }), request, what);
  const settings = { ...partial.settings, domains: FEATURE_DOMAINS.filter((d) => partial.settings.domains.includes(d)) };
  const normalised = { ...partial, settings };
  return parseInput(ExtractFeaturesInputSchema, { ...normalised, featureSetId: deriveFeatureSetId(normalised) }, what);
}

/** `features-<datasetId>-<hash>`: the same request twice is one run and one stored set. */
export async function startFeatureExtraction(client: TemporalClientLike, request: StartFeaturesRequest): Promise<StartedRun> {
  const input = prepareFeaturesInput(request);
  const summary = `features of ${input.datasetId}: ${input.settings.domains.join(', ')}${input.window.length ? `, windows of ${input.window.length}` : ', whole signals'}`;
  return startIdempotent(client, {
    workflowType: WORKFLOW_KINDS.features.workflowType,
    workflowId: workflowIds.features(input.featureSetId),
    entityId: input.featureSetId,
    input,
    staticSummary: summary,
    typedSearchAttributes: [
      { key: SEARCH_ATTRIBUTES.kind, value: WORKFLOW_KINDS.features.searchKind },
      { key: SEARCH_ATTRIBUTES.datasetId, value: input.datasetId },
    ],
  });
}

/** The completed set; a run ended by `stop` has none and throws RunStoppedError (getResult gives the raw STOPPED result). */
export async function getFeaturesResult(client: TemporalClientLike, workflowId: string): Promise<ExtractFeaturesResult> {
  const r = await getResult<ExtractFeaturesResult | ExtractFeaturesStopped>(client, workflowId);
  if ('status' in r && r.status === 'STOPPED') throw new RunStoppedError(workflowId, r.reason);
  return r as ExtractFeaturesResult;
}

export type StartFeatureAnalysisRequest = Omit<AnalyzeFeaturesRequest, 'analysisId'>;

/** `<mode>-<first 12 hex of sha256(canonical JSON of {featureSetId, mode, options})>`, options with defaults. */
export function prepareFeatureAnalysisInput(request: StartFeatureAnalysisRequest): AnalyzeFeaturesInput {
  const what = `${WORKFLOW_KINDS['feature-analysis'].workflowType} input`;
  const partial = parseInput(AnalyzeFeaturesInputSchema.omit({ analysisId: true }), request, what);
  const hash = createHash('sha256')
    .update(canonicalJson({ featureSetId: partial.featureSetId, mode: partial.mode, options: partial.options }))
    .digest('hex')
    .slice(0, 12);
  return parseInput(AnalyzeFeaturesInputSchema, { ...partial, analysisId: `${partial.mode}-${hash}` }, what);
}

/** `feature-analysis-<mode>-<hash>`: the same analysis of the same set is one run and one row. */
export async function startFeatureAnalysis(client: TemporalClientLike, request: StartFeatureAnalysisRequest): Promise<StartedRun> {
  const input = prepareFeatureAnalysisInput(request);
  const kind = WORKFLOW_KINDS['feature-analysis'];
  return startIdempotent(client, {
    workflowType: kind.workflowType,
    workflowId: workflowIds.featureAnalysis(input.analysisId),
    entityId: input.analysisId,
    input,
    staticSummary: `feature ${input.mode} of ${input.featureSetId}`,
    typedSearchAttributes: [{ key: SEARCH_ATTRIBUTES.kind, value: kind.searchKind }],
  });
}

/** The completed analysis; one stopped before it started throws RunStoppedError. */
export async function getFeatureAnalysisResult(client: TemporalClientLike, workflowId: string): Promise<FeatureAnalysisResult> {
  const r = await getResult<FeatureAnalysisResult | FeatureAnalysisStopped>(client, workflowId);
  if ('status' in r && r.status === 'STOPPED') throw new RunStoppedError(workflowId, r.reason);
  return r as FeatureAnalysisResult;
}

/** The classical baseline request: the feature set, its split and features (BaselineOptionsSchema), the forest. */
export interface StartFeatureBaselineRequest {
  featureSetId: string;
  baseline?: z.input<typeof BaselineOptionsSchema>;
  forest?: Partial<FeatureAnalysisOptions['forest']>;
  bins?: number;
}

/**
 * A random forest on `featureSetId` trained and tested on a CNN experiment's split (or a stated
 * one): the `baseline` mode of analyzeFeaturesWorkflow, `feature-analysis-baseline-<hash>`.
 */
export function startFeatureBaseline(client: TemporalClientLike, request: StartFeatureBaselineRequest): Promise<StartedRun> {
  const { featureSetId, baseline, forest, bins } = request;
  return startFeatureAnalysis(client, { featureSetId, mode: 'baseline', options: { baseline, forest, bins } });
}
export type { BaselineOptions };
