import { isCancellation } from '@temporalio/workflow';

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
