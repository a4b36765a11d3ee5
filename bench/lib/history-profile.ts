/**
 * Where a campaign's time goes, read from its own history (server timestamps, ms resolution):
 * how long workflow and activity tasks wait to be picked up (server dispatch, worker polling),
 * how long a worker holds a workflow task (our workflow code, the SDK's activation, the
 * completion's round trip), and how many events and bytes each trial adds to the history.
 */
import type { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import proto from '@temporalio/proto';

const { temporal } = proto;

type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;
const EventType = temporal.api.enums.v1.EventType;

export interface HistoryProfile {
  /** Runs read (a campaign that continued as new has several). */
  runs: number;
  events: number;
  bytes: number;
  workflowTasks: number;
  /** Scheduled → started: waiting for the server to hand the task to a polling worker. */
  workflowTaskWaitMsMean: number;
  /** Started → completed: the worker's activation, our workflow code and the completion call. */
  workflowTaskRunMsMean: number;
  /** The share of the wall time some workflow task of the campaign was being run by a worker. */
  workflowTaskBusyShare: number;
  activityTasks: number;
  activityWaitMsMean: number;
  activityRunMsMean: number;
  /** Local activities (markers), which cost no task of their own. */
  localActivities: number;
  /**
   * The last run replayed in this process (no server, no database: local activities resolve from
   * their markers), per workflow task: what our workflow code and the SDK's activation cost. The
   * rest of `workflowTaskRunMsMean` is the local activities' own work and the completion call.
   */
  replayMsPerWorkflowTask: number | null;
}

const ms = (t: HistoryEvent['eventTime']): number => (t ? Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6) : Number.NaN);
const mean = (xs: number[]): number => (xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

/** Every run of `workflowId`, oldest first, profiled together. */
export async function profileHistory(client: Client, workflowId: string, workflowBundle?: { code: string }): Promise<HistoryProfile> {
  const histories = [];
  for await (const w of client.workflow.list({ query: `WorkflowId = '${workflowId}'` }))
    histories.push(await client.workflow.getHandle(workflowId, w.runId).fetchHistory());
  // Oldest run first, by each run's own start (the list's order is not promised).
  histories.sort((a, b) => ms(a.events?.[0]?.eventTime) - ms(b.events?.[0]?.eventTime));
  const events = histories.flatMap((h) => h.events ?? []);

  const at = new Map<string, number>();
  const key = (run: number, id: unknown) => `${run}:${String(id)}`;
  const wfWait: number[] = [];
  const wfRun: number[] = [];
  const actWait: number[] = [];
  const actRun: number[] = [];
  let bytes = 0;
  let localActivities = 0;
  let run = 0;
  let first = Number.NaN;
  let last = Number.NaN;
  for (const e of events) {
    bytes += temporal.api.history.v1.HistoryEvent.encode(e).finish().length;
    const t = ms(e.eventTime);
    if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED) run++;
    if (!Number.isFinite(first)) first = t;
    last = t;
    const id = e.eventId?.toString();
    switch (e.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED:
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        at.set(key(run, id), t);
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED: {
        const s = at.get(key(run, e.workflowTaskStartedEventAttributes?.scheduledEventId?.toString()));
        if (s !== undefined) wfWait.push(t - s);
        at.set(key(run, id), t);
        break;
      }
      case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED: {
        const s = at.get(key(run, e.workflowTaskCompletedEventAttributes?.startedEventId?.toString()));
        if (s !== undefined) wfRun.push(t - s);
        break;
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED: {
        // The started event is written when the activity closes, but its time is when a worker took it.
        const s = at.get(key(run, e.activityTaskStartedEventAttributes?.scheduledEventId?.toString()));
        if (s !== undefined) actWait.push(t - s);
        at.set(key(run, id), t);
        break;
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: {
        const s = at.get(key(run, e.activityTaskCompletedEventAttributes?.startedEventId?.toString()));
        if (s !== undefined) actRun.push(t - s);
        break;
      }
      case EventType.EVENT_TYPE_MARKER_RECORDED:
        if (e.markerRecordedEventAttributes?.markerName === 'core_local_activity') localActivities++;
        break;
    }
  }
  const wallMs = last - first;
  let replayMsPerWorkflowTask: number | null = null;
  const latest = histories.at(-1);
  if (workflowBundle && latest) {
    const tasks = (latest.events ?? []).filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED).length;
    const t0 = performance.now();
    await Worker.runReplayHistory({ workflowBundle }, latest, workflowId);
    replayMsPerWorkflowTask = (performance.now() - t0) / Math.max(1, tasks);
  }
  return {
    runs: histories.length,
    events: events.length,
    bytes,
    workflowTasks: wfRun.length,
    workflowTaskWaitMsMean: mean(wfWait),
    workflowTaskRunMsMean: mean(wfRun),
    workflowTaskBusyShare: wallMs > 0 ? wfRun.reduce((a, b) => a + b, 0) / wallMs : Number.NaN,
    activityTasks: actRun.length,
    activityWaitMsMean: mean(actWait),
    activityRunMsMean: mean(actRun),
    localActivities,
    replayMsPerWorkflowTask,
  };
}
