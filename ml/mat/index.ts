/**
 * Our MAT-file reader (the only one on npm is GPL): Level 4, Level 5 (v6/v7, compressed or
 * not, either byte order) and v7.3 (HDF5, through h5wasm). `readMat` tells them apart by their
 * headers, as MATLAB and scipy do: a v5/v7.3 file has a 128-byte text header ending in a
 * version and "IM"/"MI"; a Level 4 file starts straight with a matrix header.
 */
import { MatFormatError } from './errors.js';
import { readV73 } from './hdf5.js';
import { level4Order, readLevel4 } from './level4.js';
import { level5Header, readLevel5 } from './level5.js';
import { DEFAULT_MAT_LIMITS, type MatFile, type MatNumericVariable, type MatReadLimits, type MatVariable } from './types.js';

export * from './types.js';
export { MatFormatError, isMatFormatError, type MatErrorCode } from './errors.js';

export function detectMatFormat(bytes: Uint8Array): MatFile['format'] | undefined {
  const v5 = level5Header(bytes);
  if (v5?.version === 0x0100) return 'v5';
  if (v5?.version === 0x0200) return 'v7.3';
  // A v5 header starts with text; Level 4 with a small integer that has zero bytes in it.
  if (level4Order(bytes) !== undefined && bytes.subarray(0, 4).includes(0)) return 'v4';
  return undefined;
}

/** Reads every variable of a MAT-file held in memory. Throws MatFormatError, nothing else. */
export async function readMat(bytes: Uint8Array, limits: Partial<MatReadLimits> = {}): Promise<MatFile> {
  const format = detectMatFormat(bytes);
  if (format === 'v7.3') return readV73(bytes);
  return readMatSync(bytes, limits);
}

/** Level 4 and 5 only (no WebAssembly to wait for). */
export function readMatSync(bytes: Uint8Array, limits: Partial<MatReadLimits> = {}): MatFile {
  const format = detectMatFormat(bytes);
  const all = { ...DEFAULT_MAT_LIMITS, ...limits };
  try {
    if (format === 'v5') return readLevel5(bytes, all);
    if (format === 'v4') return readLevel4(bytes);
  } catch (e) {
    if (e instanceof MatFormatError) throw e;
    // Anything else would be a bug of ours on odd input: still report it as this file's problem.
    throw new MatFormatError('BadElement', `unreadable: ${(e as Error).message}`);
  }
  if (format === 'v7.3') throw new MatFormatError('Unsupported', 'a v7.3 (HDF5) file needs readMat, not readMatSync');
  throw new MatFormatError('NotMatFile', `not a MAT-file (${bytes.byteLength} bytes, no Level 4 or Level 5 header)`, 0);
}

/** A numeric variable by name, or undefined. */
export function numericVariable(file: MatFile, name: string): MatNumericVariable | undefined {
  const v = file.variables.find((x) => x.name === name);
  return v?.kind === 'numeric' ? v : undefined;
}

/** A real numeric variable's values as float64 (any numeric class). */
export function toFloat64(v: MatNumericVariable): Float64Array {
  if (v.real instanceof Float64Array) return v.real;
  return Float64Array.from(v.real as ArrayLike<number | bigint>, Number);
}

/** One line per variable, for listings and error messages ("X097_DE_time double 243938×1"). */
export function describeVariable(v: MatVariable): string {
  const complex = v.kind === 'numeric' && v.complex ? ' complex' : '';
  return `${v.name} ${v.class}${complex} ${v.dims.join('×')}`;
}
