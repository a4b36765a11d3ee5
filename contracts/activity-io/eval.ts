/** Inputs and outputs of the evaluation activities (registration, predictions, analyses, closing). */
import { z } from 'zod';
import { ArtifactUriSchema } from '../artifact-uri.js';
import { SlugSchema } from '../ids.js';
import { BootstrapSchema, ComparisonIdSchema, EvalSplitSchema, EVALUATION_KINDS } from '../eval.js';

export const RegisterEvaluationInputSchema = z
  .object({
    evaluationId: z.string().min(1).max(300),
    kind: z.enum(EVALUATION_KINDS),
    experimentIds: z.array(SlugSchema).min(1).max(50),
    datasetId: SlugSchema.optional(),
    split: EvalSplitSchema,
    config: z.record(z.string(), z.unknown()),
    workflowId: z.string().min(1),
  })
  .strict();
export type RegisterEvaluationInput = z.input<typeof RegisterEvaluationInputSchema>;

/** What registration resolved: the dataset and the class list every experiment shares. */
export interface RegisteredEvaluation {
  datasetId: string;
  scheme: string;
  classes: string[];
}

export const PredictSplitInputSchema = z
  .object({
    experimentId: SlugSchema,
    datasetId: SlugSchema,
    split: EvalSplitSchema,
  })
  .strict();
export type PredictSplitInput = z.input<typeof PredictSplitInputSchema>;

/** The stored probabilities of one (model, dataset, split): small, the arrays are artifacts. */
export interface PredictionsRef {
  experimentId: string;
  datasetId: string;
  split: string;
  /** float32 windows × classes, row-major. */
  probabilitiesUri: string;
  /** JSON: classes, window length, signals (ref, label, conditions), per window its signal, start and label. */
  indexUri: string;
  windows: number;
  signals: number;
  classes: string[];
  windowLength: number;
  backend: string;
  /** False when an earlier run stored them. */
  computed: boolean;
}

const PredictionsRefSchema = z
  .object({
    experimentId: SlugSchema,
    datasetId: SlugSchema,
    split: z.string(),
    probabilitiesUri: ArtifactUriSchema,
    indexUri: ArtifactUriSchema,
    windows: z.number().int().min(0),
    signals: z.number().int().min(0),
    classes: z.array(z.string()).min(2),
    windowLength: z.number().int().min(1),
    backend: z.string(),
    computed: z.boolean(),
  })
  .strict();

export const AnalyzeRocInputSchema = z
  .object({ evaluationId: z.string().min(1).max(300), predictions: PredictionsRefSchema, bootstrap: BootstrapSchema })
  .strict();
export type AnalyzeRocInput = z.input<typeof AnalyzeRocInputSchema>;

export const AnalyzeErrorsInputSchema = z
  .object({
    evaluationId: z.string().min(1).max(300),
    predictions: PredictionsRefSchema,
    bins: z.number().int().min(2).max(50),
    maxListed: z.number().int().min(0).max(10_000),
  })
  .strict();
export type AnalyzeErrorsInput = z.input<typeof AnalyzeErrorsInputSchema>;

export const AnalyzeComparisonInputSchema = z
  .object({ evaluationId: ComparisonIdSchema, predictions: z.array(PredictionsRefSchema).min(2).max(50), alpha: z.number().gt(0).lt(1) })
  .strict();
export type AnalyzeComparisonInput = z.input<typeof AnalyzeComparisonInputSchema>;

export const FinishEvaluationInputSchema = z
  .object({ evaluationId: z.string().min(1).max(300), summary: z.record(z.string(), z.unknown()), pictureUri: ArtifactUriSchema, resultUri: ArtifactUriSchema })
  .strict();
export type FinishEvaluationInput = z.input<typeof FinishEvaluationInputSchema>;

export const EvaluationEndedInputSchema = z
  .object({ evaluationId: z.string().min(1).max(300), status: z.enum(['FAILED', 'CANCELLED']), error: z.string().max(4000).optional() })
  .strict();
export type EvaluationEndedInput = z.input<typeof EvaluationEndedInputSchema>;
