import { ApplicationFailure, isCancellation, log, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  ImportMatDatasetInputSchema,
  importDetails,
  importFailureThreshold,
  importFileSummary,
  progressOf,
  progressQuery,
  stopSignal,
  type ImportFailure,
  type ImportFileResult,
  type ImportMatDatasetResult,
  type ResolvedImportFile,
  workflowIds,
} from '../contracts/index.js';
import { control, cpu } from './lib/activities.js';
import { liveDetails } from './lib/details.js';
import { fanOut } from './lib/fan-out.js';
import { failureMessage, recordRunEnded } from './lib/failure.js';
import { requireWorkflowId, validateWorkflowInput } from './lib/validate.js';
import { setRunStatus, tagRun } from './lib/visibility.js';

/** Failures kept in the workflow for `progress` and the result; all of them are rows in Postgres. */
const FAILURES_KEPT = 20;

/**
 * Import real recordings (seed task import_mat_dataset_task) into one dataset.
 *
 * Every path and size is checked by the registration before any file is read, so an escape
 * from the import root fails the whole request at once, naming the file. Then one
 * `importMatFile` activity per file on faultline-cpu, at most `maxInFlight` at once; a file that
 * cannot be imported (damaged, unlabelled, no such channel) is recorded by name with its reason
 * and the import goes on, until failures pass `maxFailedFiles`. `stop` lets running files
 * finish and starts none; cancellation stops at once and marks the dataset CANCELLED. At most
 * 1,000 files (a few thousand events), so one run never needs to continue as new.
 */
export async function importMatDatasetWorkflow(raw: unknown): Promise<ImportMatDatasetResult> {
  const input = validateWorkflowInput(ImportMatDatasetInputSchema, raw, 'importMatDatasetWorkflow input');
  const { datasetId } = input;
  requireWorkflowId('importMatDatasetWorkflow input', workflowIds.import(datasetId), 'datasetId', datasetId);
  const counts = { imported: 0, reused: 0, duplicates: 0, failed: 0, signals: 0 };
  const failures: ImportFailure[] = [];
  let files: ResolvedImportFile[] = [];
  let running = 0;
  let stop: { reason?: string } | undefined;
  let cancelled: unknown;
  let phase = 'registering';
  const threshold = () => importFailureThreshold(input, files.length);
  const done = () => counts.imported + counts.reused + counts.duplicates + counts.failed;

  setHandler(stopSignal, (arg) => {
    stop = { reason: arg?.reason };
  });
  setHandler(progressQuery, () =>
    progressOf(phase, done(), files.length, {
      datasetId,
      running,
      imported: counts.imported,
      reused: counts.reused,
      duplicates: counts.duplicates,
      failed: counts.failed,
      signals: counts.signals,
      maxInFlight: input.maxInFlight,
      maxFailedFiles: threshold(),
      failures: failures.slice(-5),
    }),
  );
  const live = liveDetails(() => ({
    phase,
    completed: done(),
    total: files.length,
    line: importDetails({ phase, done: done(), total: files.length, running, failed: counts.failed, duplicates: counts.duplicates, signals: counts.signals }),
  }));
  tagRun('import', { datasetId });
  setRunStatus('RUNNING');

  async function importOne(file: ResolvedImportFile, index: number): Promise<ImportFileResult | undefined> {
    running++;
    live.refresh();
    try {
      const r = await cpu.importMatFile.executeWithOptions({ summary: importFileSummary(file.name, index, files.length) }, [
        {
          datasetId,
          file,
          channel: input.channel,
          samplingRateHz: input.samplingRateHz,
          signalLength: input.signalLength,
          scheme: input.scheme,
          label: input.labels === 'cwru' ? undefined : input.labels[file.name],
          sourceRateHz: input.sourceRateHz,
        },
      ]);
      if (r.outcome === 'imported') counts.imported++;
      else if (r.outcome === 'reused') counts.reused++;
      else counts.duplicates++;
      counts.signals += r.outcome === 'duplicate' ? 0 : r.signals;
      return r;
    } catch (err) {
      if (isCancellation(err)) {
        cancelled ??= err;
        throw err;
      }
      counts.failed++;
      const reason = failureMessage(err);
      if (failures.length < FAILURES_KEPT) failures.push({ file: file.name, reason });
      log.warn('file failed', { datasetId, file: file.name, reason });
      await control.recordImportFailure({ datasetId, file: file.name, reason });
      return undefined;
    } finally {
      running--;
      live.refresh();
    }
  }

  try {
    if (input.labels !== 'cwru' && input.files) {
      const names = new Set(input.files.map((f) => (typeof f === 'string' ? f : f.name)));
      const unlabelled = [...names].filter((n) => !(input.labels as Record<string, unknown>)[n]);
      if (unlabelled.length > 0) {
        throw ApplicationFailure.nonRetryable(
          `labels: no entry for ${unlabelled.slice(0, 10).join(', ')}${unlabelled.length > 10 ? ` and ${unlabelled.length - 10} more` : ''}`,
          'InvalidInput',
        );
      }
    }
    const registered = await control.registerImport({
      datasetId,
      name: input.name ?? datasetId,
      root: input.root,
      files: input.files,
      glob: input.glob,
      samplingRateHz: input.samplingRateHz,
      signalLength: input.signalLength,
      config: input as unknown as Record<string, unknown>,
      workflowId: workflowInfo().workflowId,
    });
    files = registered.files;
    phase = 'importing';
    live.refresh();
    log.info('importing', { datasetId, files: files.length, maxInFlight: input.maxInFlight });
    await fanOut(files, importOne, {
      maxInFlight: input.maxInFlight,
      shouldStart: () => cancelled === undefined && stop === undefined && counts.failed <= threshold(),
    });
    if (cancelled !== undefined) throw cancelled;
    if (counts.failed > threshold()) {
      const first = failures[0] ? `; first: ${failures[0].file}: ${failures[0].reason}` : '';
      throw ApplicationFailure.nonRetryable(`${counts.failed} files failed, more than maxFailedFiles (${threshold()})${first}`, 'TooManyFailedFiles');
    }
    phase = 'finalizing';
    live.refresh();
    const status = stop ? 'STOPPED' : 'COMPLETED';
    const summary = await control.finalizeImport({
      datasetId,
      status,
      counts: { files: files.length, imported: counts.imported, reused: counts.reused, duplicates: counts.duplicates, failed: counts.failed },
      failures: failures.slice(0, 20),
    });
    phase = status === 'STOPPED' ? 'stopped' : 'completed';
    live.refresh();
    setRunStatus(status);
    return {
      ...summary,
      status,
      files: files.length,
      imported: counts.imported,
      reused: counts.reused,
      duplicates: counts.duplicates,
      failed: counts.failed,
      failures,
    };
  } catch (err) {
    phase = (await recordRunEnded(err, (status, error) => control.markImportEnded({ datasetId, status, error }))).toLowerCase();
    live.refresh();
    throw err;
  }
}
