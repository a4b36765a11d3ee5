/** Inputs of the dataset activities (registration, chunks, finalization). */
import { z } from 'zod';
import { SimulatorConfigSchema } from '../dataset.js';
import { SlugSchema } from '../ids.js';

export const RegisterDatasetInputSchema = z
  .object({ datasetId: SlugSchema, name: z.string().min(1).max(200), config: SimulatorConfigSchema, workflowId: z.string().min(1) })
  .strict();
export type RegisterDatasetInput = z.input<typeof RegisterDatasetInputSchema>;

export const GenerateSignalChunkInputSchema = z
  .object({
    datasetId: SlugSchema,
    config: SimulatorConfigSchema,
    start: z.number().int().min(0),
    count: z.number().int().min(1).max(256),
  })
  .strict();
export type GenerateSignalChunkInput = z.input<typeof GenerateSignalChunkInputSchema>;

export const FinalizeDatasetInputSchema = z.object({ datasetId: SlugSchema, expectedSignals: z.number().int().min(1) }).strict();
export type FinalizeDatasetInput = z.input<typeof FinalizeDatasetInputSchema>;

/** How a run ended when it did not complete: what every `mark…Ended` activity records. */
export const RunEndedSchema = z.object({ status: z.enum(['FAILED', 'CANCELLED']), error: z.string().max(4000).optional() }).strict();

export const DatasetEndedInputSchema = RunEndedSchema.extend({ datasetId: SlugSchema }).strict();
export type DatasetEndedInput = z.input<typeof DatasetEndedInputSchema>;
