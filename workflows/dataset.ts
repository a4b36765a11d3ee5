import { allHandlersFinished, condition, continueAsNew, log, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  GenerateDatasetInputSchema,
  countSimulatedSignals,
  chunkSummary,
  datasetDetails,
  progressOf,
  progressQuery,
  type GenerateDatasetResult,
  workflowIds,
} from '../contracts/index.js';
import { control, cpu } from './lib/activities.js';
import { liveDetails } from './lib/details.js';
import { chunkRanges, fanOut } from './lib/fan-out.js';
import { recordRunEnded } from './lib/failure.js';
import { requireWorkflowId, validateWorkflowInput } from './lib/validate.js';
import { setRunStatus, tagRun } from './lib/visibility.js';

/** What a long dataset run carries across continue-as-new: where to go on, and the counts. */
export interface DatasetCarriedState {
  nextChunk: number;
  chunksDone: number;
  signalsDone: number;
  runs: number;
}

/**
 * Generate a simulated dataset (seed task `generate_dataset`).
 *
 * Shaped as a bounded fan-out of chunk activities on the CPU queue: each chunk writes its signals
 * to the content-addressed artifact store and upserts their rows, so a retried chunk, or the same
 * request started twice, produces identical data and no duplicate rows. The workflow itself only
 * carries ranges and counts, never samples.
 */
export async function generateDatasetWorkflow(raw: unknown, carried?: DatasetCarriedState): Promise<GenerateDatasetResult> {
  const input = validateWorkflowInput(GenerateDatasetInputSchema, raw, 'generateDatasetWorkflow input');
  const { datasetId, config } = input;
  requireWorkflowId('generateDatasetWorkflow input', workflowIds.dataset(datasetId), 'datasetId', datasetId);
  const total = countSimulatedSignals(config);
  const chunks = chunkRanges(total, input.chunkSize);
  const firstChunk = carried?.nextChunk ?? 0;

  let phase = carried ? 'generating' : 'registering';
  let signalsDone = carried?.signalsDone ?? 0;
  let chunksDone = carried?.chunksDone ?? 0;
  let chunksThisRun = 0;
  const continueAsNewDue = () =>
    workflowInfo().continueAsNewSuggested || (input.testing?.continueAsNewEvery !== undefined && chunksThisRun >= input.testing.continueAsNewEvery);
  setHandler(progressQuery, () => progressOf(phase, signalsDone, total, { datasetId, chunksCompleted: chunksDone, chunksTotal: chunks.length }));
  const live = liveDetails(() => ({
    phase,
    completed: signalsDone,
    total,
    line: datasetDetails({ phase, signalsDone, signalsTotal: total, chunksDone, chunksTotal: chunks.length }),
  }));
  tagRun('dataset', { datasetId });
  setRunStatus('RUNNING');

  try {
    const registered = carried
      ? { status: 'GENERATING' }
      : await control.registerDataset({
          datasetId,
          name: input.name ?? datasetId,
          config,
          workflowId: workflowInfo().workflowId,
        });
    if (registered.status !== 'READY') {
      phase = 'generating';
      live.refresh();
      const todo = chunks.slice(firstChunk);
      log.info('generating dataset', { datasetId, signals: total, chunks: chunks.length, from: firstChunk, maxInFlight: input.maxInFlight });
      const generate = (c: (typeof chunks)[number], i: number) =>
        cpu.generateSignalChunk.executeWithOptions({ summary: chunkSummary(firstChunk + i, chunks.length, c.start, c.count) }, [
          { datasetId, config, start: c.start, count: c.count },
        ]);
      const results = await fanOut(todo, generate, {
        maxInFlight: input.maxInFlight,
        // Long datasets continue as new between chunks, before the history nears its limits.
        shouldStart: () => !continueAsNewDue(),
        onSettled: (c, _i, r) => {
          chunksThisRun++;
          if (r.ok) {
            chunksDone++;
            signalsDone += c.count;
          }
          live.refresh();
        },
      });
      // A chunk that exhausted its retries fails the dataset: a dataset with holes would bias
      // every model trained on it.
      const failed = results.find((r) => r && !r.ok);
      if (failed && !failed.ok) throw failed.error;
      // Lanes pull in index order, so every chunk before the first unstarted one has finished.
      const unstarted = results.indexOf(undefined);
      if (unstarted >= 0) {
        await condition(allHandlersFinished);
        const next: DatasetCarriedState = { nextChunk: firstChunk + unstarted, chunksDone, signalsDone, runs: (carried?.runs ?? 1) + 1 };
        log.info('continuing as new', { datasetId, nextChunk: next.nextChunk, runs: next.runs });
        return await continueAsNew<typeof generateDatasetWorkflow>(input, next);
      }
    } else {
      signalsDone = total;
      chunksDone = chunks.length;
    }
    phase = 'finalizing';
    live.refresh();
    const result = await control.finalizeDataset({ datasetId, expectedSignals: total });
    phase = 'completed';
    live.refresh();
    setRunStatus('COMPLETED');
    return result;
  } catch (err) {
    phase = (await recordRunEnded(err, (status, error) => control.markDatasetEnded({ datasetId, status, error }))).toLowerCase();
    live.refresh();
    throw err;
  }
}
