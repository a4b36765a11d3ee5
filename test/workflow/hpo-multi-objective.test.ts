import { describe, expect, it } from 'vitest';
import type { ControlActivities, TrainActivities } from '../../activities/index.js';
import { getHpoResult, startHpoCampaign } from '../../client/api.js';
import type { FinalizeHpoCampaignInput, RecordTrialInput, TrainingOutcome } from '../../contracts/index.js';
import { dominatesVec } from '../../workflows/search/index.js';
import { Gate, workflowSuite } from '../support/workflow-env.js';

/**
 * A multi-objective HPO campaign (NSGA-II, accuracy vs latency) on real child trainModelWorkflow
 * runs with a fake, instant training activity: accuracy and latency both grow with the batch size
 * (a made-up trade-off) and the learning rate only costs accuracy away from 1e-2.
 */
function outcome(batchSize: number, learningRate: number): TrainingOutcome {
  return {
    testAccuracy: 0.9,
    testLoss: 0.3,
    bestValAccuracy: 0.5 + batchSize / 256 - 0.05 * Math.abs(Math.log10(learningRate) + 2),
    bestValLoss: 0.3,
    confusionMatrix: [[1]],
    classes: ['normal'],
    modelUri: `artifact:sha256/${'3'.repeat(64)}`,
    checkpointUri: `artifact:sha256/${'4'.repeat(64)}`,
    epochsCompleted: 1,
    bestEpoch: 1,
    stoppedEarly: false,
    backend: 'fake',
    parameterCount: 1000,
    classBalance: { train: {}, validation: {}, test: {} },
    trainSamplesPerSec: 1,
    inferenceMsPerWindow: 1 + batchSize / 16,
  };
}

interface Books {
  trials: RecordTrialInput[];
  finalized: FinalizeHpoCampaignInput[];
}

function fakes(books: Books, campaignId: string, gate: Gate): { control: Partial<ControlActivities>; train: Partial<TrainActivities> } {
  const mine = (c: { campaignId: string }) => c.campaignId === campaignId;
  return {
    control: {
      async registerCampaign() {
        return { numClasses: 4 };
      },
      async recordTrial(t) {
        if (mine(t)) books.trials.push(t);
      },
      async finalizeHpoCampaign(f) {
        if (mine(f)) books.finalized.push(f);
        return { reportUri: `artifact:sha256/${'5'.repeat(64)}` };
      },
      async markCampaignEnded() {},
      async registerExperiment() {
        return {};
      },
      async completeExperiment(c) {
        return { experimentId: c.experimentId, status: 'COMPLETED', ...(c.outcome as TrainingOutcome) };
      },
      async markExperimentEnded() {},
    },
    train: {
      async trainModel(input) {
        await gate.pass();
        return outcome(input.hyperparameters.batchSize ?? 32, input.hyperparameters.learningRate ?? 1e-3);
      },
    },
  };
}

describe('hpoCampaignWorkflow, multi-objective (NSGA-II)', () => {
  const w = workflowSuite();

  it('searches accuracy vs latency across continue-as-new and reports the Pareto front', async () => {
    const books: Books = { trials: [], finalized: [] };
    const gate = new Gate();
    gate.open();
    const workers = await w.startWorkers(fakes(books, 'mo-12', gate));
    try {
      const { workflowId } = await w.track(
        startHpoCampaign(w.client, {
          campaignId: 'mo-12',
          datasetId: 'unused',
          space: { batchSize: { type: 'int', low: 8, high: 128, step: 8 }, learningRate: { type: 'float', low: 1e-4, high: 1e-1, log: true } },
          sampler: { kind: 'nsga2', seed: 2, populationSize: 4 },
          pruner: { kind: 'none', minEpochs: 1, maxEpochs: 1 },
          objectives: [{ metric: 'valAccuracy' }, { metric: 'inferenceMsPerWindow' }],
          maxTrials: 12,
          maxConcurrentTrials: 2,
          testing: { continueAsNewEvery: 5 },
        }),
      );
      const result = await getHpoResult(w.client, workflowId);
      expect(result.status).toBe('COMPLETED');
      expect(result.trials.completed).toBe(12);
      expect(result.pareto?.objectives).toEqual([
        { metric: 'valAccuracy', direction: 'maximize' },
        { metric: 'inferenceMsPerWindow', direction: 'minimize' },
      ]);
      const front = result.pareto?.front ?? [];
      expect(front.length).toBeGreaterThan(0);
      // The front is what the trials say: recompute it from the recorded params.
      const points = books.trials
        .filter((t) => t.status === 'COMPLETED')
        .map((t) => {
          const o = outcome(t.params.batchSize as number, t.params.learningRate as number);
          return { trial: t.number, values: [o.bestValAccuracy, o.inferenceMsPerWindow] };
        });
      const dirs = ['maximize', 'minimize'] as const;
      const expected = points.filter((p) => !points.some((q) => dominatesVec(q.values, p.values, dirs))).map((p) => p.trial);
      expect(front.map((t) => t.trial).sort((a, b) => a - b)).toEqual(expected.sort((a, b) => a - b));
      for (const t of front) expect(t.values).toEqual(points.find((p) => p.trial === t.trial)?.values);
      // The report gets the same front; the rows and the best keep the single objective (valAccuracy).
      expect(books.finalized).toHaveLength(1);
      expect(books.finalized[0].pareto?.front).toEqual(front);
      expect(result.best?.value).toBe(Math.max(...points.map((p) => p.values[0])));
    } finally {
      await workers.stop();
    }
  });
});
