import { z } from 'zod';
import { SlugSchema } from './ids.js';
import { SplitSpecSchema } from './training.js';

/**
 * Feature engineering (seed tasks extract_features, compute_importance, select_features,
 * compute_correlation): the classical, per-window view of a dataset. The settings below decide
 * which columns a feature matrix has; together with FEATURE_SET_VERSION they identify a set.
 */

/** Bumped whenever any feature's definition changes, so stored sets are never mixed up. */
export const FEATURE_SET_VERSION = 1;

export const FEATURE_DOMAINS = ['time', 'frequency', 'envelope', 'wavelet'] as const;
export const FeatureDomainSchema = z.enum(FEATURE_DOMAINS);
export type FeatureDomain = z.infer<typeof FeatureDomainSchema>;

const HzBandSchema = z.tuple([z.number().min(0), z.number().positive()]).refine(([lo, hi]) => lo < hi, { message: 'a band is [lo, hi] Hz with lo < hi' });

export const FeatureSettingsSchema = z
  .object({
    domains: z
      .array(FeatureDomainSchema)
      .min(1)
      .default([...FEATURE_DOMAINS]),
    /**
     * Spectral energy bands as fractions of Nyquist (so one setting fits every sampling rate);
     * each band's energy is reported as its share of the total power.
     */
    bandEdges: z
      .array(z.number().min(0).max(1))
      .min(2)
      .max(17)
      .default([0, 0.125, 0.25, 0.5, 1])
      .refine((e) => e.every((v, i) => i === 0 || v > e[i - 1]), { message: 'bandEdges must increase strictly' }),
    /** Spectral roll-off: the frequency below which this share of the power lies. */
    rolloff: z.number().gt(0).lt(1).default(0.85),
    /** Envelope band-pass (Hz); default: envelopeBandHz(samplingRate), the simulated and CWRU resonance region. */
    envelopeBandHz: HzBandSchema.optional(),
    /** Half-width of the search window around each fault order, relative (covers the rolling elements' slip). */
    envelopeTolerance: z.number().gt(0).max(0.1).default(0.03),
    /** Daubechies wavelet of the packet decomposition (db1 … db10). */
    wavelet: z.enum(['db1', 'db2', 'db3', 'db4', 'db5', 'db6', 'db7', 'db8', 'db9', 'db10']).default('db4'),
    /** Packet depth: 2^level bands. */
    waveletLevel: z.number().int().min(1).max(5).default(3),
  })
  .strict();
export type FeatureSettings = z.output<typeof FeatureSettingsSchema>;
export type FeatureSettingsRequest = z.input<typeof FeatureSettingsSchema>;

/**
 * signal: the input's own unit (g for CWRU and the simulator); ratio: dimensionless; x-floor: a
 * multiple of the envelope spectrum's median level (its noise floor).
 */
export const FEATURE_UNITS = ['signal', 'Hz', 'ratio', 'x-floor'] as const;
export type FeatureUnit = (typeof FEATURE_UNITS)[number];

/** One column of a feature matrix: declared once in ml/features/catalog.ts. */
export interface FeatureDescriptor {
  name: string;
  domain: FeatureDomain;
  unit: FeatureUnit;
  description: string;
}

/**
 * Rows of a feature matrix: whole signals (length null), or windows of `length` samples every
 * `hop` (default: length, no overlap), at most `maxPerSignal` per signal.
 */
export const FeatureWindowSchema = z
  .object({
    length: z.number().int().min(256).max(1_048_576).nullable().default(null),
    hop: z.number().int().min(1).max(1_048_576).optional(),
    maxPerSignal: z.number().int().min(1).max(10_000).default(1_000),
  })
  .strict();
export type FeatureWindow = z.output<typeof FeatureWindowSchema>;

/** What a feature set is: its version, normalised settings and windowing (hashed into its id). */
export const FeatureSetIdentitySchema = z
  .object({
    version: z.literal(FEATURE_SET_VERSION),
    datasetId: SlugSchema,
    settings: FeatureSettingsSchema,
    window: FeatureWindowSchema,
  })
  .strict();
export type FeatureSetIdentity = z.output<typeof FeatureSetIdentitySchema>;

/** Entity id `<datasetId>-<12 hex>`: up to 80 + 13 characters. */
export const FeatureSetIdSchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,79}-[0-9a-f]{12}$/, 'must be <datasetId>-<12 hex chars>');

export const ExtractFeaturesInputSchema = z
  .object({
    featureSetId: FeatureSetIdSchema,
    datasetId: SlugSchema,
    settings: FeatureSettingsSchema.default(FeatureSettingsSchema.parse({})),
    window: FeatureWindowSchema.default(FeatureWindowSchema.parse({})),
    /** Signals per activity: one activity heartbeats and resumes over its own chunk. */
    signalsPerChunk: z.number().int().min(1).max(1_000).default(32),
    /** Chunk activities in flight at once. */
    maxInFlight: z.number().int().min(1).max(64).default(4),
  })
  .strict();
export type ExtractFeaturesInput = z.output<typeof ExtractFeaturesInputSchema>;
export type ExtractFeaturesRequest = z.input<typeof ExtractFeaturesInputSchema>;

export interface ExtractFeaturesResult {
  featureSetId: string;
  datasetId: string;
  version: number;
  rows: number;
  signals: number;
  columns: number;
  featureNames: string[];
  /** float32 little-endian, rows × columns, row-major. */
  matrixUri: string;
  /** JSON FeatureIndex: the signal, window start and label of every row. */
  indexUri: string;
  /** JSON FeatureDescriptor[]: name, domain, unit, description of every column. */
  catalogUri: string;
  /** False when an earlier run had stored this exact set and it was reused. */
  computed: boolean;
}

/** Row → source: columnar, so a 100,000-row index stays a few hundred KB. */
export const FeatureIndexSchema = z
  .object({
    featureSetId: z.string(),
    datasetId: z.string(),
    windowLength: z.number().int().nullable(),
    signalIdx: z.array(z.number().int()),
    windowStart: z.array(z.number().int()),
    labels: z.array(z.string()),
  })
  .strict();
export type FeatureIndex = z.infer<typeof FeatureIndexSchema>;

// ---------------------------------------------------------------------------------------------
// Activity inputs and outputs.
// ---------------------------------------------------------------------------------------------

export const RegisterFeatureSetInputSchema = z
  .object({
    featureSetId: FeatureSetIdSchema,
    datasetId: SlugSchema,
    settings: FeatureSettingsSchema,
    window: FeatureWindowSchema,
    workflowId: z.string().min(1),
  })
  .strict();
export type RegisterFeatureSetInput = z.input<typeof RegisterFeatureSetInputSchema>;

export interface RegisteredFeatureSet {
  signals: number;
  columns: number;
  /** The stored result when this exact set was completed before (its artifacts still present). */
  existing: ExtractFeaturesResult | null;
}

export const ExtractFeatureChunkInputSchema = z
  .object({
    featureSetId: FeatureSetIdSchema,
    datasetId: SlugSchema,
    settings: FeatureSettingsSchema,
    window: FeatureWindowSchema,
    /** Signals [start, start + count) in index order. */
    start: z.number().int().min(0),
    count: z.number().int().min(1).max(1_000),
  })
  .strict();
export type ExtractFeatureChunkInput = z.input<typeof ExtractFeatureChunkInputSchema>;

export const FeatureChunkRefSchema = z
  .object({
    start: z.number().int().min(0),
    count: z.number().int().min(1),
    rows: z.number().int().min(0),
    /** float32 rows × columns of this chunk. */
    matrixUri: z.string().min(1),
    /** JSON FeatureIndex of this chunk's rows. */
    indexUri: z.string().min(1),
  })
  .strict();
export type FeatureChunkRef = z.infer<typeof FeatureChunkRefSchema>;

/** Heartbeat of a chunk activity: the sub-jobs already stored, so a retry computes only the rest. */
export const FeatureChunkHeartbeatSchema = z
  .object({
    featureSetId: z.string(),
    start: z.number().int(),
    count: z.number().int(),
    jobSize: z.number().int(),
    parts: z.array(z.object({ job: z.number().int().min(0), uri: z.string().min(1), rows: z.number().int().min(0) }).strict()),
  })
  .strict();
export type FeatureChunkHeartbeat = z.infer<typeof FeatureChunkHeartbeatSchema>;

export const FinishFeatureSetInputSchema = z
  .object({
    featureSetId: FeatureSetIdSchema,
    chunks: z.array(FeatureChunkRefSchema).min(1).max(10_000),
    seconds: z.number().min(0),
  })
  .strict();
export type FinishFeatureSetInput = z.input<typeof FinishFeatureSetInputSchema>;

export const FeatureSetEndedInputSchema = z
  .object({
    featureSetId: FeatureSetIdSchema,
    /** STOPPED: the `stop` signal — the running chunks finished, no matrix was assembled. */
    status: z.enum(['FAILED', 'CANCELLED', 'STOPPED']),
    error: z.string().optional(),
  })
  .strict();
export type FeatureSetEndedInput = z.input<typeof FeatureSetEndedInputSchema>;

/**
 * What a stopped extraction returns (the `stop` signal): the chunks that were running finished,
 * none was started after it, and no matrix was assembled — a matrix with holes would silently
 * drop signals. The feature set's row is STOPPED. The run completed, so under the start policy
 * (reuse only after a failure) the same request attaches to it until the namespace retention
 * drops it; its finished chunks are content-addressed artifacts a later run rewrites, not reuses.
 */
export interface ExtractFeaturesStopped {
  featureSetId: string;
  datasetId: string;
  status: 'STOPPED';
  reason: string | null;
  signals: number;
  signalsDone: number;
}

/** The Web UI's one-line details of a running extraction. */
export function featuresDetails(p: { phase: string; signalsDone: number; signals: number; chunksRunning: number }): string {
  return `${p.phase}: ${p.signalsDone}/${p.signals} signals featurised, ${p.chunksRunning} chunk(s) running`;
}

// ---------------------------------------------------------------------------------------------
// Analyses of a stored feature set: importance, selection, correlation (one workflow, a mode).
// ---------------------------------------------------------------------------------------------

export const FEATURE_ANALYSIS_MODES = ['importance', 'select', 'correlation', 'baseline'] as const;
export type FeatureAnalysisMode = (typeof FEATURE_ANALYSIS_MODES)[number];
export const IMPORTANCE_MEASURES = ['permutation', 'impurity', 'mutual-information', 'anova-f'] as const;
export const SELECTION_METHODS = ['top-k', 'mrmr', 'correlation'] as const;

export const ForestSettingsSchema = z
  .object({
    trees: z.number().int().min(1).max(1_000).default(100),
    maxDepth: z.number().int().min(1).max(64).default(16),
    minSamplesLeaf: z.number().int().min(1).max(1_000).default(1),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(0),
  })
  .strict();

/**
 * The classical baseline (mode `baseline`): which split and which features. The split is a CNN
 * experiment's (`experimentId`: its dataset must be the feature set's, and its hyperparameters'
 * split rule, fractions and seed are used), or stated here with the trainer's defaults for what is
 * left out. The features: all (default), a stored selection's, named ones, or mRMR's `mrmrK` best
 * chosen on the training rows only.
 */
export const BaselineOptionsSchema = z
  .object({
    experimentId: SlugSchema.optional(),
    split: SplitSpecSchema.optional(),
    validationFraction: z.number().min(0.05).max(0.5).optional(),
    testFraction: z.number().min(0.05).max(0.5).optional(),
    splitSeed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .optional(),
    selectionId: z
      .string()
      .regex(/^select-[0-9a-f]{12}$/, 'must be the id of a select analysis (select-<12 hex chars>)')
      .optional(),
    features: z.array(z.string().min(1).max(200)).min(1).max(1_000).optional(),
    mrmrK: z.number().int().min(1).max(1_000).optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    const chosen = (['selectionId', 'features', 'mrmrK'] as const).filter((k) => b[k] !== undefined);
    if (chosen.length > 1)
      ctx.addIssue({ code: 'custom', path: [chosen[1]], message: `give at most one of selectionId, features and mrmrK (got ${chosen.join(', ')})` });
    if (b.experimentId !== undefined) {
      for (const k of ['split', 'validationFraction', 'testFraction', 'splitSeed'] as const)
        if (b[k] !== undefined)
          ctx.addIssue({ code: 'custom', path: [k], message: `the split is experiment "${b.experimentId}"'s: do not give ${k} with experimentId` });
    }
  });
export type BaselineOptions = z.output<typeof BaselineOptionsSchema>;

export const FeatureAnalysisOptionsSchema = z
  .object({
    forest: ForestSettingsSchema.default(ForestSettingsSchema.parse({})),
    /** Importance: forests fitted (and permutations drawn) for the spread. */
    repeats: z.number().int().min(1).max(50).default(5),
    /** Importance: share of the signals held out (whole signals, stratified). */
    testFraction: z.number().gt(0).lt(1).default(0.25),
    /** Equal-frequency bins for mutual information. */
    bins: z.number().int().min(2).max(64).default(10),
    rankBy: z.enum(IMPORTANCE_MEASURES).default('permutation'),
    /** Selection method and its size (top-k, mRMR) or threshold (correlation filter, also the correlation pairs' threshold). */
    method: z.enum(SELECTION_METHODS).default('mrmr'),
    k: z.number().int().min(1).max(1_000).default(10),
    threshold: z.number().gt(0).lt(1).default(0.9),
    /** Selection: folds of the cross-validated accuracy (grouped by signal). */
    folds: z.number().int().min(2).max(20).default(5),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(0),
    /** Baseline: the split and the features (no default, so the ids of the other modes' requests stay as they were). */
    baseline: BaselineOptionsSchema.optional(),
  })
  .strict();
export type FeatureAnalysisOptions = z.output<typeof FeatureAnalysisOptionsSchema>;

export const FeatureAnalysisIdSchema = z.string().regex(/^(importance|select|correlation|baseline)-[0-9a-f]{12}$/, 'must be <mode>-<12 hex chars>');

export const AnalyzeFeaturesInputSchema = z
  .object({
    analysisId: FeatureAnalysisIdSchema,
    featureSetId: FeatureSetIdSchema,
    mode: z.enum(FEATURE_ANALYSIS_MODES),
    options: FeatureAnalysisOptionsSchema.default(FeatureAnalysisOptionsSchema.parse({})),
  })
  .strict();
export type AnalyzeFeaturesInput = z.output<typeof AnalyzeFeaturesInputSchema>;
export type AnalyzeFeaturesRequest = z.input<typeof AnalyzeFeaturesInputSchema>;

export interface FeatureAnalysisResult {
  analysisId: string;
  featureSetId: string;
  datasetId: string;
  mode: FeatureAnalysisMode;
  /** Headline numbers (small): accuracies, counts. */
  summary: Record<string, number | string | null>;
  /** Importance: ranked names; selection: the chosen names; correlation: the clustering order. */
  features: string[];
  /** JSON of the full analysis. */
  resultUri: string;
  /** SVG: importance bars, the selection's importance bars, or the correlation heatmap. */
  pictureUri: string;
}

/** What analyzeFeaturesWorkflow returns when `stop` arrived before the analysis started (signal-with-start). */
export interface FeatureAnalysisStopped {
  analysisId: string;
  featureSetId: string;
  mode: FeatureAnalysisMode;
  status: 'STOPPED';
  reason: string | null;
}

export const AnalyzeFeatureSetActivityInputSchema = AnalyzeFeaturesInputSchema.extend({ workflowId: z.string().min(1) });
export type AnalyzeFeatureSetActivityInput = z.input<typeof AnalyzeFeatureSetActivityInputSchema>;

export const FeatureAnalysisEndedInputSchema = z
  .object({ analysisId: FeatureAnalysisIdSchema, status: z.enum(['FAILED', 'CANCELLED', 'STOPPED']), error: z.string().optional() })
  .strict();
export type FeatureAnalysisEndedInput = z.input<typeof FeatureAnalysisEndedInputSchema>;
