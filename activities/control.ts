import { ApplicationFailure } from '@temporalio/common';
import {
  CompleteExperimentInputSchema,
  ERROR_TYPES,
  SimulatorConfigSchema,
  estimateDatasetBytes,
  simulatedClasses,
  DatasetEndedInputSchema,
  ExperimentEndedInputSchema,
  FinalizeDatasetInputSchema,
  RegisterDatasetInputSchema,
  RegisterExperimentInputSchema,
  canonicalJson,
  type CompleteExperimentInput,
  type DatasetEndedInput,
  type ExperimentEndedInput,
  type FinalizeDatasetInput,
  type RegisterDatasetInput,
  type RegisterExperimentInput,
  type GenerateDatasetResult,
  type TrainModelResult,
} from '../contracts/index.js';
import { classCounts, countSignals, getDataset, setDatasetStatus, upsertDataset } from '../db/repos/datasets.js';
import {
  completeExperiment as completeExperimentRow,
  getExperiment,
  setExperimentStatus,
  upsertExperiment,
  type ExperimentRow,
} from '../db/repos/experiments.js';
import { upsertModel } from '../db/repos/models.js';
import { withTransaction } from '../db/tx.js';
import type { ActivityDeps } from './deps.js';
import { freeBytes, formatBytes } from './lib/disk-space.js';
import { invalidState, notFound, validateActivityInput } from './lib/failures.js';

function resultFromRow(row: ExperimentRow): TrainModelResult {
  const need = <T>(v: T | null | undefined, field: string): T => {
    if (v === null || v === undefined) throw invalidState(`experiment "${row.id}" is COMPLETED but has no ${field}`);
    return v;
  };
  return {
    experimentId: row.id,
    status: 'COMPLETED',
    testAccuracy: need(row.testAccuracy, 'testAccuracy'),
    testLoss: need(row.testLoss, 'testLoss'),
    bestValAccuracy: row.bestValAccuracy ?? Number.NaN,
    bestValLoss: row.bestValLoss ?? Number.NaN,
    confusionMatrix: need(row.confusionMatrix, 'confusionMatrix'),
    classes: need(row.classes, 'classes'),
    modelUri: need(row.modelUri, 'modelUri'),
    checkpointUri: need(row.checkpointUri, 'checkpointUri'),
    epochsCompleted: row.epochsCompleted,
    bestEpoch: row.bestEpoch ?? row.epochsCompleted,
    stoppedEarly: row.stoppedEarly ?? false,
    backend: row.backend ?? 'unknown',
    ...(row.backendVersion ? { backendVersion: row.backendVersion } : {}),
    parameterCount: row.parameterCount ?? 0,
    classBalance: need(row.classBalance, 'classBalance'),
    trainSamplesPerSec: row.trainSamplesPerSec ?? 0,
    inferenceMsPerWindow: row.inferenceMsPerWindow ?? Number.NaN,
  };
}

/**
 * Bookkeeping on the control queue: status rows and notifications. Each activity is an
 * idempotent upsert keyed by the entity id, so Temporal's retries never duplicate a row.
 */
export function createControlActivities(deps: ActivityDeps) {
  const { db, notifier } = deps;

  /**
   * Refuse a dataset that cannot fit before any chunk is written: over the configured cap
   * (DATASET_MAX_BYTES), or over the free space of the artifact store's disk. Retrying would not
   * make it fit, so the refusal is non-retryable and names the numbers.
   */
  async function checkDatasetSize(config: RegisterDatasetInput['config']): Promise<void> {
    const c = validateActivityInput(SimulatorConfigSchema, config, 'registerDataset config');
    const bytes = estimateDatasetBytes(c);
    const what = `${simulatedClasses(c).length} classes × ${c.signalsPerClass} signals × ${c.signalLength} samples × 4 bytes = ${formatBytes(bytes)} (${bytes} bytes)`;
    const cap = deps.config.datasets.maxBytes;
    if (bytes > cap) {
      throw ApplicationFailure.nonRetryable(
        `config.signalsPerClass: the dataset would take ${what}, more than DATASET_MAX_BYTES ${formatBytes(cap)} (${cap} bytes)`,
        ERROR_TYPES.invalidInput,
      );
    }
    // A bucket has no free-space figure to check; a directory store's disk does.
    if (deps.config.artifacts.kind !== 'file') return;
    const free = await freeBytes(deps.config.artifactDir);
    if (bytes > free) {
      throw ApplicationFailure.nonRetryable(
        `config.signalsPerClass: the dataset would take ${what}, more than the ${formatBytes(free)} (${free} bytes) free on the artifact store's disk (${deps.config.artifactDir})`,
        ERROR_TYPES.invalidInput,
      );
    }
  }
  return {
    async registerDataset(raw: RegisterDatasetInput): Promise<{ status: string }> {
      const input = validateActivityInput(RegisterDatasetInputSchema, raw, 'registerDataset input');
      const existing = await getDataset(db, input.datasetId);
      if (existing && canonicalJson(existing.config) !== canonicalJson(input.config)) {
        throw invalidState(`datasetId "${input.datasetId}" already exists with a different config; choose another id`);
      }
      if (existing?.status === 'READY') return { status: 'READY' };
      await checkDatasetSize(input.config);
      const row = await upsertDataset(
        db,
        {
          id: input.datasetId,
          name: input.name,
          source: 'synthetic',
          config: input.config as unknown as Record<string, unknown>,
          status: 'GENERATING',
          samplingRateHz: input.config.samplingRateHz,
          signalLength: input.config.signalLength,
          workflowId: input.workflowId,
        },
        { reopen: true },
      );
      return { status: row.status };
    },

    async finalizeDataset(raw: FinalizeDatasetInput): Promise<GenerateDatasetResult> {
      const input = validateActivityInput(FinalizeDatasetInputSchema, raw, 'finalizeDataset input');
      const dataset = await getDataset(db, input.datasetId);
      if (!dataset) throw notFound(`datasetId "${input.datasetId}" does not exist`);
      const numSignals = await countSignals(db, input.datasetId);
      if (numSignals !== input.expectedSignals) {
        throw invalidState(`dataset "${input.datasetId}" has ${numSignals} signals, expected ${input.expectedSignals}`);
      }
      const counts = await classCounts(db, input.datasetId);
      await setDatasetStatus(db, input.datasetId, 'READY', { numSignals, classCounts: counts });
      await notifier.notify({
        eventType: 'DATASET_GENERATED',
        entityKind: 'dataset',
        entityId: input.datasetId,
        title: `Dataset ${dataset.name} generated`,
        message: `${numSignals} signals (${Object.entries(counts)
          .map(([k, v]) => `${k}: ${v}`)
          .join(', ')})`,
        details: { numSignals, classCounts: counts },
      });
      return {
        datasetId: input.datasetId,
        numSignals,
        classCounts: counts,
        samplingRateHz: dataset.samplingRateHz ?? 0,
        signalLength: dataset.signalLength ?? 0,
      };
    },

    async markDatasetEnded(raw: DatasetEndedInput): Promise<void> {
      const input = validateActivityInput(DatasetEndedInputSchema, raw, 'markDatasetEnded input');
      const row = await setDatasetStatus(db, input.datasetId, input.status, { error: input.error ?? null });
      if (!row) return; // registration itself failed: nothing to mark
      await notifier.notify({
        eventType: input.status === 'FAILED' ? 'DATASET_GENERATION_FAILED' : 'DATASET_GENERATION_CANCELLED',
        entityKind: 'dataset',
        entityId: input.datasetId,
        title: `Dataset ${input.datasetId} ${input.status === 'FAILED' ? 'failed' : 'cancelled'}`,
        message: input.error ?? input.status,
      });
    },

    async registerExperiment(raw: RegisterExperimentInput): Promise<{ existing?: TrainModelResult }> {
      const input = validateActivityInput(RegisterExperimentInputSchema, raw, 'registerExperiment input');
      const dataset = await getDataset(db, input.datasetId);
      if (!dataset) throw notFound(`datasetId "${input.datasetId}" does not exist`);
      if (dataset.status !== 'READY') throw invalidState(`dataset "${input.datasetId}" is ${dataset.status}, not READY`);
      const existing = await getExperiment(db, input.experimentId);
      if (existing && canonicalJson(existing.hyperparameters) !== canonicalJson(input.hyperparameters)) {
        throw invalidState(`experimentId "${input.experimentId}" already exists with other hyperparameters; choose another id`);
      }
      if (existing?.status === 'COMPLETED') return { existing: resultFromRow(existing) };
      await upsertExperiment(
        db,
        {
          id: input.experimentId,
          kind: input.campaign ? (input.campaign.kind === 'hpo' ? 'hpo-trial' : 'nas-candidate') : 'train',
          datasetId: input.datasetId,
          campaignId: input.campaign?.campaignId ?? null,
          hyperparameters: input.hyperparameters as unknown as Record<string, unknown>,
          status: 'RUNNING',
          workflowId: input.workflowId,
        },
        { reopen: true },
      );
      return {};
    },

    async completeExperiment(raw: CompleteExperimentInput): Promise<TrainModelResult> {
      const input = validateActivityInput(CompleteExperimentInputSchema, raw, 'completeExperiment input');
      const { experimentId, outcome: o } = input;
      const row = await withTransaction(db, async (tx) => {
        const done = await completeExperimentRow(tx, experimentId, o);
        await upsertModel(tx, {
          id: experimentId,
          experimentId,
          artifactUri: o.modelUri,
          backend: o.backend,
          parameterCount: o.parameterCount,
          inputLength: input.windowLength,
          classes: o.classes,
        });
        return done;
      });
      if (!row) throw notFound(`experimentId "${experimentId}" does not exist`);
      await notifier.notify({
        eventType: 'TRAINING_COMPLETED',
        entityKind: 'experiment',
        entityId: experimentId,
        title: `Training ${experimentId} completed`,
        message: `test accuracy ${(o.testAccuracy * 100).toFixed(1)} % after ${o.epochsCompleted} epochs on ${o.backend}`,
        details: { testAccuracy: o.testAccuracy, epochs: o.epochsCompleted, backend: o.backend },
      });
      return { experimentId, status: 'COMPLETED', ...o, ...(row.backendVersion ? { backendVersion: row.backendVersion } : {}) };
    },

    async markExperimentEnded(raw: ExperimentEndedInput): Promise<void> {
      const input = validateActivityInput(ExperimentEndedInputSchema, raw, 'markExperimentEnded input');
      const row = await setExperimentStatus(db, input.experimentId, input.status, { error: input.error ?? null });
      if (!row) return;
      await notifier.notify({
        eventType: input.status === 'FAILED' ? 'TRAINING_FAILED' : 'TRAINING_CANCELLED',
        entityKind: 'experiment',
        entityId: input.experimentId,
        title: `Training ${input.experimentId} ${input.status === 'FAILED' ? 'failed' : 'cancelled'}`,
        message: input.error ?? input.status,
      });
    },
  };
}
export type ControlActivities = ReturnType<typeof createControlActivities>;
