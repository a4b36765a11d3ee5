import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';
import { ERROR_TYPES, InputValidationError, parseInput } from '../../contracts/index.js';

/** Validate an activity input; bad input is a non-retryable failure naming field and value. */
export function validateActivityInput<S extends z.ZodType>(schema: S, raw: unknown, what: string): z.output<S> {
  try {
    return parseInput(schema, raw, what);
  } catch (err) {
    if (err instanceof InputValidationError) {
      throw ApplicationFailure.nonRetryable(err.message, ERROR_TYPES.invalidInput, { issues: err.issues });
    }
    throw err;
  }
}

export function notFound(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, ERROR_TYPES.notFound);
}

export function invalidState(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, ERROR_TYPES.invalidState);
}
