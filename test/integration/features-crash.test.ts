import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFeaturesResult, prepareFeaturesInput, startFeatureExtraction } from '../../client/features.js';
import { WORKFLOW_TASK_QUEUE, type ExtractFeaturesResult } from '../../contracts/index.js';
import { featureSets, notifications } from '../../db/schema.js';
import { generateDataset, startTestStack, waitFor, type TestStack, type WorkerProcess } from '../support/stack.js';

/** 4 × 24 full-length signals in one chunk: 24 jobs of 4 signals, long enough that the kill lands inside the chunk. */
const BIG = { datasetId: 'features-big', config: { seed: 23, signalsPerClass: 24, snrDb: [8, 12] as [number, number] }, chunkSize: 16, maxInFlight: 2 };
const REQUEST = { datasetId: BIG.datasetId, signalsPerChunk: 96, maxInFlight: 1 };

interface PendingActivity {
  activityType?: { name?: string | null } | null;
  heartbeatDetails?: { payloads?: { data?: Uint8Array | null }[] | null } | null;
}

describe('a feature extraction survives a CPU worker killed mid-chunk', () => {
  let stack: TestStack;
  let cpu: WorkerProcess;

  beforeAll(async () => {
    stack = await startTestStack();
    await stack.startInProcessWorkers(['control']);
    cpu = await stack.spawnWorkerProcess(['cpu'], { XAI_PROCESSES: '1', CPU_SLOTS: '2' });
    await generateDataset(stack, BIG);
  }, 600_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('the retried chunk resumes from its heartbeat on another worker: every signal once, the bytes of an uninterrupted run, one row, one notification', async () => {
    const started = await startFeatureExtraction(stack.client, REQUEST);
    const handle = stack.client.workflow.getHandle(started.workflowId);
    await waitFor(
      'extractFeatureChunk heartbeating with jobs done',
      async () => {
        const d = await handle.describe();
        const p = ((d.raw.pendingActivities ?? []) as PendingActivity[]).find((a) => a.activityType?.name === 'extractFeatureChunk');
        const data = p?.heartbeatDetails?.payloads?.[0]?.data;
        if (!data) return undefined;
        const beat = JSON.parse(Buffer.from(data).toString('utf8')) as { parts: unknown[] };
        return beat.parts.length > 0 && beat.parts.length < 24 ? beat : undefined;
      },
      300_000,
      100,
    );
    await cpu.kill('SIGKILL');
    const second = await stack.spawnWorkerProcess(['cpu'], { XAI_PROCESSES: '1', CPU_SLOTS: '2', LOG_LEVEL: 'info' });

    const r = await getFeaturesResult(stack.client, started.workflowId);
    expect(r).toMatchObject({ rows: 96, signals: 96, columns: 40, computed: true });
    const history = await handle.fetchHistory();
    const attempts = (history.events ?? []).filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes!.attempt ?? 1);
    expect(Math.max(...attempts)).toBeGreaterThanOrEqual(2);
    const resumed = second
      .output()
      .split('\n')
      .filter((l) => l.includes('resuming feature extraction from the last heartbeat'))
      .map((l) => JSON.parse(l) as { jobsDone: number; jobs: number });
    expect(resumed).toHaveLength(1);
    expect(resumed[0].jobsDone).toBeGreaterThan(0);
    expect(resumed[0].jobsDone).toBeLessThan(resumed[0].jobs);
    expect(await stack.db.select().from(featureSets).where(eq(featureSets.datasetId, BIG.datasetId))).toMatchObject([{ status: 'COMPLETED', numRows: 96 }]);
    expect((await stack.db.select().from(notifications).where(eq(notifications.entityId, r.featureSetId))).map((n) => n.eventType)).toEqual([
      'FEATURES_EXTRACTED',
    ]);

    // An uninterrupted extraction from scratch (row dropped, a new run of the id) writes the same matrix bytes.
    await stack.db.delete(featureSets).where(eq(featureSets.id, r.featureSetId));
    const fresh = await stack.client.workflow.start('extractFeaturesWorkflow', {
      args: [prepareFeaturesInput(REQUEST)],
      taskQueue: WORKFLOW_TASK_QUEUE,
      workflowId: started.workflowId,
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    });
    const again: ExtractFeaturesResult = await fresh.result();
    expect(again.computed).toBe(true);
    expect(again.matrixUri).toBe(r.matrixUri);
    expect(again.indexUri).toBe(r.indexUri);
  });
});
