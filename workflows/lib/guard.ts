import { ContinueAsNew, isCancellation, patched, setWorkflowOptions, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { SEARCH_ATTRIBUTES } from '../../contracts/index.js';

/**
 * What every exported workflow gets, whatever its input:
 *
 * - An unexpected error thrown by workflow code (a bug, an input a check missed, a payload that
 *   cannot be decoded) fails the run with its cause. Temporal's default is to fail the workflow
 *   *task* and retry it, which on the same input fails again forever while the run shows
 *   RUNNING. Non-determinism errors still fail only the task, so a bad deploy can be rolled back
 *   without losing runs.
 * - The `FaultlineStatus` search attribute never stays RUNNING after the run ended: a run that
 *   fails before it tagged itself (bad input refused at the top) still says FAILED in the Web UI.
 */
export function guardRun<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  const guarded = async (...args: A): Promise<R> => {
    try {
      return await fn(...args);
    } catch (err) {
      if (!(err instanceof ContinueAsNew)) markEnded(err);
      throw err;
    }
  };
  setWorkflowOptions({ failureExceptionTypes: [Error] }, guarded);
  return guarded;
}

function markEnded(err: unknown): void {
  const status = workflowInfo().typedSearchAttributes.get(SEARCH_ATTRIBUTES.status);
  if (status !== undefined && status !== 'RUNNING') return;
  // Histories recorded before this existed ended without the extra upsert.
  if (!patched('status-on-every-exit')) return;
  upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.status, value: isCancellation(err) ? 'CANCELLED' : 'FAILED' }]);
}
