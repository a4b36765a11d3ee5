import { AttributeType, DataType, decodeModel, encodeModel, type NodeProto, type TensorProto } from './proto.js';

/**
 * float16 weights: every float32 initializer stored as IEEE half precision and cast back to
 * float32 at load (onnxruntime folds the casts into constants), so the file is about half the
 * size while the arithmetic stays float32 on CPUs without fast half-precision kernels.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 binary16 bits of `value`, rounded to nearest even (overflow to ±Inf, NaN kept). */
export function toHalfBits(value: number): number {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half (or zero): shift the implicit 1 in, round to nearest even.
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mant & ((1 << shift) - 1);
    let out = mant >>> shift;
    if (rest > half || (rest === half && out & 1)) out++;
    return sign | out;
  }
  let out = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  // A carry out of the mantissa moves into the exponent, which is the right rounding too.
  if (rest > 0x1000 || (rest === 0x1000 && out & 1)) out++;
  return sign | out;
}

export function toFloat16Weights(bytes: Uint8Array): { bytes: Uint8Array; converted: number } {
  const model = decodeModel(bytes);
  const casts: NodeProto[] = [];
  const initializers: TensorProto[] = [];
  let converted = 0;
  for (const t of model.graph.initializer) {
    if (t.dataType !== DataType.FLOAT || !t.rawData) {
      initializers.push(t);
      continue;
    }
    const raw = Uint8Array.from(t.rawData);
    const values = new Float32Array(raw.buffer, 0, raw.byteLength / 4);
    const half = new Uint16Array(values.length);
    for (let i = 0; i < values.length; i++) half[i] = toHalfBits(values[i]);
    const name = `${t.name}.fp16`;
    initializers.push({ name, dims: t.dims, dataType: DataType.FLOAT16, rawData: new Uint8Array(half.buffer) });
    casts.push({
      name: `${t.name}.cast`,
      opType: 'Cast',
      input: [name],
      output: [t.name],
      attribute: [{ name: 'to', type: AttributeType.INT, i: DataType.FLOAT }],
    });
    converted++;
  }
  model.graph.initializer = initializers;
  // Casts first: the graph's nodes must stay in topological order.
  model.graph.node = [...casts, ...model.graph.node];
  return { bytes: encodeModel(model), converted };
}
