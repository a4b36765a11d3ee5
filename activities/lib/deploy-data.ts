/**
 * What the deployment activities read of an experiment: its trained tfjs model and real windows
 * of its own dataset, cut exactly as training cut them (the experiment's split rule, window
 * length, hop and per-window z-score). The export check uses training-split windows; accuracy is
 * measured on the test split, never on data the model was fitted to.
 */
import { ApplicationFailure } from '@temporalio/common';
import { decodeFloat32 } from '../../artifacts/codecs.js';
import type { ArtifactStore } from '../../artifacts/types.js';
import { ERROR_TYPES, TrainHyperparametersSchema } from '../../contracts/index.js';
import { getDataset, listSignals } from '../../db/repos/datasets.js';
import { getExperiment } from '../../db/repos/experiments.js';
import { getModel } from '../../db/repos/models.js';
import type { SignalRow } from '../../db/schema.js';
import type { Database } from '../../db/types.js';
import { splitSignals } from '../../ml/data/split.js';
import { buildWindows, type WindowSet } from '../../ml/data/windows.js';
import { invalidState, notFound } from './failures.js';
import { splitSignalOf, type SplitSettings } from './eval-data.js';

export interface DeploySource {
  experimentId: string;
  /** models.id of the tfjs model. */
  modelId: string;
  modelUri: string;
  classes: string[];
  datasetId: string;
  settings: SplitSettings;
}

const invalidInput = (message: string) => ApplicationFailure.nonRetryable(message, ERROR_TYPES.invalidInput);

export async function loadDeploySource(db: Database, experimentId: string): Promise<DeploySource> {
  const row = await getExperiment(db, experimentId);
  if (!row) throw notFound(`experimentId: experiment "${experimentId}" does not exist`);
  if (row.status !== 'COMPLETED') throw invalidState(`experiment "${experimentId}" is ${row.status}, not COMPLETED: it has no trained model to deploy`);
  const model = await getModel(db, experimentId);
  if (!model) throw notFound(`experiment "${experimentId}" has no stored model`);
  const classes = model.classes ?? row.classes;
  if (!classes || classes.length < 2) throw invalidState(`experiment "${experimentId}" has no class list`);
  const hp = TrainHyperparametersSchema.safeParse(row.hyperparameters);
  if (!hp.success) throw invalidState(`experiment "${experimentId}": its stored hyperparameters do not parse (${hp.error.issues[0]?.message})`);
  if (hp.data.normalization === 'recording') {
    throw invalidInput(`experimentId: experiment "${experimentId}" was trained with normalization "recording", which deployment does not support yet`);
  }
  const dataset = await getDataset(db, row.datasetId);
  if (!dataset) throw notFound(`experiment "${experimentId}" was trained on dataset "${row.datasetId}", which no longer exists`);
  return { experimentId, modelId: model.id, modelUri: model.artifactUri, classes, datasetId: row.datasetId, settings: hp.data };
}

/** `count` indices spread evenly over 0..n-1 (all of them when n <= count). */
export function spread(n: number, count: number): number[] {
  if (n <= count) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: count }, (_, i) => Math.floor((i * n) / count));
}

/**
 * Up to `maxWindows` windows of the given splits of the experiment's dataset, spread over its signals
 * (at most `maxSignals` signals are read from the store).
 */
export async function splitWindows(
  db: Database,
  artifacts: ArtifactStore,
  source: DeploySource,
  splits: readonly ('train' | 'validation' | 'test')[],
  opts: { maxWindows: number; maxSignals: number },
): Promise<WindowSet & { signals: number }> {
  const rows = await listSignals(db, source.datasetId);
  let parts;
  try {
    parts = splitSignals(rows.map(splitSignalOf), source.settings);
  } catch (err) {
    if (err instanceof Error && err.name === 'SplitError') throw invalidInput(`dataset "${source.datasetId}": ${err.message}`);
    throw err;
  }
  const chosen = new Set(splits.flatMap((s) => parts[s]));
  const split = splits.join('+');
  const usable = rows.filter((r) => chosen.has(r.idx) && r.length >= source.settings.windowLength && source.classes.includes(r.label));
  if (usable.length === 0) {
    throw invalidState(`dataset "${source.datasetId}" has no ${split}-split signal of at least one window (${source.settings.windowLength} samples)`);
  }
  const picked: SignalRow[] = spread(usable.length, opts.maxSignals).map((i) => usable[i]);
  const sources = [];
  for (const r of picked) {
    sources.push({ index: r.idx, labelIndex: source.classes.indexOf(r.label), samples: decodeFloat32(await artifacts.get(r.artifactUri), r.artifactUri) });
  }
  const all = buildWindows(sources, {
    windowLength: source.settings.windowLength,
    windowHop: source.settings.windowHop,
    maxWindowsPerSignal: source.settings.maxWindowsPerSignal,
  });
  const keep = spread(all.count, opts.maxWindows);
  const L = all.windowLength;
  const x = new Float32Array(keep.length * L);
  const y = new Int32Array(keep.length);
  const signalOf = new Int32Array(keep.length);
  keep.forEach((w, i) => {
    x.set(all.x.subarray(w * L, (w + 1) * L), i * L);
    y[i] = all.y[w];
    signalOf[i] = all.signalOf[w];
  });
  return { x, y, signalOf, count: keep.length, windowLength: L, signals: picked.length };
}

/** Fraction of windows whose arg-max class is the label. */
export function accuracyOf(probabilities: Float32Array, labels: Int32Array, classes: number): number {
  let right = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probabilities[i * classes + c] > probabilities[i * classes + best]) best = c;
    if (best === labels[i]) right++;
  }
  return labels.length === 0 ? 0 : right / labels.length;
}
