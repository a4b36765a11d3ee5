/**
 * The input scaling XAI applies for a model trained with `normalization: "recording"`: every
 * window scaled by its recording's statistics, exactly as training and evaluation scale it
 * (activities/lib/recording-scale.ts), so an explanation is of the input the model reads.
 */
import { ApplicationFailure } from '@temporalio/common';
import { ERROR_TYPES, signalRef, TrainHyperparametersSchema } from '../../contracts/index.js';
import type { ArtifactStore } from '../../artifacts/types.js';
import type { Database } from '../../db/connect.js';
import { countSignals, listSignals } from '../../db/repos/datasets.js';
import { getExperiment } from '../../db/repos/experiments.js';
import { getModel } from '../../db/repos/models.js';
import { getXaiBatch } from '../../db/repos/xai.js';
import type { SignalRow } from '../../db/schema.js';
import type { SplitSettings } from '../lib/eval-data.js';
import { recordingGroups, RecordingScales, type RecordingScale } from '../lib/recording-scale.js';
import { readSignalSamples } from './samples.js';

/** Per worker: settings of recently used models, and the grouping of recently used datasets. */
const CACHED_MODELS = 32;
const CACHED_DATASETS = 8;

export interface XaiScaling {
  /** The scale of `row`'s windows as input of `modelId`; undefined when the model z-scores each window alone. */
  scaleFor(modelId: string, datasetId: string, row: SignalRow): Promise<RecordingScale | undefined>;
  /** The model of a registered batch (explanations name the batch, not the model). */
  modelOfBatch(batchId: string): Promise<string | undefined>;
}

function remember<V>(cache: Map<string, Promise<V>>, key: string, size: number, make: () => Promise<V>): Promise<V> {
  let hit = cache.get(key);
  if (!hit) {
    hit = make();
    hit.catch(() => cache.delete(key));
    cache.set(key, hit);
    while (cache.size > size) cache.delete(cache.keys().next().value as string);
  }
  return hit;
}

export function createXaiScaling(db: Database, artifacts: ArtifactStore): XaiScaling {
  const scales = new RecordingScales((r) => readSignalSamples(artifacts, signalRef(r.datasetId, r.idx), r));
  const settings = new Map<string, Promise<SplitSettings | null>>();
  const batches = new Map<string, Promise<string | undefined>>();
  const groupings = new Map<string, Promise<{ groups: Map<number, number[]>; rows: Map<number, SignalRow> }>>();

  /** Split settings of the model's experiment when it was trained with recording normalisation, else null. */
  const recordingSettings = (modelId: string): Promise<SplitSettings | null> =>
    remember(settings, modelId, CACHED_MODELS, async () => {
      const model = await getModel(db, modelId);
      const experiment = model?.experimentId ? await getExperiment(db, model.experimentId) : undefined;
      if (!experiment) return null;
      const hp = TrainHyperparametersSchema.safeParse(experiment.hyperparameters);
      return hp.success && hp.data.normalization === 'recording' ? hp.data : null;
    });

  return {
    modelOfBatch: (batchId) => remember(batches, batchId, CACHED_MODELS, async () => (await getXaiBatch(db, batchId))?.modelId),

    async scaleFor(modelId, datasetId, row) {
      const split = await recordingSettings(modelId);
      if (!split) return undefined;
      // The signal count is in the key: a dataset that gained signals is grouped again.
      const n = await countSignals(db, datasetId);
      const { groups, rows } = await remember(groupings, `${modelId}|${datasetId}|${n}`, CACHED_DATASETS, async () => {
        const all = await listSignals(db, datasetId);
        try {
          return { groups: recordingGroups(all, split), rows: new Map(all.map((r) => [r.idx, r])) };
        } catch (err) {
          // No split, no recording scale: the same answer on every attempt, so it fails for good.
          if (err instanceof Error && err.name === 'SplitError') {
            throw ApplicationFailure.nonRetryable(
              `dataset "${datasetId}": model "${modelId}" was trained with normalization "recording", and its split rule cannot split this dataset: ${err.message}`,
              ERROR_TYPES.invalidInput,
            );
          }
          throw err;
        }
      });
      return scales.scaleOf(datasetId, row.idx, groups, rows);
    },
  };
}
