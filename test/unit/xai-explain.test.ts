import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileArtifactStore } from '../../artifacts/file-store.js';
import { XaiMethodsSchema } from '../../contracts/xai.js';
import type { Architecture } from '../../contracts/training.js';
import { zNormalizeInto } from '../../ml/data/windows.js';
import { buildModel, disposeModel, serializeModel } from '../../ml/model/index.js';
import { Rng } from '../../ml/random.js';
import { initBackend } from '../../ml/tf/index.js';
import { explainSignal, gradCam, integratedGradients, XaiInputError, type ExplainJob } from '../../ml/xai/index.js';
import { XaiProcessPool } from '../../ml/xai/pool.js';
import { TEST_BACKEND } from '../support/test-backend.js';

/**
 * `explainSignal` (all methods, faithfulness and summaries for one signal's windows) and the
 * pool of child processes that runs it off the worker's event loop.
 */

const exec = promisify(execFile);
const L = 256;
const ARCH: Architecture = {
  blocks: [
    { filters: 4, kernelSize: 9, stride: 2, dilation: 1, pool: 'max', poolSize: 2, batchNorm: false, residual: false },
    { filters: 8, kernelSize: 5, stride: 1, dilation: 1, pool: 'max', poolSize: 2, batchNorm: false, residual: false },
  ],
  head: 'global-avg',
  denseUnits: 8,
  dropout: 0,
};
const CLASSES = ['normal', 'inner_race', 'outer_race'];

function windows(n: number, seed: number): Float32Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => {
    const raw = new Float32Array(L);
    for (let i = 0; i < L; i++) raw[i] = rng.normal() + Math.sin(i / 3);
    const w = new Float32Array(L);
    zNormalizeInto(raw, 0, L, w, 0);
    return w;
  });
}

const methods = XaiMethodsSchema.parse({
  'integrated-gradients': { steps: 32 },
  'grad-cam': {},
  occlusion: { window: 32, stride: 16 },
  'kernel-shap': { segments: 8, samples: 64 },
});

function job(over: Partial<ExplainJob> = {}): ExplainJob {
  return {
    windows: windows(3, 5),
    classes: CLASSES,
    target: 'predicted',
    methods,
    background: windows(4, 9),
    faithfulness: { steps: 8, randomOrders: 4 },
    summary: { segments: 8, topK: 3, bands: 4 },
    samplingRateHz: 12_000,
    seed: 3,
    ...over,
  };
}

let model: tfl.LayersModel;
beforeAll(async () => {
  await initBackend(TEST_BACKEND);
  model = buildModel(ARCH, { inputLength: L, numClasses: 3, seed: 4 });
});
afterAll(() => disposeModel(model));

describe('explainSignal', () => {
  it('explains every window with every method, in a fixed order, without leaking tensors', () => {
    const before = tf.memory().numTensors;
    const j = job();
    const e = explainSignal(model, j);
    expect(tf.memory().numTensors).toBe(before);
    expect(e.methods.map((m) => m.method)).toEqual(['integrated-gradients', 'grad-cam', 'occlusion', 'kernel-shap']);
    expect(e.probabilities).toHaveLength(3);
    expect(e.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    expect(e.targetClass).toBe(e.probabilities.indexOf(Math.max(...e.probabilities)));
    expect(e.predictedClass).toBe(e.targetClass);
    for (const m of e.methods) {
      expect(m.attributions).toHaveLength(3 * L);
      expect(m.faithfulnessPerWindow).toHaveLength(3);
      expect(m.faithfulness).toBeCloseTo(m.faithfulnessPerWindow.reduce((a, b) => a + b, 0) / 3, 5);
      expect(m.segmentShares).toHaveLength(8);
      expect(m.bandShares).toHaveLength(4);
      if (m.segmentShares.some((s) => s > 0)) expect(m.segmentShares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
      expect(m.topSegments).toHaveLength(3);
      expect(m.topSegments[0].share).toBeGreaterThanOrEqual(m.topSegments[1].share);
      expect(m.topSegments[0].share).toBe(Math.max(...m.segmentShares));
      expect(m.dominantBand.share).toBe(Math.max(...m.bandShares));
      expect(m.dominantBand.highHz - m.dominantBand.lowHz).toBeCloseTo(6_000 / 4, 6);
    }
    // The per-window maps are exactly what the methods give alone.
    const ig = e.methods[0];
    const alone = integratedGradients(model, j.windows[1], { targetClass: e.targetClass, steps: 32 });
    expect(Array.from(ig.attributions.subarray(L, 2 * L))).toEqual(Array.from(alone));
    expect(ig.completenessError).not.toBeNull();
    expect(ig.completenessError!).toBeLessThan(0.05);
    expect(e.methods[1].completenessError).toBeNull();
    const cam = gradCam(model, j.windows[2], { targetClass: e.targetClass });
    expect(Array.from(e.methods[1].attributions.subarray(2 * L))).toEqual(Array.from(cam));
  });

  it('explains the class it is told to, and is reproducible from its seed', () => {
    const a = explainSignal(model, job({ target: 2, methods: XaiMethodsSchema.parse({ 'kernel-shap': { segments: 8, samples: 32 } }) }));
    const b = explainSignal(model, job({ target: 2, methods: XaiMethodsSchema.parse({ 'kernel-shap': { segments: 8, samples: 32 } }) }));
    expect(a.targetClass).toBe(2);
    expect(Array.from(a.methods[0].attributions)).toEqual(Array.from(b.methods[0].attributions));
    expect(a.methods[0].faithfulness).toBe(b.methods[0].faithfulness);
  });

  it('rejects bad jobs naming the field', () => {
    expect(() => explainSignal(model, job({ classes: ['a', 'b'] }))).toThrow(/classes has 2 names, the model predicts 3 classes/);
    expect(() => explainSignal(model, job({ windows: [] }))).toThrow(XaiInputError);
    expect(() => explainSignal(model, job({ target: 7 }))).toThrow(/target class must be in \[0, 2\], got 7/);
    expect(() => explainSignal(model, job({ background: undefined }))).toThrow(/kernel-shap needs background windows/);
    const badLayer = XaiMethodsSchema.parse({ 'grad-cam': { layer: 'no_such_layer' } });
    expect(() => explainSignal(model, job({ methods: badLayer }))).toThrow(/layer 'no_such_layer' is not in the model/);
  });
});

describe('XaiProcessPool', () => {
  let dir: string;
  let store: FileArtifactStore;
  let modelUri: string;
  let pool: XaiProcessPool;
  const light = (over: Partial<ExplainJob> = {}) =>
    job({ methods: XaiMethodsSchema.parse({ 'grad-cam': {}, occlusion: { window: 32, stride: 16 } }), background: undefined, ...over });
  // Seconds of work: thousands of IG steps over many windows.
  const heavy = () => job({ windows: windows(24, 1), methods: XaiMethodsSchema.parse({ 'integrated-gradients': { steps: 2048 } }), background: undefined });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'xai-pool-'));
    store = new FileArtifactStore(dir);
    modelUri = (await store.put(await serializeModel(model, { includeOptimizer: false }), { kind: 'model', mediaType: 'application/octet-stream' })).uri;
    pool = new XaiProcessPool({ size: 2, artifacts: dir, backend: TEST_BACKEND });
  });
  afterAll(async () => {
    await pool.close();
    expect(pool.pids).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives the same explanation as in-process, on at most `size` child processes', async () => {
    const jobs = [1, 2, 3, 4, 5].map((seed) => light({ windows: windows(2, seed) }));
    const results = await Promise.all(jobs.map((j) => pool.run(modelUri, j)));
    expect(pool.pids.length).toBeLessThanOrEqual(2);
    results.forEach((r, k) => {
      const local = explainSignal(model, jobs[k]);
      expect(r.targetClass).toBe(local.targetClass);
      r.methods.forEach((m, i) => {
        const l = local.methods[i].attributions;
        for (let t = 0; t < l.length; t++) expect(m.attributions[t]).toBeCloseTo(l[t], 5);
        expect(m.faithfulness).toBeCloseTo(local.methods[i].faithfulness, 5);
      });
    });
  }, 60_000);

  it('aborting a running job kills its child; the next job gets a fresh one', async () => {
    const controller = new AbortController();
    const methodsSeen: string[] = [];
    const running = pool.run(modelUri, heavy(), { signal: controller.signal, onMethod: (m) => methodsSeen.push(m) });
    // Abort only once the child is computing (it reported its first method).
    while (methodsSeen.length === 0) await new Promise((r) => setTimeout(r, 20));
    const pidsBefore = pool.pids;
    const t0 = Date.now();
    controller.abort();
    await expect(running).rejects.toThrow(/aborted: child process killed/);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(pool.running).toBe(0);
    expect(pool.pids.length).toBe(pidsBefore.length - 1);
    const next = await pool.run(modelUri, light());
    expect(next.methods).toHaveLength(2);
  }, 60_000);

  it('a child that dies fails only its own job, with how it died', async () => {
    const doomed = pool.run(modelUri, heavy());
    const other = pool.run(modelUri, light());
    await expect(other).resolves.toMatchObject({ methods: expect.any(Array) });
    await new Promise((r) => setTimeout(r, 300));
    const busy = pool.pids;
    expect(busy.length).toBeGreaterThan(0);
    for (const pid of busy) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await expect(doomed).rejects.toThrow(/XAI child process \(pid \d+\) was killed by signal SIGKILL while explaining/);
    // Every killed child has left the pool; the next job starts a fresh one.
    while (pool.pids.some((p) => busy.includes(p))) await new Promise((r) => setTimeout(r, 20));
    await expect(pool.run(modelUri, light())).resolves.toMatchObject({ targetClass: expect.any(Number) });
  }, 60_000);

  it('reports a missing model by its URI with the store error code', async () => {
    const missing = `artifact:sha256/${'0'.repeat(64)}`;
    await expect(pool.run(missing, light())).rejects.toMatchObject({ code: 'ARTIFACT_NOT_FOUND' });
  }, 30_000);

  it.each([
    [[] as string[], 'explained grad-cam\nclosed 0\n'],
    [['--no-close'], 'explained grad-cam\n'],
  ])(
    'keeps a script alive exactly while it has work (args %j)',
    async (args, expected) => {
      // Without refs while busy, Node would exit mid-await (code 13); with refs while idle, a
      // script that never closes the pool would hang.
      const script = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../support/xai-pool-script.ts');
      const { stdout } = await exec(process.execPath, ['--import', 'tsx', script, ...args], { timeout: 60_000 });
      expect(stdout).toBe(expected);
    },
    90_000,
  );

  it('a job aborted while queued never starts', async () => {
    const small = new XaiProcessPool({ size: 1, artifacts: dir, backend: TEST_BACKEND });
    try {
      await small.run(modelUri, light()); // the child is up: the next job runs at once
      const first = small.run(modelUri, light());
      const controller = new AbortController();
      const queued = small.run(modelUri, light(), { signal: controller.signal });
      expect(small.queued).toBe(1);
      controller.abort();
      await expect(queued).rejects.toThrow(/aborted while queued/);
      await expect(first).resolves.toBeDefined();
    } finally {
      await small.close();
    }
  }, 30_000);
});
