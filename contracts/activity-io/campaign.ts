/** Inputs of the campaign bookkeeping activities (HPO and NAS) and of the synthetic objective. */
import { z } from 'zod';
import { SlugSchema } from '../ids.js';
import { ParamValueSchema } from '../search-space.js';
import { SYNTHETIC_OBJECTIVE_NAMES } from '../testing/synthetic-objectives.js';

const ParamsSchema = z.record(z.string(), ParamValueSchema);
export const TrialStatusSchema = z.enum(['RUNNING', 'COMPLETED', 'PRUNED', 'FAILED', 'STOPPED', 'CANCELLED']);

export const RegisterCampaignInputSchema = z
  .object({
    campaignId: SlugSchema,
    kind: z.enum(['hpo', 'nas']).default('hpo'),
    datasetId: SlugSchema,
    evaluator: z.enum(['training', 'synthetic']),
    config: z.record(z.string(), z.unknown()),
    objective: z.string().min(1),
    direction: z.enum(['maximize', 'minimize']),
    workflowId: z.string().min(1),
  })
  .strict();
export type RegisterCampaignInput = z.input<typeof RegisterCampaignInputSchema>;
/** The dataset's class count (NAS sizes its genomes' heads with it; 0 for synthetic). */
export interface RegisteredCampaign {
  numClasses: number;
}

export const RecordTrialInputSchema = z
  .object({
    campaignId: SlugSchema,
    number: z.number().int().min(0),
    /** HPO: flat parameters; NAS: the genome. */
    params: z.record(z.string(), z.unknown()),
    status: TrialStatusSchema,
    rung: z.number().int().min(0),
    value: z.number().optional(),
    intermediate: z.record(z.string(), z.number()),
    experimentId: z.string().optional(),
    error: z.string().max(4000).optional(),
    metrics: z.record(z.string(), z.number()).optional(),
  })
  .strict();
export type RecordTrialInput = z.input<typeof RecordTrialInputSchema>;

export const HpoCountsSchema = z
  .object({ completed: z.number().int(), pruned: z.number().int(), failed: z.number().int(), stopped: z.number().int() })
  .strict();
export type HpoCounts = z.output<typeof HpoCountsSchema>;

export const HpoBestSchema = z.object({ trial: z.number().int(), value: z.number(), params: ParamsSchema, experimentId: z.string().optional() }).strict();

export const FinalizeHpoCampaignInputSchema = z
  .object({
    campaignId: SlugSchema,
    status: z.enum(['COMPLETED', 'STOPPED']),
    best: HpoBestSchema.nullable(),
    counts: HpoCountsSchema,
    reason: z.string().max(2000).optional(),
    /** Multi-objective campaigns: the objectives and the Pareto front, for the report. */
    pareto: z
      .object({
        objectives: z
          .array(z.object({ metric: z.string().min(1).max(100), direction: z.enum(['maximize', 'minimize']) }).strict())
          .min(2)
          .max(8),
        front: z.array(z.object({ trial: z.number().int().min(0), values: z.array(z.number()), params: ParamsSchema }).strict()).max(10_000),
      })
      .strict()
      .optional(),
  })
  .strict();
export type FinalizeHpoCampaignInput = z.input<typeof FinalizeHpoCampaignInputSchema>;

/** Where a finished campaign's report is (HTML in the artifact store). */
export interface CampaignReport {
  reportUri: string;
}

export const CampaignEndedInputSchema = z
  .object({
    campaignId: SlugSchema,
    kind: z.enum(['hpo', 'nas']).default('hpo'),
    status: z.enum(['FAILED', 'CANCELLED']),
    error: z.string().max(4000).optional(),
    runningTrials: z.array(z.number().int().min(0)),
  })
  .strict();
export type CampaignEndedInput = z.input<typeof CampaignEndedInputSchema>;

export const SyntheticObjectiveInputSchema = z
  .object({ function: z.enum(SYNTHETIC_OBJECTIVE_NAMES), params: ParamsSchema, epochs: z.number().int().min(1) })
  .strict();
export type SyntheticObjectiveInput = z.input<typeof SyntheticObjectiveInputSchema>;

export const NasPointSchema = z
  .object({
    candidate: z.number().int().min(0),
    valAccuracy: z.number(),
    params: z.number(),
    latencyMs: z.number(),
    score: z.number(),
    experimentId: z.string().optional(),
  })
  .strict();

export const NasCountsSchema = z
  .object({ completed: z.number().int(), failed: z.number().int(), rejected: z.number().int(), duplicates: z.number().int() })
  .strict();
export type NasCounts = z.output<typeof NasCountsSchema>;

export const FinalizeNasCampaignInputSchema = z
  .object({
    campaignId: SlugSchema,
    status: z.enum(['COMPLETED', 'STOPPED']),
    best: NasPointSchema.nullable(),
    counts: NasCountsSchema,
    reason: z.string().max(2000).optional(),
  })
  .strict();
export type FinalizeNasCampaignInput = z.input<typeof FinalizeNasCampaignInputSchema>;
