import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { detectMatFormat, MatFormatError, numericVariable, readMat, readMatSync, type MatFile, type MatVariable } from '../../ml/mat/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const FIXTURES = join(here, '../fixtures/mat');
const CWRU = join(here, '../../../shared/data/cwru');

interface Expected {
  kind: string;
  class?: string;
  dims: number[];
  real?: Array<number | string>;
  imag?: number[];
  complex?: boolean;
  rows?: string[];
  fields?: string[];
}
const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as Record<
  string,
  { format: string; endian: string; variables: Record<string, Expected> }
>;

function values(a: ArrayLike<number | bigint>): Array<number | string> {
  return Array.from(a, (v) => (typeof v === 'bigint' ? v.toString() : v));
}

function checkVariable(file: string, v: MatVariable | undefined, want: Expected): void {
  expect(v, `${file}: variable missing`).toBeDefined();
  if (!v) return;
  expect(v.kind, `${file}:${v.name} kind`).toBe(want.kind);
  expect(v.dims, `${file}:${v.name} dims`).toEqual(want.dims);
  if (want.class) expect(v.class, `${file}:${v.name} class`).toBe(want.class);
  if (v.kind === 'numeric') {
    expect(v.complex).toBe(want.complex);
    const got = values(v.real);
    expect(got.length).toBe(want.real!.length);
    got.forEach((x, i) => {
      const w = want.real![i];
      if (typeof w === 'string') expect(x).toBe(w);
      // single-precision values are compared at single precision
      else expect(x as number).toBeCloseTo(w, v.class === 'single' ? 5 : 12);
    });
    if (want.imag) expect(values(v.imag!).map(Number)).toEqual(want.imag.map((x) => (v.class === 'single' ? Math.fround(x) : x)));
  }
  if (v.kind === 'char') expect(v.rows).toEqual(want.rows);
  if (v.kind === 'skipped' && want.fields) expect(v.fields).toEqual(want.fields);
}

describe('readMat against files written by scipy, h5py and a big-endian writer', () => {
  for (const [file, spec] of Object.entries(expected)) {
    it(`${file}: format, byte order and every variable`, async () => {
      const bytes = readFileSync(join(FIXTURES, file));
      const mat: MatFile = await readMat(bytes);
      expect(mat.format).toBe(spec.format);
      expect(mat.endian).toBe(spec.endian);
      const names = mat.variables.map((v) => v.name).sort();
      expect(names).toEqual(Object.keys(spec.variables).sort());
      for (const [name, want] of Object.entries(spec.variables)) {
        checkVariable(
          file,
          mat.variables.find((v) => v.name === name),
          want,
        );
      }
    });
  }

  it('the compressed and uncompressed v5 files hold the same variables', async () => {
    const a = await readMat(readFileSync(join(FIXTURES, 'v5.mat')));
    const b = await readMat(readFileSync(join(FIXTURES, 'v5z.mat')));
    expect(b.variables).toEqual(a.variables);
  });

  it('a storage type narrower than the class (double stored as int16) is widened', async () => {
    const mat = await readMat(readFileSync(join(FIXTURES, 'v5be.mat')));
    const v = numericVariable(mat, 'narrow')!;
    expect(v.real).toBeInstanceOf(Float64Array);
    expect(Array.from(v.real as Float64Array)).toEqual([-3, 0, 700]);
  });

  it('detects each format from the header alone', () => {
    expect(detectMatFormat(readFileSync(join(FIXTURES, 'v4.mat')))).toBe('v4');
    expect(detectMatFormat(readFileSync(join(FIXTURES, 'v5z.mat')))).toBe('v5');
    expect(detectMatFormat(readFileSync(join(FIXTURES, 'v73.mat')))).toBe('v7.3');
    expect(detectMatFormat(new TextEncoder().encode('a,b,c\n1,2,3\n'))).toBeUndefined();
  });

  it('refuses a v7.3 file in readMatSync and a text file anywhere, by name', async () => {
    expect(() => readMatSync(readFileSync(join(FIXTURES, 'v73.mat')))).toThrow(MatFormatError);
    await expect(readMat(new TextEncoder().encode('not a mat file at all'))).rejects.toMatchObject({ name: 'MatFormatError', code: 'NotMatFile' });
  });

  it('the inflate cap stops a compressed element that grows past it', () => {
    const v5 = readFileSync(join(FIXTURES, 'v5.mat'));
    const header = v5.subarray(0, 128);
    const payload = deflateSync(Buffer.alloc(4 << 20));
    const tag = Buffer.alloc(8);
    tag.writeUInt32LE(15, 0);
    tag.writeUInt32LE(payload.length, 4);
    const bomb = Buffer.concat([header, tag, payload]);
    expect(() => readMatSync(bomb, { maxInflatedBytes: 1 << 20 })).toThrow(expect.objectContaining({ code: 'InflateCap' }));
  });
});

describe('the ten CWRU recordings', () => {
  const files = readdirSync(CWRU).filter((f) => f.endsWith('.mat'));

  it('are all here', () => expect(files.length).toBe(10));

  for (const file of files) {
    it(`${file}: drive-end, fan-end and RPM variables with the README's lengths`, async () => {
      const mat = await readMat(readFileSync(join(CWRU, file)));
      expect(mat.format).toBe('v5');
      expect(mat.endian).toBe('little');
      const de = mat.variables.find((v) => v.name.endsWith('_DE_time'));
      const fe = mat.variables.find((v) => v.name.endsWith('_FE_time'));
      const rpm = mat.variables.find((v) => /^X\d+RPM$/.test(v.name));
      expect(de?.kind).toBe('numeric');
      expect(fe?.kind).toBe('numeric');
      expect(de?.class).toBe('double');
      expect(de?.dims[1]).toBe(1);
      const lengths: Record<string, number> = {
        normal_0_97: 243_938,
        '12k_Drive_End_IR007_0_105': 121_265,
        '12k_Drive_End_B007_0_118': 122_571,
        '12k_Drive_End_OR021@6_0_234': 122_426,
      };
      const stem = file.replace(/\.mat$/, '');
      if (lengths[stem]) expect(de?.dims[0]).toBe(lengths[stem]);
      if (rpm?.kind === 'numeric') expect(Number(rpm.real[0])).toBeGreaterThan(1700);
    });
  }
});
