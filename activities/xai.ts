import os from 'node:os';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';
import {
  ArchitectureSchema,
  REFERENCE_ARCHITECTURE,
  sequenceLayerNames,
  ERROR_TYPES,
  ExplainSignalInputSchema,
  FinalizeXaiBatchInputSchema,
  ListXaiSignalsInputSchema,
  RecordXaiFailureInputSchema,
  RegisterXaiBatchInputSchema,
  XaiBatchEndedInputSchema,
  type ExplainSignalInput,
  type FinalizeXaiBatchInput,
  type ListXaiSignalsInput,
  type RecordXaiFailureInput,
  type RegisteredXaiBatch,
  type RegisterXaiBatchInput,
  type XaiBatchEndedInput,
  parseSignalRef,
  requestedMethods,
  signalRef,
  type ExplainSignalResult,
  type ExplainSignalsResult,
  type SignalRef,
  type XaiMethod,
  type XaiMethodOutcome,
} from '../contracts/index.js';
import { decodeFloat32, encodeFloat32, encodeJson } from '../artifacts/codecs.js';
import { isArtifactError } from '../artifacts/errors.js';
import { registerArtifact } from '../db/repos/artifacts.js';
import { getDataset } from '../db/repos/datasets.js';
import { getExperiment } from '../db/repos/experiments.js';
import { getModel } from '../db/repos/models.js';
import {
  countMatchingSignals,
  countXaiSignals,
  getSignal,
  getXaiBatch,
  listXaiExplanations,
  pageMatchingSignals,
  recordXaiFailure,
  setXaiBatchStatus,
  upsertXaiBatch,
  upsertXaiExplanations,
  type XaiExplanationInput,
  type XaiExplanationRow,
} from '../db/repos/xai.js';
import type { SignalRow } from '../db/schema.js';
import { withTransaction } from '../db/tx.js';
import { windowStarts, zNormalizeInto } from '../ml/data/windows.js';
import { mixSeed, mulberry32 } from '../ml/random.js';
import { renderSignalExplanationSvg, renderXaiClassSummaryHtml, renderXaiClassSummarySvg, type XaiClassSummaryInput } from '../ml/report/index.js';
import type { ExplainJob, SignalExplanation } from '../ml/xai/explain.js';
import { XaiProcessPool } from '../ml/xai/pool.js';
import type { ActivityDeps } from './deps.js';
import { invalidState, notFound, validateActivityInput } from './lib/failures.js';

/** Most signals read to draw a KernelSHAP background (rows are small; arrays are read per pick). */
const BACKGROUND_CANDIDATES = 10_000;
const HEARTBEAT_MS = 2_000;

/**
 * Batch XAI. Bookkeeping (register, list, failures, finalize) runs on the control queue; the
 * explanation of one signal runs on the CPU queue, in a pool of child processes so the worker's
 * event loop keeps heartbeating while tfjs computes. Every row is an upsert keyed by (batch,
 * signal, method), and a signal whose rows are all stored is not recomputed, so a retry after a
 * crash or a re-run of the same request neither loses nor duplicates an explanation.
 */
export function createXaiActivities(deps: ActivityDeps) {
  const { db, artifacts, notifier } = deps;
  let pool = deps.xaiPool;
  const getPool = (): XaiProcessPool => (pool ??= createXaiPool(deps.config));
  const backgrounds = new Map<string, Promise<Float32Array[]>>();

  async function loadModelRow(modelId: string): Promise<{ modelUri: string; classes: string[]; inputLength: number }> {
    const model = await getModel(db, modelId);
    if (!model) throw notFound(`modelId "${modelId}" does not exist (no trained model with that id)`);
    let classes = model.classes ?? null;
    if (!classes && model.experimentId) classes = (await getExperiment(db, model.experimentId))?.classes ?? null;
    if (!classes || classes.length < 2) throw invalidState(`model "${modelId}" has no class list`);
    if (!model.inputLength) throw invalidState(`model "${modelId}" has no input length`);
    return { modelUri: model.artifactUri, classes, inputLength: model.inputLength };
  }

  /**
   * A Grad-CAM layer the model does not have would fail every signal: refuse the batch at
   * registration, naming the layers it can use. The layer names follow from the architecture
   * the model was trained with (ml/model/build.ts names them); a model whose experiment is not
   * known is left to the per-signal check.
   */
  async function checkGradCamLayer(modelId: string, layer: string | undefined, inputLength: number): Promise<void> {
    if (layer === undefined) return;
    const row = await getModel(db, modelId);
    const experiment = row?.experimentId ? await getExperiment(db, row.experimentId) : undefined;
    if (!experiment) return;
    const declared = ArchitectureSchema.safeParse(experiment.hyperparameters.architecture ?? REFERENCE_ARCHITECTURE);
    if (!declared.success) return;
    const names = sequenceLayerNames(declared.data, inputLength);
    if (!names.includes(layer)) {
      throw ApplicationFailure.nonRetryable(
        `invalid explainSignalsWorkflow input: methods.grad-cam.layer: model "${modelId}" has no layer ${JSON.stringify(layer.slice(0, 200))} that Grad-CAM can use (layers: ${names.join(', ')})`,
        ERROR_TYPES.invalidInput,
      );
    }
  }

  async function readSamples(ref: SignalRef, row: SignalRow): Promise<Float32Array> {
    try {
      return decodeFloat32(await artifacts.get(row.artifactUri), row.artifactUri);
    } catch (err) {
      if (isArtifactError(err, 'ARTIFACT_NOT_FOUND')) throw notFound(`signal ${ref}: its samples (${row.artifactUri}) are missing from the artifact store`);
      if (isArtifactError(err)) throw ApplicationFailure.nonRetryable(`signal ${ref}: ${err.message}`, ERROR_TYPES.corruptArtifact);
      throw err;
    }
  }

  /** Draw the KernelSHAP background: `size` windows of seeded random signals at seeded offsets. */
  async function buildBackground(
    input: z.output<typeof RegisterXaiBatchInputSchema>,
    inputLength: number,
  ): Promise<string | null> {
    const shap = input.methods['kernel-shap'];
    if (!shap) return null;
    const sel = input.selection;
    const datasetId = shap.background.datasetId ?? (sel.kind === 'dataset' ? sel.datasetId : parseSignalRef(sel.ids[0]).datasetId);
    const candidates = await pageMatchingSignals(db, { datasetId, labels: shap.background.labels }, -1, BACKGROUND_CANDIDATES);
    const usable = candidates.filter((c) => c.length >= inputLength);
    if (usable.length === 0) {
      const labels = shap.background.labels ? ` with labels ${shap.background.labels.join(', ')}` : '';
      throw ApplicationFailure.nonRetryable(
        `methods.kernel-shap.background: dataset "${datasetId}" has no signal${labels} of at least ${inputLength} samples`,
        ERROR_TYPES.invalidInput,
      );
    }
    const random = mulberry32(mixSeed(input.seed, 'xai-background'));
    const out = new Float32Array(shap.background.size * inputLength);
    const cache = new Map<number, Float32Array>();
    for (let k = 0; k < shap.background.size; k++) {
      const row = usable[Math.floor(random() * usable.length)];
      let samples = cache.get(row.idx);
      if (!samples) {
        samples = await readSamples(signalRef(datasetId, row.idx), row);
        cache.set(row.idx, samples);
      }
      const start = Math.floor(random() * (samples.length - inputLength + 1));
      zNormalizeInto(samples, start, inputLength, out, k * inputLength);
    }
    const stored = await artifacts.put(encodeFloat32(out), { kind: 'xai-background', mediaType: 'application/x-float32le' });
    await registerArtifact(db, { ...stored, kind: 'xai-background', mediaType: 'application/x-float32le' });
    return stored.uri;
  }

  function loadBackground(uri: string, inputLength: number): Promise<Float32Array[]> {
    let hit = backgrounds.get(uri);
    if (!hit) {
      hit = artifacts.get(uri).then((bytes) => {
        const flat = decodeFloat32(bytes, uri);
        return Array.from({ length: flat.length / inputLength }, (_, k) => flat.slice(k * inputLength, (k + 1) * inputLength));
      });
      hit.catch(() => backgrounds.delete(uri));
      backgrounds.set(uri, hit);
      // A worker serves few batches at once; keep the last few.
      while (backgrounds.size > 8) backgrounds.delete(backgrounds.keys().next().value as string);
    }
    return hit;
  }

  return {
    async registerXaiBatch(raw: RegisterXaiBatchInput): Promise<RegisteredXaiBatch> {
      const input = validateActivityInput(RegisterXaiBatchInputSchema, raw, 'registerXaiBatch input');
      const model = await loadModelRow(input.modelId);
      await checkGradCamLayer(input.modelId, input.methods['grad-cam']?.layer, model.inputLength);
      let total: number;
      if (input.selection.kind === 'dataset') {
        const sel = input.selection;
        const dataset = await getDataset(db, sel.datasetId);
        if (!dataset) throw notFound(`selection.datasetId "${sel.datasetId}" does not exist`);
        if (dataset.status !== 'READY') throw invalidState(`dataset "${sel.datasetId}" is ${dataset.status}, not READY`);
        const matching = await countMatchingSignals(db, sel);
        total = Math.min(matching, sel.limit ?? Infinity);
        if (total === 0) throw ApplicationFailure.nonRetryable(`selection matches no signal of dataset "${sel.datasetId}"`, ERROR_TYPES.invalidInput);
      } else {
        // Unknown ids are not an error here: each is reported by name when its turn comes.
        total = input.selection.ids.length;
      }
      const backgroundUri = await buildBackground(input, model.inputLength);
      await upsertXaiBatch(db, {
        id: input.batchId,
        modelId: input.modelId,
        config: input.config,
        methods: requestedMethods(input.methods),
        totalSignals: total,
        backgroundUri,
        workflowId: input.workflowId,
      });
      return { total, ...model, backgroundUri };
    },

    /** One page of a dataset selection, by index (keyset pagination). */
    async listXaiSignals(raw: ListXaiSignalsInput): Promise<SignalRef[]> {
      const input = validateActivityInput(ListXaiSignalsInputSchema, raw, 'listXaiSignals input');
      const rows = await pageMatchingSignals(db, input, input.afterIndex, input.limit);
      return rows.map((r) => signalRef(input.datasetId, r.idx));
    },

    async explainSignal(raw: ExplainSignalInput): Promise<ExplainSignalResult> {
      const input = validateActivityInput(ExplainSignalInputSchema, raw, 'explainSignal input');
      const ref = input.signal;
      const { datasetId, index } = parseSignalRef(ref);
      const methods = requestedMethods(input.methods);
      const ctx = Context.current();

      const stored = await listXaiExplanations(db, input.batchId, { datasetId, signalIdx: index, status: 'COMPLETED' });
      if (methods.every((m) => stored.some((r) => r.method === m))) {
        return resultFromRows(ref, stored.filter((r) => methods.includes(r.method as XaiMethod)), input.classes);
      }

      const row = await getSignal(db, datasetId, index);
      if (!row) {
        const dataset = await getDataset(db, datasetId);
        throw notFound(dataset ? `signal ${ref} not found: dataset "${datasetId}" has no signal ${index}` : `signal ${ref} not found: no dataset "${datasetId}"`);
      }
      if (row.length < input.inputLength) {
        throw ApplicationFailure.nonRetryable(`signal ${ref} has ${row.length} samples, fewer than the model's window of ${input.inputLength}`, ERROR_TYPES.invalidInput);
      }
      let target: ExplainJob['target'] = 'predicted';
      if (input.target === 'label') {
        target = input.classes.indexOf(row.label);
        if (target < 0) {
          throw ApplicationFailure.nonRetryable(`signal ${ref}: its label "${row.label}" is not a class of the model (${input.classes.join(', ')})`, ERROR_TYPES.invalidInput);
        }
      }
      const samples = await readSamples(ref, row);
      const starts = windowStarts(samples.length, { windowLength: input.inputLength, windowHop: input.inputLength, maxWindowsPerSignal: input.windowsPerSignal });
      const windows = starts.map((s) => {
        const w = new Float32Array(input.inputLength);
        zNormalizeInto(samples, s, input.inputLength, w, 0);
        return w;
      });
      const job: ExplainJob = {
        windows,
        classes: input.classes,
        target,
        methods: input.methods,
        background: input.backgroundUri ? await loadBackground(input.backgroundUri, input.inputLength) : undefined,
        faithfulness: input.faithfulness,
        summary: input.summary,
        samplingRateHz: row.samplingRateHz,
        // Per signal, not per position in the batch: a signal's explanation does not depend on
        // which other signals share its batch or in which order they run.
        seed: mixSeed(input.seed, datasetId, index),
      };

      let current: string = 'queued';
      const beat = setInterval(() => ctx.heartbeat({ signal: ref, method: current }), HEARTBEAT_MS);
      ctx.heartbeat({ signal: ref, method: current });
      let explanation: SignalExplanation;
      try {
        explanation = await getPool().run(input.modelUri, job, {
          signal: ctx.cancellationSignal,
          onMethod: (m) => {
            current = m;
          },
        });
      } catch (err) {
        if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason ?? err;
        const e = err as Error & { code?: string };
        if (e.name === 'XaiInputError') throw ApplicationFailure.nonRetryable(`signal ${ref}: ${e.message}`, ERROR_TYPES.invalidInput);
        if (e.code === 'ARTIFACT_NOT_FOUND') throw notFound(`signal ${ref}: ${e.message}`);
        if (e.code === 'ARTIFACT_CORRUPT') throw ApplicationFailure.nonRetryable(`signal ${ref}: ${e.message}`, ERROR_TYPES.corruptArtifact);
        throw err;
      } finally {
        clearInterval(beat);
      }

      const L = input.inputLength;
      const targetLabel = input.classes[explanation.targetClass];
      const probability = explanation.probabilities[explanation.targetClass];
      const picture = renderSignalExplanationSvg({
        signal: ref,
        label: row.label,
        targetLabel,
        probability,
        samplingRateHz: row.samplingRateHz,
        windows: windows.map((w, k) => ({
          start: starts[k],
          samples: w,
          methods: explanation.methods.map((m) => ({ method: m.method, attributions: m.attributions.subarray(k * L, (k + 1) * L), faithfulness: m.faithfulnessPerWindow[k] })),
        })),
      });
      const pic = await artifacts.put(new TextEncoder().encode(picture), { kind: 'xai-picture', mediaType: 'image/svg+xml' });
      const rows: XaiExplanationInput[] = [];
      const uris: { uri: string; sha256: string; bytes: number; kind: string; mediaType: string }[] = [{ ...pic, kind: 'xai-picture', mediaType: 'image/svg+xml' }];
      for (const m of explanation.methods) {
        const attr = await artifacts.put(encodeFloat32(m.attributions), { kind: 'xai-attribution', mediaType: 'application/x-float32le' });
        uris.push({ ...attr, kind: 'xai-attribution', mediaType: 'application/x-float32le' });
        rows.push({
          batchId: input.batchId,
          datasetId,
          signalIdx: index,
          method: m.method,
          status: 'COMPLETED',
          label: row.label,
          targetLabel,
          predictedLabel: input.classes[explanation.predictedClass],
          probability,
          windowStarts: starts,
          attributionUri: attr.uri,
          pictureUri: pic.uri,
          topSegments: m.topSegments,
          segmentShares: m.segmentShares,
          bandShares: m.bandShares,
          dominantBandLowHz: m.dominantBand.lowHz,
          dominantBandHighHz: m.dominantBand.highHz,
          peakHz: m.peakHz,
          faithfulness: m.faithfulness,
          aucMethod: m.aucMethod,
          aucRandom: m.aucRandom,
          completenessError: m.completenessError,
          durationMs: m.durationMs,
          error: null,
        });
      }
      await withTransaction(db, async (tx) => {
        for (const u of uris) await registerArtifact(tx, u);
        await upsertXaiExplanations(tx, rows);
      });
      return resultFromRows(ref, rows as XaiExplanationRow[], input.classes, false);
    },

    /** A signal that exhausted its retries or failed for good: FAILED rows with the reason. */
    async recordXaiFailure(raw: RecordXaiFailureInput): Promise<void> {
      const input = validateActivityInput(RecordXaiFailureInputSchema, raw, 'recordXaiFailure input');
      const { datasetId, index } = parseSignalRef(input.signal);
      const row = await getSignal(db, datasetId, index);
      await recordXaiFailure(db, { batchId: input.batchId, datasetId, signalIdx: index, methods: input.methods, error: input.reason, label: row?.label ?? null });
    },

    async finalizeXaiBatch(raw: FinalizeXaiBatchInput): Promise<Pick<ExplainSignalsResult, 'summaryUri' | 'summaryJsonUri' | 'faithfulnessByMethod'>> {
      const input = validateActivityInput(FinalizeXaiBatchInputSchema, raw, 'finalizeXaiBatch input');
      const batch = await getXaiBatch(db, input.batchId);
      if (!batch) throw notFound(`batchId "${input.batchId}" does not exist`);
      const rows = await listXaiExplanations(db, input.batchId);
      const summary = await classSummary(batch.id, batch.modelId, batch.config, batch.methods as XaiMethod[], rows);
      const svg = renderXaiClassSummarySvg(summary.picture);
      const html = renderXaiClassSummaryHtml(summary.picture);
      const putText = async (text: string, kind: string, mediaType: string) => {
        const s = await artifacts.put(new TextEncoder().encode(text), { kind, mediaType });
        await registerArtifact(db, { ...s, kind, mediaType });
        return s.uri;
      };
      const summaryUri = await putText(svg, 'xai-summary', 'image/svg+xml');
      await putText(html, 'xai-summary', 'text/html');
      const jsonStored = await artifacts.put(encodeJson(summary.data), { kind: 'xai-summary', mediaType: 'application/json' });
      await registerArtifact(db, { ...jsonStored, kind: 'xai-summary', mediaType: 'application/json' });
      const counts = await countXaiSignals(db, input.batchId);
      const completed = counts.signals - counts.failed;
      await setXaiBatchStatus(db, input.batchId, input.status, {
        summaryUri,
        summaryJsonUri: jsonStored.uri,
        completedSignals: completed,
        failedSignals: counts.failed,
        error: input.reason ?? null,
      });
      const faith = summary.data.faithfulnessByMethod;
      await notifier.notify({
        eventType: 'XAI_COMPLETED',
        entityKind: 'xai-batch',
        entityId: input.batchId,
        title: `XAI batch ${input.batchId} ${input.status === 'STOPPED' ? 'stopped' : 'completed'}`,
        message: `${completed} signals explained, ${counts.failed} failed; mean faithfulness ${Object.entries(faith)
          .map(([m, v]) => `${m} ${v.toFixed(3)}`)
          .join(', ')}`,
        details: { completed, failed: counts.failed, summaryUri },
      });
      return { summaryUri, summaryJsonUri: jsonStored.uri, faithfulnessByMethod: faith };
    },

    async markXaiBatchEnded(raw: XaiBatchEndedInput): Promise<void> {
      const input = validateActivityInput(XaiBatchEndedInputSchema, raw, 'markXaiBatchEnded input');
      const counts = await countXaiSignals(db, input.batchId);
      const row = await setXaiBatchStatus(db, input.batchId, input.status, {
        error: input.error ?? null,
        completedSignals: counts.signals - counts.failed,
        failedSignals: counts.failed,
      });
      if (!row) return;
      await notifier.notify({
        eventType: input.status === 'FAILED' ? 'XAI_FAILED' : 'XAI_CANCELLED',
        entityKind: 'xai-batch',
        entityId: input.batchId,
        title: `XAI batch ${input.batchId} ${input.status === 'FAILED' ? 'failed' : 'cancelled'}`,
        message: input.error ?? input.status,
        details: { completed: counts.signals - counts.failed, failed: counts.failed },
      });
    },
  };

  async function classSummary(batchId: string, modelId: string, config: Record<string, unknown>, methods: XaiMethod[], rows: XaiExplanationRow[]) {
    const cfg = config as { summary?: { bands?: number } };
    const firstDone = rows.find((r) => r.status === 'COMPLETED');
    const signal = firstDone ? await getSignal(db, firstDone.datasetId, firstDone.signalIdx) : undefined;
    const samplingRateHz = signal?.samplingRateHz ?? 0;
    const model = await getModel(db, modelId);
    const windowLength = model?.inputLength ?? 0;
    const nBands = firstDone?.bandShares?.length ?? cfg.summary?.bands ?? 8;
    const nyquist = samplingRateHz / 2;
    const bands = Array.from({ length: nBands }, (_, b) => ({ lowHz: (b * nyquist) / nBands, highHz: ((b + 1) * nyquist) / nBands }));

    const labels = [...new Set(rows.map((r) => r.label ?? 'unknown'))].sort(byClassOrder(model?.classes ?? []));
    const failedSignals = new Set(rows.filter((r) => r.status === 'FAILED').map((r) => `${r.datasetId}:${r.signalIdx}`));
    const faithfulnessByMethod: Partial<Record<XaiMethod, number>> = {};
    const classes = labels.map((label) => {
      const ofClass = rows.filter((r) => (r.label ?? 'unknown') === label);
      const sigs = new Set(ofClass.map((r) => `${r.datasetId}:${r.signalIdx}`));
      const failed = [...sigs].filter((s) => failedSignals.has(s)).length;
      return {
        label,
        signals: sigs.size - failed,
        failed,
        methods: methods.map((method) => {
          const done = ofClass.filter((r) => r.method === method && r.status === 'COMPLETED');
          return {
            method,
            signals: done.length,
            segmentProfile: meanVector(done.map((r) => r.segmentShares ?? [])),
            bandProfile: meanVector(done.map((r) => r.bandShares ?? [])),
            meanFaithfulness: mean(done.map((r) => r.faithfulness ?? 0)),
          };
        }),
      };
    });
    for (const method of methods) {
      const done = rows.filter((r) => r.method === method && r.status === 'COMPLETED');
      if (done.length > 0) faithfulnessByMethod[method] = round(mean(done.map((r) => r.faithfulness ?? 0)));
    }
    const failures = rows.filter((r) => r.status === 'FAILED' && r.method === methods[0]).map((r) => `${r.datasetId}:${r.signalIdx}: ${r.error ?? 'failed'}`);
    const picture: XaiClassSummaryInput = {
      batchId,
      modelId,
      windowLength,
      samplingRateHz,
      bands,
      classes,
      notes: failures.length > 0 ? [`${failures.length} signals failed`, ...failures.slice(0, 5)] : undefined,
    };
    return { picture, data: { batchId, modelId, windowLength, samplingRateHz, bands, classes, faithfulnessByMethod, failures } };
  }
}
export type XaiActivities = ReturnType<typeof createXaiActivities>;

/** The worker's pool of XAI child processes: XAI_PROCESSES, or one per core. Spawns lazily. */
export function createXaiPool(config: ActivityDeps['config']): XaiProcessPool {
  return new XaiProcessPool({
    size: config.worker.xaiProcesses ?? Math.max(1, os.availableParallelism()),
    artifactDir: config.artifactDir,
    backend: config.tfjsBackend,
  });
}

function resultFromRows(ref: SignalRef, rows: XaiExplanationRow[], classes: string[], reused = true): ExplainSignalResult {
  const first = rows[0];
  const methods: XaiMethodOutcome[] = rows.map((r) => {
    const top = r.topSegments?.[0];
    return {
      method: r.method as XaiMethod,
      faithfulness: r.faithfulness ?? 0,
      topSegment: { start: top?.start ?? 0, end: top?.end ?? 0, share: top?.share ?? 0 },
      dominantBand: { lowHz: r.dominantBandLowHz ?? 0, highHz: r.dominantBandHighHz ?? 0, share: Math.max(0, ...(r.bandShares ?? [0])) },
      attributionUri: r.attributionUri ?? '',
    };
  });
  return {
    signal: ref,
    label: first.label ?? '',
    targetClass: classes.indexOf(first.targetLabel ?? ''),
    targetLabel: first.targetLabel ?? '',
    predictedLabel: first.predictedLabel ?? '',
    probability: first.probability ?? 0,
    pictureUri: first.pictureUri ?? '',
    methods,
    reused,
  };
}

function byClassOrder(classes: readonly string[]) {
  const rank = (l: string) => (classes.includes(l) ? classes.indexOf(l) : classes.length);
  return (a: string, b: string) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

const mean = (xs: readonly number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const round = (v: number): number => Number(v.toPrecision(6));

function meanVector(vs: readonly number[][]): number[] {
  const n = Math.max(0, ...vs.map((v) => v.length));
  return Array.from({ length: n }, (_, i) => round(mean(vs.map((v) => v[i] ?? 0))));
}
