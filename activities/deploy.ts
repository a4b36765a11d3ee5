import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { z } from 'zod';
import {
  ERROR_TYPES,
  modelVersionId,
  SlugSchema,
  type BenchmarkResult,
  type EngineBenchmark,
  type ExportedVersion,
  type CalibrationFigures,
  type ModelVersionKind,
  type ValidationResult,
  QUANTIZED_KINDS,
} from '../contracts/index.js';
import { registerArtifact } from '../db/repos/artifacts.js';
import {
  getModelVersion,
  getPublishedVersion,
  mergeModelVersionMetrics,
  publishModelVersion,
  rollBackModelVersions,
  setModelVersionStatus,
  upsertModelVersion,
} from '../db/repos/model-versions.js';
import { deserializeModel, disposeModel } from '../ml/model/index.js';
import {
  CalibrationError,
  checkParity,
  createSession,
  decodeModel,
  exportToOnnx,
  INPUT_NAME,
  OUTPUT_NAME,
  ParityError,
  PARITY_WINDOWS,
  quantizeDynamic,
  quantizeStatic,
  tfjsPredict,
  toFloat16Weights,
  windowsSha256,
  UnsupportedLayerError,
  runWindows,
} from '../ml/onnx/index.js';
import { initBackend } from '../ml/tf/index.js';
import { benchmarkOrt, benchmarkTfjs } from './lib/deploy-bench.js';
import { accuracyOf, loadDeploySource, splitWindows, type DeploySource } from './lib/deploy-data.js';
import { renderBenchmarkSvg } from '../ml/onnx/benchmark-chart.js';
import type { ActivityDeps } from './deps.js';
import { invalidState, notFound, validateActivityInput } from './lib/failures.js';

/**
 * Deployment steps (deployModelWorkflow). The model work (export, optimise, validate,
 * benchmark) runs on faultline-train, the device queue, so the benchmark measures the machine
 * that trains and serves; the bookkeeping (publish, roll back, notify) on faultline-control.
 * Every step writes its version row under a deterministic id, so a retry lands on the same row
 * and the workflow can register a step's compensation before the step runs.
 */

const StepInputSchema = z.object({ deploymentId: SlugSchema, experimentId: SlugSchema }).strict();
const ValidateInputSchema = StepInputSchema.extend({ versionIds: z.array(z.string().min(1)).min(1), maxAccuracyDropPp: z.number().min(0).max(100) }).strict();
const BenchmarkInputSchema = StepInputSchema.extend({
  versionIds: z.array(z.string().min(1)).min(1),
  latencyRuns: z.number().int().min(10).max(10_000),
}).strict();
const QuantizeInputSchema = StepInputSchema.extend({
  formats: z
    .array(z.enum(['int8-static', 'int8-dynamic', 'float16']))
    .min(1)
    .refine((f) => new Set(f).size === f.length, { message: 'lists a format twice' }),
}).strict();
const PublishInputSchema = StepInputSchema.extend({ versionId: z.string().min(1) }).strict();
const RollBackInputSchema = z.object({ deploymentId: SlugSchema, versionIds: z.array(z.string().min(1)).optional() }).strict();
const OutcomeInputSchema = StepInputSchema.extend({
  outcome: z.enum(['COMPLETED', 'FAILED', 'ROLLED_BACK']),
  message: z.string(),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).default({}),
}).strict();

export type DeployStepInput = z.input<typeof StepInputSchema>;
export type ValidateVersionsInput = z.input<typeof ValidateInputSchema>;
export type BenchmarkVersionsInput = z.input<typeof BenchmarkInputSchema>;
export type QuantizeVersionsInput = z.input<typeof QuantizeInputSchema>;
export type PublishVersionInput = z.input<typeof PublishInputSchema>;
export type RollBackInput = z.input<typeof RollBackInputSchema>;
export type DeploymentOutcomeInput = z.input<typeof OutcomeInputSchema>;

/** Test-split windows validation scores at most (spread over the split's signals). */
const MAX_VALIDATION_WINDOWS = 4096;
/** Training-split windows the static quantization calibrates on (spread over up to 64 signals). */
const CALIBRATION_WINDOWS = 512;
const exportRejected = (message: string) => ApplicationFailure.nonRetryable(message, ERROR_TYPES.exportRejected);

export function createDeployActivities(deps: ActivityDeps) {
  const { db, artifacts, notifier } = deps;

  async function storeOnnx(bytes: Uint8Array): Promise<string> {
    const meta = { kind: 'onnx-model', mediaType: 'application/onnx' };
    const stored = await artifacts.put(bytes, meta);
    await registerArtifact(db, { ...stored, ...meta });
    return stored.uri;
  }

  async function loadTfjs(source: DeploySource) {
    await initBackend(deps.config.tfjsBackend);
    return deserializeModel(await artifacts.get(source.modelUri));
  }

  async function parityWindows(source: DeploySource) {
    // Windows of the signals the model was fitted and validated on: the training split alone may hold fewer than 256.
    const w = await splitWindows(db, artifacts, source, ['train', 'validation'], { maxWindows: PARITY_WINDOWS, maxSignals: 64 });
    return { x: w.x, count: w.count, windowLength: w.windowLength };
  }

  /** Export `source`'s model (or check `bytes` derived from it) and record the version; throws ExportRejected on divergence. */
  async function checkedVersion(
    source: DeploySource,
    input: { deploymentId: string; kind: ModelVersionKind; parentId: string | null; enforceParity?: boolean },
    make: (model: Awaited<ReturnType<typeof loadTfjs>>) => Promise<{ bytes: Uint8Array; metrics: Record<string, unknown> }>,
  ): Promise<ExportedVersion> {
    const ctx = Context.current();
    const model = await loadTfjs(source);
    try {
      ctx.heartbeat({ step: input.kind, phase: 'building' });
      let made;
      try {
        made = await make(model);
      } catch (err) {
        if (err instanceof UnsupportedLayerError) throw exportRejected(`experiment "${source.experimentId}": ${err.message}`);
        throw err;
      }
      ctx.heartbeat({ step: input.kind, phase: 'checking against tfjs' });
      const windows = await parityWindows(source);
      let parity: ExportedVersion['parity'];
      try {
        // A quantized model differs from tfjs by design: its figures are recorded, its accuracy on the test split decides.
        const enforce = input.enforceParity ?? true;
        const report = await checkParity(model, { bytes: made.bytes, inputName: INPUT_NAME, outputName: OUTPUT_NAME }, windows, enforce ? undefined : Infinity);
        parity = { ...report, tolerance: enforce ? report.tolerance : null };
      } catch (err) {
        if (err instanceof ParityError) throw exportRejected(`experiment "${source.experimentId}" (${input.kind}): ${err.message}`);
        throw err;
      }
      const artifactUri = await storeOnnx(made.bytes);
      const versionId = modelVersionId(input.deploymentId, input.kind);
      await upsertModelVersion(db, {
        id: versionId,
        experimentId: source.experimentId,
        deploymentId: input.deploymentId,
        parentId: input.parentId,
        sourceModelId: source.modelId,
        kind: input.kind,
        status: 'exported',
        artifactUri,
        bytes: made.bytes.length,
        metrics: { parity, ...made.metrics },
      });
      return { versionId, kind: input.kind, artifactUri, bytes: made.bytes.length, parity };
    } finally {
      disposeModel(model);
    }
  }

  async function versionBytes(versionId: string, deploymentId: string): Promise<{ bytes: Uint8Array; uri: string; kind: ModelVersionKind }> {
    const row = await getModelVersion(db, versionId);
    if (!row || row.deploymentId !== deploymentId) throw notFound(`versionIds: model version "${versionId}" of deployment "${deploymentId}" does not exist`);
    return { bytes: await artifacts.get(row.artifactUri), uri: row.artifactUri, kind: row.kind };
  }

  return {
    /** tfjs -> ONNX fp32, checked on 256 training windows of the experiment's dataset. */
    async exportOnnxVersion(raw: DeployStepInput): Promise<ExportedVersion> {
      const input = validateActivityInput(StepInputSchema, raw, 'exportOnnxVersion input');
      const source = await loadDeploySource(db, input.experimentId);
      return checkedVersion(source, { deploymentId: input.deploymentId, kind: 'onnx-fp32', parentId: null }, async (model) => {
        const exported = exportToOnnx(model, { docString: `experiment ${source.experimentId}, deployment ${input.deploymentId}` });
        return { bytes: exported.bytes, metrics: { opset: 17, nodes: decodeModel(exported.bytes).graph.node.length, layerKinds: exported.layerKinds } };
      });
    },

    /**
     * onnxruntime's offline graph optimisation (level `extended`: constant folding, batch-norm
     * folding into the convolutions, Conv+activation fusion) saved as a new version, checked
     * against tfjs again.
     */
    async optimizeOnnxVersion(raw: DeployStepInput): Promise<ExportedVersion> {
      const input = validateActivityInput(StepInputSchema, raw, 'optimizeOnnxVersion input');
      const source = await loadDeploySource(db, input.experimentId);
      const parentId = modelVersionId(input.deploymentId, 'onnx-fp32');
      const parent = await versionBytes(parentId, input.deploymentId);
      return checkedVersion(source, { deploymentId: input.deploymentId, kind: 'onnx-optimized', parentId }, async () => {
        const dir = await mkdtemp(path.join(os.tmpdir(), 'faultline-ort-'));
        try {
          const file = path.join(dir, 'optimized.onnx');
          const session = await createSession(parent.bytes, { optimization: 'extended', optimizedModelPath: file });
          await session.release();
          const bytes = new Uint8Array(await readFile(file));
          const before = decodeModel(parent.bytes).graph.node.length;
          const after = decodeModel(bytes).graph.node.length;
          return { bytes, metrics: { optimization: 'extended', nodesBefore: before, nodesAfter: after } };
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      });
    },

    /**
     * int8 static (QDQ, calibrated on the experiment's own training windows), int8 dynamic and
     * float16 versions of the fp32 export, each a version whose parent is the fp32 one. Their
     * parity with tfjs is recorded, not enforced: validation on the test split accepts or rejects them.
     */
    async quantizeOnnxVersions(raw: QuantizeVersionsInput): Promise<ExportedVersion[]> {
      const input = validateActivityInput(QuantizeInputSchema, raw, 'quantizeOnnxVersions input');
      const ctx = Context.current();
      const source = await loadDeploySource(db, input.experimentId);
      const parentId = modelVersionId(input.deploymentId, 'onnx-fp32');
      const parent = await versionBytes(parentId, input.deploymentId);
      const out: ExportedVersion[] = [];
      for (const format of input.formats) {
        ctx.heartbeat({ step: 'quantize', format });
        const kind = QUANTIZED_KINDS[format];
        out.push(
          await checkedVersion(source, { deploymentId: input.deploymentId, kind, parentId, enforceParity: false }, async () => {
            if (format === 'float16') {
              const r = toFloat16Weights(parent.bytes);
              return { bytes: r.bytes, metrics: { format, convertedInitializers: r.converted } };
            }
            if (format === 'int8-dynamic') {
              const r = quantizeDynamic(parent.bytes);
              return { bytes: r.bytes, metrics: { format, ...r.report } };
            }
            // The windows the trainer cut from the training split of the model's own dataset, never noise.
            const w = await splitWindows(db, artifacts, source, ['train'], { maxWindows: CALIBRATION_WINDOWS, maxSignals: 64 });
            const calibration: CalibrationFigures = {
              datasetId: source.datasetId,
              split: 'train',
              windows: w.count,
              signals: [...new Set(w.signalOf)].sort((a, b) => a - b),
              sha256: windowsSha256(w.x),
            };
            let r;
            try {
              r = await quantizeStatic(parent.bytes, {
                x: w.x,
                count: w.count,
                windowLength: w.windowLength,
                provenance: { datasetId: source.datasetId, split: 'train', sha256: calibration.sha256 },
              });
            } catch (err) {
              if (err instanceof CalibrationError) throw exportRejected(`experiment "${source.experimentId}" (${kind}): ${err.message}`);
              throw err;
            }
            return { bytes: r.bytes, metrics: { format, calibration, ...r.report } };
          }),
        );
      }
      return out;
    },

    /** Accuracy on the test split: tfjs against every version; beyond the tolerance a version is rejected, with the figure. */
    async validateOnnxVersions(raw: ValidateVersionsInput): Promise<ValidationResult> {
      const input = validateActivityInput(ValidateInputSchema, raw, 'validateOnnxVersions input');
      const ctx = Context.current();
      const source = await loadDeploySource(db, input.experimentId);
      const test = await splitWindows(db, artifacts, source, ['test'], { maxWindows: MAX_VALIDATION_WINDOWS, maxSignals: 10_000 });
      const k = source.classes.length;
      const model = await loadTfjs(source);
      let tfjsAccuracy: number;
      try {
        tfjsAccuracy = accuracyOf(tfjsPredict(model, test), test.y, k);
      } finally {
        disposeModel(model);
      }
      const versions = [];
      for (const versionId of input.versionIds) {
        ctx.heartbeat({ validating: versionId });
        const { bytes } = await versionBytes(versionId, input.deploymentId);
        const session = await createSession(bytes);
        let probabilities: Float32Array;
        try {
          const out = await runWindows(session, test.x, test.count, test.windowLength, { inputName: INPUT_NAME, outputNames: [OUTPUT_NAME] });
          probabilities = out.get(OUTPUT_NAME)?.data ?? new Float32Array(0);
        } finally {
          await session.release();
        }
        const accuracy = accuracyOf(probabilities, test.y, k);
        const dropPp = (tfjsAccuracy - accuracy) * 100;
        const accepted = dropPp <= input.maxAccuracyDropPp;
        await setModelVersionStatus(db, versionId, accepted ? 'validated' : 'rejected', {
          validation: { windows: test.count, accuracy, tfjsAccuracy, dropPp, maxAccuracyDropPp: input.maxAccuracyDropPp },
        });
        versions.push({ versionId, accuracy, dropPp, accepted });
      }
      return { windows: test.count, tfjsAccuracy, versions };
    },

    /** tfjs (the worker's backend) against onnxruntime for every version, 1 and N threads, on test-split windows. */
    async benchmarkOnnxVersions(raw: BenchmarkVersionsInput): Promise<BenchmarkResult> {
      const input = validateActivityInput(BenchmarkInputSchema, raw, 'benchmarkOnnxVersions input');
      const ctx = Context.current();
      const source = await loadDeploySource(db, input.experimentId);
      const windows = await splitWindows(db, artifacts, source, ['test'], { maxWindows: 256, maxSignals: 64 });
      // A cancelled deployment must not wait for thousands of timed runs.
      const beat = (what: string) => {
        ctx.heartbeat({ benchmarking: what });
        if (ctx.cancellationSignal.aborted) throw new CancelledFailure('benchmark cancelled');
      };
      const modelBytes = await artifacts.get(source.modelUri);
      await initBackend(deps.config.tfjsBackend);
      const engines: EngineBenchmark[] = [await benchmarkTfjs(modelBytes, windows, { runs: input.latencyRuns, beat })];
      const threads = Math.max(1, Math.min(4, os.availableParallelism()));
      for (const versionId of input.versionIds) {
        const { bytes } = await versionBytes(versionId, input.deploymentId);
        for (const t of threads > 1 ? [1, threads] : [1]) {
          engines.push(await benchmarkOrt(bytes, windows, { runs: input.latencyRuns, threads: t, versionId, beat }));
        }
      }
      const tfjs = engines[0];
      const ort = engines.find((e) => e.engine.startsWith('onnxruntime') && e.threads === 1) ?? tfjs;
      const int8 = engines.find((e) => e.versionId === modelVersionId(input.deploymentId, 'onnx-int8-static') && e.threads === 1);
      const svg = renderBenchmarkSvg(engines, `deployment ${input.deploymentId}: ${source.experimentId} on ${windows.count} test windows`);
      const chartMeta = { kind: 'deploy-benchmark-svg', mediaType: 'image/svg+xml' };
      const chart = await artifacts.put(new TextEncoder().encode(svg), chartMeta);
      await registerArtifact(db, { ...chart, ...chartMeta });
      const result = {
        engines,
        speedup: ort.throughput64 / tfjs.throughput64,
        int8Speedup: int8 ? int8.throughput64 / tfjs.throughput64 : null,
        chartUri: chart.uri,
      };
      for (const versionId of input.versionIds) {
        await mergeModelVersionMetrics(db, versionId, { benchmark: engines.filter((e) => e.versionId === versionId || e.versionId === null) });
      }
      return result;
    },

    /** Publish one validated version; the experiment's previous published version is retired in the same transaction. */
    async publishModelVersion(raw: PublishVersionInput): Promise<{ versionId: string; previousVersionId: string | null }> {
      const input = validateActivityInput(PublishInputSchema, raw, 'publishModelVersion input');
      const row = await getModelVersion(db, input.versionId);
      if (!row || row.deploymentId !== input.deploymentId)
        throw notFound(`versionId: model version "${input.versionId}" of deployment "${input.deploymentId}" does not exist`);
      if (!row.published && row.status !== 'validated') throw invalidState(`model version "${input.versionId}" is ${row.status}, not validated`);
      const { previousId } = await publishModelVersion(db, input.versionId);
      return { versionId: input.versionId, previousVersionId: previousId };
    },

    /** Compensation: the deployment's versions (or the listed ones) rolled back; the version published before is current again. */
    async rollBackDeployment(raw: RollBackInput): Promise<{ rolledBack: string[]; restored: string | null }> {
      const input = validateActivityInput(RollBackInputSchema, raw, 'rollBackDeployment input');
      return rollBackModelVersions(db, input.deploymentId, input.versionIds);
    },

    async recordDeploymentOutcome(raw: DeploymentOutcomeInput): Promise<void> {
      const input = validateActivityInput(OutcomeInputSchema, raw, 'recordDeploymentOutcome input');
      const published = await getPublishedVersion(db, input.experimentId);
      await notifier.notify({
        eventType: `DEPLOYMENT_${input.outcome}`,
        entityKind: 'deployment',
        entityId: input.deploymentId,
        title:
          input.outcome === 'COMPLETED'
            ? `Deployment ${input.deploymentId} published`
            : input.outcome === 'FAILED'
              ? `Deployment ${input.deploymentId} failed and was rolled back`
              : `Deployment ${input.deploymentId} cancelled and rolled back`,
        message: input.message,
        details: { ...input.details, experimentId: input.experimentId, publishedVersionId: published?.id ?? null },
      });
    },
  };
}

export type DeployActivities = ReturnType<typeof createDeployActivities>;
