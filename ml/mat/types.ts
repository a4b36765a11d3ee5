/**
 * What the MAT reader returns. Arrays keep MATLAB's column-major order and its class: a double
 * variable is a Float64Array, int64 a BigInt64Array, and so on, so nothing is silently rounded.
 */

export type MatFormat = 'v4' | 'v5' | 'v7.3';

export type MatNumericClass = 'double' | 'single' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64';

export type MatClass = MatNumericClass | 'logical' | 'char' | 'struct' | 'cell' | 'object' | 'sparse' | 'function' | 'opaque';

export type MatNumericArray =
  Float64Array | Float32Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

interface MatVariableBase {
  name: string;
  /** MATLAB dimensions (rows, columns, …). */
  dims: number[];
}

/** A numeric or logical array: `real` (and `imag` when complex), column-major. */
export interface MatNumericVariable extends MatVariableBase {
  kind: 'numeric';
  class: MatNumericClass | 'logical';
  complex: boolean;
  real: MatNumericArray;
  imag?: MatNumericArray;
}

/** A character array: one string per row (a 1×n char array is one string). */
export interface MatCharVariable extends MatVariableBase {
  kind: 'char';
  class: 'char';
  rows: string[];
}

/** Structs, cells, objects, sparse matrices, function handles: listed, contents not read. */
export interface MatSkippedVariable extends MatVariableBase {
  kind: 'skipped';
  class: Exclude<MatClass, MatNumericClass | 'logical' | 'char'>;
  /** Field names of a struct or object, when the format gives them. */
  fields?: string[];
}

export type MatVariable = MatNumericVariable | MatCharVariable | MatSkippedVariable;

export interface MatFile {
  format: MatFormat;
  /** Byte order of a v4/v5 file (v7.3: whatever HDF5 recorded, reported as 'little'). */
  endian: 'little' | 'big';
  /** The descriptive text of a v5/v7.3 header ("MATLAB 5.0 MAT-file, Platform: …"), trimmed. */
  headerText: string;
  variables: MatVariable[];
}

/**
 * Bounds that turn hostile input into an error instead of a hang or an out-of-memory. The file
 * size itself is the caller's cap (the import refuses large files before reading them).
 */
export interface MatReadLimits {
  /** Total bytes all miCOMPRESSED elements of one file may inflate to. */
  maxInflatedBytes: number;
  /** Nesting depth of cells/structs inside one variable. */
  maxDepth: number;
  /** Data elements one file may contain (tags walked, nested ones included). */
  maxElements: number;
}

export const DEFAULT_MAT_LIMITS: MatReadLimits = {
  maxInflatedBytes: 512 * 1024 * 1024,
  maxDepth: 32,
  maxElements: 1_000_000,
};
