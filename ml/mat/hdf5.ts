/**
 * MATLAB v7.3 MAT-files: HDF5 files behind a 512-byte MATLAB header (the HDF5 user block),
 * read with h5wasm (the HDF5 C library compiled to WebAssembly). MATLAB conventions on top of
 * HDF5: every variable carries a `MATLAB_class` attribute; arrays are stored transposed (HDF5 is
 * row-major), so the HDF5 shape reversed is the MATLAB size and the flat data is already
 * column-major; complex numbers are a compound {real, imag}; char is uint16 code units; empty
 * arrays are a dataset of their dimensions with `MATLAB_empty`; structs are groups; cells are
 * datasets of references (listed, not followed).
 */
import h5wasm from 'h5wasm/node';
import { MatFormatError } from './errors.js';
import { allocClass, isNumericClass } from './numeric.js';
import { headerText } from './level5.js';
import type { MatFile, MatNumericArray, MatNumericClass, MatVariable } from './types.js';

type H5File = InstanceType<typeof h5wasm.File>;
type H5Dataset = InstanceType<typeof h5wasm.Dataset>;
type H5Group = InstanceType<typeof h5wasm.Group>;

let sequence = 0;

function attrString(entity: H5Dataset | H5Group, name: string): string | undefined {
  const attr = entity.attrs[name];
  if (!attr) return undefined;
  const v = attr.value;
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return new TextDecoder('latin1').decode(v);
  return String(v);
}

function hasAttr(entity: H5Dataset | H5Group, name: string): boolean {
  return entity.attrs[name] !== undefined;
}

/** A typed array of class `cls` from what h5wasm returned (a typed array, number or bigint). */
function asClassArray(value: unknown, cls: MatNumericClass, n: number, name: string): MatNumericArray {
  const out = allocClass(cls, n);
  const big = out instanceof BigInt64Array || out instanceof BigUint64Array;
  const src: ArrayLike<number | bigint> =
    typeof value === 'number' || typeof value === 'bigint' ? [value] : ArrayBuffer.isView(value) ? (value as unknown as ArrayLike<number | bigint>) : [];
  if (src.length !== n) throw new MatFormatError('BadDimensions', `'${name}' has ${src.length} values, its shape says ${n}`);
  for (let i = 0; i < n; i++) {
    const v = src[i];
    if (big) (out as BigInt64Array)[i] = typeof v === 'bigint' ? v : BigInt(Math.trunc(v));
    else (out as Float64Array)[i] = Number(v);
  }
  return out;
}

function readDataset(name: string, ds: H5Dataset): MatVariable {
  const cls = attrString(ds, 'MATLAB_class') ?? 'double';
  const shape = ds.shape ?? [];
  const dims = shape.length === 0 ? [1, 1] : [...shape].reverse();
  if (dims.length === 1) dims.push(1);
  if (hasAttr(ds, 'MATLAB_empty')) {
    // The dataset holds the empty array's dimensions, not data.
    const d = ds.value;
    const emptyDims = ArrayBuffer.isView(d) ? Array.from(d as unknown as ArrayLike<number | bigint>, Number) : [0, 0];
    if (cls === 'char') return { kind: 'char', class: 'char', name, dims: emptyDims, rows: [] };
    const ncls: MatNumericClass = isNumericClass(cls) ? cls : 'double';
    return { kind: 'numeric', class: cls === 'logical' ? 'logical' : ncls, name, dims: emptyDims, complex: false, real: allocClass(ncls, 0) };
  }
  const n = dims.reduce((p, d) => p * d, 1);
  if (cls === 'cell' || cls === 'function_handle' || ds.metadata.type === 9 /* H5T_REFERENCE */) {
    return { kind: 'skipped', class: cls === 'function_handle' ? 'function' : 'cell', name, dims };
  }
  if (cls === 'char') {
    const codes = asClassArray(ds.value, 'uint16', n, name) as Uint16Array;
    const rows = dims[0];
    const cols = n / Math.max(1, rows);
    const out: string[] = [];
    for (let r = 0; r < rows; r++) {
      let s = '';
      for (let c = 0; c < cols; c++) s += String.fromCharCode(codes[r + c * rows]);
      out.push(s);
    }
    return { kind: 'char', class: 'char', name, dims, rows: out };
  }
  const numeric: MatNumericClass | undefined = cls === 'logical' ? 'uint8' : isNumericClass(cls) ? cls : undefined;
  if (!numeric) return { kind: 'skipped', class: cls === 'struct' ? 'struct' : 'opaque', name, dims };
  const value = ds.value;
  if (Array.isArray(value)) {
    // Compound {real, imag}: h5wasm returns one [re, im] pair per element.
    const re = allocClass(numeric, n);
    const im = allocClass(numeric, n);
    if (value.length !== n) throw new MatFormatError('BadDimensions', `'${name}' has ${value.length} values, its shape says ${n}`);
    value.forEach((pair, i) => {
      if (!Array.isArray(pair) || pair.length !== 2) throw new MatFormatError('Unsupported', `'${name}' is a compound that is not {real, imag}`);
      const big = re instanceof BigInt64Array || re instanceof BigUint64Array;
      (re as Float64Array)[i] = (big ? BigInt(pair[0] as number) : Number(pair[0])) as number;
      (im as Float64Array)[i] = (big ? BigInt(pair[1] as number) : Number(pair[1])) as number;
    });
    return { kind: 'numeric', class: numeric, name, dims, complex: true, real: re, imag: im };
  }
  return { kind: 'numeric', class: cls === 'logical' ? 'logical' : numeric, name, dims, complex: false, real: asClassArray(value, numeric, n, name) };
}

function readEntries(file: H5File): MatVariable[] {
  const out: MatVariable[] = [];
  for (const name of file.keys()) {
    // MATLAB's own bookkeeping group for references (cells point into it).
    if (name === '#refs#' || name === '#subsystem#') continue;
    const entity = file.get(name);
    if (entity instanceof h5wasm.Dataset) out.push(readDataset(name, entity));
    else if (entity instanceof h5wasm.Group) {
      const cls = attrString(entity, 'MATLAB_class');
      out.push({ kind: 'skipped', class: cls === 'struct' || cls === undefined ? 'struct' : 'object', name, dims: [1, 1], fields: entity.keys() });
    }
  }
  return out;
}

export async function readV73(bytes: Uint8Array): Promise<MatFile> {
  const { FS } = await h5wasm.ready;
  if (!FS) throw new MatFormatError('Hdf5Error', 'h5wasm did not initialise its file system');
  // h5wasm reads from its in-memory file system; a unique name keeps concurrent reads apart.
  const path = `/mat-${process.pid}-${++sequence}.h5`;
  FS.writeFile(path, bytes);
  let file: H5File | undefined;
  try {
    try {
      file = new h5wasm.File(path, 'r');
    } catch (e) {
      throw new MatFormatError('Hdf5Error', `HDF5 cannot open the file: ${(e as Error).message}`);
    }
    let variables: MatVariable[];
    try {
      variables = readEntries(file);
    } catch (e) {
      if (e instanceof MatFormatError) throw e;
      throw new MatFormatError('Hdf5Error', `HDF5 cannot read the file: ${(e as Error).message}`);
    }
    return { format: 'v7.3', endian: 'little', headerText: headerText(bytes), variables };
  } finally {
    try {
      file?.close();
    } finally {
      FS.unlink(path);
    }
  }
}
