import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  ERROR_TYPES,
  ExplainSignalInputSchema,
  FinalizeXaiBatchInputSchema,
  ListXaiSignalsInputSchema,
  RecordXaiFailureInputSchema,
  RegisterXaiBatchInputSchema,
  XaiBatchEndedInputSchema,
  type ExplainSignalInput,
  type FinalizedXaiBatch,
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
  type SignalRef,
  type XaiMethod,
} from '../contracts/index.js';
import { encodeJson } from '../artifacts/codecs.js';
import { registerArtifact } from '../db/repos/artifacts.js';
import { getDataset } from '../db/repos/datasets.js';
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
} from '../db/repos/xai.js';
import { scaleInto, windowStarts, zNormalizeInto } from '../ml/data/windows.js';
import { mixSeed } from '../ml/random.js';
import { renderXaiClassSummaryHtml, renderXaiClassSummarySvg } from '../ml/report/index.js';
import type { ExplainJob, SignalExplanation } from '../ml/xai/explain.js';
import type { XaiProcessPool } from '../ml/xai/pool.js';
import type { ActivityDeps } from './deps.js';
import { invalidState, notFound, validateActivityInput } from './lib/failures.js';
import { createXaiBackgrounds } from './xai/background.js';
import { xaiClassSummary } from './xai/class-summary.js';
import { checkGradCamLayer, loadXaiModel } from './xai/model.js';
import { createXaiPool } from './xai/pool.js';
import { readSignalSamples } from './xai/samples.js';
import { createXaiScaling } from './xai/scaling.js';
import { storeSignalExplanation } from './xai/store.js';
import { signalResultFromRows } from './xai/signal-result.js';

export { createXaiPool } from './xai/pool.js';

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
  const scaling = createXaiScaling(db, artifacts);
  const backgrounds = createXaiBackgrounds(db, artifacts, scaling);

  return {
    async registerXaiBatch(raw: RegisterXaiBatchInput): Promise<RegisteredXaiBatch> {
      const input = validateActivityInput(RegisterXaiBatchInputSchema, raw, 'registerXaiBatch input');
      const model = await loadXaiModel(db, input.modelId);
      await checkGradCamLayer(db, input.modelId, input.methods['grad-cam']?.layer, model.inputLength);
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
      const backgroundUri = await backgrounds.build(input, model.inputLength);
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
        return signalResultFromRows(
          ref,
          stored.filter((r) => methods.includes(r.method as XaiMethod)),
          input.classes,
        );
      }

      const row = await getSignal(db, datasetId, index);
      if (!row) {
        const dataset = await getDataset(db, datasetId);
        throw notFound(
          dataset ? `signal ${ref} not found: dataset "${datasetId}" has no signal ${index}` : `signal ${ref} not found: no dataset "${datasetId}"`,
        );
      }
      if (row.length < input.inputLength) {
        throw ApplicationFailure.nonRetryable(
          `signal ${ref} has ${row.length} samples, fewer than the model's window of ${input.inputLength}`,
          ERROR_TYPES.invalidInput,
        );
      }
      let target: ExplainJob['target'] = 'predicted';
      if (input.target === 'label') {
        target = input.classes.indexOf(row.label);
        if (target < 0) {
          throw ApplicationFailure.nonRetryable(
            `signal ${ref}: its label "${row.label}" is not a class of the model (${input.classes.join(', ')})`,
            ERROR_TYPES.invalidInput,
          );
        }
      }
      const samples = await readSignalSamples(artifacts, ref, row);
      const modelId = await scaling.modelOfBatch(input.batchId);
      const scale = modelId ? await scaling.scaleFor(modelId, datasetId, row) : undefined;
      const starts = windowStarts(samples.length, {
        windowLength: input.inputLength,
        windowHop: input.inputLength,
        maxWindowsPerSignal: input.windowsPerSignal,
      });
      const windows = starts.map((s) => {
        const w = new Float32Array(input.inputLength);
        if (scale) scaleInto(samples, s, input.inputLength, scale, w, 0);
        else zNormalizeInto(samples, s, input.inputLength, w, 0);
        return w;
      });
      const job: ExplainJob = {
        windows,
        classes: input.classes,
        target,
        methods: input.methods,
        background: input.backgroundUri ? await backgrounds.load(input.backgroundUri, input.inputLength) : undefined,
        faithfulness: input.faithfulness,
        summary: input.summary,
        samplingRateHz: row.samplingRateHz,
        // Per signal, not per position in the batch: a signal's explanation does not depend on
        // which other signals share its batch or in which order they run.
        seed: mixSeed(input.seed, datasetId, index),
      };

      let current: string = 'queued';
      // Heartbeats go on while the rows are stored too: a database riding out an outage
      // (db/resilient.ts) must not look like a dead worker and start a second attempt.
      const beat = setInterval(() => ctx.heartbeat({ signal: ref, method: current }), HEARTBEAT_MS);
      ctx.heartbeat({ signal: ref, method: current });
      try {
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
        }
        current = 'storing';
        const rows = await storeSignalExplanation(db, artifacts, { input, row, windows, starts, explanation });
        return signalResultFromRows(ref, rows, input.classes, false);
      } finally {
        clearInterval(beat);
      }
    },

    /** A signal that exhausted its retries or failed for good: FAILED rows with the reason. */
    async recordXaiFailure(raw: RecordXaiFailureInput): Promise<void> {
      const input = validateActivityInput(RecordXaiFailureInputSchema, raw, 'recordXaiFailure input');
      const { datasetId, index } = parseSignalRef(input.signal);
      const row = await getSignal(db, datasetId, index);
      await recordXaiFailure(db, {
        batchId: input.batchId,
        datasetId,
        signalIdx: index,
        methods: input.methods,
        error: input.reason,
        label: row?.label ?? null,
      });
    },

    async finalizeXaiBatch(raw: FinalizeXaiBatchInput): Promise<FinalizedXaiBatch> {
      const input = validateActivityInput(FinalizeXaiBatchInputSchema, raw, 'finalizeXaiBatch input');
      const batch = await getXaiBatch(db, input.batchId);
      if (!batch) throw notFound(`batchId "${input.batchId}" does not exist`);
      const rows = await listXaiExplanations(db, input.batchId);
      const summary = await xaiClassSummary(db, batch, rows);
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
}
export type XaiActivities = ReturnType<typeof createXaiActivities>;
