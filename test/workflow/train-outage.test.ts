import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { ControlActivities, TrainActivities } from '../../activities/index.js';
import { getTrainingResult, startTraining } from '../../client/api.js';
import { WorkflowRunFailedError } from '../../client/errors.js';
import { ERROR_TYPES, type TrainingOutcome } from '../../contracts/index.js';
import { workflowSuite } from '../support/workflow-env.js';

const OUTCOME: TrainingOutcome = {
  testAccuracy: 0.9,
  testLoss: 0.3,
  bestValAccuracy: 0.9,
  bestValLoss: 0.3,
  confusionMatrix: [
    [1, 0],
    [0, 1],
  ],
  classes: ['inner', 'normal'],
  modelUri: `artifact:sha256/${'a'.repeat(64)}`,
  checkpointUri: `artifact:sha256/${'b'.repeat(64)}`,
  epochsCompleted: 2,
  bestEpoch: 2,
  stoppedEarly: false,
  backend: 'fake',
  parameterCount: 10,
  classBalance: { train: {}, validation: {}, test: {} },
  trainSamplesPerSec: 1,
  inferenceMsPerWindow: 1,
};

const outage = () =>
  ApplicationFailure.create({ message: 'database unreachable: Connection terminated unexpectedly', type: ERROR_TYPES.infrastructureUnavailable });
const crash = () => new Error('training child process (pid 1) was killed by signal SIGKILL before reporting a result');

/** Bookkeeping in memory; `ended` records how each experiment closed when it did not complete. */
function fakeControl(ended: string[]): Partial<ControlActivities> {
  return {
    async registerExperiment() {
      return {};
    },
    async completeExperiment(c) {
      return { experimentId: c.experimentId, status: 'COMPLETED', ...OUTCOME };
    },
    async markExperimentEnded(e) {
      ended.push(`${e.experimentId}:${e.status}`);
    },
  };
}

/** A training activity that fails with `script[n]` on its n-th call (counting retries), then succeeds. */
function scriptedTraining(script: (() => Error)[]): { train: Partial<TrainActivities>; calls(): number } {
  let calls = 0;
  return {
    calls: () => calls,
    train: {
      async trainModel() {
        const failure = script[calls++];
        if (failure) throw failure();
        return OUTCOME;
      },
    },
  };
}

const request = (experimentId: string) => ({
  datasetId: 'ds-outage',
  experimentId,
  hyperparameters: { epochs: 2, windowLength: 1_024, windowHop: 1_024, batchSize: 8, seed: 1 },
});

/**
 * trainModelWorkflow budgets an outage (the activity's InfrastructureUnavailable) by time, apart
 * from the five attempts the training gets for its own crashes.
 */
describe('training retries outages apart from crashes', () => {
  const w = workflowSuite();

  it('outlives more outage failures than the activity has attempts', async () => {
    const ended: string[] = [];
    // Seven failures in a row, more than the five attempts: three outages, then four crashes.
    const t = scriptedTraining([outage, outage, outage, crash, crash, crash, crash]);
    const workers = await w.startWorkers({ control: fakeControl(ended), train: t.train });
    try {
      const started = await w.track(startTraining(w.client, request('outage-many')));
      const result = await getTrainingResult(w.client, started.workflowId);
      expect(result.testAccuracy).toBe(0.9);
      expect(t.calls()).toBe(8);
      expect(ended).toEqual([]);
    } finally {
      await workers.stop();
    }
  });

  it('still fails after five crashes of the work', async () => {
    const ended: string[] = [];
    const t = scriptedTraining([crash, outage, crash, crash, crash, crash, crash]);
    const workers = await w.startWorkers({ control: fakeControl(ended), train: t.train });
    try {
      const started = await w.track(startTraining(w.client, request('outage-crashes')));
      const err = await getTrainingResult(w.client, started.workflowId).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowRunFailedError);
      expect((err as Error).message).toMatch(/SIGKILL/);
      // The outage restarted the count: crash, (outage), then five crashes.
      expect(t.calls()).toBe(7);
      expect(ended).toEqual(['outage-crashes:FAILED']);
    } finally {
      await workers.stop();
    }
  });
});
