/**
 * MAT numeric storage: the element types a file stores data in (miDOUBLE, miINT16, …) and the
 * classes a variable has (double, int16, …). MATLAB may store a class in a narrower type (a
 * double array of small integers as miUINT8), so reading converts storage → class.
 */
import { MatFormatError } from './errors.js';
import type { MatNumericArray, MatNumericClass } from './types.js';

/** Level 5 data element types with a fixed element size. */
export const MI_SIZE: Readonly<Record<number, number>> = {
  1: 1, // miINT8
  2: 1, // miUINT8
  3: 2, // miINT16
  4: 2, // miUINT16
  5: 4, // miINT32
  6: 4, // miUINT32
  7: 4, // miSINGLE
  9: 8, // miDOUBLE
  12: 8, // miINT64
  13: 8, // miUINT64
  16: 1, // miUTF8
  17: 2, // miUTF16
  18: 4, // miUTF32
};
export const MI_NUMERIC = new Set([1, 2, 3, 4, 5, 6, 7, 9, 12, 13]);
const MI_BIGINT = new Set([12, 13]);
/** The class whose typed array matches a storage type byte for byte (fast path). */
const MI_NATIVE_CLASS: Readonly<Record<number, MatNumericClass>> = {
  1: 'int8',
  2: 'uint8',
  3: 'int16',
  4: 'uint16',
  5: 'int32',
  6: 'uint32',
  7: 'single',
  9: 'double',
  12: 'int64',
  13: 'uint64',
};

type Ctor = { new (n: number): MatNumericArray; new (buffer: ArrayBuffer): MatNumericArray };
const CLASS_ARRAY: Readonly<Record<MatNumericClass, Ctor>> = {
  double: Float64Array,
  single: Float32Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
};
const BIGINT_CLASS = new Set<MatNumericClass>(['int64', 'uint64']);
const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function readerFor(view: DataView, type: number, le: boolean): (offset: number) => number | bigint {
  switch (type) {
    case 1:
      return (o) => view.getInt8(o);
    case 2:
      return (o) => view.getUint8(o);
    case 3:
      return (o) => view.getInt16(o, le);
    case 4:
      return (o) => view.getUint16(o, le);
    case 5:
      return (o) => view.getInt32(o, le);
    case 6:
      return (o) => view.getUint32(o, le);
    case 7:
      return (o) => view.getFloat32(o, le);
    case 9:
      return (o) => view.getFloat64(o, le);
    case 12:
      return (o) => view.getBigInt64(o, le);
    case 13:
      return (o) => view.getBigUint64(o, le);
    default:
      throw new MatFormatError('BadElement', `data element type ${type} is not numeric`);
  }
}

/**
 * `count` values of storage `type` at `offset` of `view`, as the typed array of `cls`.
 * Integer classes take values as stored (MATLAB wrote them in range); a bigint class reads a
 * fractional float as a range error, reported as a bad element.
 */
export function readNumeric(view: DataView, offset: number, count: number, type: number, le: boolean, cls: MatNumericClass): MatNumericArray {
  const TypedArray = CLASS_ARRAY[cls];
  if (MI_NATIVE_CLASS[type] === cls && le === HOST_LITTLE_ENDIAN) {
    const start = view.byteOffset + offset;
    // slice copies into a fresh, aligned buffer that the caller owns.
    return new TypedArray(view.buffer.slice(start, start + count * MI_SIZE[type]) as ArrayBuffer);
  }
  const out = new TypedArray(count);
  const read = readerFor(view, type, le);
  const size = MI_SIZE[type];
  const toBig = BIGINT_CLASS.has(cls);
  const fromBig = MI_BIGINT.has(type);
  try {
    for (let i = 0; i < count; i++) {
      const v = read(offset + i * size);
      if (toBig) (out as BigInt64Array)[i] = typeof v === 'bigint' ? v : BigInt(v);
      else (out as Float64Array)[i] = fromBig ? Number(v) : (v as number);
    }
  } catch (e) {
    if (e instanceof RangeError) throw new MatFormatError('BadElement', `a ${cls} value cannot be read from storage type ${type}: ${e.message}`, offset);
    throw e;
  }
  return out;
}

/** The numeric class of a Level 4 / v7.3 element name, or undefined. */
export function isNumericClass(name: string): name is MatNumericClass {
  return name in CLASS_ARRAY;
}

export function allocClass(cls: MatNumericClass, n: number): MatNumericArray {
  return new CLASS_ARRAY[cls](n);
}
