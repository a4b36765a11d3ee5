import { z } from 'zod';
import { SlugSchema } from './ids.js';
import { SearchSpaceSchema } from './search-space.js';
import { DEFAULT_CNN_SPACE, hpoSpaceIssues } from './hpo-space.js';
import { SYNTHETIC_OBJECTIVE_NAMES, SYNTHETIC_OBJECTIVES } from './testing/synthetic-objectives.js';
import { isValid, TrainSettingsSchema } from './training.js';
import { TestingKnobsSchema } from './testing/knobs.js';

/**
 * HPO campaign contract (seed tasks run_hpo_campaign / stop_hpo_campaign).
 *
 * The search space is plain JSON (float, log-float, int, categorical, conditional `when`;
 * contracts/search-space.ts), validated by the client before sending and by the workflow at its
 * top, so a bad space fails naming the offending path.
 */
export const HPO_METRICS = ['valAccuracy', 'valLoss'] as const;
export type HpoMetric = (typeof HPO_METRICS)[number];
/**
 * What a multi-objective campaign (sampler.kind "nsga2") can trade off: the validation metrics,
 * and the trained model's size and measured latency (TrainModelResult.parameterCount,
 * .inferenceMsPerWindow).
 */
export const HPO_OBJECTIVE_METRICS = ['valAccuracy', 'valLoss', 'parameterCount', 'inferenceMsPerWindow'] as const;
export type HpoObjectiveMetric = (typeof HPO_OBJECTIVE_METRICS)[number];
export const HPO_SAMPLERS = ['tpe', 'gp', 'random', 'grid', 'nsga2'] as const;
export type HpoSamplerKind = (typeof HPO_SAMPLERS)[number];

export const HpoObjectiveSchema = z
  .object({ metric: z.enum(HPO_OBJECTIVE_METRICS), direction: z.enum(['maximize', 'minimize']).optional() })
  .strict()
  .describe('One objective of a multi-objective campaign; direction defaults to maximize for valAccuracy, minimize otherwise.');
export type HpoObjective = z.output<typeof HpoObjectiveSchema>;

/** The campaign input's fields alone (what `.partial()` / `.pick()` need); HpoCampaignInputSchema adds the cross-field rules. */
export const HpoCampaignInputObjectSchema = z
  .object({
    campaignId: SlugSchema,
    datasetId: SlugSchema,
    /** Search space; omitted: the default 1D-CNN space of workflows/search. */
    space: SearchSpaceSchema.optional().describe(`${SearchSpaceSchema.description} Omitted: the default 1D-CNN space.`),
    /** Training settings every trial shares; sampled parameters override them. */
    base: TrainSettingsSchema.default({}),
    sampler: z
      .object({
        /** tpe (default), gp (Gaussian process), random, grid; nsga2 for several `objectives`. */
        kind: z.enum(HPO_SAMPLERS).default('tpe'),
        seed: z
          .number()
          .int()
          .min(0)
          .max(2 ** 31 - 1)
          .default(0),
        /** TPE and GP: random trials before the model is used. */
        startupTrials: z.number().int().min(1).max(1_000).optional(),
        /** NSGA-II: trials per generation (default 50). */
        populationSize: z.number().int().min(2).max(10_000).optional(),
      })
      .strict()
      .default({ kind: 'tpe', seed: 0 }),
    pruner: z
      .object({
        kind: z.enum(['asha', 'median', 'none']).default('asha'),
        /** Epochs of the first rung. */
        minEpochs: z.number().int().min(1).max(10_000).default(1),
        /** Epochs of a trial that is never stopped (the last rung). */
        maxEpochs: z.number().int().min(1).max(10_000).default(9),
        reductionFactor: z.number().int().min(2).max(10).default(3),
      })
      .strict()
      .refine((p) => p.minEpochs <= p.maxEpochs, { message: 'minEpochs must be <= maxEpochs', path: ['minEpochs'] })
      .default({ kind: 'asha', minEpochs: 1, maxEpochs: 9, reductionFactor: 3 }),
    objective: z
      .object({ metric: z.enum(HPO_METRICS).default('valAccuracy'), direction: z.enum(['maximize', 'minimize']).optional() })
      .strict()
      .default({ metric: 'valAccuracy' }),
    /**
     * Multi-objective search (sampler.kind "nsga2" only): two to four objectives, e.g.
     * [{ metric: 'valAccuracy' }, { metric: 'inferenceMsPerWindow' }]. The report shows their
     * Pareto front; `objective` stays what each trial's row records and the "best" trial.
     */
    objectives: z.array(HpoObjectiveSchema).min(2).max(4).optional(),
    maxTrials: z.number().int().min(1).max(100_000).default(20),
    maxConcurrentTrials: z.number().int().min(1).max(200).default(2),
    /** The campaign fails when more trials than this fail (after their retries). */
    maxFailedTrials: z.number().int().min(0).max(100_000).default(3),
    /** Wall-time budget: no trial starts after it; running ones finish. */
    maxDurationMinutes: z
      .number()
      .positive()
      .max(30 * 24 * 60)
      .optional(),
    /** Attempts per trial (a failed child training run is started again, up to this). */
    trialAttempts: z.number().int().min(1).max(10).default(2),
    trialTimeoutMinutes: z
      .number()
      .positive()
      .max(7 * 24 * 60)
      .default(60),
    /**
     * What evaluates a trial: real training (a child trainModelWorkflow per trial and rung), or an
     * instant synthetic function (an activity; benchmarks and orchestration tests only).
     */
    evaluator: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('training') }).strict(),
        z.object({ kind: z.literal('synthetic'), function: z.enum(SYNTHETIC_OBJECTIVE_NAMES) }).strict(),
      ])
      .default({ kind: 'training' }),
    testing: TestingKnobsSchema.optional(),
  })
  .strict();

/**
 * The campaign input with every rule its sampler and trials would apply later (hpo-space.ts):
 * the client checks it before sending, the workflow at its top, so a campaign that could only
 * fail (or search nothing) is refused naming the field.
 */
export const HpoCampaignInputSchema = HpoCampaignInputObjectSchema.superRefine((input, ctx) => {
  samplerIssues(input, ctx);
  if ((input.space !== undefined && !isValid(SearchSpaceSchema, input.space)) || !isValid(TrainSettingsSchema, input.base)) return;
  const evaluator = input.evaluator;
  if (evaluator.kind === 'synthetic' && !Object.hasOwn(SYNTHETIC_OBJECTIVES, evaluator.function)) return;
  const given = input.space !== undefined;
  const space = input.space ?? (evaluator.kind === 'synthetic' ? SearchSpaceSchema.parse(SYNTHETIC_OBJECTIVES[evaluator.function].space) : DEFAULT_CNN_SPACE);
  hpoSpaceIssues({ space, given, evaluator, sampler: input.sampler.kind, base: input.base }, ctx);
});
export type HpoCampaignInput = z.output<typeof HpoCampaignInputSchema>;
export type HpoCampaignRequest = z.input<typeof HpoCampaignInputSchema>;

/** The sampler's options and the objectives must fit together; each issue names its field. */
function samplerIssues(input: z.output<typeof HpoCampaignInputObjectSchema>, ctx: z.RefinementCtx): void {
  const kind = input.sampler.kind;
  const issue = (path: (string | number)[], message: string): void => ctx.addIssue({ code: 'custom', path, message });
  if (kind === 'nsga2') {
    if (!input.objectives) issue(['objectives'], `is required with sampler.kind "nsga2" (e.g. [{"metric":"valAccuracy"},{"metric":"inferenceMsPerWindow"}])`);
    if (input.pruner.kind !== 'none')
      issue(['pruner', 'kind'], `must be "none" with sampler.kind "nsga2" (a pruner ranks one objective), got "${input.pruner.kind}"`);
    if (input.evaluator.kind !== 'training') issue(['evaluator', 'kind'], 'must be "training" with sampler.kind "nsga2" (size and latency come from training)');
  } else if (input.objectives) {
    issue(['objectives'], `needs sampler.kind "nsga2" (sampler.kind "${kind}" searches one objective; set objective instead)`);
  }
  if (input.objectives) {
    const seen = new Set<string>();
    input.objectives.forEach((o, i) => {
      if (seen.has(o.metric)) issue(['objectives', i, 'metric'], `"${o.metric}" is listed twice`);
      seen.add(o.metric);
    });
  }
  if (input.sampler.startupTrials !== undefined && kind !== 'tpe' && kind !== 'gp') {
    issue(['sampler', 'startupTrials'], `applies to sampler.kind "tpe" or "gp", not "${kind}"`);
  }
  if (input.sampler.populationSize !== undefined && kind !== 'nsga2') issue(['sampler', 'populationSize'], `applies to sampler.kind "nsga2", not "${kind}"`);
}

export function objectiveDirection(o: HpoCampaignInput['objective']): 'maximize' | 'minimize' {
  return o.direction ?? (o.metric === 'valLoss' ? 'minimize' : 'maximize');
}

/** A multi-objective campaign's objectives with their directions resolved. */
export function resolvedObjectives(objectives: readonly HpoObjective[]): { metric: HpoObjectiveMetric; direction: 'maximize' | 'minimize' }[] {
  return objectives.map((o) => ({ metric: o.metric, direction: o.direction ?? (o.metric === 'valAccuracy' ? 'maximize' : 'minimize') }));
}

/** One trial on a multi-objective campaign's Pareto front. */
export interface HpoParetoTrial {
  trial: number;
  /** One value per objective, in the campaign's order. */
  values: number[];
  params: Record<string, string | number | boolean>;
}

export const TRIAL_OUTCOMES = ['COMPLETED', 'PRUNED', 'FAILED', 'STOPPED', 'CANCELLED'] as const;
export type TrialOutcome = (typeof TRIAL_OUTCOMES)[number];

/** A compact trial record: what the campaign carries across continue-as-new and reports. */
export interface HpoTrialSummary {
  number: number;
  params: Record<string, string | number | boolean>;
  status: 'RUNNING' | TrialOutcome;
  /** Objective value at the last rung reached. */
  value?: number;
  /** Multi-objective campaigns: one value per objective (`objectives` order). */
  values?: number[];
  /** Index of the last rung reached. */
  rung: number;
  /** Experiment id of each rung run (training evaluator). */
  experimentIds: string[];
  error?: string;
}

export interface HpoBest {
  trial: number;
  value: number;
  params: Record<string, string | number | boolean>;
  experimentId?: string;
}

export interface HpoCampaignResult {
  campaignId: string;
  status: 'COMPLETED' | 'STOPPED';
  direction: 'maximize' | 'minimize';
  metric: HpoMetric;
  trials: { total: number; completed: number; pruned: number; failed: number; stopped: number };
  best: HpoBest | null;
  /** Multi-objective campaigns: the objectives and the non-dominated complete trials. */
  pareto?: { objectives: { metric: HpoObjectiveMetric; direction: 'maximize' | 'minimize' }[]; front: HpoParetoTrial[] };
  reportUri?: string;
}

/** Changes a running campaign accepts (Temporal update `updateCampaign`, validated). */
export const HpoCampaignUpdateSchema = z
  .object({
    maxTrials: z.number().int().min(1).max(100_000).optional(),
    maxConcurrentTrials: z.number().int().min(1).max(200).optional(),
  })
  .strict()
  .refine((u) => u.maxTrials !== undefined || u.maxConcurrentTrials !== undefined, 'give maxTrials and/or maxConcurrentTrials');
export type HpoCampaignUpdate = z.infer<typeof HpoCampaignUpdateSchema>;
export interface HpoCampaignUpdateResult {
  maxTrials: number;
  maxConcurrentTrials: number;
}
