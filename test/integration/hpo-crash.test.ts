import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getProgress } from '../../client/api.js';
import { WORKFLOW_TASK_QUEUE, workflowIds, type HpoCampaignResult } from '../../contracts/index.js';
import { epochMetrics, experiments, trials } from '../../db/schema.js';
import { reportedEpochs } from '../support/history.js';
import { generateDataset, startWorkingStack, waitFor, type TestStack } from '../support/stack.js';
import { TINY_DATASET } from './fixtures.js';

/**
 * The training worker of an HPO campaign dies (SIGKILL) while trials are training. The campaign
 * completes with exactly the planned trials; every child training run trains and reports each
 * epoch once (none redone past its last checkpoint) and no row is duplicated.
 */
describe('an HPO campaign survives a killed training worker', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startWorkingStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('completes with exactly the planned trials and no repeated epochs', async () => {
    const datasetId = await generateDataset(stack, TINY_DATASET);
    const first = await stack.spawnWorkerProcess(['train']);
    const campaignId = 'crash-hpo';
    const handle = await stack.client.workflow.start('hpoCampaignWorkflow', {
      taskQueue: WORKFLOW_TASK_QUEUE,
      workflowId: workflowIds.hpo(campaignId),
      args: [
        {
          campaignId,
          datasetId,
          space: { learningRate: { type: 'float', low: 1e-3, high: 1e-2, log: true } },
          base: { windowLength: 2048, windowHop: 1024, maxWindowsPerSignal: 8, patience: 0 },
          sampler: { kind: 'random', seed: 3 },
          pruner: { kind: 'none', minEpochs: 1, maxEpochs: 6, reductionFactor: 3 },
          maxTrials: 3,
          maxConcurrentTrials: 2,
        },
      ],
    });
    await waitFor('a trial two epochs in', async () => {
      const p = await getProgress(stack.client, workflowIds.hpoTrial(campaignId, 0)).catch(() => undefined);
      return p && p.completed >= 2 ? true : undefined;
    });
    await first.kill('SIGKILL');
    await stack.spawnWorkerProcess(['train']);
    const result = (await handle.result()) as HpoCampaignResult;
    expect(result.status).toBe('COMPLETED');
    expect(result.trials).toMatchObject({ total: 3, completed: 3, failed: 0 });

    const rows = await stack.db.select().from(trials).where(eq(trials.campaignId, campaignId));
    expect(rows.map((r) => r.number).sort()).toEqual([0, 1, 2]);
    const exps = await stack.db.select().from(experiments).where(eq(experiments.campaignId, campaignId));
    // One experiment per trial: the crash was absorbed by the activity retry, not a new attempt.
    expect(exps.map((e) => e.id).sort()).toEqual([`${campaignId}-t0`, `${campaignId}-t1`, `${campaignId}-t2`]);
    for (const n of [0, 1, 2]) {
      const epochs = await stack.db
        .select()
        .from(epochMetrics)
        .where(eq(epochMetrics.experimentId, `${campaignId}-t${n}`));
      expect(epochs).toHaveLength(6);
      expect(await reportedEpochs(stack.client, workflowIds.hpoTrial(campaignId, n))).toEqual([1, 2, 3, 4, 5, 6]);
    }
  });
});
