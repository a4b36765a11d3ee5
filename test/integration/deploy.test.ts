import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDeploySource, splitWindows } from '../../activities/lib/deploy-data.js';
import { splitSignalOf } from '../../activities/lib/eval-data.js';
import { openArtifactStore } from '../../artifacts/index.js';
import { listSignals } from '../../db/repos/datasets.js';
import { splitSignals } from '../../ml/data/split.js';
import { windowsSha256 } from '../../ml/onnx/index.js';
import { cancelRun, getProgress, getResult, getTrainingResult, startTraining } from '../../client/api.js';
import { startDeployment } from '../../client/deploy.js';
import { WorkflowRunFailedError } from '../../client/errors.js';
import type { CalibrationFigures, DeployModelResult, DeployRunResult, EvaluateRocResult } from '../../contracts/index.js';
import { listModelVersions } from '../../db/repos/model-versions.js';
import { evaluationPredictions, experiments, notifications } from '../../db/schema.js';
import { startRocEvaluation } from '../../client/eval.js';
import { recordReplayHistory } from '../support/history.js';
import { generateDataset, startTestStack, type TestStack, type WorkerProcess } from '../support/stack.js';
import { until } from '../support/workflow-env.js';
import { TINY_DATASET, tinyTraining } from './fixtures.js';

/**
 * deployModelWorkflow on the dev server, Postgres and a real faultline-train worker process: a
 * trained experiment to a published ONNX model; a cancelled deployment and one whose worker is
 * killed mid-benchmark leave the right version published.
 */
describe('deployment on a real stack', () => {
  let stack: TestStack;
  let trainer: WorkerProcess;
  let experimentId: string;

  beforeAll(async () => {
    stack = await startTestStack();
    await stack.startInProcessWorkers(['control', 'cpu']);
    trainer = await stack.spawnWorkerProcess(['train']);
    const datasetId = await generateDataset(stack, { ...TINY_DATASET, datasetId: 'deploy-ds' });
    const run = await startTraining(stack.client, tinyTraining(datasetId, {}, 'deploy-exp'));
    experimentId = (await getTrainingResult(stack.client, run.workflowId)).experimentId;
  }, 600_000);

  afterAll(async () => {
    await stack?.stop();
  });

  const notesOf = (deploymentId: string) =>
    stack.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.entityKind, 'deployment'), eq(notifications.entityId, deploymentId)));

  it('exports (parity on 256 training windows), optimises, quantizes, validates on the test split, benchmarks and publishes', async () => {
    const run = await startDeployment(stack.client, { experimentId, deploymentId: 'dep-1' });
    expect(run.workflowId).toBe('deploy-dep-1');
    const r = await getResult<DeployModelResult>(stack.client, run.workflowId);
    expect(r.status).toBe('PUBLISHED');
    expect(r.versions.map((v) => v.kind)).toEqual(['onnx-fp32', 'onnx-optimized', 'onnx-int8-static', 'onnx-int8-dynamic']);
    for (const v of r.versions) {
      expect(v.parity.windows).toBe(256);
      // fp32 versions are held to 1e-4; quantized ones are judged by their accuracy below.
      if (v.parity.tolerance !== null) expect(v.parity.maxAbsDiff).toBeLessThanOrEqual(1e-4);
      else expect(v.parity.argmaxAgreement).toBeGreaterThan(0.8);
    }
    const [exp] = await stack.db.select().from(experiments).where(eq(experiments.id, experimentId));
    // tfjs on the test split is the accuracy training measured there.
    const testWindows = Object.values(exp.classBalance!.test).reduce((a, b) => a + b, 0);
    expect(r.validation.windows).toBe(testWindows);
    expect(r.validation.tfjsAccuracy).toBeCloseTo(exp.testAccuracy!, 6);
    for (const v of r.validation.versions) {
      expect(v.accepted, v.versionId).toBe(v.dropPp <= 0.5);
      if (!v.versionId.includes('int8')) expect(Math.abs(v.dropPp)).toBeLessThanOrEqual(0.5);
    }
    const engines = r.benchmark.engines.map((e) => `${e.engine}:${e.versionId ?? '-'}:x${e.threads}`);
    expect(engines[0]).toMatch(/^tfjs-/);
    expect(engines).toEqual(expect.arrayContaining(['onnxruntime-cpu:dep-1.onnx-fp32:x1', 'onnxruntime-cpu:dep-1.onnx-optimized:x1']));
    const int8Accepted = r.validation.versions.find((v) => v.versionId === 'dep-1.onnx-int8-static')?.accepted;
    if (int8Accepted) expect(engines).toContain('onnxruntime-cpu:dep-1.onnx-int8-static:x1');
    for (const e of r.benchmark.engines) {
      expect(e.p50Ms).toBeGreaterThan(0);
      expect(e.p99Ms).toBeGreaterThanOrEqual(e.p50Ms);
      expect(e.throughput64).toBeGreaterThan(0);
    }
    // The picture: one bar per engine run, in the artifact store.
    const svg = new TextDecoder().decode(await openArtifactStore(stack.config.artifacts).get(r.benchmark.chartUri!));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<rect [^>]*fill="#(9e9e9e|2e7d32|1565c0)"/g)).toHaveLength(r.benchmark.engines.length);
    expect(svg).toContain('dep-1.onnx-optimized');
    // The figures of this run, for the README table.
    console.info(JSON.stringify({ validation: r.validation, benchmark: r.benchmark }, null, 1));

    const rows = await listModelVersions(stack.db, experimentId);
    const byId = new Map(rows.map((v) => [v.id, v]));
    expect(byId.get('dep-1.onnx-fp32')).toMatchObject({ parentId: null, sourceModelId: experimentId, kind: 'onnx-fp32' });
    expect(byId.get('dep-1.onnx-optimized')).toMatchObject({ parentId: 'dep-1.onnx-fp32', kind: 'onnx-optimized' });
    expect(byId.get('dep-1.onnx-int8-static')).toMatchObject({ parentId: 'dep-1.onnx-fp32', kind: 'onnx-int8-static' });
    expect(byId.get('dep-1.onnx-int8-dynamic')).toMatchObject({ parentId: 'dep-1.onnx-fp32', kind: 'onnx-int8-dynamic' });
    expect(byId.get('dep-1.onnx-int8-static')?.bytes).toBeLessThan(byId.get('dep-1.onnx-fp32')?.bytes ?? 0);

    // Calibration read the training split of the model's own dataset: the same windows, byte for
    // byte, as the trainer's cut of that split, and none of the test split's signals (noise, or
    // any other windows, would have another hash).
    const calibration = (byId.get('dep-1.onnx-int8-static')?.metrics as { calibration: CalibrationFigures }).calibration;
    const source = await loadDeploySource(stack.db, experimentId);
    const train = await splitWindows(stack.db, openArtifactStore(stack.config.artifacts), source, ['train'], { maxWindows: 512, maxSignals: 64 });
    expect(calibration).toMatchObject({ datasetId: source.datasetId, split: 'train', windows: train.count });
    expect(calibration.sha256).toBe(windowsSha256(train.x));
    const parts = splitSignals((await listSignals(stack.db, source.datasetId)).map(splitSignalOf), source.settings);
    for (const idx of calibration.signals) {
      expect(parts.train).toContain(idx);
      expect(parts.test).not.toContain(idx);
    }
    expect(rows.filter((v) => v.published).map((v) => v.id)).toEqual([r.publishedVersionId]);
    expect(byId.get(r.publishedVersionId)?.status).toBe('published');
    expect((await notesOf('dep-1')).map((n) => n.eventType)).toEqual(['DEPLOYMENT_COMPLETED']);
    expect(await getProgress(stack.client, run.workflowId)).toMatchObject({ phase: 'completed', fraction: 1 });
    await recordReplayHistory(stack.temporal, run.workflowId, 'deployModelWorkflow');
  });

  it('an evaluation of the deployed model predicts on onnxruntime, with the accuracy training measured on tfjs', async () => {
    const started = await startRocEvaluation(stack.client, { experimentId, bootstrap: { replicates: 50, seed: 1 } });
    const r = await getResult<EvaluateRocResult>(stack.client, started.workflowId);
    const [exp] = await stack.db.select().from(experiments).where(eq(experiments.id, experimentId));
    expect(r.accuracy).toBeCloseTo(exp.testAccuracy!, 6);
    const [predictions] = await stack.db.select().from(evaluationPredictions).where(eq(evaluationPredictions.modelId, experimentId));
    // The exact (fp32) forms qualify, never a quantized one; its benchmark measured it faster than tfjs.
    expect(predictions.backend).toMatch(/^onnxruntime \S+ \(dep-1\.onnx-(optimized|fp32)\)$/);
  });

  it('the single step `deploy quantize` (stopAfter) makes the int8 versions and publishes nothing', async () => {
    const before = (await listModelVersions(stack.db, experimentId)).find((v) => v.published)?.id;
    const run = await startDeployment(stack.client, { experimentId, deploymentId: 'dep-q', stopAfter: 'quantize', formats: ['int8-static'] });
    const r = await getResult<DeployRunResult>(stack.client, run.workflowId);
    expect(r).toMatchObject({ status: 'STOPPED', stoppedAfter: 'quantize', validation: null, benchmark: null });
    expect(r.versions.map((v) => v.kind)).toEqual(['onnx-fp32', 'onnx-optimized', 'onnx-int8-static']);
    const rows = (await listModelVersions(stack.db, experimentId)).filter((v) => v.deploymentId === 'dep-q');
    for (const v of rows) expect(v.status, v.id).toBe('exported');
    expect((await listModelVersions(stack.db, experimentId)).filter((v) => v.published).map((v) => v.id)).toEqual([before]);
    expect((await notesOf('dep-q')).map((n) => n.eventType)).toEqual(['DEPLOYMENT_COMPLETED']);
  });

  it('a deployment cancelled mid-benchmark leaves its versions rolled back and the earlier one published', async () => {
    const before = (await listModelVersions(stack.db, experimentId)).find((v) => v.published)?.id;
    expect(before).toBeDefined();
    // Many timed runs: the benchmark is still going when the cancellation lands.
    const run = await startDeployment(stack.client, { experimentId, deploymentId: 'dep-2', latencyRuns: 10_000 });
    await until('the benchmark step', async () => (await getProgress(stack.client, run.workflowId)).phase === 'benchmark', 300_000);
    await cancelRun(stack.client, run.workflowId);
    const err = await getResult(stack.client, run.workflowId).catch((e: unknown) => e);
    expect((err as WorkflowRunFailedError).status).toBe('CANCELLED');
    const rows = await listModelVersions(stack.db, experimentId);
    for (const v of rows.filter((x) => x.deploymentId === 'dep-2')) expect(v.status, v.id).toBe('rolled_back');
    expect(rows.filter((v) => v.published).map((v) => v.id)).toEqual([before]);
    const notes = await notesOf('dep-2');
    expect(notes.map((n) => n.eventType)).toEqual(['DEPLOYMENT_ROLLED_BACK']);
    // The benchmark stopped on the cancellation instead of finishing its 10,000 runs first.
    expect(notes[0].message).toContain('cancelled at step benchmark');
  });

  it('a train worker killed mid-benchmark: the retry on a new worker finishes and publishes, the earlier version retired', async () => {
    const before = (await listModelVersions(stack.db, experimentId)).find((v) => v.published)?.id;
    const run = await startDeployment(stack.client, { experimentId, deploymentId: 'dep-3', latencyRuns: 3_000 });
    await until('the benchmark step', async () => (await getProgress(stack.client, run.workflowId)).phase === 'benchmark', 300_000);
    await trainer.kill('SIGKILL');
    trainer = await stack.spawnWorkerProcess(['train']);
    const r = await getResult<DeployModelResult>(stack.client, run.workflowId);
    expect(r).toMatchObject({ status: 'PUBLISHED', previousVersionId: before });
    const rows = await listModelVersions(stack.db, experimentId);
    expect(rows.filter((v) => v.published).map((v) => v.id)).toEqual([r.publishedVersionId]);
    expect(rows.find((v) => v.id === before)?.status).toBe('retired');
    const history = await stack.client.workflow.getHandle(run.workflowId).fetchHistory();
    const retried = (history.events ?? []).some((e) => e.activityTaskStartedEventAttributes && Number(e.activityTaskStartedEventAttributes.attempt) > 1);
    expect(retried).toBe(true);
  });
});
