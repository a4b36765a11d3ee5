import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, getDatasetResult, getHpoResult, getProgress, startDatasetGeneration, startHpoCampaign } from '../../client/api.js';
import {
  PROGRESS_MEMO_KEY,
  chunkSummary,
  compact,
  datasetDetails,
  datasetSummary,
  hpoDetails,
  hpoStaticDetails,
  hpoSummary,
  workflowIds,
  type HpoBest,
  type HpoCampaignResult,
  type ProgressMemo,
} from '../../contracts/index.js';
import { prepareDatasetInput, prepareHpoInput, type StartHpoRequest } from '../../client/api.js';
import { trials } from '../../db/schema.js';
import { findTemporalCli } from '../../temporal-config/cli.js';
import { startTestStack, waitFor, type TestStack } from '../support/stack.js';
import { TINY_DATASET } from './fixtures.js';

const exec = promisify(execFile);
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** What the Web UI asks for a run's "Current Details" (the SDK's built-in metadata query). */
async function currentDetails(handle: WorkflowHandle): Promise<string | undefined> {
  const metadata = await handle.query<{ currentDetails?: string | null }>('__temporal_workflow_metadata');
  return metadata.currentDetails ?? undefined;
}

/** A payload as the CLI's JSON prints it: shorthand (the value itself) or `{metadata, data}` base64. */
function cliPayload(p: unknown): unknown {
  if (p && typeof p === 'object' && 'data' in p && 'metadata' in p) {
    return JSON.parse(Buffer.from(String((p as { data: string }).data), 'base64').toString('utf8')) as unknown;
  }
  return p;
}

const summaryOf = (e: HistoryEvent): unknown => (e.userMetadata?.summary ? defaultPayloadConverter.fromPayload(e.userMetadata.summary) : undefined);

/**
 * Progress where users look, on a real dev server and Postgres: the Web UI's current details
 * (metadata query), the static summary set at start, the `progress` memo that `temporal workflow
 * describe` shows without a worker, activity summaries, and the children's static summaries.
 */
describe('progress in the Web UI and `temporal workflow describe`', () => {
  let stack: TestStack;
  let datasetId: string;
  const cli = () => findTemporalCli({ temporal: { cliPath: process.env.TEMPORAL_CLI || undefined } }).path;
  const cliDescribe = async (workflowId: string) => {
    const { stdout } = await exec(cli(), [
      'workflow',
      'describe',
      '--workflow-id',
      workflowId,
      '--output',
      'json',
      '--address',
      stack.temporal.address,
      '--namespace',
      stack.temporal.namespace,
    ]);
    const doc = JSON.parse(stdout) as {
      executionConfig?: { userMetadata?: { summary?: unknown } };
      workflowExecutionInfo?: { memo?: { fields?: Record<string, unknown> } };
    };
    return {
      summary: cliPayload(doc.executionConfig?.userMetadata?.summary),
      memo: cliPayload(doc.workflowExecutionInfo?.memo?.fields?.[PROGRESS_MEMO_KEY]) as ProgressMemo | undefined,
    };
  };

  beforeAll(async () => {
    stack = await startTestStack();
    // Workflows only at first: a dataset then waits at 0 chunks, a state the test can see for sure.
    await stack.startInProcessWorkers(['control']);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('a dataset: summary at start, live details and memo while it runs and at the end, chunk summaries', async () => {
    const request = { ...TINY_DATASET, chunkSize: 1, maxInFlight: 2 };
    const input = prepareDatasetInput(request);
    const chunks = 32;
    const started = await startDatasetGeneration(stack.client, request);
    datasetId = started.entityId;
    const handle = stack.client.workflow.getHandle(started.workflowId);

    // Registered, no CPU worker yet: nothing generated, and every place says so.
    const waiting = datasetDetails({ phase: 'generating', signalsDone: 0, signalsTotal: 32, chunksDone: 0, chunksTotal: chunks });
    expect(waiting).toBe('generating · 0/32 signals (0%) · 0/32 chunks');
    await waitFor('the generating phase', async () => ((await currentDetails(handle)) === waiting ? true : undefined));
    const running = await describeRun(stack.client, started.workflowId);
    expect(running.status).toBe('RUNNING');
    expect(running.summary).toBe(datasetSummary(input));
    expect(running.summary).toBe(`dataset ${datasetId} · 4 classes × 8 signals · 16,384 samples @ 12 kHz · seed 7`);
    expect(running.progressMemo).toEqual({ phase: 'generating', completed: 0, total: 32, fraction: 0, details: waiting });
    const described = await cliDescribe(started.workflowId);
    expect(described.summary).toBe(running.summary);
    expect(described.memo).toEqual(running.progressMemo);

    // Chunks past the fourth wait for the gate, so the run is seen mid-way however fast the
    // server and the machine are (a fast run used to finish between two polls).
    let openGate: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    let begun = 0;
    await stack.startInProcessWorkers(['cpu'], {
      wrapActivities: (a) => ({
        ...a,
        cpu: {
          ...a.cpu,
          generateSignalChunk: async (...args) => {
            if (++begun > 4) await gate;
            return a.cpu.generateSignalChunk(...args);
          },
        },
      }),
    });
    // While it runs, the details line is the progress query's numbers, formatted.
    await waitFor('details in step with progress mid-run', async () => {
      const [line, p] = [await currentDetails(handle), await getProgress(stack.client, started.workflowId)];
      if (p.phase !== 'generating' || p.completed === 0 || p.completed === 32) return undefined;
      const expected = datasetDetails({
        phase: p.phase,
        signalsDone: p.completed,
        signalsTotal: p.total,
        chunksDone: Number(p.chunksCompleted),
        chunksTotal: chunks,
      });
      return line === expected ? true : undefined;
    });
    openGate();
    await getDatasetResult(stack.client, started.workflowId);

    const done = 'completed · 32/32 signals (100%) · 32/32 chunks';
    expect(await currentDetails(handle)).toBe(done);
    const closed = await describeRun(stack.client, started.workflowId, { progress: false });
    expect(closed.progressMemo).toEqual({ phase: 'completed', completed: 32, total: 32, fraction: 1, details: done });
    expect((await cliDescribe(started.workflowId)).memo).toEqual(closed.progressMemo);

    const events = (await handle.fetchHistory()).events ?? [];
    const scheduled = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'generateSignalChunk');
    expect(scheduled).toHaveLength(chunks);
    expect(scheduled.map(summaryOf).sort()).toEqual(Array.from({ length: chunks }, (_, i) => chunkSummary(i, chunks, i, 1)).sort());
    // The memo is not one command per chunk: at most one per tenth of the work and per phase.
    const memoUpserts = events.filter((e) => e.workflowPropertiesModifiedEventAttributes).length;
    expect(memoUpserts).toBeGreaterThanOrEqual(4);
    expect(memoUpserts).toBeLessThanOrEqual(14);
  });

  it('an HPO campaign: live "n/N trials · best · running", trial summaries with hyperparameters, epoch-range summaries', async () => {
    await stack.spawnWorkerProcess(['train']);
    const base = { windowLength: 2048, windowHop: 1024, maxWindowsPerSignal: 8, patience: 0, batchSize: 32 };
    const request: StartHpoRequest = {
      datasetId,
      space: {
        learningRate: { type: 'float', low: 1e-3, high: 1e-2, log: true },
        filters1: { type: 'int', low: 8, high: 16 },
        kernelSize1: { type: 'categorical', choices: [32, 64] },
      },
      base,
      sampler: { kind: 'random', seed: 3 },
      pruner: { kind: 'none', minEpochs: 2, maxEpochs: 2, reductionFactor: 3 },
      maxTrials: 3,
      maxConcurrentTrials: 1,
    };
    const input = prepareHpoInput(request);
    const started = await startHpoCampaign(stack.client, request);
    const handle = stack.client.workflow.getHandle(started.workflowId);
    const campaignId = started.entityId;

    // One trial at a time, each training for seconds: "0/3 · 1 running", then "1/3 · best … · 1 running".
    await waitFor('the first trial running', async () => ((await currentDetails(handle)) === 'searching · 0/3 trials · 1 running' ? true : undefined));
    const mid = await waitFor('a finished trial while the next one trains', async () => {
      const [line, p] = [await currentDetails(handle), await getProgress(stack.client, started.workflowId)];
      if (p.phase !== 'searching' || p.completed < 1 || p.completed > 2 || p.running !== 1) return undefined;
      const best = p.best as HpoBest;
      const expected = hpoDetails({ phase: 'searching', finished: p.completed, maxTrials: 3, running: 1, pruned: 0, failed: 0, metric: 'valAccuracy', best });
      return line === expected ? { line, best } : undefined;
    });
    expect(mid.line).toMatch(/^searching · [12]\/3 trials · best valAccuracy [\d.]+ \(trial \d\) · 1 running$/);
    expect((await describeRun(stack.client, started.workflowId, { progress: false })).summary).toBe(hpoSummary(input));
    const staticDetails = await (await handle.describe()).staticDetails();
    expect(staticDetails).toBe(hpoStaticDetails(input));
    expect(staticDetails).toContain('- `learningRate`: float 1e-3…0.01 (log)');

    const result: HpoCampaignResult = await getHpoResult(stack.client, started.workflowId);
    expect(result.status).toBe('COMPLETED');
    const best = result.best as HpoBest;
    const done = `completed · 3/3 trials · best valAccuracy ${compact(best.value)} (trial ${best.trial})`;
    expect(await currentDetails(handle)).toBe(done);
    const described = await cliDescribe(started.workflowId);
    expect(described.summary).toBe(`HPO ${campaignId} on ${datasetId} · random + none · 3 trials, 1 at once · maximize valAccuracy`);
    expect(described.memo).toEqual({ phase: 'completed', completed: 3, total: 3, fraction: 1, details: done });

    // Each trial's child run says which hyperparameters it trains with, in the CLI too.
    const rows = await stack.db.select().from(trials).where(eq(trials.campaignId, campaignId));
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      const trialId = workflowIds.hpoTrial(campaignId, row.number);
      const params = row.params as { learningRate: number; filters1: number };
      const expected = `trial ${row.number} · lr ${compact(params.learningRate)} · batch 32 · adam · window 2048 · 1 conv block (${params.filters1} filters) · 2 epochs`;
      const child = await stack.client.workflow.getHandle(trialId).describe();
      expect(await child.staticSummary()).toBe(expected);
      expect((await cliDescribe(trialId)).summary).toBe(expected);
      // Its training activity: the epoch range and the experiment.
      const events = (await stack.client.workflow.getHandle(trialId).fetchHistory()).events ?? [];
      const train = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'trainModel');
      expect(summaryOf(train as HistoryEvent)).toBe(`epochs 1–2 · ${row.experimentId}`);
      expect(await currentDetails(stack.client.workflow.getHandle(trialId))).toMatch(
        /^completed · epoch 2\/2 · val acc [\d.]+ · val loss [\d.]+ · acc [\d.]+$/,
      );
    }
  });
});
