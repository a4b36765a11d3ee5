import { z } from 'zod';
import { architectureCost, formatCount, MIN_CLASSES, MODEL_CAPS } from './architecture.js';
import { TRAINING_DEFAULTS } from './constants.js';
import { SlugSchema } from './ids.js';
import { isValid, TrainSettingsSchema, type Architecture } from './training.js';
import { TestingKnobsSchema } from './testing/knobs.js';

/**
 * NAS campaign contract (seed task run_nas_campaign, whose "training" was random.uniform). Every
 * candidate architecture here is trained for real as a child trainModelWorkflow.
 */
/** The campaign input's fields alone (what `.partial()` needs); NasCampaignInputSchema adds the cross-field rules. */
export const NasCampaignInputObjectSchema = z
  .object({
    campaignId: SlugSchema,
    datasetId: SlugSchema,
    strategy: z
      .object({
        kind: z.enum(['aging-evolution', 'random']).default('aging-evolution'),
        seed: z
          .number()
          .int()
          .min(0)
          .max(2 ** 31 - 1)
          .default(0),
        /** P: population size (also the number of initial random candidates). */
        populationSize: z.number().int().min(1).max(10_000).default(10),
        /** S: tournament size. */
        sampleSize: z.number().int().min(1).max(10_000).default(3),
      })
      .strict()
      .default({ kind: 'aging-evolution', seed: 0, populationSize: 10, sampleSize: 3 }),
    /** Rejected before any training, with the reason recorded (DESIGN: no wasted training). */
    limits: z
      .object({
        maxParams: z.number().int().min(1).default(200_000),
        /** Multiply-accumulates per window: the pre-training stand-in for a latency cap. */
        maxMacs: z.number().int().min(1).optional(),
        minOutputLength: z.number().int().min(1).default(1),
      })
      .strict()
      .default({ maxParams: 200_000, minOutputLength: 1 }),
    /** The fixed short training budget of every candidate. */
    epochs: z.number().int().min(1).max(1_000).default(3),
    /**
     * Training settings every candidate shares; the architecture comes from the genome and
     * `epochs` from the field above.
     */
    training: TrainSettingsSchema.extend({
      architecture: z.never({ error: 'the architecture comes from the search; remove it' }).optional(),
    })
      .strict()
      .default({}),
    /** Single best by accuracy × (params/targetParams)^paramsExponent × (latency/targetLatencyMs)^latencyExponent. */
    scalarization: z
      .object({
        targetParams: z.number().positive().optional(),
        paramsExponent: z.number().max(0).optional(),
        targetLatencyMs: z.number().positive().optional(),
        latencyExponent: z.number().max(0).optional(),
      })
      .strict()
      .default({}),
    maxCandidates: z.number().int().min(1).max(100_000).default(20),
    maxConcurrentCandidates: z.number().int().min(1).max(200).default(2),
    maxFailedCandidates: z.number().int().min(0).max(100_000).default(3),
    maxDurationMinutes: z
      .number()
      .positive()
      .max(30 * 24 * 60)
      .optional(),
    candidateAttempts: z.number().int().min(1).max(10).default(1),
    trialTimeoutMinutes: z
      .number()
      .positive()
      .max(7 * 24 * 60)
      .default(60),
    testing: TestingKnobsSchema.optional(),
  })
  .strict();

/**
 * The smallest genome of the NAS space (workflows/search/nas/space.ts, checked by its unit
 * tests): two blocks of its fewest filters and shortest kernel, no extras, global pooling.
 * Whatever the strategy draws costs at least this, so limits below it reject every candidate.
 */
export const SMALLEST_NAS_GENOME: Architecture = {
  blocks: [0, 1].map(() => ({ filters: 8, kernelSize: 3, stride: 1, dilation: 1, pool: 'none' as const, poolSize: 2, batchNorm: false, residual: false })),
  head: 'global-avg',
  denseUnits: 0,
  dropout: 0,
};

/**
 * The campaign input with the rules that would otherwise reject every candidate before
 * training (the campaign would "complete" having trained nothing): checked by the client and
 * at the workflow's top, naming the limit.
 */
export const NasCampaignInputSchema = NasCampaignInputObjectSchema.superRefine((input, ctx) => {
  if (!isValid(TrainSettingsSchema, input.training) || !Number.isInteger(input.limits.maxParams) || !Number.isInteger(input.limits.minOutputLength)) return;
  const windowLength = input.training.windowLength ?? TRAINING_DEFAULTS.windowLength;
  if (input.limits.minOutputLength > windowLength) {
    ctx.addIssue({
      code: 'custom',
      path: ['limits', 'minOutputLength'],
      message: `must be <= the window length ${windowLength}: no architecture can keep a longer sequence`,
    });
  }
  const smallest = architectureCost(SMALLEST_NAS_GENOME, { inputLength: windowLength, numClasses: MIN_CLASSES });
  if (input.limits.maxParams < smallest.params) {
    ctx.addIssue({
      code: 'custom',
      path: ['limits', 'maxParams'],
      message: `must be >= ${formatCount(smallest.params)}, the parameters of the smallest architecture the search can propose`,
    });
  }
  if (input.limits.maxParams > MODEL_CAPS.maxParams) {
    ctx.addIssue({ code: 'custom', path: ['limits', 'maxParams'], message: `must be <= ${formatCount(MODEL_CAPS.maxParams)}, the cap of any trained model` });
  }
});
export type NasCampaignInput = z.output<typeof NasCampaignInputSchema>;
export type NasCampaignRequest = z.input<typeof NasCampaignInputSchema>;

/** One evaluated architecture's objectives. */
export interface NasPoint {
  candidate: number;
  valAccuracy: number;
  params: number;
  latencyMs: number;
  score: number;
  experimentId?: string;
}

export interface NasCampaignResult {
  campaignId: string;
  status: 'COMPLETED' | 'STOPPED';
  candidates: { total: number; completed: number; failed: number; rejected: number; duplicates: number };
  best: NasPoint | null;
  /** Pareto front (maximise accuracy, minimise params and latency). */
  front: NasPoint[];
  reportUri?: string;
}

/** The same update as HPO campaigns: budget and concurrency of a running campaign. */
export const NasCampaignUpdateSchema = z
  .object({
    maxCandidates: z.number().int().min(1).max(100_000).optional(),
    maxConcurrentCandidates: z.number().int().min(1).max(200).optional(),
  })
  .strict()
  .refine((u) => u.maxCandidates !== undefined || u.maxConcurrentCandidates !== undefined, 'give maxCandidates and/or maxConcurrentCandidates');
export type NasCampaignUpdate = z.infer<typeof NasCampaignUpdateSchema>;
export interface NasCampaignUpdateResult {
  maxCandidates: number;
  maxConcurrentCandidates: number;
}
