import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { PROBES_KEY, type LayerProbe, type OnnxExport } from './export.js';
import { DataType, decodeModel, encodeModel } from './proto.js';
import { createSession, runWindows } from './runtime.js';

/**
 * The export check: onnxruntime's output against tfjs' on real windows. When they disagree,
 * every layer's output is compared in graph order and the first one that diverges is named,
 * so a wrong translation points at itself instead of at the softmax at the end.
 */

export const PARITY_TOLERANCE = 1e-4;
/** Windows the export check runs (the figure). */
export const PARITY_WINDOWS = 256;

export interface ParityWindows {
  /** count × windowLength float32, row-major (single-channel windows as the trainer feeds them). */
  x: Float32Array;
  count: number;
  windowLength: number;
}

export interface ParityReport {
  windows: number;
  maxAbsDiff: number;
  tolerance: number;
  /** Fraction of windows whose predicted class is the same in both engines. */
  argmaxAgreement: number;
}

export class ParityError extends Error {
  constructor(
    readonly layer: string,
    readonly className: string,
    readonly maxAbsDiff: number,
    readonly tolerance: number,
  ) {
    super(`ONNX export diverges from tfjs at layer "${layer}" (${className}): max |difference| ${maxAbsDiff.toExponential(3)} > ${tolerance}`);
    this.name = 'ParityError';
  }
}

/** tfjs probabilities for the windows, in batches (the same batches onnxruntime gets). */
export function tfjsPredict(model: tfl.LayersModel, w: ParityWindows, batchSize = 64): Float32Array {
  const chunks: Float32Array[] = [];
  for (let start = 0; start < w.count; start += batchSize) {
    const n = Math.min(batchSize, w.count - start);
    const out = tf.tidy(() => {
      const x = tf.tensor3d(w.x.subarray(start * w.windowLength, (start + n) * w.windowLength), [n, w.windowLength, 1]);
      return model.predict(x) as tf.Tensor;
    });
    chunks.push(Float32Array.from(out.dataSync() as Float32Array));
    out.dispose();
  }
  const total = chunks.reduce((a, c) => a + c.length, 0);
  const all = new Float32Array(total);
  let off = 0;
  for (const c of chunks) {
    all.set(c, off);
    off += c.length;
  }
  return all;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    // NaN on one side only is a divergence too.
    if (Number.isNaN(d)) return Number.POSITIVE_INFINITY;
    if (d > m) m = d;
  }
  return m;
}

function argmaxAgreement(a: Float32Array, b: Float32Array, classes: number): number {
  const n = a.length / classes;
  let same = 0;
  for (let i = 0; i < n; i++) {
    let ia = 0;
    let ib = 0;
    for (let c = 1; c < classes; c++) {
      if (a[i * classes + c] > a[i * classes + ia]) ia = c;
      if (b[i * classes + c] > b[i * classes + ib]) ib = c;
    }
    if (ia === ib) same++;
  }
  return n === 0 ? 1 : same / n;
}

/**
 * Checks `exported` against `model` on `windows`; throws ParityError naming the first
 * diverging layer when the outputs differ by more than `tolerance`.
 */
export async function checkParity(
  model: tfl.LayersModel,
  exported: Pick<OnnxExport, 'bytes' | 'inputName' | 'outputName'>,
  windows: ParityWindows,
  tolerance = PARITY_TOLERANCE,
): Promise<ParityReport> {
  if (windows.count < 1) throw new Error('checkParity: no windows to compare on');
  const reference = tfjsPredict(model, windows);
  const session = await createSession(exported.bytes);
  let onnx: Float32Array;
  try {
    const out = await runWindows(session, windows.x, windows.count, windows.windowLength, {
      inputName: exported.inputName,
      outputNames: [exported.outputName],
    });
    onnx = out.get(exported.outputName)?.data ?? new Float32Array(0);
  } finally {
    await session.release();
  }
  const diff = maxAbsDiff(reference, onnx);
  if (diff > tolerance) await localise(model, exported.bytes, windows, tolerance, diff);
  const classes = reference.length / windows.count;
  return { windows: windows.count, maxAbsDiff: diff, tolerance, argmaxAgreement: argmaxAgreement(reference, onnx, classes) };
}

/** Finds and throws for the first layer whose output diverges (relative to its own scale). */
async function localise(model: tfl.LayersModel, bytes: Uint8Array, windows: ParityWindows, tolerance: number, finalDiff: number): Promise<never> {
  const proto = decodeModel(bytes);
  const meta = proto.metadataProps?.find((m) => m.key === PROBES_KEY);
  const probes = meta ? (JSON.parse(meta.value) as LayerProbe[]) : [];
  const last = model.outputLayers[0];
  // A handful of windows is enough to see which layer goes wrong.
  const few: ParityWindows = {
    x: windows.x.subarray(0, Math.min(16, windows.count) * windows.windowLength),
    count: Math.min(16, windows.count),
    windowLength: windows.windowLength,
  };
  const outputs: string[] = [];
  for (const p of probes) {
    const out = `probe/${p.layer}`;
    proto.graph.node.push(
      p.layout === 'ncw'
        ? { name: out, opType: 'Transpose', input: [p.tensor], output: [out], attribute: [{ name: 'perm', type: 7, ints: [0, 2, 1] }] }
        : { name: out, opType: 'Identity', input: [p.tensor], output: [out] },
    );
    proto.graph.output.push({ name: out, type: { tensorType: { elemType: DataType.FLOAT } } });
    outputs.push(out);
  }
  const session = await createSession(encodeModel(proto));
  let got: Map<string, { data: Float32Array }>;
  try {
    got = await runWindows(session, few.x, few.count, few.windowLength, { inputName: proto.graph.input[0].name, outputNames: outputs });
  } finally {
    await session.release();
  }
  const probeModel = tfl.model({ inputs: model.inputs, outputs: probes.map((p) => model.getLayer(p.layer).output as tfl.SymbolicTensor) });
  const expected = tf.tidy(() => {
    const x = tf.tensor3d(few.x, [few.count, few.windowLength, 1]);
    const r = probeModel.predict(x);
    return (Array.isArray(r) ? r : [r]).map((t) => Float32Array.from(t.dataSync() as Float32Array));
  });
  for (const [i, p] of probes.entries()) {
    const ref = expected[i];
    const onnx = got.get(outputs[i])?.data ?? new Float32Array(0);
    let scale = 1;
    for (const v of ref) scale = Math.max(scale, Math.abs(v));
    const d = maxAbsDiff(ref, onnx);
    if (d > tolerance * scale) throw new ParityError(p.layer, p.className, d, tolerance);
  }
  throw new ParityError(last.name, last.getClassName(), finalDiff, tolerance);
}
