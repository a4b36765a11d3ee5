import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { WorkflowFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTrainingResult, startTraining } from '../../client/api.js';
import { WORKFLOW_TASK_QUEUE, progressQuery, workflowIds, type Progress } from '../../contracts/index.js';
import { campaigns, datasets, xaiBatches } from '../../db/schema.js';
import { findTemporalCli } from '../../temporal-config/cli.js';
import { generateDataset, startTestStack, waitFor, type TestStack, type WorkerProcess } from '../support/stack.js';
import { tinyTraining } from './fixtures.js';

const exec = promisify(execFile);
const cli = findTemporalCli({ temporal: { cliPath: process.env.TEMPORAL_CLI || undefined } });

/**
 * Cancelling very large runs mid-way: the worker that hosts the workflows (a separate process,
 * so a crash shows as its exit) stays up, every run ends CANCELLED, its row says so, and the same
 * worker still runs new work afterwards. A 50,000-chunk dataset once killed the worker here
 * (fan-out lanes chained one immediate failure per remaining chunk after the cancellation).
 */
describe('mass cancellation', () => {
  let stack: TestStack;
  let host: WorkerProcess;

  beforeAll(async () => {
    stack = await startTestStack();
    host = await stack.spawnWorkerProcess(['control', 'cpu'], { CPU_SLOTS: '16', XAI_PROCESSES: '1' });
  }, 300_000);
  afterAll(async () => {
    await stack?.stop();
  });

  const hostAlive = () => host.child.exitCode === null && host.child.signalCode === null;

  async function progressOf(handle: WorkflowHandle): Promise<Progress> {
    return handle.query(progressQuery);
  }

  /** Cancel through the `temporal` CLI, as an operator would, and wait for the run to close. */
  async function cancelAndExpectCancelled(client: Client, workflowId: string): Promise<void> {
    await exec(cli.path, ['workflow', 'cancel', '--workflow-id', workflowId, '--address', stack.temporal.address, '--namespace', stack.temporal.namespace]);
    const handle = client.workflow.getHandle(workflowId);
    const err = await handle.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err, `${workflowId} should end cancelled`).toBeInstanceOf(WorkflowFailedError);
    expect((err as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
    const described = await handle.describe();
    expect(described.status.name).toBe('CANCELLED');
    // No workflow task failed in our code. UNHANDLED_COMMAND (cause 1) is the server asking the
    // worker to redo a task because new events arrived while it completed: routine under load.
    const history = await handle.fetchHistory();
    const taskFailures = (history.events ?? [])
      .map((e) => e.workflowTaskFailedEventAttributes)
      .filter((a) => a && a.cause !== 1 && String(a.cause) !== 'WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND');
    expect(taskFailures).toEqual([]);
  }

  it('cancels a 50,000-chunk dataset mid-run: the worker stays up and the dataset row says CANCELLED', async () => {
    const datasetId = 'huge-ds';
    const handle = await stack.client.workflow.start('generateDatasetWorkflow', {
      args: [{ datasetId, config: { seed: 1, signalsPerClass: 12_500, signalLength: 1_024 }, chunkSize: 1, maxInFlight: 8 }],
      taskQueue: WORKFLOW_TASK_QUEUE,
      workflowId: workflowIds.dataset(datasetId),
    });
    const p = await waitFor('50 chunks generated', async () => {
      const pr = await progressOf(handle);
      return (pr.chunksCompleted as number) >= 50 ? pr : undefined;
    });
    expect(p.chunksTotal).toBe(50_000);
    await cancelAndExpectCancelled(stack.client, handle.workflowId);
    const [row] = await stack.db.select().from(datasets).where(eq(datasets.id, datasetId));
    expect(row.status).toBe('CANCELLED');
    expect(hostAlive(), host.output()).toBe(true);
  });

  it('cancels a 500-trial campaign mid-run: the worker stays up and the campaign row says CANCELLED', async () => {
    const campaignId = 'huge-hpo';
    const handle = await stack.client.workflow.start('hpoCampaignWorkflow', {
      args: [
        {
          campaignId,
          datasetId: 'synthetic',
          evaluator: { kind: 'synthetic', function: 'branin' },
          objective: { metric: 'valLoss', direction: 'minimize' },
          sampler: { kind: 'random', seed: 3 },
          pruner: { kind: 'none', minEpochs: 1, maxEpochs: 1, reductionFactor: 3 },
          maxTrials: 500,
          maxConcurrentTrials: 16,
        },
      ],
      taskQueue: WORKFLOW_TASK_QUEUE,
      workflowId: workflowIds.hpo(campaignId),
    });
    await waitFor('20 trials finished', async () => ((await progressOf(handle)).completed >= 20 ? true : undefined));
    await cancelAndExpectCancelled(stack.client, handle.workflowId);
    const [row] = await stack.db.select().from(campaigns).where(eq(campaigns.id, campaignId));
    expect(row.status).toBe('CANCELLED');
    expect(hostAlive(), host.output()).toBe(true);
  });

  it('cancels a 2,000-signal XAI batch mid-run: the worker stays up and the batch row says CANCELLED', async () => {
    const trainer = await stack.spawnWorkerProcess(['train']);
    await generateDataset(stack, {
      datasetId: 'mc-train',
      config: { seed: 5, signalsPerClass: 8, signalLength: 8_192, snrDb: [8, 12] },
      chunkSize: 8,
      maxInFlight: 4,
    });
    const run = await startTraining(stack.client, tinyTraining('mc-train', { epochs: 1, windowHop: 2_048, maxWindowsPerSignal: 2 }, 'mc-model'));
    const modelId = (await getTrainingResult(stack.client, run.workflowId)).experimentId;
    await trainer.kill();
    await generateDataset(stack, { datasetId: 'mc-big', config: { seed: 6, signalsPerClass: 500, signalLength: 2_048 }, chunkSize: 128, maxInFlight: 4 });

    const batchId = 'huge-xai';
    const handle = await stack.client.workflow.start('explainSignalsWorkflow', {
      args: [
        {
          batchId,
          modelId,
          selection: { kind: 'dataset', datasetId: 'mc-big' },
          methods: { occlusion: { window: 512, stride: 512 } },
          windowsPerSignal: 1,
          maxInFlight: 16,
        },
      ],
      taskQueue: WORKFLOW_TASK_QUEUE,
      workflowId: workflowIds.xai(batchId),
    });
    const p = await waitFor('10 signals explained', async () => {
      const pr = await progressOf(handle);
      return pr.completed >= 10 ? pr : undefined;
    });
    expect(p.total).toBe(2_000);
    await cancelAndExpectCancelled(stack.client, handle.workflowId);
    const [row] = await stack.db.select().from(xaiBatches).where(eq(xaiBatches.id, batchId));
    expect(row.status).toBe('CANCELLED');
    expect(hostAlive(), host.output()).toBe(true);
  }, 300_000);

  it('the same worker still runs new work after the cancellations', async () => {
    const datasetId = await generateDataset(stack, {
      datasetId: 'after-ds',
      config: { seed: 2, signalsPerClass: 2, signalLength: 1_024 },
      chunkSize: 2,
      maxInFlight: 2,
    });
    const [row] = await stack.db.select().from(datasets).where(eq(datasets.id, datasetId));
    expect(row.status).toBe('READY');
    expect(hostAlive(), host.output()).toBe(true);
  });
});
