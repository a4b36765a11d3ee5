import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTrainingResult, startTraining } from '../../client/api.js';
import { getFeatureAnalysisResult, getFeaturesResult, startFeatureBaseline, startFeatureExtraction } from '../../client/features.js';
import { getImportResult, startMatImport } from '../../client/import.js';
import { experiments } from '../../db/schema.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CWRU = path.resolve(HERE, '../../../shared/data/cwru');

/**
 * The README's real-data comparison, through the workflows: the ten shared CWRU recordings
 * imported as the 10-class benchmark (signals of 4,096 samples), the reference CNN trained with
 * the time split (8 epochs), the features of the CNN's own windows extracted, and the forest
 * trained and tested on that experiment's split. Both accuracies are printed; the forest must be
 * far above chance (1/10), and both are scored on the same number of test windows.
 */
describe('feature baseline vs the CNN on the CWRU recordings (10 classes, time split)', () => {
  let stack: TestStack;
  let root: string;

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'faultline-baseline-cwru-'));
    mkdirSync(path.join(root, 'cwru'));
    for (const f of readdirSync(CWRU).filter((x) => x.endsWith('.mat'))) copyFileSync(path.join(CWRU, f), path.join(root, 'cwru', f));
    stack = await startTestStack({ IMPORT_ROOT: root, XAI_PROCESSES: '2' });
    await stack.startInProcessWorkers(['control', 'cpu']);
  }, 600_000);

  afterAll(async () => {
    await stack?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('imports, trains, featurises the same windows and scores the forest on the same test signals', async () => {
    const imported = await startMatImport(stack.client, { datasetId: 'cwru10', root: 'cwru', glob: '*.mat', scheme: 'fault-type-size', signalLength: 4_096 });
    expect((await getImportResult(stack.client, imported.workflowId)).status).toBe('COMPLETED');
    const hp = {
      windowLength: 2_048,
      windowHop: 512,
      maxWindowsPerSignal: 8,
      epochs: 8,
      batchSize: 32,
      learningRate: 0.003,
      patience: 0,
      seed: 1,
      validationFraction: 0.15,
      testFraction: 0.2,
      split: { kind: 'time' as const, gapSignals: 1 },
    };
    const trainer = await stack.spawnWorkerProcess(['train']);
    const t0 = performance.now();
    const cnn = await getTrainingResult(
      stack.client,
      (await startTraining(stack.client, { datasetId: 'cwru10', experimentId: 'cwru10-cnn', hyperparameters: hp })).workflowId,
    );
    const cnnSeconds = (performance.now() - t0) / 1000;
    await trainer.kill();
    const t1 = performance.now();
    const set = await getFeaturesResult(
      stack.client,
      (
        await startFeatureExtraction(stack.client, {
          datasetId: 'cwru10',
          window: { length: hp.windowLength, hop: hp.windowHop, maxPerSignal: hp.maxWindowsPerSignal },
        })
      ).workflowId,
    );
    const featureSeconds = (performance.now() - t1) / 1000;
    const all = await getFeatureAnalysisResult(
      stack.client,
      (await startFeatureBaseline(stack.client, { featureSetId: set.featureSetId, baseline: { experimentId: cnn.experimentId } })).workflowId,
    );
    const mrmr10 = await getFeatureAnalysisResult(
      stack.client,
      (await startFeatureBaseline(stack.client, { featureSetId: set.featureSetId, baseline: { experimentId: cnn.experimentId, mrmrK: 10 } })).workflowId,
    );
    const [exp] = await stack.db.select().from(experiments).where(eq(experiments.id, cnn.experimentId));
    const testWindows = exp.classBalance ? Object.values(exp.classBalance.test).reduce((a, b) => a + b, 0) : null;
    console.log(
      JSON.stringify({
        cwru10: {
          signals: set.signals,
          cnn: { testAccuracy: exp.testAccuracy, testWindows, seconds: cnnSeconds },
          forest: all.summary,
          forestMrmr10: { ...mrmr10.summary, chosen: mrmr10.features },
          featureSeconds,
        },
      }),
    );
    expect(all.summary.cnnTestAccuracy).toBe(exp.testAccuracy);
    expect(all.summary.testRows).toBe(testWindows);
    expect(all.summary.testAccuracy).toBeGreaterThan(0.5);
    expect(mrmr10.features).toHaveLength(10);
  });
});
