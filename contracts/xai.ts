import { z } from 'zod';
import { ClassLabelSchema } from './classes.js';
import { SlugSchema } from './ids.js';
import { TestingKnobsSchema } from './testing/knobs.js';

/**
 * Batch XAI contract (seed tasks generate_explanation and generate_batch_explanations, which ran
 * the single-signal task body in a synchronous loop with a hard-coded 100 SHAP background
 * samples). One workflow explains one signal or thousands; every setting the seed hard-coded is
 * a field here.
 */

export const XAI_METHODS = ['integrated-gradients', 'grad-cam', 'occlusion', 'kernel-shap'] as const;
export type XaiMethod = (typeof XAI_METHODS)[number];
export const XaiMethodSchema = z.enum(XAI_METHODS);

/**
 * A signal reference `<datasetId>:<index>`, e.g. `cwru-demo:17`. Text rather than an object so a
 * failure can name the signal exactly as the caller wrote it.
 */
export const SignalRefSchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,79}:\d{1,9}$/, 'must be "<datasetId>:<index>", e.g. "cwru-demo:17"');
export type SignalRef = string;

export function parseSignalRef(ref: SignalRef): { datasetId: string; index: number } {
  const at = ref.lastIndexOf(':');
  return { datasetId: ref.slice(0, at), index: Number(ref.slice(at + 1)) };
}
export const signalRef = (datasetId: string, index: number): SignalRef => `${datasetId}:${index}`;

/** Which signals: explicit references, or a dataset with a filter (resolved page by page). */
export const SignalSelectionSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('ids'),
      ids: z
        .array(SignalRefSchema)
        .min(1)
        // The ids travel in the workflow input, and again at every continue-as-new: 2,000 refs
        // stay under the 64 KB payload budget. Larger batches select by dataset and filter.
        .max(2_000)
        .refine((ids) => new Set(ids).size === ids.length, 'must not repeat a signal'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('dataset'),
      datasetId: SlugSchema,
      /** Only these labels (default: all). */
      labels: z.array(ClassLabelSchema).min(1).optional(),
      /** Signal indices in [fromIndex, toIndex). */
      fromIndex: z.number().int().min(0).optional(),
      toIndex: z.number().int().min(1).optional(),
      /** At most this many signals (the lowest indices that match). */
      limit: z.number().int().min(1).max(1_000_000).optional(),
    })
    .strict()
    .refine((s) => s.fromIndex === undefined || s.toIndex === undefined || s.fromIndex < s.toIndex, {
      message: 'fromIndex must be < toIndex',
      path: ['toIndex'],
    }),
]);
export type SignalSelection = z.output<typeof SignalSelectionSchema>;

/** Reference input for "feature absent" of IG, occlusion and the deletion curve. */
const BaselineSchema = z.enum(['zeros', 'mean']);

export const XaiMethodsSchema = z
  .object({
    'integrated-gradients': z
      .object({
        steps: z.number().int().min(1).max(4_096).default(64),
        baseline: BaselineSchema.default('zeros'),
        score: z.enum(['probability', 'logit']).default('probability'),
      })
      .strict()
      .optional(),
    'grad-cam': z
      .object({
        /** Layer whose activations are weighted; default the last Conv1D layer. */
        layer: z.string().min(1).max(200).optional(),
        score: z.enum(['probability', 'logit']).default('logit'),
      })
      .strict()
      .optional(),
    occlusion: z
      .object({
        window: z.number().int().min(1).max(1_000_000).default(128),
        stride: z.number().int().min(1).max(1_000_000).default(64),
        baseline: BaselineSchema.default('zeros'),
      })
      .strict()
      .optional(),
    'kernel-shap': z
      .object({
        segments: z.number().int().min(2).max(256).default(16),
        /** Coalitions evaluated besides the empty and full one (exact when 2^segments − 2 ≤ samples). */
        samples: z.number().int().min(1).max(100_000).default(256),
        /** "Segment absent" = the background windows' samples there (seed: a constant 100). */
        background: z
          .object({
            /** Windows in the background set. Each coalition costs one prediction per window. */
            size: z.number().int().min(1).max(512).default(16),
            /** Dataset the windows are drawn from; default the dataset of the first selected signal. */
            datasetId: SlugSchema.optional(),
            /** Only signals of these labels (e.g. ["normal"] for a healthy reference). */
            labels: z.array(ClassLabelSchema).min(1).optional(),
          })
          .strict()
          .default({ size: 16 }),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((m) => Object.values(m).some((v) => v !== undefined), 'must name at least one method');
export type XaiMethods = z.output<typeof XaiMethodsSchema>;
export type XaiMethodsRequest = z.input<typeof XaiMethodsSchema>;

export const ExplainSignalsInputSchema = z
  .object({
    batchId: SlugSchema,
    /** A row of `models` (a trained experiment's id). */
    modelId: SlugSchema,
    selection: SignalSelectionSchema,
    methods: XaiMethodsSchema,
    /** Model-length windows explained per signal, spread evenly over the recording. */
    windowsPerSignal: z.number().int().min(1).max(64).default(1),
    /** Class explained: the model's prediction for the window, or the signal's own label. */
    target: z.enum(['predicted', 'label']).default('predicted'),
    /** Deletion-curve faithfulness of every explanation. */
    faithfulness: z
      .object({
        steps: z.number().int().min(2).max(256).default(16),
        randomOrders: z.number().int().min(1).max(256).default(8),
      })
      .strict()
      .default({ steps: 16, randomOrders: 8 }),
    /** How each attribution is summarised for its row. */
    summary: z
      .object({
        segments: z.number().int().min(2).max(256).default(16),
        topK: z.number().int().min(1).max(256).default(3),
        bands: z.number().int().min(2).max(256).default(8),
      })
      .strict()
      .default({ segments: 16, topK: 3, bands: 8 }),
    /** Seeds KernelSHAP's coalitions, the background draw and the random deletion orders. */
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(0),
    /** Signals being explained at once (sliding window). */
    maxInFlight: z.number().int().min(1).max(256).default(8),
    /**
     * Per-signal failures tolerated before the batch fails. Default: 10 % of the selected signals
     * (at least 1), so a bad signal is reported and a broken model stops the batch early.
     */
    maxFailedSignals: z.number().int().min(0).max(1_000_000).optional(),
    testing: TestingKnobsSchema.optional(),
  })
  .strict();
export type ExplainSignalsInput = z.output<typeof ExplainSignalsInputSchema>;
/** What a caller may send (defaults not yet applied). */
export type ExplainSignalsRequest = z.input<typeof ExplainSignalsInputSchema>;

/** Methods named in a request, in the fixed order of XAI_METHODS (stable rows, pictures, logs). */
export function requestedMethods(methods: XaiMethods): XaiMethod[] {
  return XAI_METHODS.filter((m) => methods[m] !== undefined);
}

/** Default failure threshold: 10 % of the selection, at least 1. */
export function failureThreshold(input: Pick<ExplainSignalsInput, 'maxFailedSignals'>, total: number): number {
  return input.maxFailedSignals ?? Math.max(1, Math.ceil(total * 0.1));
}

/** One method's outcome for one signal, as the activity returns it (small: no arrays). */
export interface XaiMethodOutcome {
  method: XaiMethod;
  /** Mean deletion-curve faithfulness over the windows (random AUC − method AUC; > 0 is better than chance). */
  faithfulness: number;
  /** Share of |attribution| in the top segment, and where it is (window-relative sample offsets). */
  topSegment: { start: number; end: number; share: number };
  dominantBand: { lowHz: number; highHz: number; share: number };
  attributionUri: string;
}

export interface ExplainSignalResult {
  signal: SignalRef;
  label: string;
  /** Class explained (index into the model's classes) and its name. */
  targetClass: number;
  targetLabel: string;
  predictedLabel: string;
  /** Model probability of the target class, mean over the windows. */
  probability: number;
  pictureUri: string;
  methods: XaiMethodOutcome[];
  /** True when every row was already stored by an earlier attempt or run (nothing recomputed). */
  reused: boolean;
}

export interface XaiFailure {
  signal: SignalRef;
  reason: string;
}

export interface ExplainSignalsResult {
  batchId: string;
  status: 'COMPLETED' | 'STOPPED';
  total: number;
  completed: number;
  failed: number;
  /** The first failures with their reasons (all of them are rows in `xai_explanations`). */
  failures: XaiFailure[];
  /** Per-class summary picture (SVG) and data (JSON), in the artifact store. */
  summaryUri: string | null;
  summaryJsonUri: string | null;
  /** Mean faithfulness per method over the completed signals. */
  faithfulnessByMethod: Partial<Record<XaiMethod, number>>;
}

/** One method's mean over the completed signals of one class. */
export interface XaiMethodProfile {
  method: XaiMethod;
  signals: number;
  /** Mean share of |attribution| per time segment of the window (sums ≈ 1). */
  segmentProfile: number[];
  /** Mean share of the attribution-weighted spectrum per frequency band (sums ≈ 1). */
  bandProfile: number[];
  meanFaithfulness: number;
}

export interface XaiClassProfile {
  label: string;
  /** Signals of this class explained by every method. */
  signals: number;
  failed: number;
  methods: XaiMethodProfile[];
}

/** The per-class summary data of a batch, stored as JSON at `summaryJsonUri`. */
export interface XaiClassSummary {
  batchId: string;
  modelId: string;
  /** Samples. */
  windowLength: number;
  samplingRateHz: number;
  bands: { lowHz: number; highHz: number }[];
  classes: XaiClassProfile[];
  faithfulnessByMethod: Partial<Record<XaiMethod, number>>;
  /** `<datasetId>:<index>: <reason>` per failed signal. */
  failures: string[];
}
