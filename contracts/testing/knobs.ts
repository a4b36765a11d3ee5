import { z } from 'zod';

/**
 * Knobs for tests and benchmarks, kept out of the operational fields of every workflow input:
 * a caller in production leaves `testing` out. Each workflow reads only what applies to it.
 */
export const TestingKnobsSchema = z
  .object({
    /**
     * Continue as new after this many finished units in one run (dataset chunks, HPO trials, NAS
     * candidates, XAI signals) instead of only when Temporal suggests it, so tests and benches
     * exercise continue-as-new without a history of thousands of events.
     */
    continueAsNewEvery: z.number().int().min(1).max(1_000_000).optional(),
  })
  .strict()
  .describe(
    'Test and benchmark knobs; leave out in production. continueAsNewEvery: continue as new after that many finished units (chunks, trials, candidates, signals) instead of when Temporal suggests it.',
  );
export type TestingKnobs = z.output<typeof TestingKnobsSchema>;
