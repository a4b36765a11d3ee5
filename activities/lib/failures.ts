import { ApplicationFailure } from '@temporalio/common';
import { ERROR_TYPES } from '../../contracts/index.js';

/** Validate an activity input; bad input is a non-retryable failure naming field and value. */
export { parseInputOrFail as validateActivityInput } from '../../contracts/index.js';

export function notFound(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, ERROR_TYPES.notFound);
}

export function invalidState(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, ERROR_TYPES.invalidState);
}
