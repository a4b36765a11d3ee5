import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelRun, getDatasetResult, getProgress, getTrainingResult, startDatasetGeneration, startTraining } from '../../client/api.js';
import { classLabel, InputValidationError, WORKFLOW_TASK_QUEUE, schemeClasses, workflowIds, type FaultClass } from '../../contracts/index.js';
import { datasets, epochMetrics, experiments, models, notifications, signals } from '../../db/schema.js';
import { findTemporalCli } from '../../temporal-config/cli.js';
import { generateDataset, startWorkingStack, waitFor, type TestStack } from '../support/stack.js';
import { TINY_DATASET, TINY_EPOCHS, TINY_SIGNALS, tinyTraining } from './fixtures.js';
import { recordReplayHistory } from '../support/history.js';
import { nativeTfInstalled } from '../../ml/tf/index.js';

const exec = promisify(execFile);

/**
 * Dataset → training end to end on a real dev server, real Postgres and real tfjs training in a
 * separate worker process; then idempotency, validation and both ways of cancelling.
 */
describe('dataset generation and training on a real stack', () => {
  let stack: TestStack;
  let datasetId: string;

  beforeAll(async () => {
    stack = await startWorkingStack({ trainWorker: true });
    datasetId = await generateDataset(stack, TINY_DATASET);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  async function history(workflowId: string) {
    return stack.client.workflow.getHandle(workflowId).fetchHistory();
  }

  it('generates the dataset: rows, artifacts, progress and notification', async () => {
    const [row] = await stack.db.select().from(datasets).where(eq(datasets.id, datasetId));
    expect(row.status).toBe('READY');
    expect(row.numSignals).toBe(TINY_SIGNALS);
    expect(row.classCounts).toEqual({ normal: 8, inner_race: 8, outer_race: 8, ball: 8 });
    const rows = await stack.db.select().from(signals).where(eq(signals.datasetId, datasetId));
    expect(rows).toHaveLength(TINY_SIGNALS);
    expect(new Set(rows.map((r) => r.artifactUri)).size).toBe(TINY_SIGNALS);
    expect(rows.every((r) => r.length === 16_384 && r.samplingRateHz === 12_000)).toBe(true);

    const progress = await getProgress(stack.client, workflowIds.dataset(datasetId));
    expect(progress).toMatchObject({ phase: 'completed', completed: TINY_SIGNALS, total: TINY_SIGNALS, fraction: 1 });

    const [note] = await stack.db.select().from(notifications).where(eq(notifications.entityId, datasetId));
    expect(note.eventType).toBe('DATASET_GENERATED');
    expect(note.url).toBe(`http://dashboard.test/datasets/${datasetId}`);
  });

  it('trains a model on it and records epochs, model, backend and confusion matrix', async () => {
    const started = await startTraining(stack.client, tinyTraining(datasetId));
    const result = await getTrainingResult(stack.client, started.workflowId);
    expect(result.status).toBe('COMPLETED');
    expect(result.epochsCompleted).toBe(TINY_EPOCHS);
    // The worker picks native TensorFlow when `npm run setup` built it, else wasm.
    const expected = nativeTfInstalled() ? 'tensorflow' : 'wasm';
    expect(result.backend).toBe(expected);
    expect(result.classes).toEqual(['ball', 'inner_race', 'normal', 'outer_race']);
    const testWindows = Object.values(result.classBalance.test).reduce((a, b) => a + b, 0);
    expect(result.confusionMatrix.flat().reduce((a, b) => a + b, 0)).toBe(testWindows);
    const correct = result.confusionMatrix.reduce((s, row, i) => s + row[i], 0);
    expect(result.testAccuracy).toBeCloseTo(correct / testWindows, 10);
    // Four clearly different fault signatures: a real model separates them well above chance.
    expect(result.testAccuracy).toBeGreaterThan(0.6);

    const epochs = await stack.db.select().from(epochMetrics).where(eq(epochMetrics.experimentId, started.entityId));
    expect(epochs.map((e) => e.epoch).sort((a, b) => a - b)).toEqual(Array.from({ length: TINY_EPOCHS }, (_, i) => i + 1));
    expect(epochs.every((e) => e.checkpointUri?.startsWith('artifact:sha256/'))).toBe(true);
    const [exp] = await stack.db.select().from(experiments).where(eq(experiments.id, started.entityId));
    expect(exp.backendVersion).toMatch(expected === 'tensorflow' ? /^tfjs-node 4\.22\.0, TensorFlow \d+\.\d+/ : /^tfjs-backend-wasm 4\.22\.0$/);
    // The result a client reads names the same version.
    expect(result.backendVersion).toBe(exp.backendVersion);
    expect(exp).toMatchObject({ status: 'COMPLETED', backend: expected, epochsCompleted: TINY_EPOCHS, modelUri: result.modelUri });
    const [model] = await stack.db.select().from(models).where(eq(models.experimentId, started.entityId));
    expect(model.artifactUri).toBe(result.modelUri);
    const progress = await getProgress(stack.client, started.workflowId);
    expect(progress).toMatchObject({ phase: 'completed', completed: TINY_EPOCHS, total: TINY_EPOCHS, fraction: 1 });
    const [note] = await stack.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.entityId, started.entityId), eq(notifications.eventType, 'TRAINING_COMPLETED')));
    expect(note.url).toBe(`http://dashboard.test/experiments/${started.entityId}/results`);

    // `RECORD_REPLAY_HISTORIES=1 npx vitest run test/integration/pipeline.test.ts` refreshes the
    // histories that test/replay/replay.test.ts replays against the current workflow code.
    await recordReplayHistory(stack.temporal, started.workflowId, 'trainModelWorkflow');
    await recordReplayHistory(stack.temporal, workflowIds.dataset(datasetId), 'generateDatasetWorkflow');
  });

  it('simulates the 10-class scheme (fault-type-size) and trains a 10-class model on it', async () => {
    const tenId = await generateDataset(stack, { ...TINY_DATASET, config: { ...TINY_DATASET.config, scheme: 'fault-type-size', signalsPerClass: 4 } });
    const ten = schemeClasses('fault-type-size');
    const [row] = await stack.db.select().from(datasets).where(eq(datasets.id, tenId));
    expect(row).toMatchObject({ status: 'READY', numSignals: 40, classCounts: Object.fromEntries(ten.map((c) => [c, 4])) });
    expect(row.config).toMatchObject({ scheme: 'fault-type-size' });
    const rows = await stack.db.select().from(signals).where(eq(signals.datasetId, tenId));
    // The label names the diameter the signal was simulated with.
    for (const r of rows)
      expect(r.label).toBe(r.severityIn === 0 ? 'normal' : classLabel('fault-type-size', r.label.replace(/_\d{3}$/, '') as FaultClass, r.severityIn));
    const started = await startTraining(stack.client, tinyTraining(tenId, { epochs: 2 }));
    const result = await getTrainingResult(stack.client, started.workflowId);
    expect(result.status).toBe('COMPLETED');
    expect(result.classes).toEqual([...ten].sort());
    expect(result.confusionMatrix).toHaveLength(10);
    expect(result.confusionMatrix.every((r) => r.length === 10)).toBe(true);
  });

  it('runs the same request once, whether it is running or finished', async () => {
    const again = await startDatasetGeneration(stack.client, TINY_DATASET);
    expect(again).toMatchObject({ entityId: datasetId, alreadyExisted: true });
    const firstRun = await stack.client.workflow.getHandle(workflowIds.dataset(datasetId)).describe();
    expect(again.runId).toBe(firstRun.runId);
    expect(await stack.db.select().from(signals).where(eq(signals.datasetId, datasetId))).toHaveLength(TINY_SIGNALS);

    // Two concurrent starts of a new request: one run, one set of rows.
    const other = { ...TINY_DATASET, config: { ...TINY_DATASET.config, seed: 8, signalsPerClass: 2 } };
    const [a, b] = await Promise.all([startDatasetGeneration(stack.client, other), startDatasetGeneration(stack.client, other)]);
    expect(a.runId).toBe(b.runId);
    await getDatasetResult(stack.client, a.workflowId);
    expect(await stack.db.select().from(signals).where(eq(signals.datasetId, a.entityId))).toHaveLength(8);
  });

  it('rejects invalid input before sending, and fails a raw start non-retryably naming the field', async () => {
    await expect(startTraining(stack.client, tinyTraining(datasetId, { epochs: 0 }))).rejects.toThrow(InputValidationError);
    await expect(startTraining(stack.client, tinyTraining(datasetId, { epochs: 0 }))).rejects.toThrow(/hyperparameters\.epochs/);

    // A backend in another language may send anything: the workflow checks again.
    const handle = await stack.client.workflow.start('trainModelWorkflow', {
      args: [{ experimentId: 'raw-bad', datasetId, hyperparameters: { epochs: -3 } }],
      taskQueue: WORKFLOW_TASK_QUEUE,
      workflowId: 'train-raw-bad',
    });
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe('InvalidInput');
    expect((cause as ApplicationFailure).nonRetryable).toBe(true);
    expect((cause as ApplicationFailure).message).toMatch(/hyperparameters\.epochs.*-3/);
  });

  it('fails a training run on an unknown dataset at once, naming it, without retries', async () => {
    const started = await startTraining(stack.client, tinyTraining('no-such-dataset'));
    await expect(getTrainingResult(stack.client, started.workflowId)).rejects.toThrow(/no-such-dataset/);
    const events = (await history(started.workflowId)).events ?? [];
    const attempts = events.filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes?.attempt);
    // registerExperiment failed once (NotFound is non-retryable), then markExperimentEnded ran.
    expect(attempts[0]).toBe(1);
    expect(events.some((e) => e.activityTaskFailedEventAttributes?.failure?.applicationFailureInfo?.type === 'NotFound')).toBe(true);
  });

  async function startLongTrainingAndWaitForAnEpoch(experimentId: string) {
    const started = await startTraining(stack.client, tinyTraining(datasetId, { epochs: 300 }, experimentId));
    await waitFor('the first epoch', async () => {
      const p = await getProgress(stack.client, started.workflowId);
      return p.completed >= 1 ? p : undefined;
    });
    return started;
  }

  async function expectCancelledAndStopped(experimentId: string, workflowId: string) {
    await expect(getTrainingResult(stack.client, workflowId)).rejects.toThrow(/cancel/i);
    const [exp] = await stack.db.select().from(experiments).where(eq(experiments.id, experimentId));
    expect(exp.status).toBe('CANCELLED');
    const events = (await history(workflowId)).events ?? [];
    // WAIT_CANCELLATION_COMPLETED: the activity acknowledged cancellation (its child was killed).
    expect(events.some((e) => e.activityTaskCanceledEventAttributes)).toBe(true);
    const recorded = (await stack.db.select().from(epochMetrics).where(eq(epochMetrics.experimentId, experimentId))).length;
    expect(recorded).toBeLessThan(300);
    // Training really stopped: no epoch is recorded after the cancellation completed.
    await new Promise((r) => setTimeout(r, 3_000));
    expect((await stack.db.select().from(epochMetrics).where(eq(epochMetrics.experimentId, experimentId))).length).toBe(recorded);
    const [note] = await stack.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.entityId, experimentId), eq(notifications.eventType, 'TRAINING_CANCELLED')));
    expect(note).toBeDefined();
  }

  it('cancels training through the client within an epoch and marks it CANCELLED', async () => {
    const started = await startLongTrainingAndWaitForAnEpoch('cancel-by-client');
    await cancelRun(stack.client, started.workflowId);
    await expectCancelledAndStopped('cancel-by-client', started.workflowId);
  });

  it('cancels training through `temporal workflow cancel`', async () => {
    const started = await startLongTrainingAndWaitForAnEpoch('cancel-by-cli');
    const cli = findTemporalCli({ temporal: { cliPath: process.env.TEMPORAL_CLI || undefined } });
    expect(existsSync(cli.path)).toBe(true);
    await exec(cli.path, [
      'workflow',
      'cancel',
      '--workflow-id',
      started.workflowId,
      '--address',
      stack.temporal.address,
      '--namespace',
      stack.temporal.namespace,
    ]);
    await expectCancelledAndStopped('cancel-by-cli', started.workflowId);
  });
});
