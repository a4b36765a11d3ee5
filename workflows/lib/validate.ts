import { ApplicationFailure } from '@temporalio/workflow';
import type { z } from 'zod';
import { ERROR_TYPES, InputValidationError, parseInput } from '../../contracts/index.js';

/**
 * Validate a workflow input at the top of the workflow. Callers in other languages start
 * workflows by type name with raw JSON, so the workflow re-checks what the TS client checked;
 * a bad input fails the run once, non-retryably, naming the field and the value.
 */
export function validateWorkflowInput<S extends z.ZodType>(schema: S, raw: unknown, what: string): z.output<S> {
  try {
    return parseInput(schema, raw, what);
  } catch (err) {
    if (err instanceof InputValidationError) {
      throw ApplicationFailure.nonRetryable(err.message, ERROR_TYPES.invalidInput, { issues: err.issues });
    }
    throw err;
  }
}
