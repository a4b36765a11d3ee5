import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFloat32 } from '../../artifacts/codecs.js';
import { FileArtifactStore } from '../../artifacts/file-store.js';
import type { Architecture } from '../../contracts/training.js';
import { zNormalizeInto } from '../../ml/data/windows.js';
import { errorAnalysis, rocAnalysis, type Scores } from '../../ml/eval/index.js';
import { predictWindows, PredictInputError, type PredictJob } from '../../ml/eval/predict.js';
import { buildModel, disposeModel, serializeModel } from '../../ml/model/index.js';
import { Rng } from '../../ml/random.js';
import { exportToOnnx } from '../../ml/onnx/index.js';
import { initBackend } from '../../ml/tf/index.js';
import { XaiProcessPool } from '../../ml/xai/pool.js';

/**
 * Batched predictions and the analyses as the evaluation activities run them: in the XAI child
 * processes, off the worker's event loop — with the same numbers as in process.
 */
const L = 256;
const ARCH: Architecture = {
  blocks: [{ filters: 4, kernelSize: 9, stride: 2, dilation: 1, pool: 'max', poolSize: 2, batchNorm: false, residual: false }],
  head: 'global-avg',
  denseUnits: 0,
  dropout: 0,
};

function signal(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, (_, i) => 3 * rng.normal() + 10 * Math.sin(i / (2 + seed)));
}

let model: tfl.LayersModel;
let dir: string;
let store: FileArtifactStore;
let pool: XaiProcessPool;
let modelUri: string;
beforeAll(async () => {
  await initBackend('wasm');
  model = buildModel(ARCH, { inputLength: L, numClasses: 3, seed: 2 });
  dir = mkdtempSync(path.join(os.tmpdir(), 'eval-predict-'));
  store = new FileArtifactStore(dir);
  modelUri = (await store.put(await serializeModel(model, { includeOptimizer: false }), { kind: 'model', mediaType: 'application/octet-stream' })).uri;
  pool = new XaiProcessPool({ size: 1, artifacts: dir, backend: 'wasm' });
});
afterAll(async () => {
  await pool?.close();
  disposeModel(model);
  rmSync(dir, { recursive: true, force: true });
});

describe('batched predictions', () => {
  it('normalise each window as training does and agree with one-window predictions, across batch boundaries', () => {
    const s = [signal(1000, 1), signal(700, 2)];
    const job: PredictJob = {
      windowLength: L,
      batchSize: 3,
      signals: [
        { uri: 'a', starts: [0, 100, 744] },
        { uri: 'b', starts: [0, 444] },
      ],
    };
    const all = predictWindows(model, s, job);
    expect(all).toHaveLength(5 * 3);
    const flat = job.signals.flatMap((sig, k) => sig.starts.map((start) => [k, start] as const));
    flat.forEach(([k, start], w) => {
      const x = new Float32Array(L);
      zNormalizeInto(s[k], start, L, x, 0);
      const one = predictWindows(model, [x], { windowLength: L, batchSize: 1, signals: [{ uri: 'x', starts: [0] }] });
      for (let c = 0; c < 3; c++) expect(all[w * 3 + c]).toBeCloseTo(one[c], 5);
      expect(one.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    });
  });

  it('refuse a window past the end of its signal or of another length than the model takes', () => {
    expect(() => predictWindows(model, [signal(300, 1)], { windowLength: L, batchSize: 8, signals: [{ uri: 'short', starts: [100] }] })).toThrow(
      PredictInputError,
    );
    expect(() => predictWindows(model, [signal(300, 1)], { windowLength: 128, batchSize: 8, signals: [{ uri: 's', starts: [0] }] })).toThrow(
      /windows of 256 samples, not 128/,
    );
  });

  it('in a child process: read the signals from the artifact store and give the in-process numbers', async () => {
    const s = [signal(2048, 3), signal(1500, 4)];
    const uris = await Promise.all(s.map(async (x) => (await store.put(encodeFloat32(x), { kind: 'signal', mediaType: 'application/x-float32le' })).uri));
    const job: PredictJob = { windowLength: L, batchSize: 4, signals: uris.map((uri, k) => ({ uri, starts: [0, 512, s[k].length - L] })) };
    const remote = await pool.predict(modelUri, job);
    expect(remote.backend).toBe('wasm');
    const local = predictWindows(model, s, job);
    expect(remote.probabilities).toHaveLength(local.length);
    remote.probabilities.forEach((p, i) => expect(p).toBeCloseTo(local[i], 6));
  });

  it('in a child process on onnxruntime: the exported model answers; a diverging or missing export falls back to tfjs', async () => {
    const s = [signal(2048, 5), signal(1500, 6)];
    const uris = await Promise.all(s.map(async (x) => (await store.put(encodeFloat32(x), { kind: 'signal', mediaType: 'application/x-float32le' })).uri));
    const job: PredictJob = { windowLength: L, batchSize: 4, signals: uris.map((uri, k) => ({ uri, starts: [0, 512, s[k].length - L] })) };
    const local = predictWindows(model, s, job);
    const putOnnx = async (m: tfl.LayersModel) => (await store.put(exportToOnnx(m).bytes, { kind: 'onnx', mediaType: 'application/octet-stream' })).uri;

    const same = await pool.predict(modelUri, { ...job, onnx: { uri: await putOnnx(model), versionId: 'd.onnx-fp32' } });
    expect(same.backend).toMatch(/^onnxruntime \S+ \(d\.onnx-fp32\)$/);
    same.probabilities.forEach((p, i) => expect(Math.abs(p - local[i])).toBeLessThanOrEqual(1e-4));

    // The export of another model (as if trained further after the export): checked on use, not used.
    const other = buildModel(ARCH, { inputLength: L, numClasses: 3, seed: 99 });
    const stale = await pool.predict(modelUri, { ...job, onnx: { uri: await putOnnx(other), versionId: 'd.stale' } });
    disposeModel(other);
    expect(stale.backend).toMatch(/^wasm \(ONNX d\.stale differs by .+, not used\)$/);
    stale.probabilities.forEach((p, i) => expect(p).toBeCloseTo(local[i], 6));

    const missing = await pool.predict(modelUri, { ...job, onnx: { uri: `artifact:sha256/${'0'.repeat(64)}`, versionId: 'd.gone' } });
    expect(missing.backend).toMatch(/^wasm \(ONNX d\.gone failed: .+, not used\)$/);
    missing.probabilities.forEach((p, i) => expect(p).toBeCloseTo(local[i], 6));
  });

  it('the analyses in a child process equal the in-process ones exactly', async () => {
    const cases = JSON.parse(readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/eval/cases.json'), 'utf8')) as {
      cases: { classes: string[]; labels: number[]; probabilities: number[][] }[];
    };
    const c = cases.cases[4];
    const scores: Scores = { probabilities: Float32Array.from(c.probabilities.flat()), labels: c.labels, classes: c.classes };
    const roc = await pool.analyze({ kind: 'roc', scores, options: { replicates: 50, seed: 9 } });
    expect(roc).toEqual({ kind: 'roc', analysis: rocAnalysis(scores, { replicates: 50, seed: 9 }) });
    const info = c.labels.map((_, i) => ({ signal: `d:${i}`, windowStart: 0, conditions: { load: String(i % 2) } }));
    const errors = await pool.analyze({ kind: 'errors', scores, info, options: { bins: 5 } });
    expect(errors).toEqual({ kind: 'errors', analysis: errorAnalysis(scores, info, { bins: 5 }) });
    await expect(pool.analyze({ kind: 'roc', scores: { ...scores, labels: [99] }, options: {} })).rejects.toThrow(/probabilities: expected 1 × 10/);
  });
});
