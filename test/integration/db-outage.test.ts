import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getProgress, getTrainingResult, startTraining } from '../../client/api.js';
import { epochMetrics } from '../../db/schema.js';
import { reportedEpochs } from '../support/history.js';
import { generateDataset, startWorkingStack, waitFor, type TestStack } from '../support/stack.js';
import { TINY_DATASET, tinyTraining } from './fixtures.js';

const EPOCHS = 20;
/** Longer than several epochs of the tiny model, so the outage covers at least one epoch's write. */
const OUTAGE_MS = 6_000;

/**
 * The database of a training run goes away mid-run (new connections refused, open ones
 * terminated: what a Postgres restart looks like to a client) and comes back. Every epoch still
 * ends up with exactly one row and exactly one signal (an epoch is reported only once its row is
 * written), and no activity spends a retry attempt on it (writes ride out the outage).
 */
describe('training across a database outage', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startWorkingStack({ trainWorker: true });
  });
  afterAll(async () => {
    await stack?.database.reopen().catch(() => undefined);
    await stack?.stop();
  });

  it('loses no epoch row and no epoch signal', async () => {
    const datasetId = await generateDataset(stack, TINY_DATASET);
    const started = await startTraining(stack.client, tinyTraining(datasetId, { epochs: EPOCHS }, 'db-outage'));
    await waitFor('three finished epochs', async () => ((await getProgress(stack.client, started.workflowId)).completed >= 3 ? true : undefined));

    await stack.database.cutOff();
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    await stack.database.reopen();

    const result = await getTrainingResult(stack.client, started.workflowId);
    expect(result.epochsCompleted).toBe(EPOCHS);
    const rows = await stack.db.select().from(epochMetrics).where(eq(epochMetrics.experimentId, 'db-outage')).orderBy(asc(epochMetrics.epoch));
    const epochs = Array.from({ length: EPOCHS }, (_, i) => i + 1);
    expect(rows.map((r) => r.epoch)).toEqual(epochs);
    expect(rows.every((r) => r.checkpointUri)).toBe(true);
    expect(await reportedEpochs(stack.client, started.workflowId)).toEqual(epochs);
    // The writes waited the outage out (db/resilient.ts): it cost time, not a retry attempt.
    const events = (await stack.client.workflow.getHandle(started.workflowId).fetchHistory()).events ?? [];
    const attempts = events.flatMap((e) => (e.activityTaskStartedEventAttributes ? [e.activityTaskStartedEventAttributes.attempt ?? 1] : []));
    expect(attempts.every((a) => a === 1)).toBe(true);
  });
});
