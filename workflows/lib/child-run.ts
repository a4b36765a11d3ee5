import { ChildWorkflowCancellationType, ParentClosePolicy, WorkflowIdReusePolicy, isCancellation, log } from '@temporalio/workflow';
import { WORKFLOW_TASK_QUEUE } from '../../contracts/index.js';
import { failureMessage } from './failure.js';

/**
 * Options every campaign child run (an HPO trial's rung, a NAS candidate) starts with:
 * - a re-run campaign with the same id finds its finished children and reuses them;
 * - closing the campaign cancels them, and a cancellation waits until they have really stopped,
 *   so no row lands after the campaign's says CANCELLED.
 */
export const CAMPAIGN_CHILD_OPTIONS = {
  taskQueue: WORKFLOW_TASK_QUEUE,
  workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
  parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
  cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
} as const;

/**
 * Run `attempt(1)`, `attempt(2)`, … up to `attempts` until one succeeds: each attempt is a child
 * run of its own id, so a failed training is started again fresh. A cancellation ends it at
 * once; after the last failure the last error is thrown.
 */
export async function withAttempts<T>(attempts: number, attempt: (n: number) => Promise<T>, context: Record<string, unknown>): Promise<T> {
  let lastError: unknown;
  for (let n = 1; n <= attempts; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (isCancellation(err)) throw err;
      lastError = err;
      log.warn('child run attempt failed', { ...context, attempt: n, error: failureMessage(err) });
    }
  }
  throw lastError;
}
