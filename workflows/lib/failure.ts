import { CancellationScope, isCancellation } from '@temporalio/workflow';
import { setRunStatus } from './visibility.js';

/** A short, human message for a failure, without stack traces (stored in Postgres rows). */
export function failureMessage(err: unknown): string {
  if (err instanceof Error) {
    // Activity and child failures wrap the real cause; the innermost message is the useful one.
    let cur: unknown = err;
    let msg = err.message;
    while (cur instanceof Error && cur.cause instanceof Error) {
      cur = cur.cause;
      msg = (cur as Error).message || msg;
    }
    return msg.slice(0, 2000);
  }
  return String(err).slice(0, 2000);
}

export { isCancellation };

export type EndedStatus = 'FAILED' | 'CANCELLED';

/**
 * After a run failed or was cancelled: record it (a bookkeeping activity run in a
 * non-cancellable scope, since the workflow's own scope is being cancelled), tag the run, and
 * return the status so the caller can rethrow the original error.
 */
export async function recordRunEnded(err: unknown, record: (status: EndedStatus, error: string) => Promise<void>): Promise<EndedStatus> {
  const status: EndedStatus = isCancellation(err) ? 'CANCELLED' : 'FAILED';
  await CancellationScope.nonCancellable(() => record(status, failureMessage(err)));
  setRunStatus(status);
  return status;
}
