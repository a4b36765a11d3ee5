import { ApplicationFailure, continueAsNew, isCancellation, log, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  ExplainSignalsInputSchema,
  explainActivitySummary,
  failureThreshold,
  parseSignalRef,
  progressOf,
  progressQuery,
  stopSignal,
  requestedMethods,
  xaiDetails,
  type ExplainSignalsResult,
  type RegisteredXaiBatch,
  type XaiCarriedState,
  type XaiCounts,
  type SignalRef,
  type XaiFailure,
  workflowIds,
} from '../contracts/index.js';
import { control, xaiCpu } from './lib/activities.js';
import { CampaignScheduler } from './lib/campaign.js';
import { liveDetails } from './lib/details.js';
import { failureMessage } from './lib/failure.js';
import { requireWorkflowId, validateWorkflowInput } from './lib/validate.js';
import { setRunStatus, tagRun } from './lib/visibility.js';

/** Signals fetched per page of a dataset selection (payload: ~20 bytes each). */
export const XAI_PAGE_SIZE = 256;
/** Failures kept in the workflow for `progress` and the result; all of them are rows in Postgres. */
const FAILURES_KEPT = 20;

type Counts = XaiCounts;

/**
 * Explain signals with a trained model (seed tasks generate_explanation and
 * generate_batch_explanations): one workflow for one signal or thousands.
 *
 * One `explainSignal` activity per signal on faultline-cpu, at most `maxInFlight` at once
 * (a sliding window: a new signal starts as soon as one finishes). A dataset selection is listed
 * page by page, so neither the input nor the history ever holds the whole list. A signal that
 * fails (missing, corrupt, unknown label) is recorded with its reason and the batch goes on,
 * until failures pass `maxFailedSignals`. `stop` finishes the running signals and starts none;
 * cancellation kills the running explanations and marks the batch CANCELLED. Long batches
 * continue as new between signals, carrying the cursor and counts.
 */
export async function explainSignalsWorkflow(raw: unknown, carried?: XaiCarriedState): Promise<ExplainSignalsResult> {
  const input = validateWorkflowInput(ExplainSignalsInputSchema, raw, 'explainSignalsWorkflow input');
  const { batchId, selection } = input;
  requireWorkflowId('explainSignalsWorkflow input', workflowIds.xai(batchId), 'batchId', batchId);
  const methods = requestedMethods(input.methods);
  const counts: Counts = carried?.counts ?? { completed: 0, failed: 0, reused: 0 };
  const failures: XaiFailure[] = carried?.failures ?? [];
  const pending: SignalRef[] = carried?.pending ?? [];
  let registered = carried?.registered;
  let cursor = carried?.cursor ?? (selection.kind === 'ids' ? 0 : (selection.fromIndex ?? 0) - 1);
  let listed = carried?.listed ?? 0;
  let exhausted = carried?.exhausted ?? false;
  const running = new Set<SignalRef>();
  const scheduler = new CampaignScheduler(input.testing?.continueAsNewEvery);
  setHandler(stopSignal, scheduler.onStop);
  let phase = carried ? 'explaining' : 'registering';

  const total = () => registered?.total ?? (selection.kind === 'ids' ? selection.ids.length : 0);
  const threshold = () => failureThreshold(input, total());
  const tooManyFailures = () => counts.failed > threshold();
  const mayStartMore = () => !scheduler.stopRequested && !tooManyFailures() && (pending.length > 0 || !exhausted);

  setHandler(progressQuery, () =>
    progressOf(phase, counts.completed + counts.failed, total(), {
      batchId,
      modelId: input.modelId,
      methods,
      running: running.size,
      succeeded: counts.completed,
      failed: counts.failed,
      reused: counts.reused,
      maxInFlight: input.maxInFlight,
      maxFailedSignals: threshold(),
      failures: failures.slice(-5),
    }),
  );
  const live = liveDetails(() => ({
    phase,
    completed: counts.completed + counts.failed,
    total: total(),
    line: xaiDetails({ phase, done: counts.completed + counts.failed, total: total(), running: running.size, failed: counts.failed, reused: counts.reused }),
  }));
  tagRun('xai', { datasetId: selection.kind === 'dataset' ? selection.datasetId : undefined, experimentId: input.modelId });
  setRunStatus('RUNNING');

  /** Refill `pending` with the next page of the selection. */
  async function refill(): Promise<void> {
    if (selection.kind === 'ids') {
      pending.push(...selection.ids.slice(cursor, cursor + XAI_PAGE_SIZE));
      cursor += XAI_PAGE_SIZE;
      exhausted = cursor >= selection.ids.length;
      return;
    }
    const want = Math.min(XAI_PAGE_SIZE, total() - listed);
    const page =
      want > 0
        ? await control.listXaiSignals({
            datasetId: selection.datasetId,
            labels: selection.labels,
            fromIndex: selection.fromIndex,
            toIndex: selection.toIndex,
            afterIndex: cursor,
            limit: want,
          })
        : [];
    pending.push(...page);
    listed += page.length;
    if (page.length > 0) cursor = parseSignalRef(page[page.length - 1]).index;
    exhausted = page.length < want || listed >= total();
  }

  async function explain(ref: SignalRef, reg: RegisteredXaiBatch): Promise<void> {
    running.add(ref);
    live.refresh();
    try {
      const r = await xaiCpu.explainSignal.executeWithOptions({ summary: explainActivitySummary(ref, methods) }, [
        {
          batchId,
          modelUri: reg.modelUri,
          classes: reg.classes,
          inputLength: reg.inputLength,
          signal: ref,
          methods: input.methods,
          windowsPerSignal: input.windowsPerSignal,
          target: input.target,
          faithfulness: input.faithfulness,
          summary: input.summary,
          seed: input.seed,
          backgroundUri: reg.backgroundUri,
        },
      ]);
      counts.completed++;
      if (r.reused) counts.reused++;
    } catch (err) {
      if (isCancellation(err)) throw err;
      counts.failed++;
      const reason = failureMessage(err);
      if (failures.length < FAILURES_KEPT) failures.push({ signal: ref, reason });
      log.warn('signal failed', { batchId, signal: ref, reason });
      await control.recordXaiFailure({ batchId, signal: ref, methods, reason });
    } finally {
      running.delete(ref);
      scheduler.finished();
      live.refresh();
    }
  }

  try {
    registered ??= await control.registerXaiBatch({
      batchId,
      modelId: input.modelId,
      selection,
      methods: input.methods,
      seed: input.seed,
      config: input as unknown as Record<string, unknown>,
      workflowId: workflowInfo().workflowId,
    });
    const reg = registered;
    phase = 'explaining';
    live.refresh();
    await scheduler.run({
      running: () => running.size,
      maxConcurrent: () => input.maxInFlight,
      mayStart: mayStartMore,
      startNext: async () => {
        if (pending.length === 0) await refill();
        const ref = pending.shift();
        return ref === undefined ? undefined : { done: explain(ref, reg) };
      },
    });

    if (scheduler.continueAsNewDue() && mayStartMore()) {
      const next: XaiCarriedState = { registered: reg, cursor, listed, exhausted, pending, counts, failures, runs: (carried?.runs ?? 1) + 1 };
      await scheduler.drained({ batchId, done: counts.completed + counts.failed, runs: next.runs });
      return await continueAsNew<typeof explainSignalsWorkflow>(input, next);
    }
    if (tooManyFailures()) {
      const first = failures[0] ? `; first: ${failures[0].signal}: ${failures[0].reason}` : '';
      throw ApplicationFailure.nonRetryable(`${counts.failed} signals failed, more than maxFailedSignals (${threshold()})${first}`, 'TooManyFailedSignals');
    }
    // A batch that explained nothing has no result to show: it failed, whatever the threshold.
    if (counts.completed === 0 && counts.failed > 0 && patched('xai-nothing-explained-fails')) {
      const first = failures[0] ? `; first: ${failures[0].signal}: ${failures[0].reason}` : '';
      throw ApplicationFailure.nonRetryable(`no signal was explained (${counts.failed} failed)${first}`, 'NothingExplained');
    }
    phase = 'summarizing';
    live.refresh();
    const status = scheduler.stopRequested ? 'STOPPED' : 'COMPLETED';
    const summary = await control.finalizeXaiBatch({ batchId, status, reason: scheduler.stopReason });
    phase = status === 'STOPPED' ? 'stopped' : 'completed';
    live.refresh();
    setRunStatus(status);
    return { batchId, status, total: reg.total, completed: counts.completed, failed: counts.failed, failures, ...summary };
  } catch (err) {
    phase = await scheduler.ended(err, (status, error) => control.markXaiBatchEnded({ batchId, status, error }));
    live.refresh();
    throw err;
  }
}
