import { ApplicationFailure } from '@temporalio/common';
import { ERROR_TYPES } from '../../contracts/index.js';
import { isConnectionError } from '../../db/resilient.js';

/** Validate an activity input; bad input is a non-retryable failure naming field and value. */
export { parseInputOrFail as validateActivityInput } from '../../contracts/index.js';

export function notFound(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, ERROR_TYPES.notFound);
}

export function invalidState(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, ERROR_TYPES.invalidState);
}

/**
 * Run `work`; a connection error that outlived the database's reconnect budget leaves as an
 * `InfrastructureUnavailable` failure, so the workflow can tell an outage from a failure of the
 * work and budget the two apart.
 */
export async function classifyingOutages<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof ApplicationFailure || !isConnectionError(err)) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw ApplicationFailure.create({ message: `database unreachable: ${message}`, type: ERROR_TYPES.infrastructureUnavailable, cause: err as Error });
  }
}
