import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getProgress } from '../../client/api.js';
import {
  WORKFLOW_TASK_QUEUE,
  stopSignal,
  updateCampaignUpdate,
  workflowIds,
  type HpoCampaignRequest,
  type HpoCampaignResult,
  type SearchSpaceInput,
} from '../../contracts/index.js';
import { campaigns, epochMetrics, experiments, trials } from '../../db/schema.js';
import { findTemporalCli } from '../../temporal-config/cli.js';
import { generateDataset, startWorkingStack, waitFor, type TestStack } from '../support/stack.js';
import { TINY_DATASET } from './fixtures.js';
import { recordReplayHistory } from '../support/history.js';
import { dominatesVec } from '../../workflows/search/index.js';

const exec = promisify(execFile);

async function start(client: Client, request: HpoCampaignRequest) {
  return client.workflow.start('hpoCampaignWorkflow', {
    args: [request],
    taskQueue: WORKFLOW_TASK_QUEUE,
    workflowId: workflowIds.hpo(request.campaignId),
  });
}

const synthetic = (campaignId: string, over: Partial<HpoCampaignRequest> = {}): HpoCampaignRequest => ({
  campaignId,
  datasetId: 'synthetic',
  evaluator: { kind: 'synthetic', function: 'branin' },
  objective: { metric: 'valLoss', direction: 'minimize' },
  sampler: { kind: 'tpe', seed: 5 },
  pruner: { kind: 'none', minEpochs: 1, maxEpochs: 1, reductionFactor: 3 },
  maxTrials: 30,
  maxConcurrentTrials: 1,
  ...over,
});

/** HPO campaigns on a real dev server and Postgres: orchestration with an instant objective. */
describe('HPO campaign orchestration', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startWorkingStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const trialRows = (campaignId: string) => stack.db.select().from(trials).where(eq(trials.campaignId, campaignId));

  it('continues as new and ends exactly where an uninterrupted run with the same seed ends', async () => {
    const plain = await (await start(stack.client, synthetic('can-plain'))).result();
    const handle = await start(stack.client, synthetic('can-split', { testing: { continueAsNewEvery: 7 } }));
    const split = (await handle.result()) as HpoCampaignResult;
    expect(split.trials).toEqual(plain.trials);
    expect(split.best).toEqual(plain.best);
    const a = (await trialRows('can-plain')).map((t) => [t.number, t.value, t.params]);
    const b = (await trialRows('can-split')).map((t) => [t.number, t.value, t.params]);
    expect(b).toEqual(a);
    expect(b).toHaveLength(30);
    // It really continued as new: the first run's history ends with ContinueAsNew.
    const first = await stack.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId).fetchHistory();
    expect(first.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes).toBeDefined();
    const [row] = await stack.db.select().from(campaigns).where(eq(campaigns.id, 'can-split'));
    expect(row).toMatchObject({ status: 'COMPLETED', bestValue: split.best?.value, bestTrial: split.best?.trial });
    expect(row.reportUri).toMatch(/^artifact:sha256\//);
  });

  it('stops: running trials finish, no new trial starts, status STOPPED', async () => {
    const handle = await start(stack.client, synthetic('stop-me', { maxTrials: 100_000, maxConcurrentTrials: 3, sampler: { kind: 'random', seed: 1 } }));
    await waitFor('ten finished trials', async () => ((await getProgress(stack.client, handle.workflowId)).completed >= 10 ? true : undefined));
    await handle.signal(stopSignal, { reason: 'enough' });
    const result = (await handle.result()) as HpoCampaignResult;
    expect(result.status).toBe('STOPPED');
    const rows = await trialRows('stop-me');
    expect(rows.length).toBe(result.trials.total);
    expect(rows.length).toBeLessThan(100_000);
    expect(rows.every((r) => r.status === 'COMPLETED')).toBe(true);
    const [row] = await stack.db.select().from(campaigns).where(eq(campaigns.id, 'stop-me'));
    expect(row.status).toBe('STOPPED');
  });

  it('accepts a validated update of the budget and the concurrency', async () => {
    const handle = await start(stack.client, synthetic('update-me', { maxTrials: 100_000, sampler: { kind: 'random', seed: 2 } }));
    await waitFor('five finished trials', async () => ((await getProgress(stack.client, handle.workflowId)).completed >= 5 ? true : undefined));
    const rejected = await handle.executeUpdate(updateCampaignUpdate, { args: [{ maxTrials: 1 }] }).catch((e: unknown) => e);
    expect(rejected).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(String((rejected as WorkflowUpdateFailedError).cause?.message)).toMatch(/maxTrials 1 is below the \d+ trials already started/);
    const bad = await handle.executeUpdate(updateCampaignUpdate, { args: [{ maxConcurrentTrials: 0 } as never] }).catch((e: unknown) => e);
    expect(String((bad as WorkflowUpdateFailedError).cause?.message)).toMatch(/maxConcurrentTrials/);
    const progress = await getProgress(stack.client, handle.workflowId);
    const limit = progress.completed + 20;
    const applied = await handle.executeUpdate(updateCampaignUpdate, { args: [{ maxTrials: limit, maxConcurrentTrials: 4 }] });
    expect(applied).toEqual({ maxTrials: limit, maxConcurrentTrials: 4 });
    const result = (await handle.result()) as HpoCampaignResult;
    expect(result.trials.total).toBe(limit);
    expect(await trialRows('update-me')).toHaveLength(limit);
  });

  it('cancels through `faultline hpo cancel`: campaign and running trials CANCELLED', async () => {
    const handle = await start(stack.client, synthetic('cli-cancel', { maxTrials: 100_000, maxConcurrentTrials: 2, sampler: { kind: 'random', seed: 4 } }));
    await waitFor('five finished trials', async () => ((await getProgress(stack.client, handle.workflowId)).completed >= 5 ? true : undefined));
    const { stdout } = await exec(process.execPath, [path.resolve('bin/faultline.mjs'), '--json', 'hpo', 'cancel', 'cli-cancel'], { env: stack.env });
    expect(JSON.parse(stdout)).toMatchObject({ workflowId: handle.workflowId });
    await expect(handle.result()).rejects.toThrow(/cancel/i);
    const [row] = await stack.db.select().from(campaigns).where(eq(campaigns.id, 'cli-cancel'));
    expect(row.status).toBe('CANCELLED');
    const rows = await trialRows('cli-cancel');
    expect(rows.every((r) => r.status === 'COMPLETED' || r.status === 'CANCELLED')).toBe(true);
    const description = await handle.describe();
    expect(description.status.name).toBe('CANCELLED');
  });

  it('honours the wall-time budget: no trial starts after it, the campaign completes', async () => {
    const handle = await start(stack.client, synthetic('wall-time', { maxTrials: 100_000, maxDurationMinutes: 0.05, sampler: { kind: 'random', seed: 6 } }));
    const result = (await handle.result()) as HpoCampaignResult;
    expect(result.status).toBe('COMPLETED');
    expect(result.trials.total).toBeGreaterThan(0);
    expect(result.trials.total).toBeLessThan(100_000);
    expect(await trialRows('wall-time')).toHaveLength(result.trials.total);
  });

  it('rejects a bad search space before any trial, naming the path', async () => {
    const handle = await start(stack.client, synthetic('bad-space', { space: { x1: { type: 'float', low: 5, high: 1 } } }));
    await expect(handle.result()).rejects.toThrow();
    const err = await handle.result().catch((e: { cause?: { message?: string; type?: string } }) => e.cause);
    expect(err?.type).toBe('InvalidInput');
    expect(err?.message).toMatch(/space\.x1\.low/);
  });
});

/** Real training trials: each a child trainModelWorkflow on a separate training worker process. */
describe('HPO campaign with real training', () => {
  let stack: TestStack;
  let datasetId: string;
  beforeAll(async () => {
    stack = await startWorkingStack({ trainWorker: true });
    datasetId = await generateDataset(stack, TINY_DATASET);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const space = {
    learningRate: { type: 'float', low: 1e-3, high: 1e-2, log: true },
    filters1: { type: 'int', low: 8, high: 16 },
    kernelSize1: { type: 'categorical', choices: [32, 64] },
  } satisfies SearchSpaceInput;
  const base = { windowLength: 2048, windowHop: 1024, maxWindowsPerSignal: 8, patience: 0, batchSize: 32 };
  const real = (campaignId: string, over: Partial<HpoCampaignRequest> = {}): HpoCampaignRequest => ({
    campaignId,
    datasetId,
    space,
    base,
    sampler: { kind: 'random', seed: 11 },
    pruner: { kind: 'asha', minEpochs: 1, maxEpochs: 3, reductionFactor: 3 },
    maxTrials: 4,
    maxConcurrentTrials: 2,
    ...over,
  });

  it('runs a small ASHA campaign to completion: trials, rungs, best, report', async () => {
    const handle = await start(stack.client, real('real-asha'));
    const result = (await handle.result()) as HpoCampaignResult;
    expect(result.status).toBe('COMPLETED');
    expect(result.trials.total).toBe(4);
    expect(result.trials.completed + result.trials.pruned).toBe(4);
    expect(result.trials.completed).toBeGreaterThanOrEqual(1);
    const rows = await stack.db.select().from(trials).where(eq(trials.campaignId, 'real-asha'));
    expect(rows.map((r) => r.number).sort()).toEqual([0, 1, 2, 3]);
    // A promoted trial continued from its checkpoint: its last experiment trained to epoch 3 only.
    const promoted = rows.filter((r) => r.status === 'COMPLETED');
    for (const t of promoted) {
      expect(Object.keys(t.intermediate).map(Number)).toEqual([1, 3]);
      const [exp] = await stack.db
        .select()
        .from(experiments)
        .where(eq(experiments.id, t.experimentId ?? ''));
      expect(exp.epochsCompleted).toBe(3);
      // The promoted run trained only epochs 2–3: it continued from rung 0's checkpoint.
      const epochs = await stack.db.select().from(epochMetrics).where(eq(epochMetrics.experimentId, exp.id));
      expect(epochs.map((e) => e.epoch).sort((a, b) => a - b)).toEqual([2, 3]);
    }
    const exps = await stack.db.select().from(experiments).where(eq(experiments.campaignId, 'real-asha'));
    expect(exps.length).toBe(4 + promoted.length);
    expect(result.best?.value).toBe(Math.max(...promoted.map((t) => t.value ?? -1)));
    const html = readFileSync(path.join(stack.config.artifactDir, 'sha256', result.reportUri!.slice(-64, -62), result.reportUri!.slice(-64)), 'utf8');
    expect(html).toContain('<svg');
    const child = await stack.client.workflow.getHandle(workflowIds.hpoTrial('real-asha', 0)).describe();
    expect(child.type).toBe('trainModelWorkflow');

    await recordReplayHistory(stack.temporal, handle.workflowId, 'hpoCampaignWorkflow');
  });

  it('runs a multi-objective (NSGA-II) campaign on real training: the Pareto front is what the experiments measured', async () => {
    const handle = await start(
      stack.client,
      real('real-nsga2', {
        sampler: { kind: 'nsga2', seed: 3, populationSize: 2 },
        pruner: { kind: 'none', minEpochs: 1, maxEpochs: 1, reductionFactor: 3 },
        objectives: [{ metric: 'valAccuracy' }, { metric: 'inferenceMsPerWindow' }],
        maxTrials: 4,
      }),
    );
    const result = (await handle.result()) as HpoCampaignResult;
    expect(result.status).toBe('COMPLETED');
    expect(result.trials.completed).toBe(4);
    const rows = await stack.db.select().from(trials).where(eq(trials.campaignId, 'real-nsga2'));
    expect(rows.map((r) => r.number).sort()).toEqual([0, 1, 2, 3]);
    const points: { trial: number; values: number[] }[] = [];
    for (const t of rows) {
      const [exp] = await stack.db
        .select()
        .from(experiments)
        .where(eq(experiments.id, t.experimentId ?? ''));
      expect(exp.status).toBe('COMPLETED');
      points.push({ trial: t.number, values: [exp.bestValAccuracy ?? Number.NaN, exp.inferenceMsPerWindow ?? Number.NaN] });
    }
    const dirs = ['maximize', 'minimize'] as const;
    const expected = points.filter((p) => !points.some((q) => dominatesVec(q.values, p.values, dirs))).map((p) => p.trial);
    const front = result.pareto?.front ?? [];
    expect(front.map((t) => t.trial).sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b));
    for (const t of front) expect(t.values).toEqual(points.find((p) => p.trial === t.trial)?.values);
    const html = readFileSync(path.join(stack.config.artifactDir, 'sha256', result.reportUri!.slice(-64, -62), result.reportUri!.slice(-64)), 'utf8');
    expect(html).toMatch(/Pareto/i);
  });

  // A 65,536-sample window cannot be cut from 16,384-sample signals: such a trial fails at once
  // (non-retryable), is tried again once (trialAttempts 2), then recorded FAILED.
  const failing = { ...space, windowLength: { type: 'categorical', choices: [2048, 65536] } } satisfies SearchSpaceInput;

  it('records failed trials (after their retries) and carries on below maxFailedTrials', async () => {
    const handle = await start(
      stack.client,
      real('fail-some', {
        space: failing,
        pruner: { kind: 'none', minEpochs: 1, maxEpochs: 1, reductionFactor: 3 },
        maxTrials: 6,
        maxFailedTrials: 6,
        trialAttempts: 2,
      }),
    );
    const result = (await handle.result()) as HpoCampaignResult;
    expect(result.status).toBe('COMPLETED');
    expect(result.trials.failed).toBeGreaterThan(0);
    expect(result.trials.completed).toBeGreaterThan(0);
    expect(result.trials.total).toBe(6);
    const rows = await stack.db.select().from(trials).where(eq(trials.campaignId, 'fail-some'));
    const failed = rows.filter((r) => r.status === 'FAILED');
    expect(failed.length).toBe(result.trials.failed);
    expect(failed.every((r) => r.params.windowLength === 65536 && /window|signal/i.test(r.error ?? ''))).toBe(true);
    // The retry ran as a second child, then gave up.
    const retried = await stack.client.workflow.getHandle(workflowIds.hpoTrial('fail-some', failed[0].number, 0, 2)).describe();
    expect(retried.status.name).toBe('FAILED');
  });

  it('fails the campaign when more trials fail than maxFailedTrials', async () => {
    const handle = await start(
      stack.client,
      real('fail-all', { space: { ...failing, windowLength: { type: 'categorical', choices: [65536] } }, maxTrials: 4, maxFailedTrials: 1, trialAttempts: 1 }),
    );
    const err = await handle.result().catch((e: { cause?: { message?: string; type?: string } }) => e.cause);
    expect(err?.type).toBe('TooManyFailedTrials');
    expect(err?.message).toMatch(/more than maxFailedTrials \(1\)/);
    const [row] = await stack.db.select().from(campaigns).where(eq(campaigns.id, 'fail-all'));
    expect(row.status).toBe('FAILED');
  });

  it('cancels: children cancelled, rows CANCELLED (via `temporal workflow cancel`)', async () => {
    const handle = await start(stack.client, real('cancel-real', { pruner: { kind: 'none', minEpochs: 1, maxEpochs: 200, reductionFactor: 3 }, maxTrials: 2 }));
    await waitFor('a child training epoch', async () => {
      const p = await getProgress(stack.client, workflowIds.hpoTrial('cancel-real', 0)).catch(() => undefined);
      return p && p.completed >= 1 ? true : undefined;
    });
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
    await expect(handle.result()).rejects.toThrow(/cancel/i);
    const child = await stack.client.workflow.getHandle(workflowIds.hpoTrial('cancel-real', 0)).describe();
    expect(child.status.name).toBe('CANCELLED');
    const [row] = await stack.db.select().from(campaigns).where(eq(campaigns.id, 'cancel-real'));
    expect(row.status).toBe('CANCELLED');
    const rows = await stack.db.select().from(trials).where(eq(trials.campaignId, 'cancel-real'));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.status === 'CANCELLED')).toBe(true);
    const [exp] = await stack.db.select().from(experiments).where(eq(experiments.id, 'cancel-real-t0'));
    expect(exp.status).toBe('CANCELLED');
  });
});
