import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileArtifactStore } from '../../artifacts/file-store.js';
import { decodeFloat32 } from '../../artifacts/codecs.js';
import { getFeatureAnalysisResult, getFeaturesResult, prepareFeaturesInput, startFeatureAnalysis, startFeatureExtraction } from '../../client/features.js';
import { xmlErrors } from '../support/xml.js';
import { FeatureIndexSchema, WORKFLOW_TASK_QUEUE, type ExtractFeaturesResult } from '../../contracts/index.js';
import { featureAnalyses, featureSets, notifications, signals } from '../../db/schema.js';
import { extractFeatures, normaliseFeatureSettings } from '../../ml/features/index.js';
import { shaftHzOf } from '../../activities/features.js';
import { recordReplayHistory } from '../support/history.js';
import { generateDataset, startTestStack, type TestStack } from '../support/stack.js';
import { TINY_DATASET, TINY_SIGNALS } from './fixtures.js';

describe('extractFeaturesWorkflow on a real stack', () => {
  let stack: TestStack;
  let datasetId: string;
  let store: FileArtifactStore;

  beforeAll(async () => {
    stack = await startTestStack({ XAI_PROCESSES: '2' });
    await stack.startInProcessWorkers(['control', 'cpu']);
    store = new FileArtifactStore(stack.config.artifactDir);
    datasetId = await generateDataset(stack, { ...TINY_DATASET, datasetId: 'features-ds' });
  }, 600_000);

  afterAll(async () => {
    await stack?.stop();
  });

  const request = () => ({ datasetId, window: { length: 4_096 }, signalsPerChunk: 8, maxInFlight: 2 });

  it('windows of every signal become one float32 matrix whose rows are the library’s features of those windows; row, notification; a second start attaches', async () => {
    const started = await startFeatureExtraction(stack.client, request());
    const input = prepareFeaturesInput(request());
    expect(started.workflowId).toBe(`features-${input.featureSetId}`);
    expect(input.featureSetId).toMatch(new RegExp(`^${datasetId}-[0-9a-f]{12}$`));
    const r = await getFeaturesResult(stack.client, started.workflowId);
    // 16,384 samples in windows of 4,096 without overlap: 4 rows per signal.
    expect(r).toMatchObject({ datasetId, rows: TINY_SIGNALS * 4, signals: TINY_SIGNALS, columns: 40, computed: true });
    const matrix = decodeFloat32(await store.get(r.matrixUri));
    expect(matrix.length).toBe(r.rows * r.columns);
    const index = FeatureIndexSchema.parse(JSON.parse(new TextDecoder().decode(await store.get(r.indexUri))));
    expect(index.signalIdx).toHaveLength(r.rows);
    expect(index.windowStart.slice(0, 4)).toEqual([0, 4_096, 8_192, 12_288]);

    // Row 4k + 2 is window 2 of signal k: recompute it here from the stored signal.
    const rows = await stack.db.select().from(signals).where(eq(signals.datasetId, datasetId)).orderBy(signals.idx);
    const settings = normaliseFeatureSettings();
    for (const k of [0, 13, TINY_SIGNALS - 1]) {
      const row = 4 * k + 2;
      expect(index.signalIdx[row]).toBe(rows[k].idx);
      expect(index.labels[row]).toBe(rows[k].label);
      const x = decodeFloat32(await store.get(rows[k].artifactUri));
      const expected = extractFeatures(x.subarray(8_192, 12_288), { samplingRateHz: rows[k].samplingRateHz, shaftHz: shaftHzOf(rows[k])! }, settings);
      expect(Array.from(matrix.subarray(row * r.columns, (row + 1) * r.columns))).toEqual(Array.from(Float32Array.from(expected)));
    }

    const [set] = await stack.db.select().from(featureSets).where(eq(featureSets.id, r.featureSetId));
    expect(set).toMatchObject({ status: 'COMPLETED', datasetId, numRows: r.rows, numFeatures: 40, matrixUri: r.matrixUri, indexUri: r.indexUri });
    expect(set.featureNames).toEqual(r.featureNames);
    const notes = await stack.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.entityKind, 'feature-set'), eq(notifications.entityId, r.featureSetId)));
    expect(notes.map((n) => n.eventType)).toEqual(['FEATURES_EXTRACTED']);
    await recordReplayHistory(stack.temporal, started.workflowId, 'extractFeaturesWorkflow');

    // The same set asked for with the domains in another order: the same id, attached.
    const again = await startFeatureExtraction(stack.client, { ...request(), settings: { domains: ['wavelet', 'envelope', 'frequency', 'time'] } });
    expect(again).toMatchObject({ workflowId: started.workflowId, alreadyExisted: true });

    // A new run of the same id (history gone, say) reuses the stored set: nothing computed, no second notification.
    const rerun = await stack.client.workflow.start('extractFeaturesWorkflow', {
      args: [input],
      taskQueue: WORKFLOW_TASK_QUEUE,
      workflowId: started.workflowId,
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    });
    const reused = await rerun.result();
    expect(reused).toEqual({ ...r, computed: false } satisfies ExtractFeaturesResult);
    expect(await stack.db.select().from(notifications).where(eq(notifications.entityId, r.featureSetId))).toHaveLength(1);
  });

  it('importance, selection and correlation of the stored set: ranked table, chosen features with CV accuracy, clustered heatmap; rows, pictures, notifications', async () => {
    const set = await getFeaturesResult(stack.client, (await startFeatureExtraction(stack.client, request())).workflowId);
    const options = { forest: { trees: 20 }, repeats: 2, folds: 4, k: 5 };
    const importanceRun = await startFeatureAnalysis(stack.client, { featureSetId: set.featureSetId, mode: 'importance', options });
    const importance = await getFeatureAnalysisResult(stack.client, importanceRun.workflowId);
    await recordReplayHistory(stack.temporal, importanceRun.workflowId, 'analyzeFeaturesWorkflow');
    expect(importance.features.slice().sort()).toEqual(set.featureNames.slice().sort());
    expect(importance.summary.heldOutAccuracy).toBeGreaterThan(0.5);
    const selection = await getFeatureAnalysisResult(
      stack.client,
      (await startFeatureAnalysis(stack.client, { featureSetId: set.featureSetId, mode: 'select', options })).workflowId,
    );
    expect(selection.features).toHaveLength(5);
    expect(selection.summary).toMatchObject({ method: 'mrmr', selected: 5, of: 40 });
    expect(selection.summary.cvAccuracySelected).toBeGreaterThan(0.5);
    const corr = await getFeatureAnalysisResult(
      stack.client,
      (await startFeatureAnalysis(stack.client, { featureSetId: set.featureSetId, mode: 'correlation', options })).workflowId,
    );
    expect(corr.features).toHaveLength(40);
    for (const r of [importance, selection, corr]) {
      expect(xmlErrors(new TextDecoder().decode(await store.get(r.pictureUri)))).toEqual([]);
      const [row] = await stack.db.select().from(featureAnalyses).where(eq(featureAnalyses.id, r.analysisId));
      expect(row).toMatchObject({ status: 'COMPLETED', mode: r.mode, featureSetId: set.featureSetId, resultUri: r.resultUri, pictureUri: r.pictureUri });
      expect((await stack.db.select().from(notifications).where(eq(notifications.entityId, r.analysisId))).map((n) => n.eventType)).toEqual([
        'FEATURE_ANALYSIS_COMPLETED',
      ]);
    }
    const again = await startFeatureAnalysis(stack.client, { featureSetId: set.featureSetId, mode: 'select', options });
    expect(again.alreadyExisted).toBe(true);
  });

  it('refuses a dataset that does not exist, naming it; the run fails and says why', async () => {
    const started = await startFeatureExtraction(stack.client, { datasetId: 'no-such-ds' });
    await expect(getFeaturesResult(stack.client, started.workflowId)).rejects.toThrow(/datasetId "no-such-ds" does not exist/);
  });
});
