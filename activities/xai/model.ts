import { ApplicationFailure } from '@temporalio/common';
import { ArchitectureSchema, ERROR_TYPES, REFERENCE_ARCHITECTURE, sequenceLayerNames, type RegisteredXaiBatch } from '../../contracts/index.js';
import type { Database } from '../../db/connect.js';
import { getExperiment } from '../../db/repos/experiments.js';
import { getModel } from '../../db/repos/models.js';
import { invalidState, notFound } from '../lib/failures.js';

export type XaiModel = Pick<RegisteredXaiBatch, 'modelUri' | 'classes' | 'inputLength'>;

/** The model a batch explains: its artifact, class list (its own or its experiment's) and input length. */
export async function loadXaiModel(db: Database, modelId: string): Promise<XaiModel> {
  const model = await getModel(db, modelId);
  if (!model) throw notFound(`modelId "${modelId}" does not exist (no trained model with that id)`);
  const experiment = model.experimentId ? await getExperiment(db, model.experimentId) : undefined;
  let classes = model.classes ?? null;
  if (!classes && experiment) classes = experiment.classes ?? null;
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
export async function checkGradCamLayer(db: Database, modelId: string, layer: string | undefined, inputLength: number): Promise<void> {
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
