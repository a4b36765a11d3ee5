import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { and, eq, inArray } from 'drizzle-orm';
import { Worker } from '@temporalio/worker';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getProgress } from '../../client/api.js';
import { WORKFLOW_TASK_QUEUE, signalRef, workflowIds, type ExplainSignalsResult, type HpoCampaignResult } from '../../contracts/index.js';
import { epochMetrics, experiments, trials, xaiExplanations } from '../../db/schema.js';
import { bundleWorkflows } from '../../workers/bundle.js';
import { TINY_DATASET } from '../integration/fixtures.js';
import { reportedEpochs } from '../support/history.js';
import { generateDataset, startTestStack, waitFor, type TestStack, type WorkerProcess } from '../support/stack.js';
import { startRestartableTemporal, type RestartableTemporal } from './restartable-temporal.js';

const TRIALS = 6;
const EPOCHS = 12;
const CAMPAIGN = 'chaos-hpo';
/** Database outages (ALTER DATABASE … ALLOW_CONNECTIONS false + pg_terminate_backend); CHAOS_OUTAGE_SECONDS sets the campaign's. */
const TRAINING_OUTAGE_MS = Number(process.env.CHAOS_OUTAGE_SECONDS ?? 15) * 1_000;
const XAI_OUTAGE_MS = 10_000;
const XAI_SIGNALS = 12;

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The faults of issue 18's chaos run on a small HPO campaign and an XAI batch, with every worker
 * a separate process and the dev server on a SQLite file of its own: kill -9 of the training
 * worker (twice) and of the control/CPU worker, the dev server stopped and killed and restarted
 * on its file, and a Postgres outage while epochs are being recorded. Nothing may be lost or
 * repeated: exact trials, epoch rows and epoch signals, one row per explained (signal, method),
 * no run left open, every history replayable.
 */
describe('chaos: outages and crashes lose nothing', () => {
  let temporal: RestartableTemporal;
  let stack: TestStack;
  let trainer: WorkerProcess;
  let control: WorkerProcess;
  const faults: string[] = [];
  let datasetId: string;

  /** Every worker process started, killed ones included, for what their logs prove. */
  const spawned: WorkerProcess[] = [];
  const track = async (p: Promise<WorkerProcess>) => {
    const w = await p;
    spawned.push(w);
    return w;
  };
  const spawnControl = () => track(stack.spawnWorkerProcess(['control', 'cpu'], { CPU_SLOTS: '4', XAI_PROCESSES: '1' }));
  const spawnTrainer = () => track(stack.spawnWorkerProcess(['train'], { LOG_LEVEL: 'info' }));
  const logs = () => spawned.map((w) => w.output()).join('\n');
  const epochRows = async () =>
    (
      await stack.db
        .select({ id: epochMetrics.experimentId })
        .from(epochMetrics)
        .innerJoin(experiments, eq(experiments.id, epochMetrics.experimentId))
        .where(eq(experiments.campaignId, CAMPAIGN))
    ).length;
  /** Wait until `more` epoch rows were recorded after `since`, i.e. the campaign made progress. */
  const progressed = async (since: number, more = 2) => {
    await waitFor(`${more} more epoch rows`, async () => ((await epochRows()) >= since + more ? true : undefined), 300_000, 250);
  };
  const campaignRunning = async (handle: WorkflowHandle, fault: string) => {
    const d = await handle.describe();
    // The faults must land while there is work to disturb; a campaign already done proves nothing.
    if (d.status.name !== 'RUNNING') throw new Error(`the campaign ended before the fault "${fault}"`);
    faults.push(fault);
  };

  beforeAll(async () => {
    temporal = await startRestartableTemporal();
    stack = await startTestStack({}, { temporal: async () => temporal });
    control = await spawnControl();
    trainer = await spawnTrainer();
    datasetId = await generateDataset(stack, TINY_DATASET);
  }, 600_000);
  afterAll(async () => {
    // Every worker's log, for the post-mortem of a failed run.
    const file = path.join(os.tmpdir(), `faultline-chaos-${process.pid}.log`);
    writeFileSync(file, spawned.map((w, i) => `=== worker ${i} (pid ${w.child.pid}) ===\n${w.output()}`).join('\n'));
    console.log(`chaos: worker logs in ${file}`);
    await stack?.database.reopen().catch(() => undefined);
    await stack?.stop();
  });

  it('an HPO campaign completes with exactly its trials, epochs and signals', async () => {
    const handle = await stack.client.workflow.start('hpoCampaignWorkflow', {
      taskQueue: WORKFLOW_TASK_QUEUE,
      workflowId: workflowIds.hpo(CAMPAIGN),
      args: [
        {
          campaignId: CAMPAIGN,
          datasetId,
          space: { learningRate: { type: 'float', low: 1e-3, high: 1e-2, log: true }, dropout: { type: 'float', low: 0.1, high: 0.4 } },
          base: { windowLength: 2048, windowHop: 1024, maxWindowsPerSignal: 12, patience: 0 },
          sampler: { kind: 'random', seed: 5 },
          pruner: { kind: 'none', minEpochs: 1, maxEpochs: EPOCHS, reductionFactor: 3 },
          maxTrials: TRIALS,
          maxConcurrentTrials: 2,
        },
      ],
    });

    await waitFor('a trial two epochs in', async () => {
      const p = await getProgress(stack.client, workflowIds.hpoTrial(CAMPAIGN, 0)).catch(() => undefined);
      return p && p.completed >= 2 ? true : undefined;
    });
    await campaignRunning(handle, 'kill -9 the training worker');
    await trainer.kill('SIGKILL');
    trainer = await spawnTrainer();

    await progressed(await epochRows());
    await campaignRunning(handle, 'kill -9 the control/CPU worker');
    await control.kill('SIGKILL');
    control = await spawnControl();

    await progressed(await epochRows());
    await campaignRunning(handle, `Postgres outage of ${TRAINING_OUTAGE_MS / 1000} s during recordEpoch`);
    await stack.database.cutOff();
    await pause(TRAINING_OUTAGE_MS);
    await stack.database.reopen();

    await progressed(await epochRows());
    await campaignRunning(handle, 'dev server stopped (SIGTERM) and restarted on its file');
    await temporal.restart('SIGTERM');

    await progressed(await epochRows());
    await campaignRunning(handle, 'dev server killed (SIGKILL) and restarted on its file');
    await temporal.restart('SIGKILL');

    await progressed(await epochRows());
    await campaignRunning(handle, 'kill -9 the training worker again');
    await trainer.kill('SIGKILL');
    trainer = await spawnTrainer();

    const result = (await handle.result()) as HpoCampaignResult;
    expect(faults).toHaveLength(6);
    expect(result.status).toBe('COMPLETED');
    expect(result.trials).toMatchObject({ total: TRIALS, completed: TRIALS, failed: 0 });

    // The faults hit what they were meant to: the outage met database writes that waited for
    // it, and the killed training worker's epochs were resumed from a checkpoint, not redone.
    expect(logs()).toMatch(/database connection lost; retrying/);
    expect(logs()).toMatch(/resuming training from checkpoint/);

    const numbers = Array.from({ length: TRIALS }, (_, i) => i);
    const epochs = Array.from({ length: EPOCHS }, (_, i) => i + 1);
    const trialRows = await stack.db.select().from(trials).where(eq(trials.campaignId, CAMPAIGN));
    expect(trialRows.map((r) => r.number).sort((a, b) => a - b)).toEqual(numbers);
    // One experiment per trial: no fault restarted a trial under a new experiment id.
    const exps = await stack.db.select().from(experiments).where(eq(experiments.campaignId, CAMPAIGN));
    expect(exps.map((e) => e.id).sort()).toEqual(numbers.map((n) => `${CAMPAIGN}-t${n}`).sort());
    expect(exps.every((e) => e.status === 'COMPLETED')).toBe(true);
    for (const n of numbers) {
      const rows = await stack.db
        .select()
        .from(epochMetrics)
        .where(eq(epochMetrics.experimentId, `${CAMPAIGN}-t${n}`));
      expect({ trial: n, epochs: rows.map((r) => r.epoch).sort((a, b) => a - b) }).toEqual({ trial: n, epochs });
      expect({ trial: n, signals: await reportedEpochs(stack.client, workflowIds.hpoTrial(CAMPAIGN, n)) }).toEqual({ trial: n, signals: epochs });
    }
  });

  it('an XAI batch explains every signal once through a worker kill and a database outage', async () => {
    const [best] = await stack.db
      .select()
      .from(experiments)
      .where(and(eq(experiments.campaignId, CAMPAIGN), eq(experiments.status, 'COMPLETED')));
    expect(best).toBeDefined();
    const batchId = 'chaos-xai';
    const handle = await stack.client.workflow.start('explainSignalsWorkflow', {
      taskQueue: WORKFLOW_TASK_QUEUE,
      workflowId: workflowIds.xai(batchId),
      args: [
        {
          batchId,
          modelId: best.id,
          selection: { kind: 'ids', ids: Array.from({ length: XAI_SIGNALS }, (_, i) => signalRef(datasetId, i)) },
          methods: { 'integrated-gradients': { steps: 32 }, 'grad-cam': {} },
          windowsPerSignal: 2,
          maxInFlight: 3,
        },
      ],
    });
    const rowsOf = () => stack.db.select().from(xaiExplanations).where(eq(xaiExplanations.batchId, batchId));
    await waitFor('some signals explained', async () => ((await rowsOf()).length >= 2 ? true : undefined), 300_000, 100);
    await control.kill('SIGKILL');
    control = await spawnControl();
    await waitFor('more signals explained', async () => ((await rowsOf()).length >= 8 ? true : undefined), 300_000, 100);
    await stack.database.cutOff();
    await pause(XAI_OUTAGE_MS);
    await stack.database.reopen();

    const result = (await handle.result()) as ExplainSignalsResult;
    expect(result).toMatchObject({ status: 'COMPLETED', total: XAI_SIGNALS, completed: XAI_SIGNALS, failed: 0 });
    const rows = await rowsOf();
    expect(rows).toHaveLength(XAI_SIGNALS * 2);
    expect(rows.every((r) => r.status === 'COMPLETED')).toBe(true);
    expect(new Set(rows.map((r) => `${r.signalIdx}/${r.method}`)).size).toBe(XAI_SIGNALS * 2);
  });

  it('leaves no run open and every history replays', async () => {
    const open = await listWorkflows(stack.client, 'ExecutionStatus="Running"');
    expect(open).toEqual([]);
    const stuck = await stack.db
      .select({ id: experiments.id })
      .from(experiments)
      .where(inArray(experiments.status, ['RUNNING', 'PENDING']));
    expect(stuck).toEqual([]);

    const closed = await listWorkflows(stack.client, '');
    expect(closed.length).toBeGreaterThanOrEqual(TRIALS + 3); // dataset, campaign, trials, XAI batch
    const workflowBundle = await bundleWorkflows();
    const histories = await Promise.all(
      closed.map(async (workflowId) => ({ workflowId, history: await stack.client.workflow.getHandle(workflowId).fetchHistory() })),
    );
    const failures: string[] = [];
    for await (const r of Worker.runReplayHistories({ workflowBundle }, histories)) if (r.error) failures.push(`${r.workflowId}: ${r.error.message}`);
    expect(failures).toEqual([]);
  });
});

async function listWorkflows(client: Client, query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const w of client.workflow.list(query ? { query } : {})) ids.push(w.workflowId);
  return [...new Set(ids)].sort();
}
