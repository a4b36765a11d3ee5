/** Inputs and outputs of the training activities (experiment rows and the training run). */
import { z } from 'zod';
import { ArtifactUriSchema } from '../artifact-uri.js';
import { SlugSchema } from '../ids.js';
import { TrainHyperparametersSchema, type TrainModelResult } from '../training.js';
import { RunEndedSchema } from './dataset.js';

export const CampaignMembershipSchema = z.object({ campaignId: SlugSchema, kind: z.enum(['hpo', 'nas']), index: z.number().int().min(0) }).strict();

export const RegisterExperimentInputSchema = z
  .object({
    experimentId: SlugSchema,
    datasetId: SlugSchema,
    hyperparameters: TrainHyperparametersSchema,
    campaign: CampaignMembershipSchema.optional(),
    workflowId: z.string().min(1),
  })
  .strict();
export type RegisterExperimentInput = z.input<typeof RegisterExperimentInputSchema>;

export const CheckpointRefSchema = z.object({ checkpointUri: ArtifactUriSchema, epoch: z.number().int().min(0) }).strict();
export type CheckpointRef = z.output<typeof CheckpointRefSchema>;

export const TrainActivityInputSchema = z
  .object({
    experimentId: SlugSchema,
    datasetId: SlugSchema,
    hyperparameters: TrainHyperparametersSchema,
    resumeFrom: CheckpointRefSchema.optional(),
    workflowId: z.string().min(1),
  })
  .strict();
export type TrainActivityInput = z.input<typeof TrainActivityInputSchema>;

/**
 * What a training run (the training activity) yields: the workflow's result without its
 * identity and status, which the caller adds. `epochsCompleted` is the last completed epoch,
 * absolute (counting earlier attempts and continuations); `checkpointUri` is that epoch's
 * checkpoint, with optimizer state, for a later continuation; `trainSamplesPerSec` covers the
 * epochs this call ran (0 when none).
 */
export type TrainingOutcome = Omit<TrainModelResult, 'experimentId' | 'status'>;

/** The outcome is the training activity's own output, passed through by the workflow. */
export const CompleteExperimentInputSchema = z
  .object({ experimentId: SlugSchema, windowLength: z.number().int().min(1), outcome: z.custom<TrainingOutcome>((v) => v !== null && typeof v === 'object') })
  .strict();
export type CompleteExperimentInput = z.input<typeof CompleteExperimentInputSchema>;

export const ExperimentEndedInputSchema = RunEndedSchema.extend({ experimentId: SlugSchema }).strict();
export type ExperimentEndedInput = z.input<typeof ExperimentEndedInputSchema>;
