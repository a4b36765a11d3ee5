import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
// Registers our layer classes, so that models saved with them load (a side-effect import).
import './seeded-dropout.js';

/**
 * One self-describing binary per model, so an artifact store can hold a model (or a resumable
 * checkpoint) as a single content-addressed blob. `model.save('file://')` needs tfjs-node,
 * which does not install everywhere; this works on every backend.
 *
 * Layout (little-endian):
 *   0   8  magic "FLTMODEL"
 *   8   4  format version (1)
 *   12  4  flags (bit 0: optimizer state included)
 *   16  4  JSON length in bytes (J)
 *   20  4  weight data length in bytes (W)
 *   24 32  SHA-256 of the J + W bytes that follow
 *   56  J  UTF-8 JSON: { modelTopology, weightSpecs, trainingConfig?, format, generatedBy, ... }
 *   56+J W weight bytes (model weights, then optimizer weights, in weightSpecs order)
 */

const MAGIC = 'FLTMODEL';
const VERSION = 1;
const HEADER_BYTES = 56;
const FLAG_OPTIMIZER = 1;

export interface SerializeOptions {
  /** Keep the optimizer state (Adam moments, iteration count) so training can resume exactly. */
  includeOptimizer: boolean;
}

interface StoredJson {
  modelTopology: tf.io.ModelArtifacts['modelTopology'];
  weightSpecs: tf.io.WeightsManifestEntry[];
  trainingConfig?: tf.io.TrainingConfig;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  userDefinedMetadata?: Record<string, unknown>;
  /**
   * Adam's beta-power accumulators. tfjs restores them as pow(beta, iterations + 1), which can
   * differ in the last bit from the running product training computed; storing them makes a
   * resumed run continue bit-identically.
   */
  adamBetaPowers?: { beta1Power: number; beta2Power: number };
}

/** Adam's private accumulators (not in tfjs' public typings). */
interface AdamInternals {
  accBeta1?: tf.Variable;
  accBeta2?: tf.Variable;
}

export async function serializeModel(model: tfl.LayersModel, opts: SerializeOptions): Promise<Uint8Array> {
  let captured: tf.io.ModelArtifacts | undefined;
  await withOptimizerTemporariesDisposed(opts.includeOptimizer ? model.optimizer : undefined, () =>
    model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        captured = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
      { includeOptimizer: opts.includeOptimizer },
    ),
  );
  if (!captured || !captured.modelTopology || !captured.weightSpecs) {
    throw new Error('serializeModel: tfjs produced no model topology or weight specs');
  }
  const includeOptimizer = opts.includeOptimizer && model.optimizer != null;
  const weights = joinWeightData(captured.weightData);
  const json: StoredJson = {
    modelTopology: captured.modelTopology,
    weightSpecs: captured.weightSpecs,
    trainingConfig: captured.trainingConfig,
    format: captured.format,
    generatedBy: captured.generatedBy,
    convertedBy: captured.convertedBy,
    userDefinedMetadata: captured.userDefinedMetadata as Record<string, unknown> | undefined,
  };
  if (includeOptimizer) {
    const adam = model.optimizer as unknown as AdamInternals;
    if (adam.accBeta1 && adam.accBeta2) {
      json.adamBetaPowers = {
        beta1Power: (await adam.accBeta1.data())[0],
        beta2Power: (await adam.accBeta2.data())[0],
      };
    }
  }
  const jsonBytes = new TextEncoder().encode(JSON.stringify(json));
  const out = new Uint8Array(HEADER_BYTES + jsonBytes.length + weights.length);
  out.set(jsonBytes, HEADER_BYTES);
  out.set(weights, HEADER_BYTES + jsonBytes.length);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(MAGIC), 0);
  view.setUint32(8, VERSION, true);
  view.setUint32(12, includeOptimizer ? FLAG_OPTIMIZER : 0, true);
  view.setUint32(16, jsonBytes.length, true);
  view.setUint32(20, weights.length, true);
  out.set(sha256(out.subarray(HEADER_BYTES)), 24);
  return out;
}

/**
 * Rebuilds a model from `serializeModel` bytes. When the bytes hold optimizer state the model
 * comes back compiled with that optimizer (learning rate, Adam moments, iteration count), ready
 * to continue training. The caller owns the model and its optimizer: dispose both
 * (`disposeModel`).
 */
export async function deserializeModel(bytes: Uint8Array): Promise<tfl.LayersModel> {
  const { json, weights } = parseModelBytes(bytes);
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: json.modelTopology,
    weightSpecs: json.weightSpecs,
    // Copy into a fresh ArrayBuffer: tfjs keeps a reference, and `bytes` may be a view into a
    // larger (pooled) Buffer.
    weightData: weights.slice().buffer,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    trainingConfig: json.trainingConfig,
    userDefinedMetadata: json.userDefinedMetadata as Record<string, object> | undefined,
  };
  const model = await tfl.loadLayersModel({ load: async () => artifacts });
  if (json.adamBetaPowers && model.optimizer) {
    const adam = model.optimizer as unknown as AdamInternals;
    const { beta1Power, beta2Power } = json.adamBetaPowers;
    if (adam.accBeta1 && adam.accBeta2) {
      tf.tidy(() => {
        adam.accBeta1?.assign(tf.scalar(beta1Power));
        adam.accBeta2?.assign(tf.scalar(beta2Power));
      });
    }
  }
  return model;
}

/** Reads the header without building a model (e.g. to inspect an artifact). */
export function inspectModelBytes(bytes: Uint8Array): {
  version: number;
  includesOptimizer: boolean;
  jsonBytes: number;
  weightBytes: number;
  weightCount: number;
} {
  const { json, weights, flags, version } = parseModelBytes(bytes);
  return {
    version,
    includesOptimizer: (flags & FLAG_OPTIMIZER) !== 0,
    jsonBytes: bytes.length - HEADER_BYTES - weights.length,
    weightBytes: weights.length,
    weightCount: json.weightSpecs.length,
  };
}

function parseModelBytes(bytes: Uint8Array): { json: StoredJson; weights: Uint8Array; flags: number; version: number } {
  const fail = (what: string): never => {
    throw new Error(`deserializeModel: corrupt model bytes: ${what}`);
  };
  if (!(bytes instanceof Uint8Array)) fail('expected a Uint8Array');
  if (bytes.length < HEADER_BYTES) fail(`${bytes.length} bytes is shorter than the ${HEADER_BYTES}-byte header`);
  const magic = new TextDecoder().decode(bytes.subarray(0, 8));
  if (magic !== MAGIC) fail(`bad magic ${JSON.stringify(magic)} (expected ${MAGIC}): not a Faultline model`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== VERSION) fail(`unsupported format version ${version} (this build reads ${VERSION})`);
  const flags = view.getUint32(12, true);
  const jsonLength = view.getUint32(16, true);
  const weightLength = view.getUint32(20, true);
  const expected = HEADER_BYTES + jsonLength + weightLength;
  if (bytes.length !== expected) {
    fail(`length ${bytes.length} does not match header (${HEADER_BYTES} + JSON ${jsonLength} + weights ${weightLength} = ${expected}); truncated or padded`);
  }
  const digest = sha256(bytes.subarray(HEADER_BYTES));
  const stored = bytes.subarray(24, 56);
  if (!digest.every((b, i) => b === stored[i])) fail('SHA-256 checksum mismatch (content altered)');

  let json: StoredJson;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(HEADER_BYTES, HEADER_BYTES + jsonLength))) as StoredJson;
  } catch (e) {
    return fail(`model JSON does not parse (${(e as Error).message})`);
  }
  if (json === null || typeof json !== 'object') fail('model JSON is not an object');
  if (json.modelTopology == null || typeof json.modelTopology !== 'object') fail('model JSON has no modelTopology');
  if (!Array.isArray(json.weightSpecs)) fail('model JSON has no weightSpecs array');
  let specBytes = 0;
  for (const spec of json.weightSpecs) specBytes += weightSpecBytes(spec, fail);
  if (specBytes !== weightLength) {
    fail(`weightSpecs describe ${specBytes} bytes but the file holds ${weightLength}`);
  }
  const weights = bytes.subarray(HEADER_BYTES + jsonLength);
  return { json, weights, flags, version };
}

function weightSpecBytes(spec: tf.io.WeightsManifestEntry, fail: (what: string) => never): number {
  if (!spec || typeof spec.name !== 'string' || !Array.isArray(spec.shape)) fail('a weight spec lacks name or shape');
  if (spec.quantization) fail(`weight '${spec.name}' is quantized; this format stores plain weights`);
  const size = spec.shape.reduce((a, d) => (Number.isInteger(d) && d >= 0 ? a * d : fail(`weight '${spec.name}' has a bad shape`)), 1);
  switch (spec.dtype) {
    case 'float32':
    case 'int32':
      return size * 4;
    case 'bool':
      return size;
    default:
      return fail(`weight '${spec.name}' has unsupported dtype '${String(spec.dtype)}'`);
  }
}

/**
 * `model.save({ includeOptimizer: true })` calls `optimizer.getWeights()`, whose 'iter' entry is
 * a fresh scalar tensor that tfjs-layers never disposes (one leaked tensor per checkpoint). The
 * other entries are the optimizer's live variables and must stay. Wrap getWeights for the
 * duration of the save and dispose only the non-variable tensors it produced.
 */
async function withOptimizerTemporariesDisposed<T>(optimizer: tf.Optimizer | undefined, run: () => Promise<T>): Promise<T> {
  if (!optimizer) return run();
  const temporaries: tf.Tensor[] = [];
  const original = optimizer.getWeights;
  const wrapped = async (): ReturnType<tf.Optimizer['getWeights']> => {
    const weights = await original.call(optimizer);
    for (const w of weights) if (!(w.tensor instanceof tf.Variable)) temporaries.push(w.tensor);
    return weights;
  };
  optimizer.getWeights = wrapped;
  try {
    return await run();
  } finally {
    // Restore the prototype method (the instance had no own getWeights before).
    if (optimizer.getWeights === wrapped) delete (optimizer as { getWeights?: unknown }).getWeights;
    if (optimizer.getWeights !== original) optimizer.getWeights = original;
    tf.dispose(temporaries);
  }
}

function joinWeightData(data: tf.io.WeightData | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  // tfjs may hand the weights over as several ArrayBuffers (model + optimizer, or shards).
  const joined = Array.isArray(data) ? tf.io.CompositeArrayBuffer.join(data) : data;
  return new Uint8Array(joined);
}

function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}
