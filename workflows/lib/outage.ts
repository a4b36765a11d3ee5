import { ActivityFailure, ApplicationFailure, log, patched, sleep } from '@temporalio/workflow';
import { ERROR_TYPES } from '../../contracts/index.js';

/**
 * Outages are budgeted by time, apart from failures of the work itself. An activity whose
 * database stayed away past its own reconnect budget (DB_OUTAGE_SECONDS) fails with
 * `InfrastructureUnavailable`; that type is non-retryable in the activity's retry policy, so it
 * never spends one of the attempts meant for crashes of the work, and the workflow calls the
 * activity again after a durable timer, for up to OUTAGE_BUDGET_MS in all.
 *
 * Behind `patched(OUTAGE_RETRY_PATCH)`: runs started before it keep their recorded commands.
 */
export const OUTAGE_RETRY_PATCH = 'outage-retry-budget';

/** How long in all a run keeps calling an activity again through outages. */
export const OUTAGE_BUDGET_MS = 30 * 60_000;
/** First wait between calls; doubles up to OUTAGE_MAX_WAIT_MS. */
export const OUTAGE_FIRST_WAIT_MS = 1_000;
export const OUTAGE_MAX_WAIT_MS = 60_000;

export function isOutageFailure(err: unknown): boolean {
  return err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === ERROR_TYPES.infrastructureUnavailable;
}

/**
 * `call(true)` (with the outage-aware activity options) again after each outage failure, within
 * the budget; without the patch, `call(false)` once, as before.
 */
export async function retryingOutages<T>(what: string, call: (outageAware: boolean) => Promise<T>): Promise<T> {
  if (!patched(OUTAGE_RETRY_PATCH)) return call(false);
  const deadline = Date.now() + OUTAGE_BUDGET_MS;
  let wait = OUTAGE_FIRST_WAIT_MS;
  for (let outage = 1; ; outage++) {
    try {
      return await call(true);
    } catch (err) {
      if (!isOutageFailure(err) || Date.now() + wait > deadline) throw err;
      log.warn('dependency unreachable; calling the activity again', { what, outage, waitMs: wait, error: (err as ActivityFailure).cause?.message });
      await sleep(wait);
      wait = Math.min(wait * 2, OUTAGE_MAX_WAIT_MS);
    }
  }
}
