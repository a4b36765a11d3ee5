import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { WorkflowFailedError, type Client, type WorkflowHandle, type WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getProgress, getTrainingResult, startTraining } from '../../client/api.js';
import { WORKFLOW_TASK_QUEUE, signalRef, stopSignal, workflowIds, type ExplainSignalsRequest, type ExplainSignalsResult } from '../../contracts/index.js';
import { FileArtifactStore } from '../../artifacts/file-store.js';
import { decodeFloat32 } from '../../artifacts/codecs.js';
import { notifications, xaiBatches, xaiExplanations } from '../../db/schema.js';
import { findTemporalCli } from '../../temporal-config/cli.js';
import { xmlErrors } from '../support/xml.js';
import { generateDataset, startTestStack, waitFor, type TestStack, type WorkerProcess } from '../support/stack.js';
import { tinyTraining } from './fixtures.js';
import { recordReplayHistory } from '../support/history.js';

const exec = promisify(execFile);

/** 13 signals per class (52): enough for a window of 8 to fill and slide several times. */
const XAI_DATASET = {
  datasetId: 'xai-ds',
  config: { seed: 11, signalsPerClass: 13, signalLength: 8_192, snrDb: [8, 12] as [number, number] },
  chunkSize: 8,
  maxInFlight: 3,
};
const SIGNALS = 52;

function start(client: Client, request: ExplainSignalsRequest): Promise<WorkflowHandleWithFirstExecutionRunId> {
  return client.workflow.start('explainSignalsWorkflow', { args: [request], taskQueue: WORKFLOW_TASK_QUEUE, workflowId: workflowIds.xai(request.batchId) });
}

type HistoryEvent = {
  eventType?: unknown;
  eventId?: unknown;
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null } | null;
  activityTaskCompletedEventAttributes?: { scheduledEventId?: unknown } | null;
  activityTaskFailedEventAttributes?: { scheduledEventId?: unknown } | null;
  activityTaskCanceledEventAttributes?: { scheduledEventId?: unknown } | null;
  activityTaskTimedOutEventAttributes?: { scheduledEventId?: unknown } | null;
};

/** Max number of explainSignal activities scheduled and not yet closed, over the whole history. */
async function maxInFlightOf(handle: WorkflowHandle): Promise<{ max: number; scheduled: number }> {
  const history = await handle.fetchHistory();
  const events = (history.events ?? []) as HistoryEvent[];
  const open = new Set<string>();
  let max = 0;
  let scheduled = 0;
  for (const e of events) {
    const id = String(e.eventId);
    const type = String(e.eventType);
    if (e.activityTaskScheduledEventAttributes?.activityType?.name === 'explainSignal') {
      open.add(id);
      scheduled++;
      max = Math.max(max, open.size);
      continue;
    }
    const closed =
      e.activityTaskCompletedEventAttributes?.scheduledEventId ??
      e.activityTaskFailedEventAttributes?.scheduledEventId ??
      e.activityTaskCanceledEventAttributes?.scheduledEventId ??
      e.activityTaskTimedOutEventAttributes?.scheduledEventId;
    if (closed !== undefined && closed !== null && /ACTIVITY_TASK_(COMPLETED|FAILED|CANCELED|TIMED_OUT)|^\d+$/.test(type)) open.delete(String(closed));
  }
  return { max, scheduled };
}

describe('batch XAI on a real stack', () => {
  let stack: TestStack;
  let modelId: string;
  let cpuWorker: WorkerProcess;
  const ids = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => signalRef(XAI_DATASET.datasetId, from + i));
  const rowsOf = (batchId: string) => stack.db.select().from(xaiExplanations).where(eq(xaiExplanations.batchId, batchId));

  beforeAll(async () => {
    stack = await startTestStack();
    await stack.startInProcessWorkers(['control']);
    const trainer = await stack.spawnWorkerProcess(['train']);
    // Explanations run in a worker process of their own, with more activity slots than any
    // window below, so only the workflow's window can bound what runs at once.
    cpuWorker = await stack.spawnWorkerProcess(['cpu'], { CPU_SLOTS: '16', XAI_PROCESSES: '2' });
    await generateDataset(stack, XAI_DATASET);
    const run = await startTraining(stack.client, tinyTraining(XAI_DATASET.datasetId, { epochs: 6, windowHop: 2048, maxWindowsPerSignal: 4 }, 'xai-model'));
    const trained = await getTrainingResult(stack.client, run.workflowId);
    modelId = trained.experimentId;
    await trainer.kill();
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('explains 52 signals with a window of 8: never more than 8 in flight, one row per (signal, method), pictures and summary', async () => {
    const batchId = 'window-8';
    const handle = await start(stack.client, {
      batchId,
      modelId,
      selection: { kind: 'dataset', datasetId: XAI_DATASET.datasetId },
      methods: { 'grad-cam': {}, occlusion: { window: 256, stride: 256 } },
      maxInFlight: 8,
    });
    const result = (await handle.result()) as ExplainSignalsResult;
    expect(result).toMatchObject({ batchId, status: 'COMPLETED', total: SIGNALS, completed: SIGNALS, failed: 0 });
    const { max, scheduled } = await maxInFlightOf(handle);
    expect(scheduled).toBe(SIGNALS);
    expect(max).toBe(8);

    const rows = await rowsOf(batchId);
    expect(rows).toHaveLength(SIGNALS * 2);
    expect(new Set(rows.map((r) => `${r.signalIdx}/${r.method}`)).size).toBe(SIGNALS * 2);
    for (const r of rows) {
      expect(r.status).toBe('COMPLETED');
      expect(r.segmentShares).toHaveLength(16);
      expect(r.bandShares).toHaveLength(8);
      expect(r.topSegments!.length).toBe(3);
      expect(Number.isFinite(r.faithfulness)).toBe(true);
    }
    const store = new FileArtifactStore(stack.config.artifactDir);
    const attr = decodeFloat32(await store.get(rows[0].attributionUri!));
    expect(attr.length).toBe(2048);
    const svg = new TextDecoder().decode(await store.get(rows[0].pictureUri!));
    expect(xmlErrors(svg)).toEqual([]);
    expect(result.summaryUri).toMatch(/^artifact:sha256\//);
    const summary = new TextDecoder().decode(await store.get(result.summaryUri!));
    expect(xmlErrors(summary)).toEqual([]);
    for (const label of ['normal', 'inner_race', 'outer_race', 'ball']) expect(summary).toContain(label);
    expect(Object.keys(result.faithfulnessByMethod).sort()).toEqual(['grad-cam', 'occlusion']);

    const [batch] = await stack.db.select().from(xaiBatches).where(eq(xaiBatches.id, batchId));
    expect(batch).toMatchObject({ status: 'COMPLETED', totalSignals: SIGNALS, completedSignals: SIGNALS, failedSignals: 0, summaryUri: result.summaryUri });
    const notes = await stack.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.entityKind, 'xai-batch'), eq(notifications.entityId, batchId)));
    expect(notes.map((n) => n.eventType)).toEqual(['XAI_COMPLETED']);
    const progress = await getProgress(stack.client, handle.workflowId);
    expect(progress).toMatchObject({ phase: 'completed', completed: SIGNALS, total: SIGNALS, fraction: 1 });

    // `RECORD_REPLAY_HISTORIES=1 npx vitest run test/integration/xai.test.ts -t "window of 8"`
    await recordReplayHistory(stack.temporal, handle.workflowId, 'explainSignalsWorkflow');
  });

  it('reports an unknown signal id by name and completes the rest', async () => {
    const batchId = 'unknown-ids';
    const handle = await start(stack.client, {
      batchId,
      modelId,
      selection: { kind: 'ids', ids: [...ids(0, 5), 'xai-ds:999', 'no-such-ds:3'] },
      methods: { 'integrated-gradients': { steps: 16 } },
      maxFailedSignals: 2,
    });
    const result = (await handle.result()) as ExplainSignalsResult;
    expect(result).toMatchObject({ status: 'COMPLETED', total: 7, completed: 5, failed: 2 });
    expect(result.failures.map((f) => f.signal).sort()).toEqual(['no-such-ds:3', 'xai-ds:999']);
    expect(result.failures.find((f) => f.signal === 'xai-ds:999')!.reason).toMatch(/signal xai-ds:999 not found: dataset "xai-ds" has no signal 999/);
    expect(result.failures.find((f) => f.signal === 'no-such-ds:3')!.reason).toMatch(/no dataset "no-such-ds"/);
    const rows = await rowsOf(batchId);
    expect(rows.filter((r) => r.status === 'COMPLETED')).toHaveLength(5);
    const failed = rows.filter((r) => r.status === 'FAILED');
    expect(failed.map((r) => `${r.datasetId}:${r.signalIdx}`).sort()).toEqual(['no-such-ds:3', 'xai-ds:999']);
    expect(failed.every((r) => (r.error ?? '').includes('not found'))).toBe(true);
    // IG completeness holds on the real model (probability score, 16 steps on a trained CNN).
    for (const r of rows.filter((x) => x.status === 'COMPLETED')) expect(r.completenessError).toBeLessThan(0.25);
  });

  it('fails the batch once failures pass maxFailedSignals', async () => {
    const batchId = 'too-many-failures';
    const handle = await start(stack.client, {
      batchId,
      modelId,
      selection: { kind: 'ids', ids: ['xai-ds:900', 'xai-ds:901', 'xai-ds:902', ...ids(0, 3)] },
      methods: { 'grad-cam': {} },
      maxFailedSignals: 1,
      maxInFlight: 1,
    });
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(String((err as WorkflowFailedError).cause?.message)).toMatch(/2 signals failed, more than maxFailedSignals \(1\); first: xai-ds:900/);
    const [batch] = await stack.db.select().from(xaiBatches).where(eq(xaiBatches.id, batchId));
    expect(batch.status).toBe('FAILED');
  });

  it('survives a worker killed mid-batch: no signal lost, none explained twice', async () => {
    const batchId = 'worker-kill';
    const handle = await start(stack.client, {
      batchId,
      modelId,
      selection: { kind: 'ids', ids: ids(0, 24) },
      methods: { 'integrated-gradients': { steps: 32 }, 'grad-cam': {} },
      windowsPerSignal: 2,
      maxInFlight: 4,
    });
    await waitFor('some signals explained', async () => ((await rowsOf(batchId)).length >= 6 ? true : undefined), 120_000, 100);
    await cpuWorker.kill('SIGKILL');
    const before = await rowsOf(batchId);
    expect(before.length).toBeLessThan(48);
    cpuWorker = await stack.spawnWorkerProcess(['cpu'], { CPU_SLOTS: '16', XAI_PROCESSES: '2' });
    const result = (await handle.result()) as ExplainSignalsResult;
    expect(result).toMatchObject({ status: 'COMPLETED', total: 24, completed: 24, failed: 0 });
    const rows = await rowsOf(batchId);
    expect(rows).toHaveLength(48);
    expect(rows.every((r) => r.status === 'COMPLETED' && r.windowStarts?.length === 2)).toBe(true);
    // Rows stored before the kill were kept as they were, not recomputed.
    for (const b of before) expect(rows.find((r) => r.signalIdx === b.signalIdx && r.method === b.method)!.createdAt).toEqual(b.createdAt);
    // Each signal was one activity: retries after the kill are attempts of it, not new signals.
    const { scheduled, max } = await maxInFlightOf(handle);
    expect(scheduled).toBe(24);
    expect(max).toBeLessThanOrEqual(4);
  }, 600_000);

  it('stop finishes the running signals and starts none; the batch is STOPPED', async () => {
    const batchId = 'stopped';
    const handle = await start(stack.client, {
      batchId,
      modelId,
      selection: { kind: 'dataset', datasetId: XAI_DATASET.datasetId },
      methods: { 'integrated-gradients': { steps: 32 } },
      maxInFlight: 2,
    });
    await waitFor('two signals explained', async () => ((await rowsOf(batchId)).length >= 2 ? true : undefined), 120_000, 100);
    await handle.signal(stopSignal, { reason: 'enough' });
    const result = (await handle.result()) as ExplainSignalsResult;
    expect(result.status).toBe('STOPPED');
    expect(result.completed).toBeGreaterThanOrEqual(2);
    expect(result.completed).toBeLessThan(SIGNALS);
    expect(await rowsOf(batchId)).toHaveLength(result.completed);
    const [batch] = await stack.db.select().from(xaiBatches).where(eq(xaiBatches.id, batchId));
    expect(batch).toMatchObject({ status: 'STOPPED', completedSignals: result.completed, error: 'enough' });
  });

  it('cancel (temporal workflow cancel) stops the running explanations and marks the batch CANCELLED; nothing lands afterwards', async () => {
    const batchId = 'cancelled';
    const handle = await start(stack.client, {
      batchId,
      modelId,
      selection: { kind: 'dataset', datasetId: XAI_DATASET.datasetId },
      methods: { 'kernel-shap': { segments: 8, samples: 64, background: { size: 4 } } },
      maxInFlight: 2,
    });
    await waitFor('one signal explained', async () => ((await rowsOf(batchId)).length >= 1 ? true : undefined), 120_000, 100);
    // As an operator would: the Temporal CLI, not our client.
    const cli = findTemporalCli({ temporal: { cliPath: process.env.TEMPORAL_CLI || undefined } });
    await exec(cli.path, [
      'workflow',
      'cancel',
      '--workflow-id',
      handle.workflowId,
      '--address',
      stack.temporal.address,
      '--namespace',
      stack.temporal.namespace,
    ]);
    await expect(handle.result()).rejects.toThrow();
    const [batch] = await stack.db.select().from(xaiBatches).where(eq(xaiBatches.id, batchId));
    expect(batch.status).toBe('CANCELLED');
    const notes = await stack.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.entityKind, 'xai-batch'), eq(notifications.entityId, batchId)));
    expect(notes.map((n) => n.eventType)).toEqual(['XAI_CANCELLED']);
    const atCancel = (await rowsOf(batchId)).length;
    await new Promise((r) => setTimeout(r, 3_000));
    expect((await rowsOf(batchId)).length).toBe(atCancel);
    expect(atCancel).toBeLessThan(SIGNALS);
  });

  it('continues as new on long batches with the same outcome, and a re-run reuses every row', async () => {
    const batchId = 'continued';
    const request: ExplainSignalsRequest = {
      batchId,
      modelId,
      selection: { kind: 'dataset', datasetId: XAI_DATASET.datasetId, labels: ['ball', 'outer_race'], limit: 12 },
      methods: { occlusion: { window: 512, stride: 256 } },
      maxInFlight: 3,
      testing: { continueAsNewEvery: 5 },
    };
    const handle = await start(stack.client, request);
    const result = (await handle.result()) as ExplainSignalsResult;
    expect(result).toMatchObject({ status: 'COMPLETED', total: 12, completed: 12, failed: 0 });
    const desc = await handle.describe();
    expect(desc.runId).not.toBe(handle.firstExecutionRunId);
    const rows = await rowsOf(batchId);
    expect(rows).toHaveLength(12);
    expect(new Set(rows.map((r) => r.label))).toEqual(new Set(['ball', 'outer_race']));
    const idx = rows.map((r) => r.signalIdx).sort((a, b) => a - b);
    expect(new Set(idx).size).toBe(12);

    // The same request again (a new run under the same workflow id, the first having closed): every row is reused, none added.
    const again = await stack.client.workflow.start('explainSignalsWorkflow', {
      args: [{ ...request, testing: undefined }],
      taskQueue: WORKFLOW_TASK_QUEUE,
      workflowId: workflowIds.xai(batchId),
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    });
    const second = (await again.result()) as ExplainSignalsResult;
    expect(second).toMatchObject({ status: 'COMPLETED', completed: 12 });
    const after = await rowsOf(batchId);
    expect(after).toHaveLength(12);
    for (const r of after) expect(rows.find((x) => x.signalIdx === r.signalIdx)!.attributionUri).toBe(r.attributionUri);
    const progress = await getProgress(stack.client, again.workflowId);
    expect(progress.reused).toBe(12);
  });

  it('refuses a bad request before any work, naming the field', async () => {
    const handle = await start(stack.client, {
      batchId: 'bad',
      modelId,
      selection: { kind: 'ids', ids: ['not a ref'] },
      methods: { 'grad-cam': {} },
    });
    const err = await handle.result().catch((e: unknown) => e);
    expect(String((err as WorkflowFailedError).cause?.message)).toMatch(/selection\.ids\.0|selection\.ids\[0\]/);
    const unknownModel = await start(stack.client, {
      batchId: 'no-model',
      modelId: 'nope',
      selection: { kind: 'ids', ids: ids(0, 1) },
      methods: { 'grad-cam': {} },
    });
    const err2 = await unknownModel.result().catch((e: unknown) => e);
    // WorkflowFailedError → ActivityFailure → ApplicationFailure(NotFound)
    expect(String(((err2 as WorkflowFailedError).cause?.cause as Error | undefined)?.message)).toMatch(/modelId "nope" does not exist/);
    const [row] = await stack.db.select().from(xaiBatches).where(eq(xaiBatches.id, 'no-model'));
    expect(row).toBeUndefined();
  });
});
