import { log, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  NON_RETRYABLE_ERROR_TYPES,
  RetentionInputSchema,
  TASK_QUEUES,
  progressOf,
  progressQuery,
  type RetentionInput,
  type RetentionResult,
} from '../contracts/index.js';
import type { CpuActivities } from '../activities/index.js';
import { liveDetails } from './lib/details.js';
import { validateWorkflowInput } from './lib/validate.js';
import { setRunStatus, tagRun } from './lib/visibility.js';

/**
 * Both steps list or delete a whole database's and store's worth of rows and objects: generous
 * deadlines, heartbeats so a dead worker is noticed, and retries (each step is idempotent).
 */
const retention = proxyActivities<Pick<CpuActivities, 'expireRetentionRows' | 'sweepArtifacts'>>({
  taskQueue: TASK_QUEUES.cpu,
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '5s', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 10, nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES },
});

/**
 * Retention (seed P0-3: nothing ever expired): rows past their kind's retention, then the
 * artifacts no row refers to any more. Started by the `faultline-retention` Schedule (one run at a
 * time: the schedule's overlap policy skips a run while the previous one is still going) or by
 * hand (`faultline retention run`). A dry run reports what a real run would delete and changes
 * nothing, marks included.
 */
export async function retentionWorkflow(raw: RetentionInput = {}): Promise<RetentionResult> {
  const config = validateWorkflowInput(RetentionInputSchema, raw, 'retentionWorkflow input');
  // The workflow's start (for a scheduled run, its scheduled time): replay-safe, and the same
  // moment for both steps.
  const now = config.now ?? new Date(workflowInfo().startTime).toISOString();
  let phase = 'expiring rows';
  let completed = 0;
  const total = 2;
  setHandler(progressQuery, () => progressOf(phase, completed, total, { dryRun: config.dryRun, now }));
  const live = liveDetails(() => ({ phase, completed, total, line: `${config.dryRun ? 'dry run · ' : ''}${phase} · ${completed}/${total} steps` }));
  tagRun('retention', {});
  setRunStatus('RUNNING');
  live.refresh();
  const rows = await retention.expireRetentionRows({ config, now });
  completed++;
  phase = 'sweeping artifacts';
  live.refresh();
  const artifacts = await retention.sweepArtifacts({ dryRun: config.dryRun, artifactGraceHours: config.artifactGraceHours, now });
  completed++;
  phase = 'completed';
  live.refresh();
  setRunStatus('COMPLETED');
  const deletedRows = Object.values(rows.rows).reduce((s, r) => s + r.deleted, 0);
  log.info('retention completed', { dryRun: config.dryRun, deletedRows, deletedArtifacts: artifacts.deleted, deletedBytes: artifacts.deletedBytes });
  return { status: 'COMPLETED', dryRun: config.dryRun, now, rows, artifacts };
}
