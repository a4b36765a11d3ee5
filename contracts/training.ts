import { z } from 'zod';
import { architectureIssue, MIN_CLASSES, REFERENCE_ARCHITECTURE } from './architecture.js';
import { ArtifactUriSchema } from './artifact-uri.js';
import { TRAINING_DEFAULTS } from './constants.js';
import { SlugSchema } from './ids.js';

/** One convolution block of a 1D CNN. */
export const ConvBlockSchema = z
  .object({
    filters: z.number().int().min(1).max(512),
    kernelSize: z.number().int().min(1).max(512),
    stride: z.number().int().min(1).max(64).default(1),
    dilation: z.number().int().min(1).max(64).default(1),
    pool: z.enum(['max', 'avg', 'none']).default('max'),
    poolSize: z.number().int().min(1).max(16).default(2),
    batchNorm: z.boolean().default(false),
    residual: z.boolean().default(false),
  })
  .strict();
export type ConvBlock = z.output<typeof ConvBlockSchema>;

/** A 1D CNN architecture: blocks + head. The same description serves HPO and NAS. */
export const ArchitectureSchema = z
  .object({
    blocks: z.array(ConvBlockSchema).min(1).max(12),
    head: z.enum(['global-avg', 'global-max', 'flatten']).default('global-avg'),
    denseUnits: z.number().int().min(0).max(1024).default(0),
    dropout: z.number().min(0).max(0.9).default(0),
  })
  .strict();
export type Architecture = z.output<typeof ArchitectureSchema>;

export const OptimizerSchema = z.enum(['adam', 'sgd', 'rmsprop']);

/** Each training setting's own rule, shared by the full settings and the partial ones. */
const setting = {
  windowLength: z.number().int().min(64).max(65_536),
  windowHop: z.number().int().min(1).max(65_536),
  maxWindowsPerSignal: z.number().int().min(1).max(10_000),
  epochs: z.number().int().min(1).max(10_000),
  batchSize: z.number().int().min(1).max(4_096),
  learningRate: z.number().positive().max(10),
  optimizer: OptimizerSchema,
  /** Early stopping on validation loss; 0 disables it. */
  patience: z.number().int().min(0).max(10_000),
  minDelta: z.number().min(0),
  validationFraction: z.number().min(0.05).max(0.5),
  testFraction: z.number().min(0.05).max(0.5),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1),
};

/**
 * How signals are assigned to train / validation / test (ml/data/split.ts).
 * - `signal` (default): whole signals, stratified by class. Leak-free when every signal is its own
 *   recording (the simulator's).
 * - `time`: for signals cut from one recording (imports), contiguous time ranges of each recording
 *   — train, then validation, then test — with `gapSignals` signals left out between them, so no
 *   two neighbouring windows sit on both sides. Signals without a recording are split by signal.
 * - `condition`: every signal at a held-out load (hp) or within an rpm range is the test set;
 *   the rest is split into train / validation by `within` (validationFraction; testFraction unused).
 */
export const SplitSpecSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('signal') }).strict(),
  z.object({ kind: z.literal('time'), gapSignals: z.number().int().min(1).max(64).default(1) }).strict(),
  z
    .object({
      kind: z.literal('condition'),
      holdOut: z
        .object({
          loadHp: z.array(z.number().min(0).max(10)).min(1).max(16).optional(),
          rpmRange: z
            .tuple([z.number().positive().max(100_000), z.number().positive().max(100_000)])
            .refine(([lo, hi]) => lo <= hi, 'rpmRange[0] must be <= rpmRange[1]')
            .optional(),
        })
        .strict()
        .refine((h) => (h.loadHp === undefined) !== (h.rpmRange === undefined), 'give exactly one of loadHp and rpmRange'),
      within: z.enum(['signal', 'time']).default('signal'),
      gapSignals: z.number().int().min(1).max(64).default(1),
    })
    .strict(),
]);
export type SplitSpec = z.output<typeof SplitSpecSchema>;

/**
 * Random changes to every training window, redrawn each epoch from (seed, epoch): robustness to
 * what differs between recordings — speed (a few % between loads), gain, noise. 0 = off.
 */
export const AugmentationSchema = z
  .object({
    /** Time stretch by a factor drawn from [1 − s, 1 + s] (a speed change of up to s). */
    speedStretch: z.number().min(0).max(0.2).default(0),
    /** Amplitude multiplied by a factor from [1 − a, 1 + a]. */
    amplitudeScale: z.number().min(0).max(0.9).default(0),
    /** Gaussian noise added, with this standard deviation relative to the window's. */
    noise: z.number().min(0).max(2).default(0),
  })
  .strict();
export type Augmentation = z.output<typeof AugmentationSchema>;

/**
 * The options that make a model hold on recordings it never saw. All optional without defaults,
 * so requests written before them keep their derived ids.
 * - `normalization`: `window` (unset: each window z-scored alone, loudness discarded) or
 *   `recording` (every window of a recording scaled by that recording's mean and deviation, per
 *   split, so relative loudness within a recording — fault size — survives).
 * - `augmentation`: see AugmentationSchema.
 * - `adaBN`: before the test, re-estimate batch-norm statistics on the test windows (unlabelled
 *   target recordings); the stored model carries the adapted statistics.
 */
const robustness = {
  normalization: z.enum(['window', 'recording']).optional(),
  augmentation: AugmentationSchema.optional(),
  adaBN: z.boolean().optional(),
};

export const TrainHyperparametersSchema = z
  .object({
    architecture: ArchitectureSchema.optional(),
    windowLength: setting.windowLength.default(TRAINING_DEFAULTS.windowLength),
    windowHop: setting.windowHop.default(TRAINING_DEFAULTS.windowHop),
    maxWindowsPerSignal: setting.maxWindowsPerSignal.default(TRAINING_DEFAULTS.maxWindowsPerSignal),
    epochs: setting.epochs.default(TRAINING_DEFAULTS.epochs),
    batchSize: setting.batchSize.default(TRAINING_DEFAULTS.batchSize),
    learningRate: setting.learningRate.default(TRAINING_DEFAULTS.learningRate),
    optimizer: setting.optimizer.default('adam'),
    patience: setting.patience.default(TRAINING_DEFAULTS.patience),
    minDelta: setting.minDelta.default(TRAINING_DEFAULTS.minDelta),
    validationFraction: setting.validationFraction.default(TRAINING_DEFAULTS.validationFraction),
    testFraction: setting.testFraction.default(TRAINING_DEFAULTS.testFraction),
    seed: setting.seed.default(1),
    /** Unset = by signal. No default, so requests written before the option keep their derived ids. */
    split: SplitSpecSchema.optional(),
    ...robustness,
  })
  .strict()
  // The activity would fail the same way on every retry: refuse the model before anything runs.
  .superRefine((hp, ctx) => {
    if (hp.architecture) addArchitectureIssue(hp.architecture, hp.windowLength, ['architecture'], ctx);
  });

/** Zod runs refinements even when a field already failed: cross-field rules only judge fields that are valid. */
export const isValid = (schema: z.ZodType, value: unknown): boolean => schema.safeParse(value).success;
export type TrainHyperparameters = z.output<typeof TrainHyperparametersSchema>;

/** Each training setting's rule, by field name: what an HPO space parameter of that name must satisfy. */
export const TRAIN_SETTING_SCHEMAS = setting;

/**
 * Adds the issue (if any) of training `arch` on windows of `windowLength` samples, at `at` +
 * the field at fault. The class count is not known before the dataset is read, so the caps are
 * checked with the fewest classes (a lower bound); the activity checks again with the real one.
 */
export function addArchitectureIssue(
  arch: Architecture,
  windowLength: number,
  at: (string | number)[],
  ctx: z.RefinementCtx,
  opts: { describe?: string } = {},
): boolean {
  if (!isValid(ArchitectureSchema, arch) || !isValid(setting.windowLength, windowLength)) return false;
  const issue = architectureIssue(arch, { inputLength: windowLength, numClasses: MIN_CLASSES });
  if (!issue) return false;
  // A described architecture (the default one) is not in the input: name its field in the message instead.
  const path = opts.describe ? at : [...at, ...issue.path];
  const where = opts.describe ? `${opts.describe} ${issue.path.join('.')}: ` : '';
  ctx.addIssue({ code: 'custom', path, message: `${where}${issue.message} (windowLength ${windowLength})` });
  return true;
}

/**
 * Some training settings, none filled in: what a campaign's trials (HPO `base`) or candidates
 * (NAS `training`) share, overridden by what the search proposes. Same rules per field as
 * TrainHyperparametersSchema, so a typo fails the campaign's start, not every trial.
 */
export const TrainSettingsSchema = z
  .object({
    architecture: ArchitectureSchema.optional(),
    windowLength: setting.windowLength.optional(),
    windowHop: setting.windowHop.optional(),
    maxWindowsPerSignal: setting.maxWindowsPerSignal.optional(),
    epochs: setting.epochs.optional(),
    batchSize: setting.batchSize.optional(),
    learningRate: setting.learningRate.optional(),
    optimizer: setting.optimizer.optional(),
    patience: setting.patience.optional(),
    minDelta: setting.minDelta.optional(),
    validationFraction: setting.validationFraction.optional(),
    testFraction: setting.testFraction.optional(),
    seed: setting.seed.optional(),
    split: SplitSpecSchema.optional(),
    ...robustness,
  })
  .strict();
export type TrainSettings = z.output<typeof TrainSettingsSchema>;

export const TrainModelInputSchema = z
  .object({
    experimentId: SlugSchema,
    datasetId: SlugSchema,
    hyperparameters: TrainHyperparametersSchema.superRefine((hp, ctx) => {
      // Without an architecture the reference CNN is trained, whose strides and pools need long enough windows.
      if (!hp.architecture)
        addArchitectureIssue(REFERENCE_ARCHITECTURE, hp.windowLength, ['windowLength'], ctx, { describe: 'the default architecture (no architecture given):' });
    }).default(TrainHyperparametersSchema.parse({})),
    /** Continue a previous run from its checkpoint (e.g. an ASHA promotion) instead of restarting. */
    resumeFrom: z
      .object({ checkpointUri: ArtifactUriSchema, epoch: z.number().int().min(0) })
      .strict()
      .optional(),
    /** Set when the run is part of a campaign (HPO trial, NAS candidate). */
    campaign: z
      .object({ campaignId: SlugSchema, kind: z.enum(['hpo', 'nas']), index: z.number().int().min(0) })
      .strict()
      .optional(),
    /** Upper bound for the training activity, minutes (DESIGN: every activity has a deadline). */
    maxTrainingMinutes: z
      .number()
      .positive()
      .max(7 * 24 * 60)
      .default(120),
  })
  .strict();
export type TrainModelInput = z.output<typeof TrainModelInputSchema>;
export type TrainModelRequest = z.input<typeof TrainModelInputSchema>;

export interface EpochMetrics {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss: number;
  valAccuracy: number;
  durationMs: number;
  samplesPerSec: number;
}

/** Heartbeat details of the training activity: everything a retry needs to resume. */
export interface TrainingHeartbeat {
  epoch: number;
  checkpointUri: string;
  metrics: EpochMetrics;
  bestValLoss: number;
  bestEpoch: number;
  bestCheckpointUri: string;
  epochsWithoutImprovement: number;
}

export interface ClassBalance {
  train: Record<string, number>;
  validation: Record<string, number>;
  test: Record<string, number>;
}

export interface TrainModelResult {
  experimentId: string;
  status: 'COMPLETED';
  testAccuracy: number;
  testLoss: number;
  bestValAccuracy: number;
  bestValLoss: number;
  confusionMatrix: number[][];
  classes: string[];
  modelUri: string;
  /** Checkpoint of the last trained epoch (with optimizer state) for later continuation. */
  checkpointUri: string;
  epochsCompleted: number;
  bestEpoch: number;
  stoppedEarly: boolean;
  backend: string;
  /** What computed, e.g. `tfjs-node 4.22.0, TensorFlow 2.18.1`; absent for experiments trained before it was recorded. */
  backendVersion?: string;
  parameterCount: number;
  classBalance: ClassBalance;
  trainSamplesPerSec: number;
  /** Median single-window inference latency of the final model on the training backend, ms. */
  inferenceMsPerWindow: number;
}
