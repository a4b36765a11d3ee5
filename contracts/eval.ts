import { z } from 'zod';
import { SlugSchema } from './ids.js';

/**
 * Evaluation workflows (seed tasks generate_roc_analysis, error_analysis,
 * architecture_comparison): ROC analysis and error analysis of one experiment on a dataset, and
 * a comparison of N experiments on one shared test set. A model is run over a dataset once per
 * (model, dataset, split); every analysis reuses those stored probabilities.
 */

/**
 * Which signals of the dataset: `test` / `validation` are the experiment's own split rule
 * (fractions and seed of its training) applied to the dataset, so on its own dataset `test` is
 * exactly the held-out signals of training; `all` is every signal and is refused on the
 * experiment's own dataset (it would score training data).
 */
export const EVAL_SPLITS = ['test', 'validation', 'all'] as const;
export const EvalSplitSchema = z.enum(EVAL_SPLITS);
export type EvalSplit = z.infer<typeof EvalSplitSchema>;

export const EVALUATION_KINDS = ['roc', 'errors', 'compare'] as const;
export type EvaluationKind = (typeof EVALUATION_KINDS)[number];

export const BootstrapSchema = z
  .object({
    /** Resamples for the 95 % intervals; 0 skips them. */
    replicates: z.number().int().min(0).max(20_000).default(1000),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(0),
  })
  .strict();

const common = {
  /** Evaluate on another dataset (same class scheme); default: the experiment's own. */
  datasetId: SlugSchema.optional(),
  split: EvalSplitSchema.default('test'),
};

export const EvaluateRocInputSchema = z
  .object({
    experimentId: SlugSchema,
    ...common,
    bootstrap: BootstrapSchema.default({ replicates: 1000, seed: 0 }),
  })
  .strict();
export type EvaluateRocInput = z.output<typeof EvaluateRocInputSchema>;
export type EvaluateRocRequest = z.input<typeof EvaluateRocInputSchema>;

export const EvaluateErrorsInputSchema = z
  .object({
    experimentId: SlugSchema,
    ...common,
    /** Reliability-diagram bins. */
    bins: z.number().int().min(2).max(50).default(10),
    /** Misclassified windows listed in the result (most confident first); all are in the artifact. */
    maxListed: z.number().int().min(0).max(10_000).default(200),
  })
  .strict();
export type EvaluateErrorsInput = z.output<typeof EvaluateErrorsInputSchema>;
export type EvaluateErrorsRequest = z.input<typeof EvaluateErrorsInputSchema>;

/** Workflow-id-safe: the hash of the sorted experiment ids (and dataset, split) is the comparison id. */
export const ComparisonIdSchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,79}$/, 'must be 1-80 chars of a-z, 0-9, "-" or "_"');

export const CompareExperimentsInputSchema = z
  .object({
    /** `<hash of the sorted experiment ids, dataset and split>`; the client derives it. */
    comparisonId: ComparisonIdSchema,
    experimentIds: z
      .array(SlugSchema)
      .min(2)
      // 20 experiments are 190 pairwise tests: the result stays far below the payload budget.
      .max(20)
      .refine((ids) => new Set(ids).size === ids.length, 'must not repeat an experiment'),
    /** The shared test set's dataset; default: the first experiment's. */
    datasetId: SlugSchema.optional(),
    split: EvalSplitSchema.default('test'),
    /** Prediction activities in flight at once. */
    maxInFlight: z.number().int().min(1).max(32).default(4),
    /** Family-wise significance level of the pairwise tests (Holm). */
    alpha: z.number().gt(0).lt(1).default(0.05),
  })
  .strict();
export type CompareExperimentsInput = z.output<typeof CompareExperimentsInputSchema>;
export type CompareExperimentsRequest = z.input<typeof CompareExperimentsInputSchema>;

export interface IntervalOut {
  low: number;
  high: number;
}

export interface EvaluationResultBase {
  evaluationId: string;
  kind: EvaluationKind;
  datasetId: string;
  split: EvalSplit;
  status: 'COMPLETED';
  /** Samples scored (windows; for a comparison, the paired units). */
  samples: number;
  /** SVG picture and the full JSON result in the artifact store. */
  pictureUri: string;
  resultUri: string;
  /** Each involved experiment's HTML page (training curves and all its evaluations), refreshed by this one. */
  pageUris?: Record<string, string>;
}

export interface EvaluateRocResult extends EvaluationResultBase {
  kind: 'roc';
  experimentId: string;
  accuracy: number;
  aucMacro: number | null;
  aucMicro: number | null;
  apMacro: number | null;
  apMicro: number | null;
  ci: { aucMacro: IntervalOut | null; aucMicro: IntervalOut | null; accuracy: IntervalOut | null };
  perClass: { class: string; positives: number; auc: number | null; averagePrecision: number | null }[];
}

export interface EvaluateErrorsResult extends EvaluationResultBase {
  kind: 'errors';
  experimentId: string;
  accuracy: number;
  macroF1: number;
  ece: number;
  errors: number;
  perClass: { class: string; precision: number; recall: number; f1: number; support: number }[];
  /** The most confident mistakes (at most 20 here; all in the result artifact). */
  worst: { signal: string; windowStart: number; trueClass: string; predictedClass: string; confidence: number; xaiPictureUri: string | null }[];
  /** Condition → the value with the highest error rate. */
  worstByCondition: Record<string, { value: string; errorRate: number; count: number }>;
}

export interface CompareExperimentsResult extends EvaluationResultBase {
  kind: 'compare';
  experimentIds: string[];
  /** `window` when every model cuts the same windows, else `signal` (mean probability per signal). */
  pairing: 'window' | 'signal';
  rows: {
    experimentId: string;
    accuracy: number;
    ci: IntervalOut;
    parameters: number | null;
    latencyMs: number | null;
    trainingSeconds: number | null;
    epochs: number | null;
    pareto: boolean;
  }[];
  pairs: { first: string; second: string; b: number; c: number; method: 'exact' | 'chi2'; pValue: number; adjustedP: number; significant: boolean }[];
}

export type EvaluationResult = EvaluateRocResult | EvaluateErrorsResult | CompareExperimentsResult;
