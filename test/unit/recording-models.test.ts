import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileArtifactStore } from '../../artifacts/file-store.js';
import { encodeFloat32 } from '../../artifacts/codecs.js';
import { splitSignalOf } from '../../activities/lib/eval-data.js';
import { loadXaiModel } from '../../activities/xai/model.js';
import { createXaiScaling } from '../../activities/xai/scaling.js';
import { connect, type DbHandle } from '../../db/connect.js';
import { listSignals, upsertDataset, upsertSignals } from '../../db/repos/datasets.js';
import { upsertExperiment } from '../../db/repos/experiments.js';
import { upsertModel } from '../../db/repos/models.js';
import { splitSignals } from '../../ml/data/split.js';
import { recordingStats } from '../../ml/data/windows.js';

/**
 * A model trained on windows scaled by their recording (normalization: recording) is explained on
 * windows scaled the same way: XAI finds the scale of a signal from its recording's signals in
 * its split part, like the trainer; a plain model keeps z-scoring each window alone. (Evaluation's
 * path is checked end to end in test/integration/eval.test.ts: its accuracy equals training's.)
 */
describe('XAI input scaling of models trained with normalization "recording"', () => {
  let dir: string;
  let handle: DbHandle;
  let store: FileArtifactStore;
  const samples = new Map<number, Float32Array>();

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'faultline-recording-models-'));
    handle = await connect({ kind: 'pglite', dir: path.join(dir, 'db') });
    store = new FileArtifactStore(path.join(dir, 'artifacts'));
    const db = handle.db;
    await upsertDataset(db, { id: 'ds', name: 'ds', source: 'mat', config: {}, status: 'READY' });
    const rows = [];
    let idx = 0;
    for (const [label, gain] of [
      ['normal', 1],
      ['inner', 5],
    ] as const) {
      for (let k = 0; k < 12; k++, idx++) {
        // Loudness grows along the recording, so parts of one recording have different statistics.
        const x = Float32Array.from({ length: 256 }, (_, i) => gain * (1 + k / 4) * Math.sin(0.3 * i + idx) + 0.1 * k);
        samples.set(idx, x);
        const { uri } = await store.put(encodeFloat32(x), { kind: 'signal', mediaType: 'application/x-float32le' });
        rows.push({
          idx,
          label,
          artifactUri: uri,
          length: x.length,
          samplingRateHz: 12_000,
          fileHash: `rec-${label}`,
          offsetSamples: k * 256,
          loadHp: 0,
          rpm: 1797,
        });
      }
    }
    await upsertSignals(db, 'ds', rows);
    const split = { kind: 'time', gapSignals: 1 };
    for (const [id, hyperparameters] of [
      ['rec', { normalization: 'recording', split, validationFraction: 0.25, testFraction: 0.25, seed: 1 }],
      ['plain', { split }],
    ] as const) {
      await upsertExperiment(db, { id, datasetId: 'ds', hyperparameters, status: 'COMPLETED' });
      await upsertModel(db, { id, experimentId: id, artifactUri: `artifact:sha256/${'c'.repeat(64)}`, inputLength: 128, classes: ['inner', 'normal'] });
    }
  }, 60_000);

  afterAll(async () => {
    await handle?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loadXaiModel accepts both models', async () => {
    for (const id of ['rec', 'plain']) expect(await loadXaiModel(handle.db, id)).toMatchObject({ classes: ['inner', 'normal'], inputLength: 128 });
  });

  it("each signal's scale is its recording's statistics within its split part; a plain model gets none", async () => {
    const scaling = createXaiScaling(handle.db, store);
    const rows = await listSignals(handle.db, 'ds');
    const parts = splitSignals(rows.map(splitSignalOf), { validationFraction: 0.25, testFraction: 0.25, seed: 1, split: { kind: 'time', gapSignals: 1 } });
    const byIdx = new Map(rows.map((r) => [r.idx, r]));
    const seen = new Set<string>();
    for (const part of [parts.train, parts.validation, parts.test]) {
      for (const recording of ['rec-normal', 'rec-inner']) {
        const members = part.filter((i) => byIdx.get(i)!.fileHash === recording);
        expect(members.length).toBeGreaterThan(0);
        const expected = recordingStats(members.map((i) => samples.get(i)!));
        for (const i of members) expect(await scaling.scaleFor('rec', 'ds', byIdx.get(i)!)).toEqual(expected);
        seen.add(JSON.stringify(expected));
        expect(await scaling.scaleFor('plain', 'ds', byIdx.get(members[0])!)).toBeUndefined();
      }
    }
    // Six groups, six different scales: the split part matters, not only the recording.
    expect(seen.size).toBe(6);
  });
});
