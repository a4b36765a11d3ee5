/** Inputs and outputs of the batch-XAI activities (registration, paging, one signal, closing). */
import { z } from 'zod';
import { SlugSchema } from '../ids.js';
import { SignalRefSchema, SignalSelectionSchema, XaiMethodSchema, XaiMethodsSchema, type ExplainSignalsResult } from '../xai.js';

export const RegisterXaiBatchInputSchema = z
  .object({
    batchId: SlugSchema,
    modelId: SlugSchema,
    selection: SignalSelectionSchema,
    methods: XaiMethodsSchema,
    seed: z.number().int().min(0),
    config: z.record(z.string(), z.unknown()),
    workflowId: z.string().min(1),
  })
  .strict();
export type RegisterXaiBatchInput = z.input<typeof RegisterXaiBatchInputSchema>;

/** What registration resolves once per batch (and the batch carries across continue-as-new). */
export interface RegisteredXaiBatch {
  total: number;
  modelUri: string;
  classes: string[];
  inputLength: number;
  backgroundUri: string | null;
}

export const ListXaiSignalsInputSchema = z
  .object({
    datasetId: SlugSchema,
    labels: z.array(z.string()).optional(),
    fromIndex: z.number().int().min(0).optional(),
    toIndex: z.number().int().min(1).optional(),
    afterIndex: z.number().int().min(-1),
    limit: z.number().int().min(1).max(1_000),
  })
  .strict();
export type ListXaiSignalsInput = z.input<typeof ListXaiSignalsInputSchema>;

export const ExplainSignalInputSchema = z
  .object({
    batchId: SlugSchema,
    modelUri: z.string().min(1),
    classes: z.array(z.string()).min(2),
    inputLength: z.number().int().min(1),
    signal: SignalRefSchema,
    methods: XaiMethodsSchema,
    windowsPerSignal: z.number().int().min(1),
    target: z.enum(['predicted', 'label']),
    faithfulness: z.object({ steps: z.number().int().min(2), randomOrders: z.number().int().min(1) }).strict(),
    summary: z.object({ segments: z.number().int().min(2), topK: z.number().int().min(1), bands: z.number().int().min(2) }).strict(),
    seed: z.number().int().min(0),
    backgroundUri: z.string().nullable(),
  })
  .strict();
export type ExplainSignalInput = z.input<typeof ExplainSignalInputSchema>;

export const RecordXaiFailureInputSchema = z
  .object({ batchId: SlugSchema, signal: SignalRefSchema, methods: z.array(XaiMethodSchema).min(1), reason: z.string().min(1).max(4000) })
  .strict();
export type RecordXaiFailureInput = z.input<typeof RecordXaiFailureInputSchema>;

export const FinalizeXaiBatchInputSchema = z
  .object({ batchId: SlugSchema, status: z.enum(['COMPLETED', 'STOPPED']), reason: z.string().max(2000).optional() })
  .strict();
export type FinalizeXaiBatchInput = z.input<typeof FinalizeXaiBatchInputSchema>;
/** What closing a batch stores for its result: the summary's picture and data, and the mean faithfulness. */
export type FinalizedXaiBatch = Pick<ExplainSignalsResult, 'summaryUri' | 'summaryJsonUri' | 'faithfulnessByMethod'>;

export const XaiBatchEndedInputSchema = z
  .object({ batchId: SlugSchema, status: z.enum(['FAILED', 'CANCELLED']), error: z.string().max(4000).optional() })
  .strict();
export type XaiBatchEndedInput = z.input<typeof XaiBatchEndedInputSchema>;
