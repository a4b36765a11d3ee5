import { ERROR_TYPES } from '../../contracts/errors.js';

/**
 * Errors the training engine throws on purpose. Their `name` is what crosses process and
 * Temporal boundaries (an activity maps it to an ApplicationFailure type), so it is fixed here.
 */

/** NaN/Infinity loss: rerunning the same seed would diverge again, so callers must not retry. */
export class TrainingDivergedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = ERROR_TYPES.trainingDiverged;
  }
}

/** Training stopped because its AbortSignal fired (activity cancelled, worker shutting down). */
export class TrainingAbortedError extends Error {
  constructor(message = 'training aborted') {
    super(message);
    this.name = 'AbortError';
  }
}

export function isAbortError(e: unknown): boolean {
  return e instanceof Error && e.name === 'AbortError';
}

/** Throw a TrainingAbortedError (with the signal's reason) if `signal` has fired. */
export function throwIfAborted(signal: AbortSignal | undefined, where: string): void {
  if (!signal?.aborted) return;
  const reason: unknown = signal.reason;
  const why = reason instanceof Error ? reason.message : reason === undefined ? '' : String(reason);
  throw new TrainingAbortedError(`training aborted ${where}${why ? `: ${why}` : ''}`);
}
