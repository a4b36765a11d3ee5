/**
 * MATLAB Level 5 MAT-files (MATLAB 5 to 7.x, "-v6" and "-v7"): a 128-byte header, then tagged
 * data elements, each either a matrix (miMATRIX) or a zlib stream holding one (miCOMPRESSED).
 *
 * Every length in the file is checked against the bytes that actually exist before anything is
 * allocated or read, so a hostile length can only produce a MatFormatError: allocations are
 * bounded by the file size (× 8 for narrow storage widened to double) and by the inflate cap.
 * Every loop advances by at least one 8-byte tag, so none can spin. Reference: MathWorks,
 * "MAT-File Format" (matfile_format.pdf), sections 1-2 and 1-9 … 1-30.
 */
import { inflateSync } from 'node:zlib';
import { MatFormatError } from './errors.js';
import { MI_NUMERIC, MI_SIZE, readNumeric } from './numeric.js';
import type { MatFile, MatNumericClass, MatReadLimits, MatSkippedVariable, MatVariable } from './types.js';

const HEADER_BYTES = 128;
const MI_INT8 = 1;
const MI_UINT8 = 2;
const MI_UINT16 = 4;
const MI_INT32 = 5;
const MI_UINT32 = 6;
const MI_MATRIX = 14;
const MI_COMPRESSED = 15;
const MI_UTF8 = 16;
const MI_UTF16 = 17;
const MI_UTF32 = 18;

const MX_NUMERIC: Readonly<Record<number, MatNumericClass>> = {
  6: 'double',
  7: 'single',
  8: 'int8',
  9: 'uint8',
  10: 'int16',
  11: 'uint16',
  12: 'int32',
  13: 'uint32',
  14: 'int64',
  15: 'uint64',
};
const MX_SKIPPED: Readonly<Record<number, MatSkippedVariable['class']>> = {
  1: 'cell',
  2: 'struct',
  3: 'object',
  5: 'sparse',
  16: 'function',
  17: 'opaque',
};
const MX_CHAR = 4;
const FLAG_COMPLEX = 0x0800;
const FLAG_LOGICAL = 0x0200;

interface Tag {
  type: number;
  nbytes: number;
  /** Where the element's data starts. */
  data: number;
  /** Where the next element's tag starts. */
  next: number;
}

/** A bounded window onto one buffer (the file, or one inflated element). */
class Region {
  readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly le: boolean,
    /** How errors name this region ("" for the file, "in the element compressed at byte N"). */
    readonly where: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(code: ConstructorParameters<typeof MatFormatError>[0], message: string, offset: number): never {
    throw new MatFormatError(code, this.where ? `${message} (${this.where})` : message, offset);
  }

  tag(pos: number, end: number): Tag {
    if (end - pos < 8) this.fail('Truncated', `a data element tag needs 8 bytes, ${end - pos} left`, pos);
    const first = this.view.getUint32(pos, this.le);
    const small = first >>> 16;
    if (small !== 0) {
      // Small data element: type and size share the first 4 bytes, data fills the next 4.
      if (small > 4) this.fail('BadElement', `a small data element claims ${small} bytes (at most 4)`, pos);
      return { type: first & 0xffff, nbytes: small, data: pos + 4, next: pos + 8 };
    }
    const nbytes = this.view.getUint32(pos + 4, this.le);
    const data = pos + 8;
    if (nbytes > end - data) this.fail('LengthPastEnd', `element of type ${first} claims ${nbytes} bytes, ${end - data} left`, pos);
    // Elements are padded to 8 bytes; compressed ones are not. A missing final pad is tolerated.
    const padded = first === MI_COMPRESSED ? nbytes : Math.ceil(nbytes / 8) * 8;
    return { type: first, nbytes, data, next: Math.min(data + padded, end) };
  }
}

interface Budget {
  limits: MatReadLimits;
  inflated: number;
  elements: number;
}

function count(budget: Budget, region: Region, pos: number): void {
  if (++budget.elements > budget.limits.maxElements) {
    region.fail('TooManyElements', `more than ${budget.limits.maxElements} data elements`, pos);
  }
}

function expectType(region: Region, tag: Tag, types: number[], what: string, pos: number): void {
  if (!types.includes(tag.type)) region.fail('BadElement', `${what} has element type ${tag.type}, expected ${types.join(' or ')}`, pos);
}

function readDims(region: Region, tag: Tag, pos: number): number[] {
  expectType(region, tag, [MI_INT32], 'the dimensions array', pos);
  if (tag.nbytes % 4 !== 0 || tag.nbytes < 8) region.fail('BadDimensions', `dimensions take ${tag.nbytes} bytes (a multiple of 4, at least 2 values)`, pos);
  const dims: number[] = [];
  for (let i = 0; i < tag.nbytes / 4; i++) {
    const d = region.view.getInt32(tag.data + i * 4, region.le);
    if (d < 0) region.fail('BadDimensions', `dimension ${i + 1} is ${d}`, pos);
    dims.push(d);
  }
  return dims;
}

function numel(dims: number[]): number {
  // Float product: a hostile 2^31 × 2^31 stays finite and compares larger than any real size.
  return dims.reduce((p, d) => p * d, 1);
}

function readName(region: Region, tag: Tag, pos: number): string {
  expectType(region, tag, [MI_INT8, MI_UINT8], 'the array name', pos);
  return new TextDecoder('latin1').decode(region.bytes.subarray(tag.data, tag.data + tag.nbytes)).replace(/\0+$/, '');
}

function decodeChars(region: Region, tag: Tag, pos: number): string {
  const raw = region.bytes.subarray(tag.data, tag.data + tag.nbytes);
  switch (tag.type) {
    case MI_UTF8:
      return new TextDecoder('utf-8').decode(raw);
    case MI_INT8:
    case MI_UINT8:
      return new TextDecoder('latin1').decode(raw);
    case MI_UINT16:
    case MI_UTF16: {
      if (tag.nbytes % 2 !== 0) region.fail('BadElement', `UTF-16 text of ${tag.nbytes} bytes`, pos);
      let s = '';
      for (let i = 0; i < tag.nbytes; i += 2) s += String.fromCharCode(region.view.getUint16(tag.data + i, region.le));
      return s;
    }
    case MI_UTF32: {
      if (tag.nbytes % 4 !== 0) region.fail('BadElement', `UTF-32 text of ${tag.nbytes} bytes`, pos);
      let s = '';
      for (let i = 0; i < tag.nbytes; i += 4) {
        const cp = region.view.getUint32(tag.data + i, region.le);
        if (cp > 0x10ffff) region.fail('BadElement', `code point ${cp} out of range`, pos);
        s += String.fromCodePoint(cp);
      }
      return s;
    }
    default:
      return region.fail('BadElement', `character data has element type ${tag.type}`, pos);
  }
}

/** Column-major characters → one string per row (when the count matches the dimensions). */
function charRows(text: string, dims: number[]): string[] {
  const chars = text;
  const rows = dims[0] ?? 0;
  const cols = numel(dims.slice(1));
  if (rows === 0 || cols === 0) return [];
  if (rows * cols !== chars.length) return [text];
  const out: string[] = [];
  for (let r = 0; r < rows; r++) {
    let s = '';
    for (let c = 0; c < cols; c++) s += chars[r + c * rows];
    out.push(s);
  }
  return out;
}

/**
 * Walks (and validates) the sub-elements of a skipped struct/cell/object so that a nesting bomb
 * or a bad length inside one is still caught, without converting any data.
 */
function skimMatrices(region: Region, pos: number, end: number, depth: number, budget: Budget, expected: number, what: string): void {
  let children = 0;
  const start = pos;
  while (pos < end) {
    const tag = region.tag(pos, end);
    count(budget, region, pos);
    if (tag.type !== MI_MATRIX) region.fail('BadElement', `${what} holds an element of type ${tag.type} (expected miMATRIX)`, pos);
    parseMatrix(region, tag.data, tag.data + tag.nbytes, depth + 1, budget, true);
    children++;
    pos = tag.next;
  }
  if (children !== expected) region.fail('BadDimensions', `${what} should hold ${expected} arrays, holds ${children}`, start);
}

/** One miMATRIX element's body [start, end). With `skim`, only validates. */
function parseMatrix(region: Region, start: number, end: number, depth: number, budget: Budget, skim: boolean): MatVariable | undefined {
  if (depth > budget.limits.maxDepth) region.fail('TooDeep', `arrays nested deeper than ${budget.limits.maxDepth}`, start);
  // An empty miMATRIX is a valid empty array (MATLAB writes them inside cells).
  if (start === end) return undefined;
  let pos = start;
  const flagsTag = region.tag(pos, end);
  count(budget, region, pos);
  expectType(region, flagsTag, [MI_UINT32], 'the array flags', pos);
  if (flagsTag.nbytes !== 8) region.fail('BadElement', `array flags take ${flagsTag.nbytes} bytes, expected 8`, pos);
  const flags = region.view.getUint32(flagsTag.data, region.le);
  const mx = flags & 0xff;
  pos = flagsTag.next;

  const dimsTag = region.tag(pos, end);
  count(budget, region, pos);
  const dims = readDims(region, dimsTag, pos);
  pos = dimsTag.next;

  const nameTag = region.tag(pos, end);
  count(budget, region, pos);
  const name = readName(region, nameTag, pos);
  pos = nameTag.next;

  const n = numel(dims);
  const numericClass = MX_NUMERIC[mx];
  if (numericClass !== undefined) {
    const complex = (flags & FLAG_COMPLEX) !== 0;
    const part = (which: string) => {
      const tag = region.tag(pos, end);
      count(budget, region, pos);
      if (!MI_NUMERIC.has(tag.type)) region.fail('BadElement', `${which} part of '${name}' has element type ${tag.type}`, pos);
      const size = MI_SIZE[tag.type];
      if (tag.nbytes % size !== 0 || tag.nbytes / size !== n) {
        region.fail('BadDimensions', `'${name}' is ${dims.join('×')} (${n} values) but its ${which} part holds ${tag.nbytes} bytes of type ${tag.type}`, pos);
      }
      const values = skim ? undefined : readNumeric(region.view, tag.data, n, tag.type, region.le, numericClass);
      pos = tag.next;
      return values;
    };
    const real = part('real');
    const imag = complex ? part('imaginary') : undefined;
    if (skim || real === undefined) return undefined;
    const logical = (flags & FLAG_LOGICAL) !== 0;
    return { kind: 'numeric', name, dims, class: logical ? 'logical' : numericClass, complex, real, ...(imag ? { imag } : {}) };
  }
  if (mx === MX_CHAR) {
    const tag = region.tag(pos, end);
    count(budget, region, pos);
    const text = decodeChars(region, tag, pos);
    // MATLAB chars are UTF-16 code units, whatever encoding the file stored them in.
    if (text.length !== n) {
      region.fail('BadDimensions', `char array '${name}' is ${dims.join('×')} (${n} characters) but holds ${text.length}`, pos);
    }
    return skim ? undefined : { kind: 'char', class: 'char', name, dims, rows: charRows(text, dims) };
  }
  const skipped = MX_SKIPPED[mx];
  if (skipped === undefined) region.fail('Unsupported', `array '${name}' has unknown class ${mx}`, start);
  let fields: string[] | undefined;
  if (skipped === 'struct' || skipped === 'object') {
    if (skipped === 'object') {
      const classTag = region.tag(pos, end);
      count(budget, region, pos);
      expectType(region, classTag, [MI_INT8], 'the object class name', pos);
      pos = classTag.next;
    }
    const lenTag = region.tag(pos, end);
    count(budget, region, pos);
    expectType(region, lenTag, [MI_INT32], 'the field name length', pos);
    if (lenTag.nbytes !== 4) region.fail('BadElement', `field name length takes ${lenTag.nbytes} bytes`, pos);
    const fieldLen = region.view.getInt32(lenTag.data, region.le);
    if (fieldLen <= 0 || fieldLen > 64) region.fail('BadElement', `field name length ${fieldLen} (1 … 64)`, pos);
    pos = lenTag.next;
    const namesTag = region.tag(pos, end);
    count(budget, region, pos);
    expectType(region, namesTag, [MI_INT8, MI_UINT8], 'the field names', pos);
    if (namesTag.nbytes % fieldLen !== 0) region.fail('BadElement', `field names take ${namesTag.nbytes} bytes, not a multiple of ${fieldLen}`, pos);
    const latin1 = new TextDecoder('latin1');
    fields = [];
    for (let o = 0; o < namesTag.nbytes; o += fieldLen) {
      fields.push(latin1.decode(region.bytes.subarray(namesTag.data + o, namesTag.data + o + fieldLen)).replace(/\0.*$/s, ''));
    }
    pos = namesTag.next;
  }
  if (skipped === 'cell') skimMatrices(region, pos, end, depth, budget, n, `cell '${name}' (${dims.join('×')})`);
  if (skipped === 'struct' || skipped === 'object') {
    skimMatrices(region, pos, end, depth, budget, n * (fields?.length ?? 0), `struct '${name}' (${dims.join('×')}, ${fields?.length} fields)`);
  }
  return skim ? undefined : { kind: 'skipped', class: skipped, name, dims, ...(fields ? { fields } : {}) };
}

function inflate(region: Region, tag: Tag, pos: number, budget: Budget): Uint8Array {
  const room = budget.limits.maxInflatedBytes - budget.inflated;
  try {
    // maxOutputLength makes zlib stop (RangeError) instead of growing a buffer without bound.
    const out = inflateSync(region.bytes.subarray(tag.data, tag.data + tag.nbytes), { maxOutputLength: Math.max(1, room) });
    budget.inflated += out.byteLength;
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
      return region.fail('InflateCap', `compressed element inflates past the cap of ${budget.limits.maxInflatedBytes} bytes`, pos);
    }
    return region.fail('InflateFailed', `compressed element does not inflate: ${err.message}`, pos);
  }
}

/** Byte order and version from a v5 header, or undefined when it is not a v5/v7.3 header. */
export function level5Header(bytes: Uint8Array): { le: boolean; version: number } | undefined {
  if (bytes.byteLength < HEADER_BYTES) return undefined;
  const a = bytes[126];
  const b = bytes[127];
  let le: boolean;
  if (a === 0x49 && b === 0x4d)
    le = true; // 'IM': written little-endian
  else if (a === 0x4d && b === 0x49)
    le = false; // 'MI'
  else return undefined;
  const version = new DataView(bytes.buffer, bytes.byteOffset + 124, 2).getUint16(0, le);
  return { le, version };
}

export function headerText(bytes: Uint8Array): string {
  return new TextDecoder('latin1').decode(bytes.subarray(0, 116)).replace(/[\0 ]+$/, '');
}

export function readLevel5(bytes: Uint8Array, limits: MatReadLimits): MatFile {
  const header = level5Header(bytes);
  if (!header) throw new MatFormatError('BadHeader', 'no Level 5 header (bytes 126-127 are not "IM" or "MI")', 126);
  if (header.version !== 0x0100) throw new MatFormatError('BadHeader', `Level 5 version 0x${header.version.toString(16)} (expected 0x0100)`, 124);
  const file = new Region(bytes, header.le, '');
  const budget: Budget = { limits, inflated: 0, elements: 0 };
  const variables: MatVariable[] = [];
  const top = (region: Region, tag: Tag, pos: number) => {
    if (tag.type !== MI_MATRIX) region.fail('BadElement', `top-level element of type ${tag.type} (expected miMATRIX)`, pos);
    const v = parseMatrix(region, tag.data, tag.data + tag.nbytes, 0, budget, false);
    if (v) variables.push(v);
  };
  let pos = HEADER_BYTES;
  while (pos < bytes.byteLength) {
    const tag = file.tag(pos, bytes.byteLength);
    count(budget, file, pos);
    if (tag.type === MI_COMPRESSED) {
      const inner = new Region(inflate(file, tag, pos, budget), header.le, `in the element compressed at byte ${pos}`);
      let ipos = 0;
      while (ipos < inner.bytes.byteLength) {
        const itag = inner.tag(ipos, inner.bytes.byteLength);
        count(budget, inner, ipos);
        top(inner, itag, ipos);
        ipos = itag.next;
      }
    } else {
      top(file, tag, pos);
    }
    pos = tag.next;
  }
  return { format: 'v5', endian: header.le ? 'little' : 'big', headerText: headerText(bytes), variables };
}
