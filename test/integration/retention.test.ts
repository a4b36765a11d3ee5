import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openArtifactStore, type ArtifactStore } from '../../artifacts/index.js';
import { scheduleRetention, deleteRetentionSchedule, startRetention, getResult } from '../../client/api.js';
import { RETENTION_SCHEDULE_ID, type RetentionResult } from '../../contracts/index.js';
import { artifactMarks, campaigns, datasets, epochMetrics, experiments, models, notifications, trials } from '../../db/schema.js';
import { recordReplayHistory } from '../support/history.js';
import { startTestStack, waitFor, type TestStack } from '../support/stack.js';

const DAY = 86_400_000;

/**
 * Retention on a real stack: rows past their retention go (a campaign's best stays), artifacts
 * no row refers to are marked, then deleted a grace period later unless a row refers to them
 * again; a dry run changes nothing; the Schedule is created, updated in place and runs.
 */
describe('retention workflow and schedule', () => {
  let stack: TestStack;
  let store: ArtifactStore;
  const t0 = new Date();
  const ago = (days: number) => new Date(t0.getTime() - days * DAY);
  const uris: Record<'oldModel' | 'newModel' | 'orphan' | 'bestModel' | 'upload', string> = {} as never;

  beforeAll(async () => {
    stack = await startTestStack();
    await stack.startInProcessWorkers(['control', 'cpu']);
    store = openArtifactStore(stack.config.artifacts);
    for (const k of Object.keys({ oldModel: 1, newModel: 1, orphan: 1, bestModel: 1, upload: 1 }) as (keyof typeof uris)[]) {
      uris[k] = (await store.put(new TextEncoder().encode(`bytes of ${k}`), { kind: 'test', mediaType: 'text/plain' })).uri;
    }
    const db = stack.db;
    await db.insert(datasets).values([
      { id: 'ds-old', name: 'old', source: 'synthetic', status: 'READY', config: {}, createdAt: ago(400), completedAt: ago(400) },
      // Refers to an uploaded file in its JSON config only: still a reference.
      { id: 'ds-new', name: 'new', source: 'mat', status: 'READY', config: { files: [{ artifactUri: uris.upload, name: 'a.mat' }] }, createdAt: ago(1) },
      // Old, but an experiment that stays (the campaign's best) still uses it.
      { id: 'ds-used', name: 'used', source: 'synthetic', status: 'READY', config: {}, createdAt: ago(400), completedAt: ago(400) },
    ]);
    await db.insert(experiments).values([
      { id: 'exp-old', datasetId: 'ds-new', status: 'COMPLETED', modelUri: uris.oldModel, createdAt: ago(200), completedAt: ago(200) },
      { id: 'exp-new', datasetId: 'ds-new', status: 'COMPLETED', modelUri: uris.newModel, createdAt: ago(2), completedAt: ago(2) },
      { id: 'exp-best', datasetId: 'ds-used', status: 'COMPLETED', modelUri: uris.bestModel, createdAt: ago(200), completedAt: ago(200) },
      { id: 'exp-running', datasetId: 'ds-new', status: 'RUNNING', createdAt: ago(300) },
    ]);
    await db.insert(epochMetrics).values([{ experimentId: 'exp-old', epoch: 1, loss: 1, accuracy: 0.5 }]);
    await db.insert(models).values([{ id: 'exp-old', experimentId: 'exp-old', artifactUri: uris.oldModel }]);
    await db.insert(campaigns).values([
      {
        id: 'c-1',
        kind: 'hpo',
        datasetId: 'ds-used',
        status: 'COMPLETED',
        objective: 'valAccuracy',
        direction: 'maximize',
        bestTrial: 1,
        createdAt: ago(10),
      },
    ]);
    await db.insert(trials).values([{ campaignId: 'c-1', number: 1, experimentId: 'exp-best', status: 'COMPLETED' }]);
    await db.insert(notifications).values([
      { id: 'n-old', eventType: 'DATASET_GENERATED', entityKind: 'dataset', entityId: 'ds-old', title: 't', message: 'm', url: 'u', createdAt: ago(60) },
      { id: 'n-new', eventType: 'DATASET_GENERATED', entityKind: 'dataset', entityId: 'ds-new', title: 't', message: 'm', url: 'u', createdAt: ago(1) },
    ]);
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
  });

  const run = async (input: Parameters<typeof startRetention>[1], id: string) => {
    const started = await startRetention(stack.client, input, id);
    return getResult<RetentionResult>(stack.client, started.workflowId);
  };
  const remaining = async () => ({
    experiments: (await stack.db.select({ id: experiments.id }).from(experiments)).map((r) => r.id).sort(),
    datasets: (await stack.db.select({ id: datasets.id }).from(datasets)).map((r) => r.id).sort(),
    notifications: (await stack.db.select({ id: notifications.id }).from(notifications)).map((r) => r.id).sort(),
    marks: (await stack.db.select({ uri: artifactMarks.uri }).from(artifactMarks)).map((r) => r.uri).sort(),
  });

  it('a dry run reports exactly what a run would delete and changes nothing', async () => {
    const before = await remaining();
    const r = await run({ dryRun: true, now: t0.toISOString() }, 'dry');
    expect(r.dryRun).toBe(true);
    expect(r.rows.rows.experiments).toMatchObject({ deleted: 1, ids: ['exp-old'] });
    expect(r.rows.rows.datasets).toMatchObject({ deleted: 1, ids: ['ds-old'] });
    expect(r.rows.rows.notifications).toMatchObject({ deleted: 1, ids: ['n-old'] });
    expect(r.rows.rows.campaigns.deleted).toBe(0);
    expect(r.rows.keptAsCampaignBest).toEqual(['exp-best']);
    expect(r.rows.dependents).toMatchObject({ epoch_metrics: 1, models: 1 });
    expect(r.artifacts).toMatchObject({ dryRun: true, scanned: 5, newlyMarked: 1, deleted: 0 }); // the orphan; the old model is still referenced
    expect(await remaining()).toEqual(before);
  }, 120_000);

  it('a run deletes expired rows (not a campaign best, not a running one) and marks what no row refers to', async () => {
    const r = await run({ now: t0.toISOString() }, 'first');
    await recordReplayHistory(stack.temporal, 'retention-first', 'retentionWorkflow');
    expect(r.rows.rows.experiments.ids).toEqual(['exp-old']);
    const left = await remaining();
    expect(left.experiments).toEqual(['exp-best', 'exp-new', 'exp-running']);
    expect(left.datasets).toEqual(['ds-new', 'ds-used']);
    expect(left.notifications).toEqual(['n-new']);
    expect(await stack.db.select().from(models).where(eq(models.id, 'exp-old'))).toEqual([]);
    // The old model's row went in this run, so it is unreferenced now: marked with the orphan, nothing deleted yet.
    expect(r.artifacts).toMatchObject({ scanned: 5, referenced: 3, newlyMarked: 2, deleted: 0 });
    expect(left.marks).toEqual([uris.oldModel, uris.orphan].sort());
    expect(await store.has(uris.orphan)).toBe(true);
  }, 120_000);

  it('within the grace period nothing is deleted; after it, only what is still unreferenced', async () => {
    const early = await run({ now: new Date(t0.getTime() + 3_600_000).toISOString() }, 'early');
    expect(early.artifacts).toMatchObject({ waiting: 2, deleted: 0 });
    // A new row comes to refer to the orphan (say, a re-run wrote it): it must survive.
    await stack.db.insert(notifications).values({
      id: 'n-ref',
      eventType: 'DATASET_GENERATED',
      entityKind: 'dataset',
      entityId: 'ds-new',
      title: 't',
      message: 'm',
      url: 'u',
      details: { reportUri: uris.orphan },
    });
    const late = await run({ now: new Date(t0.getTime() + 25 * 3_600_000).toISOString() }, 'late');
    expect(late.artifacts).toMatchObject({ deleted: 1, unmarked: 1 });
    expect(late.artifacts.deletedBytes).toBe(new TextEncoder().encode('bytes of oldModel').byteLength);
    expect(await store.has(uris.oldModel)).toBe(false);
    for (const k of ['newModel', 'orphan', 'bestModel', 'upload'] as const) expect(await store.has(uris[k])).toBe(true);
    expect((await remaining()).marks).toEqual([]);
    expect(
      await stack.db
        .select()
        .from(notifications)
        .where(inArray(notifications.id, ['n-ref'])),
    ).toHaveLength(1);
  }, 180_000);

  it('the faultline-retention Schedule is created, updated in place, runs, and is deleted', async () => {
    const created = await scheduleRetention(stack.client, { every: '12h', input: { dryRun: true } });
    expect(created).toMatchObject({ scheduleId: RETENTION_SCHEDULE_ID, created: true, every: '12h', paused: false, input: { dryRun: true } });
    expect(created.nextRuns.length).toBeGreaterThan(0);
    const updated = await scheduleRetention(stack.client, { every: '6h', input: { dryRun: true, days: { notifications: 7 } }, paused: true });
    expect(updated).toMatchObject({ created: false, every: '6h', paused: true, input: { days: { notifications: 7, experiments: 90 } } });
    const described = await stack.client.schedule.getHandle(RETENTION_SCHEDULE_ID).describe();
    expect(described.spec.intervals?.[0]?.every).toBe(6 * 3_600_000);
    await stack.client.schedule.getHandle(RETENTION_SCHEDULE_ID).trigger();
    const runId = await waitFor('the scheduled retention run', async () => {
      for await (const w of stack.client.workflow.list({ query: `WorkflowType = 'retentionWorkflow' AND WorkflowId STARTS_WITH '${RETENTION_SCHEDULE_ID}'` }))
        return w.workflowId;
      return undefined;
    });
    const result = await getResult<RetentionResult>(stack.client, runId);
    expect(result).toMatchObject({ status: 'COMPLETED', dryRun: true });
    expect(await deleteRetentionSchedule(stack.client)).toBe(true);
    expect(await deleteRetentionSchedule(stack.client)).toBe(false);
    await expect(scheduleRetention(stack.client, { every: '0h' })).rejects.toThrow('every: expected a duration like 24h');
  }, 180_000);

  it('refuses a bad request naming the field before anything starts', async () => {
    await expect(startRetention(stack.client, { days: { experiments: 0 } } as never, 'bad')).rejects.toThrow(/days\.experiments/);
    await expect(startRetention(stack.client, { days: { forever: 3 } } as never, 'bad')).rejects.toThrow(/forever/);
  });
});
