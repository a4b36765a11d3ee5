/** Types every part of the client API shares. */
import type { Client } from '@temporalio/client';

/**
 * The typed API the dashboard backend uses. Every function takes the Temporal client first, so
 * the caller owns the connection (one per process) and these stay plain, testable functions.
 * Only `client.workflow` is used, so a bare WorkflowClient wrapped as `{ workflow }` works too.
 */
export type TemporalClientLike = Pick<Client, 'workflow'>;

export interface StartedRun {
  workflowId: string;
  runId: string;
  /** datasetId, experimentId, campaignId or batchId (given or derived). */
  entityId: string;
  /** True when an identical request had already started (running or completed) this run. */
  alreadyExisted: boolean;
}
