import { createHash } from 'node:crypto';
import { int } from './graph.js';
import { DataType, decodeModel, encodeModel, type ModelProto, type NodeProto, type TensorProto } from './proto.js';
import { createSession, runWindows } from './runtime.js';

/**
 * int8 quantization of an exported Faultline model, in the two forms onnxruntime runs fast:
 *
 * - static (QDQ): per-channel symmetric int8 weights, int32 biases, uint8 activations whose
 *   ranges come from running the fp32 model over calibration windows. Every Conv/Gemm becomes
 *   DequantizeLinear(QuantizeLinear(x)) · DequantizeLinear(w_int8) -> QuantizeLinear ->
 *   DequantizeLinear, the pattern onnxruntime's QDQ transformer fuses into QLinearConv / QGemm,
 *   so the file stays a standard ONNX graph that any runtime can read (as float, if it must).
 * - dynamic: int8 weights, activations quantized per batch at run time (DynamicQuantizeLinear +
 *   ConvInteger for convolutions, DynamicQuantizeMatMul for dense layers); no calibration.
 *
 * Both first fold batch norms into the convolutions before them and drop Identity nodes, so a
 * Conv -> BN -> ReLU block is one quantized kernel and the ReLU becomes the output clamp.
 */

/** Windows to calibrate on, with where they came from: only a dataset's own windows are accepted. */
export interface CalibrationWindows {
  /** count × windowLength float32, row-major (single-channel, z-scored like the trainer's input). */
  x: Float32Array;
  count: number;
  windowLength: number;
  provenance: {
    datasetId: string;
    /** Calibration reads the training split: what the model was fitted to, never the test split. */
    split: 'train';
    /** sha256 (hex) of `x`'s bytes, taken where the windows were cut. */
    sha256: string;
  };
}

export class CalibrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CalibrationError';
  }
}

export const windowsSha256 = (x: Float32Array): string =>
  createHash('sha256')
    .update(new Uint8Array(x.buffer, x.byteOffset, x.byteLength))
    .digest('hex');

export interface StaticQuantizeOptions {
  /** Largest |int8| weight code: 127, or 63 (reduce_range) on CPUs whose u8s8 dot product can saturate. */
  weightMax?: number;
}

export interface QuantizeReport {
  /** Conv/Gemm nodes whose weights were quantized. */
  quantizedNodes: number;
  /** Batch norms folded into the convolution before them. */
  foldedBatchNorms: number;
  /** Activation tensors given a QuantizeLinear/DequantizeLinear pair (static only). */
  quantizedActivations: number;
  /** Convolutions left in float (dynamic quantization of a Conv this runtime cannot run). */
  floatNodes: number;
}

type Init = Map<string, TensorProto>;

function floats(t: TensorProto): Float32Array {
  if (t.rawData && t.rawData.byteLength > 0) {
    const raw = Uint8Array.from(t.rawData);
    return new Float32Array(raw.buffer, 0, raw.byteLength / 4);
  }
  return Float32Array.from(t.floatData ?? []);
}

const raw = (a: Float32Array | Int8Array | Uint8Array | Int32Array): Uint8Array => new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
const floatTensor = (name: string, dims: number[], values: Float32Array): TensorProto => ({ name, dims, dataType: DataType.FLOAT, rawData: raw(values) });
const attr = (n: NodeProto, name: string) => n.attribute?.find((a) => a.name === name);

/** Tensor name -> the nodes that read it (graph outputs count as a reader). */
function consumers(model: ModelProto): Map<string, number> {
  const uses = new Map<string, number>();
  for (const n of model.graph.node) for (const i of n.input) uses.set(i, (uses.get(i) ?? 0) + 1);
  for (const o of model.graph.output) uses.set(o.name, (uses.get(o.name) ?? 0) + 1);
  return uses;
}

/**
 * Identity nodes removed (except one that produces a graph output) and BatchNormalization folded
 * into a Conv whose output only it reads: w' = w·γ/√(σ²+ε) per output channel, b' = (b−μ)·γ/√(σ²+ε)+β.
 */
export function foldForQuantization(model: ModelProto): { model: ModelProto; folded: number } {
  const outputs = new Set(model.graph.output.map((o) => o.name));
  const rename = new Map<string, string>();
  const resolve = (name: string): string => {
    let n = name;
    while (rename.has(n)) n = rename.get(n) ?? n;
    return n;
  };
  const kept: NodeProto[] = [];
  for (const n of model.graph.node) {
    n.input = n.input.map(resolve);
    if (n.opType === 'Identity' && !outputs.has(n.output[0])) {
      rename.set(n.output[0], n.input[0]);
      continue;
    }
    kept.push(n);
  }
  model.graph.node = kept;
  const init: Init = new Map(model.graph.initializer.map((t) => [t.name, t]));
  const uses = consumers(model);
  const producer = new Map<string, NodeProto>();
  for (const n of model.graph.node) producer.set(n.output[0], n);
  const drop = new Set<NodeProto>();
  let folded = 0;
  for (const bn of model.graph.node) {
    if (bn.opType !== 'BatchNormalization') continue;
    const conv = producer.get(bn.input[0]);
    if (!conv || conv.opType !== 'Conv' || uses.get(conv.output[0]) !== 1 || outputs.has(conv.output[0])) continue;
    const [gamma, beta, mean, variance] = bn.input.slice(1).map((name) => init.get(name));
    const w = init.get(conv.input[1]);
    if (!gamma || !beta || !mean || !variance || !w) continue;
    const eps = attr(bn, 'epsilon')?.f ?? 1e-5;
    const g = floats(gamma);
    const b0 = floats(beta);
    const mu = floats(mean);
    const v = floats(variance);
    const outC = w.dims[0];
    const per = floats(w).length / outC;
    const wv = Float32Array.from(floats(w));
    const bias = conv.input[2] && init.get(conv.input[2]) ? Float32Array.from(floats(init.get(conv.input[2]) as TensorProto)) : new Float32Array(outC);
    for (let c = 0; c < outC; c++) {
      const k = g[c] / Math.sqrt(v[c] + eps);
      for (let j = 0; j < per; j++) wv[c * per + j] *= k;
      bias[c] = (bias[c] - mu[c]) * k + b0[c];
    }
    const wName = `${conv.input[1]}.bnfolded`;
    const bName = `${conv.output[0]}.bnfolded_bias`;
    init.set(wName, floatTensor(wName, w.dims, wv));
    init.set(bName, floatTensor(bName, [outC], bias));
    conv.input = [conv.input[0], wName, bName];
    conv.output = [bn.output[0]];
    drop.add(bn);
    folded++;
  }
  model.graph.node = model.graph.node.filter((n) => !drop.has(n));
  // Initializers nobody reads any more (the unfolded weights, the BN statistics) are dropped.
  const read = new Set(model.graph.node.flatMap((n) => n.input));
  model.graph.initializer = [...init.values()].filter((t) => read.has(t.name));
  // Our layer probes name tensors that no longer exist.
  model.metadataProps = model.metadataProps?.filter((m) => m.key !== 'faultline.layer_outputs');
  return { model, folded };
}

/** Per-output-channel symmetric int8 codes of a weight along `axis` (0 or 1 of a 2-D/3-D tensor). */
function quantizeWeights(w: TensorProto, axis: number, qmax: number): { q: Int8Array; scale: Float32Array } {
  const v = floats(w);
  const channels = w.dims[axis];
  const inner = w.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const chOf = (i: number) => Math.floor(i / inner) % channels;
  const amax = new Float32Array(channels);
  for (let i = 0; i < v.length; i++) amax[chOf(i)] = Math.max(amax[chOf(i)], Math.abs(v[i]));
  const scale = Float32Array.from(amax, (m) => (m > 0 ? m / qmax : 1));
  const q = new Int8Array(v.length);
  for (let i = 0; i < v.length; i++) q[i] = Math.max(-qmax, Math.min(qmax, Math.round(v[i] / scale[chOf(i)])));
  return { q, scale };
}

interface Range {
  min: number;
  max: number;
}

/** uint8 affine parameters covering [min, max] and 0 (so zero padding and ReLU's 0 are exact). */
function uint8Params(r: Range): { scale: number; zeroPoint: number } {
  const lo = Math.min(0, r.min);
  const hi = Math.max(0, r.max);
  const scale = hi > lo ? (hi - lo) / 255 : 1;
  return { scale, zeroPoint: Math.max(0, Math.min(255, Math.round(-lo / scale))) };
}

/** The Conv/Gemm nodes to quantize, and for each the tensor its quantized output replaces (its ReLU's output when a ReLU follows). */
interface Site {
  node: NodeProto;
  relu: NodeProto | null;
  /** Tensor the rest of the graph reads. */
  out: string;
}

function sitesOf(model: ModelProto): Site[] {
  const uses = consumers(model);
  const readers = new Map<string, NodeProto[]>();
  for (const n of model.graph.node) for (const i of n.input) readers.set(i, [...(readers.get(i) ?? []), n]);
  const outputs = new Set(model.graph.output.map((o) => o.name));
  const sites: Site[] = [];
  for (const n of model.graph.node) {
    if (n.opType !== 'Conv' && n.opType !== 'Gemm') continue;
    if (n.opType === 'Gemm' && (attr(n, 'transA')?.i || attr(n, 'transB')?.i)) continue;
    const next = readers.get(n.output[0]) ?? [];
    const relu = uses.get(n.output[0]) === 1 && !outputs.has(n.output[0]) && next[0]?.opType === 'Relu' ? next[0] : null;
    sites.push({ node: n, relu, out: relu ? relu.output[0] : n.output[0] });
  }
  return sites;
}

/** Min/max of each named tensor over the calibration windows (run as extra outputs of a copy of the model). */
async function calibrate(model: ModelProto, tensors: string[], windows: CalibrationWindows): Promise<Map<string, Range>> {
  const copy = decodeModel(encodeModel(model));
  const existing = new Set(copy.graph.output.map((o) => o.name));
  for (const t of tensors) if (!existing.has(t)) copy.graph.output.push({ name: t, type: { tensorType: { elemType: DataType.FLOAT } } });
  const session = await createSession(encodeModel(copy), { optimization: 'disabled' });
  const ranges = new Map<string, Range>();
  try {
    const out = await runWindows(session, windows.x, windows.count, windows.windowLength, { inputName: copy.graph.input[0].name, outputNames: tensors });
    for (const t of tensors) {
      const data = out.get(t)?.data ?? new Float32Array(0);
      let min = Infinity;
      let max = -Infinity;
      for (const v of data) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      if (!Number.isFinite(min) || !Number.isFinite(max))
        throw new CalibrationError(`calibration: tensor "${t}" has no finite values over ${windows.count} windows`);
      ranges.set(t, { min, max });
    }
  } finally {
    await session.release();
  }
  return ranges;
}

function checkCalibration(w: CalibrationWindows): void {
  if (w.provenance.split !== 'train')
    throw new CalibrationError(`calibration: provenance.split is "${String(w.provenance.split)}", only "train" windows calibrate`);
  if (w.count < 1 || w.x.length !== w.count * w.windowLength) {
    throw new CalibrationError(`calibration: x holds ${w.x.length} values, expected count ${w.count} × windowLength ${w.windowLength}`);
  }
  const sha = windowsSha256(w.x);
  if (sha !== w.provenance.sha256) {
    throw new CalibrationError(
      `calibration: windows hash ${sha.slice(0, 12)}… is not provenance.sha256 ${w.provenance.sha256.slice(0, 12)}… of dataset "${w.provenance.datasetId}"`,
    );
  }
}

/**
 * Static int8 quantization in QDQ form. `fp32` is an exported model (ours: single float input,
 * Conv/Gemm/pooling/elementwise ops); activations are calibrated on `windows`.
 */
export async function quantizeStatic(
  fp32: Uint8Array,
  windows: CalibrationWindows,
  opts: StaticQuantizeOptions = {},
): Promise<{ bytes: Uint8Array; report: QuantizeReport }> {
  checkCalibration(windows);
  const qmax = opts.weightMax ?? 127;
  const { model, folded } = foldForQuantization(decodeModel(fp32));
  const init: Init = new Map(model.graph.initializer.map((t) => [t.name, t]));
  const sites = sitesOf(model);
  const toCalibrate = [...new Set([...sites.map((s) => s.node.input[0]), ...sites.map((s) => s.out)])];
  const ranges = await calibrate(model, toCalibrate, windows);

  const added: TensorProto[] = [];
  const scalar = (name: string, dataType: number, bytes: Uint8Array): string => {
    added.push({ name, dims: [], dataType, rawData: bytes });
    return name;
  };
  /** tensor -> the DequantizeLinear output that stands for it, once it has a Q/DQ pair. */
  const dequantized = new Map<string, string>();
  const params = new Map<string, { scale: number; zeroPoint: number }>();
  /** Q/DQ pair on `tensor` (from `source`, which a node writes); returns the DQ output name. */
  const qdq = (tensor: string, source: string, range: Range, dqOut: string): NodeProto[] => {
    const p = uint8Params(range);
    params.set(tensor, p);
    const s = scalar(`${tensor}.q_scale`, DataType.FLOAT, raw(Float32Array.of(p.scale)));
    const z = scalar(`${tensor}.q_zero_point`, DataType.UINT8, Uint8Array.of(p.zeroPoint));
    dequantized.set(tensor, dqOut);
    return [
      { name: `${tensor}.quantize`, opType: 'QuantizeLinear', input: [source, s, z], output: [`${tensor}.q`] },
      { name: `${tensor}.dequantize`, opType: 'DequantizeLinear', input: [`${tensor}.q`, s, z], output: [dqOut] },
    ];
  };

  const siteOf = new Map(sites.map((s) => [s.node, s]));
  const relus = new Set(sites.flatMap((s) => (s.relu ? [s.relu] : [])));
  const nodes: NodeProto[] = [];
  let activations = 0;
  for (const n of model.graph.node) {
    if (relus.has(n)) continue; // the output Q of its Conv/Gemm clamps at 0 instead
    const site = siteOf.get(n);
    if (!site) {
      nodes.push(n);
      continue;
    }
    const x = n.input[0];
    if (!dequantized.has(x)) {
      // An input no quantized node wrote (the transposed signal, a pooling or an Add output).
      const range = ranges.get(x) as Range;
      nodes.push(...qdq(x, x, range, `${x}.dq`));
      activations++;
    }
    const xScale = params.get(x)?.scale ?? 1;
    const w = init.get(n.input[1]);
    if (!w) throw new CalibrationError(`quantizeStatic: node "${n.name}" has no weight initializer "${n.input[1]}"`);
    const axis = n.opType === 'Conv' ? 0 : 1;
    const { q, scale } = quantizeWeights(w, axis, qmax);
    const wq = `${w.name}.int8`;
    added.push({ name: wq, dims: w.dims, dataType: DataType.INT8, rawData: raw(q) });
    added.push(floatTensor(`${wq}.scale`, [scale.length], scale));
    added.push({ name: `${wq}.zero_point`, dims: [scale.length], dataType: DataType.INT8, rawData: raw(new Int8Array(scale.length)) });
    const wdq: NodeProto = {
      name: `${wq}.dequantize`,
      opType: 'DequantizeLinear',
      input: [wq, `${wq}.scale`, `${wq}.zero_point`],
      output: [`${wq}.dq`],
      attribute: [int('axis', axis)],
    };
    nodes.push(wdq);
    const inputs = [dequantized.get(x) as string, `${wq}.dq`];
    const b = n.input[2] ? init.get(n.input[2]) : undefined;
    if (b) {
      // int32 bias at scale x_scale·w_scale[c], zero point 0: what QLinearConv / QGemm add in the accumulator.
      const bv = floats(b);
      const bScale = Float32Array.from(scale, (s) => s * xScale);
      const bq = Int32Array.from(bv, (v, c) => Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, Math.round(v / bScale[c]))));
      const name = `${b.name}.int32`;
      added.push({ name, dims: b.dims, dataType: DataType.INT32, rawData: raw(bq) });
      added.push(floatTensor(`${name}.scale`, [bScale.length], bScale));
      added.push({ name: `${name}.zero_point`, dims: [bScale.length], dataType: DataType.INT32, rawData: raw(new Int32Array(bScale.length)) });
      nodes.push({
        name: `${name}.dequantize`,
        opType: 'DequantizeLinear',
        input: [name, `${name}.scale`, `${name}.zero_point`],
        output: [`${name}.dq`],
        attribute: [int('axis', 0)],
      });
      inputs.push(`${name}.dq`);
    }
    const raw32 = `${site.out}.float`;
    nodes.push({ ...n, input: inputs, output: [raw32] });
    const range = ranges.get(site.out) as Range;
    // The ReLU folded away: its output range starts at 0, so the uint8 zero point is 0 and the Q clamps.
    nodes.push(...qdq(site.out, raw32, site.relu ? { min: 0, max: range.max } : range, site.out));
    activations++;
  }
  model.graph.node = nodes;
  const read = new Set(nodes.flatMap((n) => n.input));
  model.graph.initializer = [...model.graph.initializer, ...added].filter((t) => read.has(t.name));
  model.docString = `${model.docString ?? ''} · int8 static (QDQ, per-channel weights, calibrated on ${windows.count} "${windows.provenance.datasetId}" training windows)`;
  return { bytes: encodeModel(model), report: { quantizedNodes: sites.length, foldedBatchNorms: folded, quantizedActivations: activations, floatNodes: 0 } };
}

export interface DynamicQuantizeOptions {
  /** Quantize convolutions too (ConvInteger); false keeps them float and quantizes dense layers only. */
  convolutions?: boolean;
}

/**
 * Dynamic int8 quantization: weights int8 in the file, activations quantized per batch at run
 * time. Dense layers use com.microsoft DynamicQuantizeMatMul (per-column int8 weights);
 * convolutions DynamicQuantizeLinear -> ConvInteger (uint8 weights around 128, one scale per
 * output channel applied after the integer convolution).
 */
export function quantizeDynamic(fp32: Uint8Array, opts: DynamicQuantizeOptions = {}): { bytes: Uint8Array; report: QuantizeReport } {
  const convolutions = opts.convolutions ?? true;
  const { model, folded } = foldForQuantization(decodeModel(fp32));
  const init: Init = new Map(model.graph.initializer.map((t) => [t.name, t]));
  const added: TensorProto[] = [];
  const nodes: NodeProto[] = [];
  let quantized = 0;
  let floatNodes = 0;
  for (const n of model.graph.node) {
    const w = init.get(n.input[1] ?? '');
    const b = n.input[2] ? init.get(n.input[2]) : undefined;
    if (n.opType === 'Gemm' && w && !attr(n, 'transA')?.i && !attr(n, 'transB')?.i && w.dims.length === 2) {
      const { q, scale } = quantizeWeights(w, 1, 127);
      const wq = `${w.name}.int8`;
      added.push({ name: wq, dims: w.dims, dataType: DataType.INT8, rawData: raw(q) });
      added.push(floatTensor(`${wq}.scale`, [scale.length], scale));
      added.push({ name: `${wq}.zero_point`, dims: [scale.length], dataType: DataType.INT8, rawData: raw(new Int8Array(scale.length)) });
      nodes.push({
        name: n.name,
        opType: 'DynamicQuantizeMatMul',
        domain: 'com.microsoft',
        input: [n.input[0], wq, `${wq}.scale`, `${wq}.zero_point`, ...(b ? [b.name] : [])],
        output: n.output,
      });
      quantized++;
      continue;
    }
    if (n.opType === 'Conv' && w && convolutions) {
      nodes.push(...dynamicConv(n, w, b, added));
      quantized++;
      continue;
    }
    if (n.opType === 'Conv') floatNodes++;
    nodes.push(n);
  }
  model.graph.node = nodes;
  if (!model.opsetImport.some((o) => o.domain === 'com.microsoft')) model.opsetImport.push({ domain: 'com.microsoft', version: 1 });
  const read = new Set(nodes.flatMap((x) => x.input));
  model.graph.initializer = [...model.graph.initializer, ...added].filter((t) => read.has(t.name));
  model.docString = `${model.docString ?? ''} · int8 dynamic (${convolutions ? 'Conv and dense' : 'dense only'})`;
  return { bytes: encodeModel(model), report: { quantizedNodes: quantized, foldedBatchNorms: folded, quantizedActivations: 0, floatNodes } };
}

/**
 * y = (ConvInteger(x_u8 − x_zp, w_u8 − 128) as float) · x_scale · w_scale[c] + b[c]. onnxruntime's
 * CPU ConvInteger takes uint8 weights with one zero point, so the int8 codes are stored offset by 128.
 */
function dynamicConv(n: NodeProto, w: TensorProto, b: TensorProto | undefined, added: TensorProto[]): NodeProto[] {
  const { q, scale } = quantizeWeights(w, 0, 127);
  const base = n.output[0];
  const wq = `${w.name}.uint8`;
  added.push({ name: wq, dims: w.dims, dataType: DataType.UINT8, rawData: raw(Uint8Array.from(q, (v) => v + 128)) });
  added.push({ name: `${wq}.zero_point`, dims: [], dataType: DataType.UINT8, rawData: Uint8Array.of(128) });
  const outC = w.dims[0];
  added.push(floatTensor(`${wq}.scale`, [outC, 1], scale));
  const out: NodeProto[] = [
    { name: `${base}.dql`, opType: 'DynamicQuantizeLinear', input: [n.input[0]], output: [`${base}.xq`, `${base}.xs`, `${base}.xz`] },
    {
      name: `${base}.convint`,
      opType: 'ConvInteger',
      input: [`${base}.xq`, wq, `${base}.xz`, `${wq}.zero_point`],
      output: [`${base}.acc`],
      attribute: n.attribute,
    },
    { name: `${base}.cast`, opType: 'Cast', input: [`${base}.acc`], output: [`${base}.accf`], attribute: [int('to', DataType.FLOAT)] },
    { name: `${base}.xscale`, opType: 'Mul', input: [`${base}.accf`, `${base}.xs`], output: [`${base}.scaled_x`] },
  ];
  if (b) {
    added.push(floatTensor(`${b.name}.col`, [outC, 1], floats(b)));
    out.push({ name: `${base}.wscale`, opType: 'Mul', input: [`${base}.scaled_x`, `${wq}.scale`], output: [`${base}.scaled`] });
    out.push({ name: `${base}.bias`, opType: 'Add', input: [`${base}.scaled`, `${b.name}.col`], output: [base] });
  } else {
    out.push({ name: `${base}.wscale`, opType: 'Mul', input: [`${base}.scaled_x`, `${wq}.scale`], output: [base] });
  }
  return out;
}
