import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getResult, getTrainingResult, startTraining, startXaiBatch } from '../../client/api.js';
import { startComparison, startErrorsEvaluation, startRocEvaluation } from '../../client/eval.js';
import { getImportResult, startMatImport } from '../../client/import.js';
import { WorkflowRunFailedError } from '../../client/errors.js';
import { runCli } from '../../client/cli/main.js';
import { temporalSessionOpener } from '../../client/cli/session.js';
import { FileArtifactStore } from '../../artifacts/file-store.js';
import type { CompareExperimentsResult, EvaluateErrorsResult, EvaluateRocResult, ExplainSignalsResult } from '../../contracts/index.js';
import { evaluationPredictions, evaluations, experiments, notifications, xaiExplanations } from '../../db/schema.js';
import { xmlErrors } from '../support/xml.js';
import { generateDataset, startTestStack, type TestStack } from '../support/stack.js';
import { TINY_DATASET, tinyTraining } from './fixtures.js';
import { recordReplayHistory } from '../support/history.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CWRU = path.resolve(HERE, '../../../shared/data/cwru');

describe('evaluation workflows on a real stack', () => {
  let stack: TestStack;
  let root: string;
  let datasetId: string;
  let expA: string;
  let expB: string;
  let store: FileArtifactStore;

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'faultline-eval-root-'));
    mkdirSync(path.join(root, 'cwru'));
    for (const f of readdirSync(CWRU).filter((x) => x.endsWith('.mat'))) copyFileSync(path.join(CWRU, f), path.join(root, 'cwru', f));
    stack = await startTestStack({ IMPORT_ROOT: root });
    await stack.startInProcessWorkers(['control', 'cpu']);
    const trainer = await stack.spawnWorkerProcess(['train']);
    store = new FileArtifactStore(stack.config.artifactDir);
    datasetId = await generateDataset(stack, { ...TINY_DATASET, datasetId: 'eval-ds' });
    const a = await startTraining(stack.client, tinyTraining(datasetId, {}, 'eval-a'));
    const b = await startTraining(stack.client, tinyTraining(datasetId, { epochs: 2, learningRate: 0.0005 }, 'eval-b'));
    expA = (await getTrainingResult(stack.client, a.workflowId)).experimentId;
    expB = (await getTrainingResult(stack.client, b.workflowId)).experimentId;
    await trainer.kill();
  }, 600_000);

  afterAll(async () => {
    await stack?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("ROC on the experiment's own test split: the windows and accuracy training reported, AUCs with intervals, picture, row, notification; a second start attaches", async () => {
    const started = await startRocEvaluation(stack.client, { experimentId: expA, bootstrap: { replicates: 200, seed: 5 } });
    expect(started.workflowId).toBe(`evaluate-roc-${expA}-${datasetId}`);
    const r = await getResult<EvaluateRocResult>(stack.client, started.workflowId);
    const [exp] = await stack.db.select().from(experiments).where(eq(experiments.id, expA));
    const testWindows = Object.values(exp.classBalance!.test).reduce((a, b) => a + b, 0);
    expect(r).toMatchObject({ kind: 'roc', experimentId: expA, datasetId, split: 'test', samples: testWindows, status: 'COMPLETED' });
    // Same model, same windows: the evaluation's accuracy is the test accuracy training measured.
    expect(r.accuracy).toBeCloseTo(exp.testAccuracy!, 6);
    expect(r.perClass.map((c) => c.class)).toEqual(exp.classes);
    expect(r.perClass.reduce((a, c) => a + c.positives, 0)).toBe(testWindows);
    for (const v of [r.aucMacro!, r.aucMicro!]) expect(v).toBeGreaterThan(0.5);
    expect(r.ci.aucMacro!.low).toBeLessThanOrEqual(r.aucMacro!);
    expect(r.ci.aucMacro!.high).toBeGreaterThanOrEqual(r.aucMacro!);
    const svg = new TextDecoder().decode(await store.get(r.pictureUri));
    expect(xmlErrors(svg)).toEqual([]);
    const [row] = await stack.db.select().from(evaluations).where(eq(evaluations.id, started.workflowId));
    expect(row).toMatchObject({ kind: 'roc', status: 'COMPLETED', datasetId, pictureUri: r.pictureUri, resultUri: r.resultUri, experimentIds: [expA] });
    expect(row.summary).toMatchObject({ aucMacro: r.aucMacro, samples: testWindows });
    const notes = await stack.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.entityKind, 'evaluation'), eq(notifications.entityId, started.workflowId)));
    expect(notes.map((n) => n.eventType)).toEqual(['EVALUATION_COMPLETED']);
    await recordReplayHistory(stack.temporal, started.workflowId, 'evaluateRocWorkflow');

    const again = await startRocEvaluation(stack.client, { experimentId: expA, datasetId, bootstrap: { replicates: 200, seed: 5 } });
    expect(again).toMatchObject({ workflowId: started.workflowId, alreadyExisted: true });
  });

  it('errors through `faultline eval errors --wait --json` reuse the stored predictions and list the mistakes with their conditions', async () => {
    const out: string[] = [];
    const code = await runCli(['--json', 'eval', 'errors', expA, '--bins', '5', '--wait'], {
      io: { stdout: { write: (t: string) => out.push(t) }, stderr: { write: () => true } },
      openSession: temporalSessionOpener(stack.env),
      pollIntervalMs: 200,
    });
    const doc = JSON.parse(out.join('')) as { workflowId: string; result: EvaluateErrorsResult };
    expect(code, out.join('')).toBe(0);
    expect(doc.workflowId).toBe(`evaluate-errors-${expA}-${datasetId}`);
    const r = doc.result;
    const [exp] = await stack.db.select().from(experiments).where(eq(experiments.id, expA));
    expect(r.accuracy).toBeCloseTo(exp.testAccuracy!, 6);
    expect(r.errors).toBe(Math.round(r.samples * (1 - r.accuracy)));
    expect(r.perClass.reduce((a, c) => a + c.support, 0)).toBe(r.samples);
    expect(r.ece).toBeGreaterThanOrEqual(0);
    expect(r.ece).toBeLessThanOrEqual(1);
    expect(Object.keys(r.worstByCondition)).toEqual(expect.arrayContaining(['load', 'snr', 'faultSize']));
    for (const m of r.worst) {
      expect(m.signal).toMatch(new RegExp(`^${datasetId}:\\d+$`));
      expect(m.trueClass).not.toBe(m.predictedClass);
    }
    // One prediction row for (model, dataset, split): ROC computed it, the error analysis reused it.
    const preds = await stack.db.select().from(evaluationPredictions).where(eq(evaluationPredictions.modelId, expA));
    expect(preds).toHaveLength(1);
    expect(preds[0]).toMatchObject({ datasetId, split: 'test', windows: r.samples });
    expect(xmlErrors(new TextDecoder().decode(await store.get(r.pictureUri)))).toEqual([]);
    await recordReplayHistory(stack.temporal, doc.workflowId, 'evaluateErrorsWorkflow');
  });

  it("the weaker model's mistakes link to their XAI explanations once a batch explained those signals for it", async () => {
    const [pred] = await stack.db.select().from(evaluationPredictions).where(eq(evaluationPredictions.modelId, expA));
    const index = JSON.parse(new TextDecoder().decode(await store.get(pred.indexUri))) as { signals: { ref: string }[] };
    const ids = index.signals.map((s) => s.ref);
    const xai = await startXaiBatch(stack.client, { batchId: 'eval-b-test', modelId: expB, selection: { kind: 'ids', ids }, methods: { 'grad-cam': {} } });
    expect(await getResult<ExplainSignalsResult>(stack.client, xai.workflowId)).toMatchObject({ completed: ids.length, failed: 0 });

    const started = await startErrorsEvaluation(stack.client, { experimentId: expB });
    const r = await getResult<EvaluateErrorsResult>(stack.client, started.workflowId);
    // Two epochs at a low rate: this model does make mistakes on the test split (same seeds, same model every run).
    expect(r.errors).toBeGreaterThan(0);
    expect(r.worst.length).toBeGreaterThan(0);
    const explained = await stack.db.select().from(xaiExplanations).where(eq(xaiExplanations.batchId, 'eval-b-test'));
    for (const m of r.worst) {
      const idx = Number(m.signal.split(':')[1]);
      expect(m.xaiPictureUri, m.signal).toBe(explained.find((e) => e.signalIdx === idx)!.pictureUri);
    }
  });

  it('compares two experiments on the shared test set, window by window; the same set in another order is the same comparison', async () => {
    const started = await startComparison(stack.client, { experimentIds: [expA, expB], maxInFlight: 2 });
    expect(started.workflowId).toMatch(/^compare-[0-9a-f]{12}$/);
    const r = await getResult<CompareExperimentsResult>(stack.client, started.workflowId);
    expect(r).toMatchObject({ kind: 'compare', datasetId, pairing: 'window', experimentIds: [expA, expB] });
    const roc = await getResult<EvaluateRocResult>(stack.client, `evaluate-roc-${expA}-${datasetId}`);
    expect(r.samples).toBe(roc.samples);
    expect(r.rows.find((x) => x.experimentId === expA)!.accuracy).toBeCloseTo(roc.accuracy, 10);
    expect(r.pairs).toHaveLength(1);
    const p = r.pairs[0];
    expect(p.pValue).toBeGreaterThan(0);
    expect(p.pValue).toBeLessThanOrEqual(1);
    // b and c are the discordant windows: their difference is the accuracy difference.
    const [ra, rb] = [r.rows.find((x) => x.experimentId === p.first)!, r.rows.find((x) => x.experimentId === p.second)!];
    expect((p.b - p.c) / r.samples).toBeCloseTo(ra.accuracy - rb.accuracy, 10);
    for (const row of r.rows) expect(row.parameters).toBeGreaterThan(0);
    expect(r.rows.some((x) => x.pareto)).toBe(true);
    expect(xmlErrors(new TextDecoder().decode(await store.get(r.pictureUri)))).toEqual([]);
    await recordReplayHistory(stack.temporal, started.workflowId, 'compareExperimentsWorkflow');

    const reversed = await startComparison(stack.client, { experimentIds: [expB, expA], maxInFlight: 2 });
    expect(reversed.workflowId).toBe(started.workflowId);

    // The experiment's page gathers its training curves and every evaluation of it so far.
    const [exp] = await stack.db.select().from(experiments).where(eq(experiments.id, expA));
    expect(exp.reportUri).toBe(r.pageUris![expA]);
    const html = new TextDecoder().decode(await store.get(exp.reportUri!));
    expect(html).toContain(`<title>Experiment ${expA}</title>`);
    expect(html).toContain('Loss per epoch');
    for (const id of [`evaluate-roc-${expA}-${datasetId}`, `evaluate-errors-${expA}-${datasetId}`, started.workflowId])
      expect(html).toContain(`<h2 id="${id}">`);
    const svgs = [...html.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => m[0]);
    expect(svgs.length).toBe(4);
    for (const svg of svgs) expect(xmlErrors(svg)).toEqual([]);
  });

  it('sim-to-real: the simulated-data model evaluated on the imported CWRU recordings (same 4-class scheme); the 10-class import is refused naming both schemes', async () => {
    const files = readdirSync(path.join(root, 'cwru')).sort();
    const four = await startMatImport(stack.client, { datasetId: 'cwru4', root: 'cwru', files, scheme: 'fault-type', signalLength: 16_384 });
    const ten = await startMatImport(stack.client, { datasetId: 'cwru10', root: 'cwru', files, scheme: 'fault-type-size', signalLength: 16_384 });
    expect((await getImportResult(stack.client, four.workflowId)).status).toBe('COMPLETED');
    expect((await getImportResult(stack.client, ten.workflowId)).status).toBe('COMPLETED');

    const real = await startRocEvaluation(stack.client, { experimentId: expA, datasetId: 'cwru4', split: 'all', bootstrap: { replicates: 100 } });
    expect(real.workflowId).toBe(`evaluate-roc-${expA}-cwru4-all`);
    const r = await getResult<EvaluateRocResult>(stack.client, real.workflowId);
    expect(r.datasetId).toBe('cwru4');
    expect(r.perClass.find((c) => c.class === 'normal')!.positives).toBeGreaterThan(0);
    expect(r.samples).toBe(r.perClass.reduce((a, c) => a + c.positives, 0));
    console.log(
      `sim-to-real (train: simulated, test: 10 CWRU recordings, 4 classes): accuracy ${r.accuracy.toFixed(3)}, AUC macro ${r.aucMacro?.toFixed(3)} over ${r.samples} windows`,
    );

    const refused = await startRocEvaluation(stack.client, { experimentId: expA, datasetId: 'cwru10', split: 'all' });
    const err = await getResult(stack.client, refused.workflowId).catch((e: unknown) => e);
    expect(String((err as Error).message) + String((err as { cause?: Error }).cause?.message)).toMatch(
      /eval-ds.*class scheme fault-type.*cwru10.*class scheme fault-type-size/s,
    );
    const [row] = await stack.db.select().from(evaluations).where(eq(evaluations.id, refused.workflowId));
    expect(row).toBeUndefined();

    const own = await startRocEvaluation(stack.client, { experimentId: expA, split: 'all' });
    await expect(getResult(stack.client, own.workflowId)).rejects.toThrow(/own training data/);
  });

  it('a model trained with normalization "recording" (on the CWRU recordings, time split) is evaluated and explained on the windows it was trained on', async () => {
    const files = readdirSync(path.join(root, 'cwru')).sort();
    // Signals of 4,096 samples: enough of them per recording for a time split's three parts.
    const imported = await startMatImport(stack.client, { datasetId: 'cwru4-short', root: 'cwru', files, scheme: 'fault-type', signalLength: 4_096 });
    expect((await getImportResult(stack.client, imported.workflowId)).status).toBe('COMPLETED');
    const trainer = await stack.spawnWorkerProcess(['train']);
    let expId: string;
    try {
      const started = await startTraining(
        stack.client,
        tinyTraining('cwru4-short', { normalization: 'recording', split: { kind: 'time', gapSignals: 1 }, maxWindowsPerSignal: 3 }, 'eval-rec'),
      );
      expId = (await getTrainingResult(stack.client, started.workflowId)).experimentId;
    } finally {
      await trainer.kill();
    }
    const [exp] = await stack.db.select().from(experiments).where(eq(experiments.id, expId));
    const roc = await startRocEvaluation(stack.client, { experimentId: expId, bootstrap: { replicates: 50 } });
    const r = await getResult<EvaluateRocResult>(stack.client, roc.workflowId);
    const testWindows = Object.values(exp.classBalance!.test).reduce((a, b) => a + b, 0);
    // Windows z-scored alone would give another accuracy: equal figures mean equal inputs.
    expect(r.samples).toBe(testWindows);
    expect(r.accuracy).toBeCloseTo(exp.testAccuracy!, 6);

    const [pred] = await stack.db.select().from(evaluationPredictions).where(eq(evaluationPredictions.modelId, expId));
    const index = JSON.parse(new TextDecoder().decode(await store.get(pred.indexUri))) as { signals: { ref: string }[] };
    const ids = index.signals.slice(0, 3).map((s) => s.ref);
    const xai = await startXaiBatch(stack.client, {
      batchId: 'eval-rec-xai',
      modelId: expId,
      selection: { kind: 'ids', ids },
      methods: { 'grad-cam': {}, 'kernel-shap': { samples: 64, background: { size: 4 } } },
    });
    expect(await getResult<ExplainSignalsResult>(stack.client, xai.workflowId)).toMatchObject({ completed: ids.length, failed: 0 });
  });

  it('an unknown experiment fails at once, non-retryably, naming it', async () => {
    const started = await startRocEvaluation(stack.client, { experimentId: 'no-such-exp', datasetId });
    const err = await getResult(stack.client, started.workflowId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowRunFailedError);
    expect(err).toMatchObject({ failureType: 'NotFound', message: expect.stringContaining('experiment "no-such-exp" does not exist') });
    const history = await stack.client.workflow.getHandle(started.workflowId).fetchHistory();
    const failed = (history.events ?? []).filter((e) => e.activityTaskFailedEventAttributes);
    expect(failed).toHaveLength(1);
    expect((history.events ?? []).find((e) => e.activityTaskStartedEventAttributes)?.activityTaskStartedEventAttributes?.attempt).toBe(1);
  });
});
