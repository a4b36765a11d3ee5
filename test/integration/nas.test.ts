import { existsSync } from 'node:fs';
import path from 'node:path';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getProgress } from '../../client/api.js';
import {
  WORKFLOW_TASK_QUEUE,
  stopSignal,
  updateNasCampaignUpdate,
  workflowIds,
  type NasCampaignRequest,
  type NasCampaignResult,
  type NasPoint,
} from '../../contracts/index.js';
import { campaigns, epochMetrics, experiments, trials } from '../../db/schema.js';
import { reportedEpochs } from '../support/history.js';
import { generateDataset, startWorkingStack, waitFor, type TestStack } from '../support/stack.js';
import { TINY_DATASET } from './fixtures.js';
import { recordReplayHistory } from '../support/history.js';

async function start(client: Client, request: NasCampaignRequest) {
  return client.workflow.start('nasCampaignWorkflow', { args: [request], taskQueue: WORKFLOW_TASK_QUEUE, workflowId: workflowIds.nas(request.campaignId) });
}

const dominated = (p: NasPoint, q: NasPoint) =>
  q.valAccuracy >= p.valAccuracy &&
  q.params <= p.params &&
  q.latencyMs <= p.latencyMs &&
  (q.valAccuracy > p.valAccuracy || q.params < p.params || q.latencyMs < p.latencyMs);

/** NAS campaigns on a real stack: every candidate is a real child training run. */
describe('NAS campaigns with real training', () => {
  let stack: TestStack;
  let datasetId: string;
  beforeAll(async () => {
    stack = await startWorkingStack({ trainWorker: true });
    datasetId = await generateDataset(stack, TINY_DATASET);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const request = (campaignId: string, over: Partial<NasCampaignRequest> = {}): NasCampaignRequest => ({
    campaignId,
    datasetId,
    strategy: { kind: 'aging-evolution', seed: 4, populationSize: 2, sampleSize: 2 },
    limits: { maxParams: 60_000, minOutputLength: 1 },
    epochs: 2,
    training: { windowLength: 2048, windowHop: 1024, maxWindowsPerSignal: 8, patience: 0 },
    maxCandidates: 5,
    maxConcurrentCandidates: 2,
    ...over,
  });

  it('evolves real architectures to completion: candidates, objectives, Pareto front, report', async () => {
    const handle = await start(stack.client, request('nas-small'));
    const result = (await handle.result()) as NasCampaignResult;
    expect(result.status).toBe('COMPLETED');
    const c = result.candidates;
    expect(c.total).toBe(5);
    expect(c.completed + c.failed + c.rejected + c.duplicates).toBe(5);
    expect(c.completed).toBeGreaterThanOrEqual(2);
    expect(result.best).not.toBeNull();
    expect(result.best!.params).toBeGreaterThan(0);
    expect(result.best!.params).toBeLessThanOrEqual(60_000);
    expect(result.best!.latencyMs).toBeGreaterThan(0);
    expect(result.front.length).toBeGreaterThan(0);
    for (const p of result.front) expect(result.front.some((q) => dominated(p, q))).toBe(false);

    const rows = await stack.db.select().from(trials).where(eq(trials.campaignId, 'nas-small'));
    expect(rows.map((r) => r.number).sort()).toEqual([0, 1, 2, 3, 4]);
    const trained = rows.filter((r) => r.status === 'COMPLETED' && r.metrics.duplicateOf === undefined);
    expect(trained.length).toBe(c.completed);
    for (const r of trained) {
      expect(r.metrics).toMatchObject({ params: expect.any(Number), latencyMs: expect.any(Number), valAccuracy: expect.any(Number) });
      expect((r.params as { blocks: unknown[] }).blocks.length).toBeGreaterThanOrEqual(2);
      const [exp] = await stack.db
        .select()
        .from(experiments)
        .where(eq(experiments.id, r.experimentId ?? ''));
      expect(exp).toMatchObject({ kind: 'nas-candidate', campaignId: 'nas-small', status: 'COMPLETED', epochsCompleted: 2, parameterCount: r.metrics.params });
    }
    const [row] = await stack.db.select().from(campaigns).where(eq(campaigns.id, 'nas-small'));
    expect(row).toMatchObject({ kind: 'nas', status: 'COMPLETED', bestTrial: result.best!.candidate });
    expect(existsSync(path.join(stack.config.artifactDir, 'sha256', result.reportUri!.slice(-64, -62), result.reportUri!.slice(-64)))).toBe(true);
    expect((await stack.client.workflow.getHandle(workflowIds.nasCandidate('nas-small', 0)).describe()).type).toBe('trainModelWorkflow');

    await recordReplayHistory(stack.temporal, handle.workflowId, 'nasCampaignWorkflow');
  });

  it('rejects genomes over the parameter cap before training, with the reason recorded', async () => {
    const handle = await start(
      stack.client,
      request('nas-tight', {
        limits: { maxParams: 1_500, minOutputLength: 1 },
        maxCandidates: 4,
        strategy: { kind: 'random', seed: 9, populationSize: 2, sampleSize: 2 },
      }),
    );
    const result = (await handle.result()) as NasCampaignResult;
    const rows = await stack.db.select().from(trials).where(eq(trials.campaignId, 'nas-tight'));
    const rejected = rows.filter((r) => r.error?.startsWith('rejected:'));
    expect(rejected.length).toBe(result.candidates.rejected);
    expect(result.candidates.rejected).toBeGreaterThan(0);
    for (const r of rejected) {
      expect(r.error).toMatch(/params|parameters|maxParams/);
      expect(r.experimentId).toBeNull();
    }
    const exps = await stack.db.select().from(experiments).where(like(experiments.id, 'nas-tight-%'));
    expect(exps.length).toBe(result.candidates.completed + result.candidates.failed);
    expect(exps.every((e) => (e.parameterCount ?? 0) <= 1_500)).toBe(true);
  });

  it('takes a validated update, then cancels: children cancelled, rows CANCELLED', async () => {
    const handle = await start(stack.client, request('nas-cancel', { maxCandidates: 50, epochs: 200 }));
    await waitFor('a candidate epoch', async () => {
      const p = await getProgress(stack.client, workflowIds.nasCandidate('nas-cancel', 0)).catch(() => undefined);
      return p && p.completed >= 1 ? true : undefined;
    });
    const rejected = await handle.executeUpdate(updateNasCampaignUpdate, { args: [{ maxCandidates: 1 }] }).catch((e: unknown) => e);
    expect(rejected).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(String((rejected as WorkflowUpdateFailedError).cause?.message)).toMatch(/maxCandidates 1 is below the 2 candidates already proposed/);
    expect(await handle.executeUpdate(updateNasCampaignUpdate, { args: [{ maxCandidates: 40, maxConcurrentCandidates: 2 }] })).toEqual({
      maxCandidates: 40,
      maxConcurrentCandidates: 2,
    });
    await handle.cancel();
    await expect(handle.result()).rejects.toThrow(/cancel/i);
    expect((await stack.client.workflow.getHandle(workflowIds.nasCandidate('nas-cancel', 0)).describe()).status.name).toBe('CANCELLED');
    const [row] = await stack.db.select().from(campaigns).where(eq(campaigns.id, 'nas-cancel'));
    expect(row.status).toBe('CANCELLED');
    const rows = await stack.db.select().from(trials).where(eq(trials.campaignId, 'nas-cancel'));
    expect(rows.length).toBe(2);
    expect(rows.every((r) => r.status === 'CANCELLED')).toBe(true);
  });

  it('stops: the running candidates finish, no new one starts', async () => {
    const handle = await start(stack.client, request('nas-stop', { maxCandidates: 50 }));
    await waitFor('a finished candidate', async () => ((await getProgress(stack.client, handle.workflowId)).completed >= 1 ? true : undefined));
    await handle.signal(stopSignal, { reason: 'enough' });
    const result = (await handle.result()) as NasCampaignResult;
    expect(result.status).toBe('STOPPED');
    expect(result.candidates.total).toBeLessThan(50);
    const rows = await stack.db.select().from(trials).where(eq(trials.campaignId, 'nas-stop'));
    expect(rows.length).toBe(result.candidates.total);
    expect(rows.every((r) => r.status !== 'RUNNING')).toBe(true);
  });
});

/** A NAS campaign's training worker dies mid-run: nothing is lost or duplicated. */
describe('a NAS campaign survives a killed training worker', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startWorkingStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('completes with exactly the planned candidates and no repeated epochs', async () => {
    const datasetId = await generateDataset(stack, TINY_DATASET);
    const first = await stack.spawnWorkerProcess(['train']);
    const campaignId = 'nas-crash';
    const handle = await start(stack.client, {
      campaignId,
      datasetId,
      strategy: { kind: 'random', seed: 2, populationSize: 2, sampleSize: 2 },
      limits: { maxParams: 60_000, minOutputLength: 1 },
      epochs: 5,
      training: { windowLength: 2048, windowHop: 1024, maxWindowsPerSignal: 8, patience: 0 },
      maxCandidates: 3,
      maxConcurrentCandidates: 2,
    });
    await waitFor('a candidate two epochs in', async () => {
      const p = await getProgress(stack.client, workflowIds.nasCandidate(campaignId, 0)).catch(() => undefined);
      return p && p.completed >= 2 ? true : undefined;
    });
    await first.kill('SIGKILL');
    await stack.spawnWorkerProcess(['train']);
    const result = (await handle.result()) as NasCampaignResult;
    expect(result.status).toBe('COMPLETED');
    expect(result.candidates.total).toBe(3);
    const rows = await stack.db.select().from(trials).where(eq(trials.campaignId, campaignId));
    expect(rows.map((r) => r.number).sort()).toEqual([0, 1, 2]);
    const trained = rows.filter((r) => r.experimentId);
    for (const r of trained) {
      expect(r.experimentId).not.toMatch(/-a\d+$/);
      const epochs = await stack.db.select().from(epochMetrics).where(eq(epochMetrics.experimentId, r.experimentId!));
      expect(epochs).toHaveLength(5);
      expect(await reportedEpochs(stack.client, workflowIds.nasCandidate(campaignId, r.number))).toEqual([1, 2, 3, 4, 5]);
    }
  });
});
