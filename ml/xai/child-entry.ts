import { openArtifactStore } from '../../artifacts/open.js';
import type { ArtifactStore } from '../../artifacts/types.js';
import { deserializeModel, disposeModel } from '../model/index.js';
import { initBackend } from '../tf/index.js';
import { serializeError } from '../train/messages.js';
import type * as tfl from '@tensorflow/tfjs-layers';
import { decodeFloat32 } from '../../artifacts/codecs.js';
import { runAnalysis } from '../eval/jobs.js';
import { runFeatureJob } from '../features/job.js';
import { runFeatureAnalysis } from '../features/analysis/job.js';
import { FeatureIndexSchema } from '../../contracts/features.js';
import { decodeJson } from '../../artifacts/codecs.js';
import { predictWindows, predictWindowsOrt } from '../eval/predict.js';
import { createSession, ortVersion, type OrtSession } from '../onnx/runtime.js';
// The export's own tolerance: a version must agree this well with tfjs to replace it.
import { PARITY_TOLERANCE } from '../onnx/parity.js';
import { explainSignal } from './explain.js';
import type { XaiChildMessage, XaiParentMessage } from './messages.js';

/**
 * Entry point of an XAI child process (forked by pool.ts with `--import tsx`). It stays up for
 * many signals and keeps the last few models loaded, so a batch pays the tfjs start-up and the
 * model load once per process, not once per signal. It exits when its parent goes away.
 */

if (!process.send) {
  process.stderr.write('xai child-entry.ts must be started with an IPC channel (child_process.fork)\n');
  process.exit(2);
}
process.on('disconnect', () => process.exit(130));

const MODEL_CACHE_SIZE = 3;
const models = new Map<string, Promise<tfl.LayersModel>>();
let store: ArtifactStore | undefined;
let backend = '';

function send(message: XaiChildMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!process.send || !process.connected) return reject(new Error('IPC channel to the parent is closed'));
    process.send(message, undefined, {}, (err) => (err ? reject(err) : resolve()));
  });
}

/** ONNX sessions of exported versions, for predictions; few, and small next to a tfjs model. */
const sessions = new Map<string, Promise<OrtSession>>();

function loadSession(uri: string): Promise<OrtSession> {
  const hit = sessions.get(uri);
  if (hit) return hit;
  if (!store) throw new Error('predict before init');
  // One intra-op thread: the pool already runs one child per core.
  const loading = store.get(uri).then((bytes) => createSession(bytes, { threads: 1 }));
  loading.catch(() => sessions.delete(uri));
  sessions.set(uri, loading);
  while (sessions.size > MODEL_CACHE_SIZE) {
    const [oldest, evicted] = sessions.entries().next().value as [string, Promise<OrtSession>];
    sessions.delete(oldest);
    void evicted.then(
      (x) => x.release(),
      () => undefined,
    );
  }
  return loading;
}

function loadModel(uri: string): Promise<tfl.LayersModel> {
  const hit = models.get(uri);
  if (hit) {
    // Refresh its place in the LRU order.
    models.delete(uri);
    models.set(uri, hit);
    return hit;
  }
  if (!store) throw new Error('explain before init');
  const loading = store.get(uri).then((bytes) => deserializeModel(bytes));
  loading.catch(() => models.delete(uri));
  models.set(uri, loading);
  while (models.size > MODEL_CACHE_SIZE) {
    const [oldest, evicted] = models.entries().next().value as [string, Promise<tfl.LayersModel>];
    models.delete(oldest);
    void evicted.then(disposeModel, () => undefined);
  }
  return loading;
}

// Jobs are handled strictly one at a time (the pool never sends a second before a reply).
let chain: Promise<void> = Promise.resolve();

process.on('message', (message: XaiParentMessage) => {
  chain = chain.then(async () => {
    if (message.type === 'init') {
      try {
        store = openArtifactStore(message.artifacts);
        const info = await initBackend(message.backend);
        backend = info.name;
        await send({ type: 'ready', backend: info.name });
      } catch (e) {
        await send({ type: 'fatal', error: serializeError(e) }).catch(() => undefined);
        process.exit(1);
      }
      return;
    }
    const { id } = message;
    if (message.type === 'feature-analysis') {
      try {
        const { matrixUri, indexUri } = message.job;
        const matrix = decodeFloat32(await store!.get(matrixUri), matrixUri);
        const index = FeatureIndexSchema.parse(decodeJson(await store!.get(indexUri), indexUri));
        await send({ type: 'feature-analysis', id, outcome: runFeatureAnalysis(message.job, matrix, index) });
      } catch (e) {
        await send({ type: 'error', id, error: serializeError(e) }).catch(() => undefined);
      }
      return;
    }
    if (message.type === 'features') {
      try {
        const samples = await Promise.all(message.job.signals.map(async (s) => decodeFloat32(await store!.get(s.uri), s.uri)));
        await send({ type: 'features', id, matrix: runFeatureJob(samples, message.job) });
      } catch (e) {
        await send({ type: 'error', id, error: serializeError(e) }).catch(() => undefined);
      }
      return;
    }
    if (message.type === 'analyze') {
      try {
        await send({ type: 'analysis', id, outcome: runAnalysis(message.job) });
      } catch (e) {
        await send({ type: 'error', id, error: serializeError(e) }).catch(() => undefined);
      }
      return;
    }
    try {
      const model = await loadModel(message.modelUri);
      if (message.type === 'predict') {
        const samples = await Promise.all(message.job.signals.map(async (s) => decodeFloat32(await store!.get(s.uri), s.uri)));
        const onnx = message.job.onnx;
        if (onnx) {
          const classes = (model.outputs[0].shape as number[])[1];
          let why: string;
          try {
            const probabilities = await predictWindowsOrt(await loadSession(onnx.uri), samples, message.job, classes);
            // Checked on use, not only at export: the first signal's windows again on tfjs. A version
            // exported from an earlier state of the model (a continued training) is caught here.
            const first = { ...message.job, signals: message.job.signals.slice(0, 1) };
            const reference = predictWindows(model, samples.slice(0, 1), first);
            let diff = 0;
            for (let i = 0; i < reference.length; i++) diff = Math.max(diff, Math.abs(reference[i] - probabilities[i]));
            if (diff <= PARITY_TOLERANCE) {
              await send({ type: 'predictions', id, probabilities, backend: `onnxruntime ${ortVersion()} (${onnx.versionId})` });
              return;
            }
            why = `differs by ${diff.toExponential(1)}`;
          } catch (e) {
            // The exported form is an optimisation: the tfjs model stays the reference and answers.
            if (e instanceof Error && e.name === 'PredictInputError') throw e;
            why = `failed: ${e instanceof Error ? e.message.slice(0, 200) : String(e)}`;
          }
          const all = predictWindows(model, samples, message.job);
          await send({ type: 'predictions', id, probabilities: all, backend: `${backend} (ONNX ${onnx.versionId} ${why}, not used)` });
          return;
        }
        const probabilities = predictWindows(model, samples, message.job);
        await send({ type: 'predictions', id, probabilities, backend });
        return;
      }
      const explanation = explainSignal(model, message.job, (method) => void send({ type: 'method', id, method }).catch(() => undefined));
      await send({ type: 'result', id, explanation });
    } catch (e) {
      await send({ type: 'error', id, error: serializeError(e) }).catch(() => undefined);
    }
  });
});
