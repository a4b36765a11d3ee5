import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';
import { ERROR_TYPES, parseSignalRef, signalRef, type RegisterXaiBatchInputSchema } from '../../contracts/index.js';
import { decodeFloat32, encodeFloat32 } from '../../artifacts/codecs.js';
import type { ArtifactStore } from '../../artifacts/types.js';
import type { Database } from '../../db/connect.js';
import { registerArtifact } from '../../db/repos/artifacts.js';
import { pageMatchingSignals } from '../../db/repos/xai.js';
import { scaleInto, zNormalizeInto } from '../../ml/data/windows.js';
import { mixSeed, mulberry32 } from '../../ml/random.js';
import { readSignalSamples } from './samples.js';
import type { XaiScaling } from './scaling.js';

/** Most signals read to draw a KernelSHAP background (rows are small; arrays are read per pick). */
const BACKGROUND_CANDIDATES = 10_000;
/** A worker serves few batches at once; it keeps the last few backgrounds in memory. */
const CACHED_BACKGROUNDS = 8;

export interface XaiBackgrounds {
  /** Draw and store the KernelSHAP background of a batch (null when it asks for no KernelSHAP). */
  build(input: z.output<typeof RegisterXaiBatchInputSchema>, inputLength: number): Promise<string | null>;
  /** A stored background as windows of `inputLength`, cached per worker. */
  load(uri: string, inputLength: number): Promise<Float32Array[]>;
}

export function createXaiBackgrounds(db: Database, artifacts: ArtifactStore, scaling: XaiScaling): XaiBackgrounds {
  const cache = new Map<string, Promise<Float32Array[]>>();
  return {
    /** `size` windows of seeded random signals at seeded offsets, normalised like the model's input. */
    async build(input, inputLength) {
      const shap = input.methods['kernel-shap'];
      if (!shap) return null;
      const sel = input.selection;
      const datasetId = shap.background.datasetId ?? (sel.kind === 'dataset' ? sel.datasetId : parseSignalRef(sel.ids[0]).datasetId);
      const candidates = await pageMatchingSignals(db, { datasetId, labels: shap.background.labels }, -1, BACKGROUND_CANDIDATES);
      const usable = candidates.filter((c) => c.length >= inputLength);
      if (usable.length === 0) {
        const labels = shap.background.labels ? ` with labels ${shap.background.labels.join(', ')}` : '';
        throw ApplicationFailure.nonRetryable(
          `methods.kernel-shap.background: dataset "${datasetId}" has no signal${labels} of at least ${inputLength} samples`,
          ERROR_TYPES.invalidInput,
        );
      }
      const random = mulberry32(mixSeed(input.seed, 'xai-background'));
      const out = new Float32Array(shap.background.size * inputLength);
      const read = new Map<number, Float32Array>();
      for (let k = 0; k < shap.background.size; k++) {
        const row = usable[Math.floor(random() * usable.length)];
        let samples = read.get(row.idx);
        if (!samples) {
          samples = await readSignalSamples(artifacts, signalRef(datasetId, row.idx), row);
          read.set(row.idx, samples);
        }
        const start = Math.floor(random() * (samples.length - inputLength + 1));
        const scale = await scaling.scaleFor(input.modelId, datasetId, row);
        if (scale) scaleInto(samples, start, inputLength, scale, out, k * inputLength);
        else zNormalizeInto(samples, start, inputLength, out, k * inputLength);
      }
      const stored = await artifacts.put(encodeFloat32(out), { kind: 'xai-background', mediaType: 'application/x-float32le' });
      await registerArtifact(db, { ...stored, kind: 'xai-background', mediaType: 'application/x-float32le' });
      return stored.uri;
    },

    load(uri, inputLength) {
      let hit = cache.get(uri);
      if (!hit) {
        hit = artifacts.get(uri).then((bytes) => {
          const flat = decodeFloat32(bytes, uri);
          return Array.from({ length: flat.length / inputLength }, (_, k) => flat.slice(k * inputLength, (k + 1) * inputLength));
        });
        hit.catch(() => cache.delete(uri));
        cache.set(uri, hit);
        while (cache.size > CACHED_BACKGROUNDS) cache.delete(cache.keys().next().value as string);
      }
      return hit;
    },
  };
}
