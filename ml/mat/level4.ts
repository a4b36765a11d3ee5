/**
 * MATLAB Level 4 MAT-files ("-v4"): a sequence of matrices, each a 20-byte header
 * (MOPT type, rows, columns, imaginary flag, name length), the name, the real part and the
 * imaginary part. MOPT = M·1000 + O·100 + P·10 + T: M byte order (0 little, 1 big endian
 * IEEE; VAX and Cray are refused), O always 0, P precision, T full / text / sparse.
 */
import { MatFormatError } from './errors.js';
import { readNumeric } from './numeric.js';
import type { MatFile, MatNumericClass, MatVariable } from './types.js';

/** Precision digit → (class, storage type in Level 5 numbering, bytes). */
const PRECISION: ReadonlyArray<{ cls: MatNumericClass; mi: number; size: number }> = [
  { cls: 'double', mi: 9, size: 8 },
  { cls: 'single', mi: 7, size: 4 },
  { cls: 'int32', mi: 5, size: 4 },
  { cls: 'int16', mi: 3, size: 2 },
  { cls: 'uint16', mi: 4, size: 2 },
  { cls: 'uint8', mi: 2, size: 1 },
];

interface Mopt {
  le: boolean;
  precision: number;
  kind: number;
}

function decodeMopt(value: number, le: boolean): Mopt | undefined {
  if (value < 0 || value > 4052) return undefined;
  const m = Math.floor(value / 1000);
  const o = Math.floor(value / 100) % 10;
  const p = Math.floor(value / 10) % 10;
  const t = value % 10;
  if (o !== 0 || p > 5 || t > 2) return undefined;
  if ((le && m !== 0) || (!le && m !== 1)) return undefined;
  return { le, precision: p, kind: t };
}

/** The byte order of a Level 4 file from its first MOPT, or undefined if it is not one. */
export function level4Order(bytes: Uint8Array): boolean | undefined {
  if (bytes.byteLength < 20) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, 4);
  if (decodeMopt(view.getInt32(0, true), true)) return true;
  if (decodeMopt(view.getInt32(0, false), false)) return false;
  return undefined;
}

export function readLevel4(bytes: Uint8Array): MatFile {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const order = level4Order(bytes);
  if (order === undefined) throw new MatFormatError('NotMatFile', 'no Level 4 matrix header', 0);
  const variables: MatVariable[] = [];
  let pos = 0;
  while (pos < bytes.byteLength) {
    if (bytes.byteLength - pos < 20) throw new MatFormatError('Truncated', `a Level 4 header needs 20 bytes, ${bytes.byteLength - pos} left`, pos);
    const raw = view.getInt32(pos, order);
    const mopt = decodeMopt(raw, order);
    if (!mopt) throw new MatFormatError('BadElement', `Level 4 type ${raw} is not a supported MOPT (IEEE ${order ? 'little' : 'big'} endian)`, pos);
    const rows = view.getInt32(pos + 4, order);
    const cols = view.getInt32(pos + 8, order);
    const imagf = view.getInt32(pos + 12, order);
    const namlen = view.getInt32(pos + 16, order);
    if (rows < 0 || cols < 0) throw new MatFormatError('BadDimensions', `dimensions ${rows}×${cols}`, pos);
    if (imagf !== 0 && imagf !== 1) throw new MatFormatError('BadElement', `imaginary flag ${imagf} (0 or 1)`, pos);
    if (namlen < 1 || namlen > 4096) throw new MatFormatError('BadElement', `name length ${namlen} (1 … 4096)`, pos);
    const { cls, mi, size } = PRECISION[mopt.precision];
    const n = rows * cols;
    const dataBytes = n * size * (imagf ? 2 : 1);
    const nameAt = pos + 20;
    const dataAt = nameAt + namlen;
    if (dataAt > bytes.byteLength || dataBytes > bytes.byteLength - dataAt) {
      throw new MatFormatError(
        'LengthPastEnd',
        `matrix ${rows}×${cols} needs ${namlen + dataBytes} bytes after its header, ${bytes.byteLength - nameAt} left`,
        pos,
      );
    }
    const name = new TextDecoder('latin1').decode(bytes.subarray(nameAt, dataAt)).replace(/\0.*$/s, '');
    const dims = [rows, cols];
    if (mopt.kind === 2) {
      variables.push({ kind: 'skipped', class: 'sparse', name, dims });
    } else {
      const real = readNumeric(view, dataAt, n, mi, mopt.le, cls);
      if (mopt.kind === 1) {
        const codes = Array.from(real as Float64Array, Number);
        const out: string[] = [];
        for (let r = 0; r < rows; r++) {
          let s = '';
          for (let c = 0; c < cols; c++) s += String.fromCharCode(codes[r + c * rows]);
          out.push(s);
        }
        variables.push({ kind: 'char', class: 'char', name, dims, rows: out });
      } else {
        const imag = imagf ? readNumeric(view, dataAt + n * size, n, mi, mopt.le, cls) : undefined;
        variables.push({ kind: 'numeric', name, dims, class: cls, complex: imagf === 1, real, ...(imag ? { imag } : {}) });
      }
    }
    pos = dataAt + dataBytes;
  }
  return { format: 'v4', endian: order ? 'little' : 'big', headerText: '', variables };
}
