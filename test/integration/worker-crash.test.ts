import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getProgress, getTrainingResult, startTraining } from '../../client/api.js';
import { epochMetrics } from '../../db/schema.js';
import { reportedEpochs } from '../support/history.js';
import { generateDataset, startWorkingStack, waitFor, type TestStack } from '../support/stack.js';
import { TINY_DATASET, tinyTraining } from './fixtures.js';

const EPOCHS = 14;

/**
 * A training worker dies mid-run (SIGKILL: no shutdown, no last heartbeat). Temporal notices the
 * missing heartbeats, retries the activity on another worker process, and the retry resumes from
 * the last recorded checkpoint: every epoch is trained and reported exactly once.
 */
describe('training survives a killed worker', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startWorkingStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('finishes from its checkpoint without redoing finished epochs', async () => {
    const datasetId = await generateDataset(stack, TINY_DATASET);

    const first = await stack.spawnWorkerProcess(['train']);
    const started = await startTraining(stack.client, tinyTraining(datasetId, { epochs: EPOCHS }, 'crash-resume'));
    await waitFor('three finished epochs', async () => ((await getProgress(stack.client, started.workflowId)).completed >= 3 ? true : undefined));
    await first.kill('SIGKILL');
    const doneAtKill = (await stack.db.select().from(epochMetrics).where(eq(epochMetrics.experimentId, 'crash-resume'))).length;
    expect(doneAtKill).toBeGreaterThanOrEqual(3);
    expect(doneAtKill).toBeLessThan(EPOCHS);

    const second = await stack.spawnWorkerProcess(['train'], { LOG_LEVEL: 'info' });
    const result = await getTrainingResult(stack.client, started.workflowId);
    expect(result.epochsCompleted).toBe(EPOCHS);

    const events = (await stack.client.workflow.getHandle(started.workflowId).fetchHistory()).events ?? [];
    // The training activity completed on a later attempt than the first.
    const trainStarted = events.find((e) => e.activityTaskStartedEventAttributes && (e.activityTaskStartedEventAttributes.attempt ?? 1) > 1);
    expect(trainStarted).toBeDefined();
    // Each epoch was reported once: none of the epochs finished before the kill was trained again.
    expect(await reportedEpochs(stack.client, started.workflowId)).toEqual(Array.from({ length: EPOCHS }, (_, i) => i + 1));
    // The second worker said where it resumed.
    expect(second.output()).toMatch(/resuming training from checkpoint/);
    const resumedAt = Number(/"epoch":(\d+)[^\n]*resuming training|resuming training[^\n]*"epoch":(\d+)/.exec(second.output())?.slice(1).find(Boolean));
    expect(resumedAt).toBeGreaterThanOrEqual(doneAtKill - 1);
    expect((await stack.db.select().from(epochMetrics).where(eq(epochMetrics.experimentId, 'crash-resume'))).length).toBe(EPOCHS);
  });
});
