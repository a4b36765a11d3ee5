import { ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleDescription } from '@temporalio/client';
import {
  RETENTION_SCHEDULE_ID,
  RetentionInputSchema,
  SEARCH_ATTRIBUTES,
  WORKFLOW_TASK_QUEUE,
  parseInput,
  type RetentionConfig,
  type RetentionInput,
} from '../contracts/index.js';
import type { StartedRun, TemporalClientLike } from './types.js';

export const RETENTION_WORKFLOW_TYPE = 'retentionWorkflow';

/** How often the schedule runs: a Temporal duration such as `24h`, `6h`, `7d`. */
const EVERY_RE = /^\d+(s|m|h|d)$/;

export interface RetentionScheduleRequest {
  /** Interval between runs (default 24h). */
  every?: string;
  input?: RetentionInput;
  /** Pause the schedule (keeps it; `paused: false` resumes it). */
  paused?: boolean;
}

export interface RetentionScheduleState {
  scheduleId: string;
  created: boolean;
  every: string;
  paused: boolean;
  input: RetentionConfig;
  nextRuns: string[];
}

function validatedEvery(every: string | undefined): string {
  const value = every ?? '24h';
  if (!EVERY_RE.test(value) || /^0+\D$/.test(value)) {
    throw new Error(`every: expected a duration like 24h, 6h or 7d, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * One retention run now (`retention-<id>`; the id defaults to the minute, so a repeated command
 * within a minute attaches to the same run). Validated here first, so a bad field is named
 * before anything starts.
 */
export async function startRetention(client: TemporalClientLike, input: RetentionInput = {}, id?: string): Promise<StartedRun> {
  const config = parseInput(RetentionInputSchema, input, 'retention request');
  const entityId = id ?? new Date().toISOString().slice(0, 16).replace(/[-:]/g, '').toLowerCase();
  const workflowId = `retention-${entityId}`;
  try {
    const handle = await client.workflow.start(RETENTION_WORKFLOW_TYPE, {
      taskQueue: WORKFLOW_TASK_QUEUE,
      workflowId,
      args: [config],
      typedSearchAttributes: [
        { key: SEARCH_ATTRIBUTES.kind, value: 'retention' },
        { key: SEARCH_ATTRIBUTES.status, value: 'RUNNING' },
      ],
    });
    return { workflowId, runId: handle.firstExecutionRunId, entityId, alreadyExisted: false };
  } catch (err) {
    if ((err as Error).name !== 'WorkflowExecutionAlreadyStartedError') throw err;
    const d = await client.workflow.getHandle(workflowId).describe();
    return { workflowId, runId: d.runId, entityId, alreadyExisted: true };
  }
}

function stateOf(d: ScheduleDescription, created: boolean, every: string, input: RetentionConfig): RetentionScheduleState {
  return {
    scheduleId: d.scheduleId,
    created,
    every,
    paused: d.state.paused,
    input,
    nextRuns: d.info.nextActionTimes.slice(0, 3).map((t) => t.toISOString()),
  };
}

/**
 * Create the `faultline-retention` Schedule, or update it in place (interval, input, paused):
 * safe to run on every deploy. Overlap policy SKIP: a run still going when the next is due is
 * never doubled.
 */
export async function scheduleRetention(client: Pick<Client, 'schedule'>, request: RetentionScheduleRequest = {}): Promise<RetentionScheduleState> {
  const every = validatedEvery(request.every);
  const input = parseInput(RetentionInputSchema, request.input ?? {}, 'retention schedule input');
  if (input.now !== undefined) throw new Error('input.now: a scheduled run judges ages against its own scheduled time; leave now out');
  const action = {
    type: 'startWorkflow' as const,
    workflowType: RETENTION_WORKFLOW_TYPE,
    taskQueue: WORKFLOW_TASK_QUEUE,
    workflowId: RETENTION_SCHEDULE_ID,
    args: [input],
    typedSearchAttributes: [
      { key: SEARCH_ATTRIBUTES.kind, value: 'retention' },
      { key: SEARCH_ATTRIBUTES.status, value: 'RUNNING' },
    ],
  };
  const spec = { intervals: [{ every }] };
  const handle = client.schedule.getHandle(RETENTION_SCHEDULE_ID);
  let exists = true;
  try {
    await handle.describe();
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
    exists = false;
  }
  if (!exists) {
    const created = await client.schedule.create({
      scheduleId: RETENTION_SCHEDULE_ID,
      spec,
      action,
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
      state: { paused: request.paused ?? false, note: 'Faultline retention (faultline retention schedule)' },
    });
    return stateOf(await created.describe(), true, every, input);
  }
  await handle.update((prev) => ({ ...prev, spec, action }));
  if (request.paused === true) await handle.pause('faultline retention schedule --pause');
  if (request.paused === false) await handle.unpause('faultline retention schedule --resume');
  return stateOf(await handle.describe(), false, every, input);
}

/** Remove the schedule (runs already started are not affected). */
export async function deleteRetentionSchedule(client: Pick<Client, 'schedule'>): Promise<boolean> {
  try {
    await client.schedule.getHandle(RETENTION_SCHEDULE_ID).delete();
    return true;
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return false;
    throw err;
  }
}
