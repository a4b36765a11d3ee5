import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getResult, getTrainingResult, startTraining } from '../../client/api.js';
import { startErrorsEvaluation, startRocEvaluation } from '../../client/eval.js';
import type { EvaluateRocResult } from '../../contracts/index.js';
import { evaluationPredictions, evaluations, notifications } from '../../db/schema.js';
import { generateDataset, startTestStack, waitFor, type TestStack, type WorkerProcess } from '../support/stack.js';
import { TINY_DATASET, tinyTraining } from './fixtures.js';

/** 4 × 250 signals, 12 windows each: long enough a prediction that the kill lands inside it. */
const BIG = {
  datasetId: 'eval-big',
  config: { seed: 21, signalsPerClass: 250, signalLength: 16_384, snrDb: [8, 12] as [number, number] },
  chunkSize: 32,
  maxInFlight: 2,
};

interface PendingActivity {
  activityType?: { name?: string | null } | null;
  attempt?: number | null;
  heartbeatDetails?: { payloads?: { data?: Uint8Array | null }[] | null } | null;
}

describe('an evaluation survives a CPU worker killed mid-prediction', () => {
  let stack: TestStack;
  let experimentId: string;
  let cpu: WorkerProcess;

  beforeAll(async () => {
    stack = await startTestStack();
    await stack.startInProcessWorkers(['control']);
    cpu = await stack.spawnWorkerProcess(['cpu'], { XAI_PROCESSES: '1', CPU_SLOTS: '2' });
    const trainer = await stack.spawnWorkerProcess(['train']);
    const small = await generateDataset(stack, { ...TINY_DATASET, datasetId: 'eval-small' });
    await generateDataset(stack, BIG);
    experimentId = (await getTrainingResult(stack.client, (await startTraining(stack.client, tinyTraining(small, { epochs: 2 }, 'crash-model'))).workflowId))
      .experimentId;
    await trainer.kill();
  }, 600_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('the retried prediction completes on another worker: every window scored once, one row, one notification', async () => {
    const started = await startRocEvaluation(stack.client, { experimentId, datasetId: BIG.datasetId, split: 'all', bootstrap: { replicates: 50 } });
    const handle = stack.client.workflow.getHandle(started.workflowId);
    await waitFor(
      'predictSplit heartbeating with signals done',
      async () => {
        const d = await handle.describe();
        const pending = (d.raw.pendingActivities ?? []) as PendingActivity[];
        const p = pending.find((a) => a.activityType?.name === 'predictSplit');
        const data = p?.heartbeatDetails?.payloads?.[0]?.data;
        if (!data) return undefined;
        const beat = JSON.parse(Buffer.from(data).toString('utf8')) as { signalsDone: number; signals: number };
        return beat.signalsDone > 0 && beat.signalsDone < beat.signals ? beat : undefined;
      },
      300_000,
      100,
    );
    await cpu.kill('SIGKILL');
    const second = await stack.spawnWorkerProcess(['cpu'], { XAI_PROCESSES: '1', CPU_SLOTS: '2', LOG_LEVEL: 'info' });

    const r = await getResult<EvaluateRocResult>(stack.client, started.workflowId);
    expect(r.samples).toBe(4 * 250 * 12);
    expect(r.perClass.map((c) => c.positives)).toEqual([3000, 3000, 3000, 3000]);
    const history = await handle.fetchHistory();
    const attempts = (history.events ?? []).filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes!.attempt ?? 1);
    expect(Math.max(...attempts)).toBeGreaterThanOrEqual(2);
    expect(await stack.db.select().from(evaluationPredictions).where(eq(evaluationPredictions.datasetId, BIG.datasetId))).toHaveLength(1);
    expect(await stack.db.select().from(evaluations).where(eq(evaluations.id, started.workflowId))).toMatchObject([{ status: 'COMPLETED' }]);
    expect((await stack.db.select().from(notifications).where(eq(notifications.entityId, started.workflowId))).map((n) => n.eventType)).toEqual([
      'EVALUATION_COMPLETED',
    ]);

    // The retry loaded the jobs the killed attempt had finished (their parts were in its last heartbeat)…
    const resumed = second
      .output()
      .split('\n')
      .filter((l) => l.includes('resuming predictions from the last heartbeat'))
      .map((l) => JSON.parse(l) as { jobsDone: number; jobs: number });
    expect(resumed).toHaveLength(1);
    expect(resumed[0].jobsDone).toBeGreaterThan(0);
    expect(resumed[0].jobsDone).toBeLessThan(resumed[0].jobs);
    // …and ended with exactly the bytes an uninterrupted prediction gives: drop the row, predict again from scratch.
    const [before] = await stack.db.select().from(evaluationPredictions).where(eq(evaluationPredictions.datasetId, BIG.datasetId));
    await stack.db.delete(evaluationPredictions).where(eq(evaluationPredictions.datasetId, BIG.datasetId));
    const fresh = await startErrorsEvaluation(stack.client, { experimentId, datasetId: BIG.datasetId, split: 'all' });
    await getResult(stack.client, fresh.workflowId);
    const [after] = await stack.db.select().from(evaluationPredictions).where(eq(evaluationPredictions.datasetId, BIG.datasetId));
    expect(after.probabilitiesUri).toBe(before.probabilitiesUri);
    expect(after.indexUri).toBe(before.indexUri);
  });
});
