import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileArtifactStore } from '../../artifacts/file-store.js';
import { getJson } from '../../artifacts/codecs.js';
import { splitSignalOf } from '../../activities/lib/eval-data.js';
import { getTrainingResult, startTraining } from '../../client/api.js';
import { RunStoppedError } from '../../client/errors.js';
import {
  getFeatureAnalysisResult,
  getFeaturesResult,
  prepareFeaturesInput,
  startFeatureAnalysis,
  startFeatureBaseline,
  startFeatureExtraction,
} from '../../client/features.js';
import { getResult } from '../../client/runs.js';
import { TrainHyperparametersSchema, WORKFLOW_TASK_QUEUE, stopSignal, workflowIds, type ExtractFeaturesStopped } from '../../contracts/index.js';
import { experiments, featureAnalyses, featureSets, notifications, signals } from '../../db/schema.js';
import { recordReplayHistory } from '../support/history.js';
import { splitSignals } from '../../ml/data/split.js';
import { xmlErrors } from '../support/xml.js';
import { generateDataset, startTestStack, type TestStack } from '../support/stack.js';
import { TINY_DATASET, tinyTraining } from './fixtures.js';

interface BaselineResultJson {
  testAccuracy: number;
  confusionMatrix: number[][];
  classes: string[];
  rows: { train: number; validation: number; test: number };
  signals: { train: number; validation: number; test: number };
  features: string[];
  cnn: { testAccuracy: number | null } | null;
}

/**
 * The classical baseline on the dev server and Postgres: a CNN trained by trainModelWorkflow, the
 * features of the same windows extracted, and the forest trained and tested on that experiment's
 * split — checked against the split the trainer's own code gives for the stored hyperparameters.
 */
describe('feature baseline (analyzeFeaturesWorkflow, mode baseline) on a real stack', () => {
  let stack: TestStack;
  let store: FileArtifactStore;
  let datasetId: string;
  let otherDatasetId: string;
  let experimentId: string;
  const hp = { windowLength: 2_048, windowHop: 1_024, maxWindowsPerSignal: 4, epochs: 2 };

  beforeAll(async () => {
    stack = await startTestStack({ XAI_PROCESSES: '2' });
    await stack.startInProcessWorkers(['control', 'cpu']);
    const trainer = await stack.spawnWorkerProcess(['train']);
    store = new FileArtifactStore(stack.config.artifactDir);
    datasetId = await generateDataset(stack, { ...TINY_DATASET, datasetId: 'baseline-ds' });
    otherDatasetId = await generateDataset(stack, { ...TINY_DATASET, datasetId: 'baseline-other' });
    const run = await startTraining(stack.client, tinyTraining(datasetId, hp, 'baseline-cnn'));
    experimentId = (await getTrainingResult(stack.client, run.workflowId)).experimentId;
    await trainer.kill();
  }, 600_000);

  afterAll(async () => {
    await stack?.stop();
  });

  const windows = { length: hp.windowLength, hop: hp.windowHop, maxPerSignal: hp.maxWindowsPerSignal };

  it("trains on the experiment's training signals and tests on its test signals; accuracy and confusion matrix stored with the CNN's next to them", async () => {
    const set = await getFeaturesResult(stack.client, (await startFeatureExtraction(stack.client, { datasetId, window: windows })).workflowId);
    const started = await startFeatureBaseline(stack.client, { featureSetId: set.featureSetId, baseline: { experimentId }, forest: { trees: 30 } });
    expect(started.workflowId).toMatch(/^feature-analysis-baseline-[0-9a-f]{12}$/);
    const r = await getFeatureAnalysisResult(stack.client, started.workflowId);
    await recordReplayHistory(stack.temporal, started.workflowId, 'analyzeFeaturesWorkflow-baseline');

    // The split the trainer computes for this experiment's stored hyperparameters.
    const [exp] = await stack.db.select().from(experiments).where(eq(experiments.id, experimentId));
    const rows = await stack.db.select().from(signals).where(eq(signals.datasetId, datasetId)).orderBy(signals.idx);
    const split = splitSignals(rows.map(splitSignalOf), TrainHyperparametersSchema.parse(exp.hyperparameters));
    const perSignal = 4; // 16,384 samples, windows of 2,048 every 1,024, at most 4.
    const result = (await getJson(store, r.resultUri)) as BaselineResultJson;
    expect(result.signals).toEqual({ train: split.train.length, validation: split.validation.length, test: split.test.length });
    expect(result.rows).toEqual({
      train: split.train.length * perSignal,
      validation: split.validation.length * perSignal,
      test: split.test.length * perSignal,
    });
    expect(result.classes).toEqual(exp.classes);
    expect(result.confusionMatrix.flat().reduce((a, b) => a + b, 0)).toBe(result.rows.test);
    const diagonal = result.confusionMatrix.reduce((a, row, i) => a + row[i], 0);
    expect(result.testAccuracy).toBeCloseTo(diagonal / result.rows.test, 12);
    expect(result.features).toHaveLength(40);
    expect(r.summary).toMatchObject({
      testAccuracy: result.testAccuracy,
      cnnTestAccuracy: exp.testAccuracy,
      experimentId,
      testSignals: split.test.length,
      testRows: result.rows.test,
    });
    expect(result.cnn?.testAccuracy).toBe(exp.testAccuracy);
    // Simulated faults at these SNRs are easy for the envelope features: far above chance (1/4).
    expect(result.testAccuracy).toBeGreaterThan(0.6);
    expect(xmlErrors(new TextDecoder().decode(await store.get(r.pictureUri)))).toEqual([]);

    const [row] = await stack.db.select().from(featureAnalyses).where(eq(featureAnalyses.id, r.analysisId));
    expect(row).toMatchObject({ status: 'COMPLETED', mode: 'baseline', featureSetId: set.featureSetId, resultUri: r.resultUri });
    const notes = await stack.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.entityKind, 'feature-analysis'), eq(notifications.entityId, r.analysisId)));
    expect(notes.map((n) => n.eventType)).toEqual(['FEATURE_ANALYSIS_COMPLETED']);

    // A stored selection's features: the forest sees only those.
    const selection = await getFeatureAnalysisResult(
      stack.client,
      (await startFeatureAnalysis(stack.client, { featureSetId: set.featureSetId, mode: 'select', options: { k: 5, forest: { trees: 10 }, folds: 3 } }))
        .workflowId,
    );
    const onSelected = await getFeatureAnalysisResult(
      stack.client,
      (
        await startFeatureBaseline(stack.client, {
          featureSetId: set.featureSetId,
          baseline: { experimentId, selectionId: selection.analysisId },
          forest: { trees: 30 },
        })
      ).workflowId,
    );
    expect(onSelected.features).toEqual(selection.features);
    expect(onSelected.summary).toMatchObject({ features: 5, testSignals: split.test.length });
  });

  it('refuses an experiment of another dataset and one that does not exist, naming the field; no row is left', async () => {
    const other = await getFeaturesResult(
      stack.client,
      (await startFeatureExtraction(stack.client, { datasetId: otherDatasetId, window: windows })).workflowId,
    );
    const wrong = await startFeatureBaseline(stack.client, { featureSetId: other.featureSetId, baseline: { experimentId } });
    await expect(getFeatureAnalysisResult(stack.client, wrong.workflowId)).rejects.toThrow(
      /options\.baseline\.experimentId: experiment "baseline-cnn" was trained on dataset "baseline-ds"/,
    );
    const missing = await startFeatureBaseline(stack.client, { featureSetId: other.featureSetId, baseline: { experimentId: 'no-such-exp' } });
    await expect(getFeatureAnalysisResult(stack.client, missing.workflowId)).rejects.toThrow(/experiment "no-such-exp" does not exist/);
    const left = await stack.db.select().from(featureAnalyses).where(eq(featureAnalyses.featureSetId, other.featureSetId));
    expect(left).toEqual([]);
  });

  it('a stop sent with the start of an extraction registers the set, starts no chunk and leaves it STOPPED with no matrix', async () => {
    const input = prepareFeaturesInput({ datasetId, window: { length: 4_096 }, signalsPerChunk: 4 });
    const workflowId = workflowIds.features(input.featureSetId);
    await stack.client.workflow.signalWithStart('extractFeaturesWorkflow', {
      workflowId,
      taskQueue: WORKFLOW_TASK_QUEUE,
      args: [input],
      signal: stopSignal,
      signalArgs: [{ reason: 'not today' }],
    });
    const r = await getResult<ExtractFeaturesStopped>(stack.client, workflowId);
    expect(r).toMatchObject({ status: 'STOPPED', reason: 'not today', signalsDone: 0, featureSetId: input.featureSetId });
    await recordReplayHistory(stack.temporal, workflowId, 'extractFeaturesWorkflow-stopped');
    await expect(getFeaturesResult(stack.client, workflowId)).rejects.toBeInstanceOf(RunStoppedError);
    const [row] = await stack.db.select().from(featureSets).where(eq(featureSets.id, input.featureSetId));
    expect(row).toMatchObject({ status: 'STOPPED', matrixUri: null, error: 'not today' });
    const notes = await stack.db.select().from(notifications).where(eq(notifications.entityId, input.featureSetId));
    expect(notes.map((n) => [n.eventType, n.title])).toEqual([['FEATURES_CANCELLED', `Feature extraction ${input.featureSetId} stopped`]]);
  });
});
