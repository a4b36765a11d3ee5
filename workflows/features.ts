import { ApplicationFailure, CancellationScope, log, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  ERROR_TYPES,
  ExtractFeaturesInputSchema,
  featuresDetails,
  progressOf,
  progressQuery,
  stopSignal,
  workflowIds,
  type ExtractFeaturesResult,
  type ExtractFeaturesStopped,
  type FeatureChunkRef,
} from '../contracts/index.js';
import { control, featureChunks, featureFinish } from './lib/activities.js';
import { liveDetails } from './lib/details.js';
import { chunkRanges, fanOut } from './lib/fan-out.js';
import { recordRunEnded } from './lib/failure.js';
import { requireWorkflowId, validateWorkflowInput } from './lib/validate.js';
import { setRunStatus, tagRun } from './lib/visibility.js';

/**
 * Feature extraction of a dataset (seed task extract_features): register (the dataset checked,
 * and the stored set returned at once when this exact set exists) → one `extractFeatureChunk`
 * activity per chunk of signals on faultline-cpu, at most `maxInFlight` at once → the chunks
 * assembled into one float32 matrix with its row index and column catalog, a feature_sets row
 * and a notification. The set's id hashes its version, settings and windowing, so the same
 * request is one workflow id and one row; a finished chunk is in history and never recomputed.
 * `stop` lets the running chunks finish, starts none and assembles nothing (the set is STOPPED);
 * a cancellation stops at once (CANCELLED). Both mark the row in a non-cancellable scope.
 */
export async function extractFeaturesWorkflow(raw: unknown): Promise<ExtractFeaturesResult | ExtractFeaturesStopped> {
  const input = validateWorkflowInput(ExtractFeaturesInputSchema, raw, 'extractFeaturesWorkflow input');
  requireWorkflowId('extractFeaturesWorkflow input', workflowIds.features(input.featureSetId), 'featureSetId', input.featureSetId);
  if (!input.featureSetId.startsWith(`${input.datasetId}-`)) {
    throw ApplicationFailure.nonRetryable(
      `invalid extractFeaturesWorkflow input: featureSetId: must start with the datasetId "${input.datasetId}-" (got ${JSON.stringify(input.featureSetId)})`,
      ERROR_TYPES.invalidInput,
    );
  }
  const { featureSetId, datasetId } = input;
  tagRun('features', { datasetId });
  let phase = 'registering';
  let total = 2;
  let completed = 0;
  let signals = 0;
  let signalsDone = 0;
  let running = 0;
  let stop: { reason: string | null } | undefined;
  setHandler(progressQuery, () => progressOf(phase, completed, total, { featureSetId, datasetId, signals, signalsDone, chunksRunning: running }));
  setHandler(stopSignal, (arg) => {
    stop ??= { reason: arg?.reason ?? null };
  });
  const live = liveDetails(() => ({ phase, completed, total, line: featuresDetails({ phase, signalsDone, signals, chunksRunning: running }) }));
  setRunStatus('RUNNING');
  try {
    const registered = await control.registerFeatureSet({
      featureSetId,
      datasetId,
      settings: input.settings,
      window: input.window,
      workflowId: workflowInfo().workflowId,
    });
    if (registered.existing) {
      phase = 'completed';
      completed = total;
      live.refresh();
      setRunStatus('COMPLETED');
      log.info('feature set reused', { featureSetId, rows: registered.existing.rows });
      return registered.existing;
    }
    signals = registered.signals;
    const chunks = chunkRanges(signals, input.signalsPerChunk);
    // Steps: registration, one per chunk, the assembly.
    total = chunks.length + 2;
    completed = 1;
    phase = 'extracting';
    live.refresh();
    const startedAt = Date.now();
    const settled = await fanOut(
      chunks,
      async (c) => {
        running++;
        live.refresh();
        try {
          const ref = await featureChunks.extractFeatureChunk.executeWithOptions({ summary: `signals ${c.start}–${c.start + c.count - 1} of ${signals}` }, [
            { featureSetId, datasetId, settings: input.settings, window: input.window, start: c.start, count: c.count },
          ]);
          completed++;
          signalsDone += c.count;
          return ref;
        } finally {
          running--;
          live.refresh();
        }
      },
      { maxInFlight: input.maxInFlight, shouldStart: () => stop === undefined },
    );
    if (stop && settled.some((c) => c === undefined)) {
      // Stopped before the last chunk started: the finished chunks are in history, but a partial
      // matrix is not a feature set. (A stop after the last chunk started changes nothing: it is assembled.)
      const reason = stop.reason;
      await CancellationScope.nonCancellable(() => control.markFeatureSetEnded({ featureSetId, status: 'STOPPED', error: reason ?? 'stopped by request' }));
      phase = 'stopped';
      live.refresh();
      setRunStatus('STOPPED');
      log.info('feature extraction stopped', { featureSetId, signalsDone, signals });
      return { featureSetId, datasetId, status: 'STOPPED', reason, signals, signalsDone };
    }
    const refs: FeatureChunkRef[] = [];
    for (const s of settled) {
      // Every chunk is needed: a matrix with holes would silently drop signals.
      if (!s || !s.ok) throw s ? s.error : new Error('a feature chunk was not run');
      refs.push(s.value);
    }
    phase = 'assembling';
    live.refresh();
    const result = await featureFinish.finishFeatureSet({ featureSetId, chunks: refs, seconds: (Date.now() - startedAt) / 1000 });
    completed++;
    phase = 'completed';
    live.refresh();
    setRunStatus('COMPLETED');
    log.info('features extracted', { featureSetId, rows: result.rows, columns: result.columns });
    return result;
  } catch (err) {
    phase = (await recordRunEnded(err, (status, error) => control.markFeatureSetEnded({ featureSetId, status, error }))).toLowerCase();
    live.refresh();
    throw err;
  }
}
