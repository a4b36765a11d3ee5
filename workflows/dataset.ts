import { log, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  GenerateDatasetInputSchema,
  progressOf,
  progressQuery,
  type GenerateDatasetResult,
} from '../contracts/index.js';
import { control, cpu } from './lib/activities.js';
import { chunkRanges, fanOut } from './lib/fan-out.js';
import { recordRunEnded } from './lib/failure.js';
import { validateWorkflowInput } from './lib/validate.js';
import { setRunStatus, tagRun } from './lib/visibility.js';

/**
 * Generate a simulated dataset (seed task `generate_dataset`).
 *
 * Shaped as a bounded fan-out of chunk activities on the CPU queue: each chunk writes its signals
 * to the content-addressed artifact store and upserts their rows, so a retried chunk, or the same
 * request started twice, produces identical data and no duplicate rows. The workflow itself only
 * carries ranges and counts, never samples.
 */
export async function generateDatasetWorkflow(raw: unknown): Promise<GenerateDatasetResult> {
  const input = validateWorkflowInput(GenerateDatasetInputSchema, raw, 'generateDatasetWorkflow input');
  const { datasetId, config } = input;
  const total = config.classes.length * config.signalsPerClass;
  const chunks = chunkRanges(total, input.chunkSize);

  let phase = 'registering';
  let signalsDone = 0;
  let chunksDone = 0;
  setHandler(progressQuery, () =>
    progressOf(phase, signalsDone, total, { datasetId, chunksCompleted: chunksDone, chunksTotal: chunks.length }),
  );
  tagRun('dataset', { datasetId });
  setRunStatus('RUNNING');

  try {
    const registered = await control.registerDataset({
      datasetId,
      name: input.name ?? datasetId,
      config,
      workflowId: workflowInfo().workflowId,
    });
    if (registered.status !== 'READY') {
      phase = 'generating';
      log.info('generating dataset', { datasetId, signals: total, chunks: chunks.length, maxInFlight: input.maxInFlight });
      const results = await fanOut(chunks, (c) => cpu.generateSignalChunk({ datasetId, config, start: c.start, count: c.count }), {
        maxInFlight: input.maxInFlight,
        onSettled: (c, _i, r) => {
          if (r.ok) {
            chunksDone++;
            signalsDone += c.count;
          }
        },
      });
      // A chunk that exhausted its retries fails the dataset: a dataset with holes would bias
      // every model trained on it.
      const failed = results.find((r) => r && !r.ok);
      if (failed && !failed.ok) throw failed.error;
    } else {
      signalsDone = total;
      chunksDone = chunks.length;
    }
    phase = 'finalizing';
    const result = await control.finalizeDataset({ datasetId, expectedSignals: total });
    phase = 'completed';
    setRunStatus('COMPLETED');
    return result;
  } catch (err) {
    phase = (await recordRunEnded(err, (status, error) => control.markDatasetEnded({ datasetId, status, error }))).toLowerCase();
    throw err;
  }
}
