/**
 * Hostile and damaged MAT-files: every one must end in a MatFormatError (or, for a mutation
 * that happens to leave a valid file, a normal result) — never another exception, a hang or a
 * runaway allocation. The test timeout catches a hang; the caps catch the allocations.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MatFormatError, readMat, readMatSync } from '../../ml/mat/index.js';
import { mulberry32 } from '../../ml/random.js';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/mat');
const load = (name: string) => new Uint8Array(readFileSync(join(FIXTURES, name)));

/** Where every data element tag of an uncompressed little-endian v5 file starts (walked here, not by the reader). */
function tagStarts(bytes: Uint8Array): Array<{ at: number; top: boolean; small: boolean }> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Array<{ at: number; top: boolean; small: boolean }> = [];
  const walk = (pos: number, end: number, top: boolean) => {
    while (pos < end) {
      const first = view.getUint32(pos, true);
      const small = first >>> 16 !== 0;
      out.push({ at: pos, top, small });
      if (small) {
        pos += 8;
        continue;
      }
      const n = view.getUint32(pos + 4, true);
      if (first === 14) walk(pos + 8, pos + 8 + n, false);
      pos += 8 + (first === 15 ? n : Math.ceil(n / 8) * 8);
    }
  };
  walk(128, bytes.byteLength, true);
  return out;
}

/** Reads; returns 'ok' or the MatFormatError code; anything else fails the test. */
async function outcome(bytes: Uint8Array): Promise<string> {
  try {
    await readMat(bytes, { maxInflatedBytes: 8 << 20 });
    return 'ok';
  } catch (e) {
    if (e instanceof MatFormatError) {
      expect(e.message.length).toBeGreaterThan(10);
      return e.code;
    }
    throw new Error(`not a MatFormatError: ${String(e)}`, { cause: e });
  }
}

describe('truncation', () => {
  const v5 = load('v5.mat');
  const tags = tagStarts(v5);

  it('the fixture has enough element boundaries to be a real test', () => expect(tags.length).toBeGreaterThan(60));

  it('at every element boundary: a named error inside a variable, a shorter valid file between variables', async () => {
    let errors = 0;
    for (const { at, top } of tags) {
      if (at === 128) continue;
      const result = await outcome(v5.subarray(0, at));
      if (top) expect(result, `cut at top-level boundary ${at}`).toBe('ok');
      else {
        expect(result, `cut at nested boundary ${at}`).not.toBe('ok');
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(50);
  });

  it('in the middle of every tag: always a named error', async () => {
    for (const { at } of tags) {
      expect(await outcome(v5.subarray(0, at + 5)), `cut at ${at + 5}`).toMatch(/Truncated|LengthPastEnd|BadElement|BadDimensions/);
    }
  });

  it('a compressed file cut anywhere inside its zlib streams', async () => {
    const z = load('v5z.mat');
    const boundaries = new Set(tagStarts(z).map((t) => t.at));
    let cuts = 0;
    for (let cut = 136; cut < z.byteLength - 1; cut += 7) {
      if (boundaries.has(cut)) continue;
      const r = await outcome(z.subarray(0, cut));
      expect(r, `cut at ${cut}`).toMatch(/Truncated|LengthPastEnd|InflateFailed/);
      cuts++;
    }
    expect(cuts).toBeGreaterThan(150);
  });

  it('Level 4, big-endian and v7.3 files cut short', async () => {
    for (const name of ['v4.mat', 'v5be.mat', 'v73.mat']) {
      const f = load(name);
      for (const frac of [0.1, 0.3, 0.5, 0.7, 0.9, 0.99]) {
        const cut = Math.floor(f.byteLength * frac);
        const r = await outcome(f.subarray(0, cut));
        // v4/v5be may end exactly between variables; v7.3 lost its HDF5 metadata at the end.
        if (name === 'v73.mat') expect(r, `${name} cut at ${cut}`).not.toBe('ok');
      }
    }
  });
});

describe('huge lengths', () => {
  const v5 = load('v5.mat');
  const tags = tagStarts(v5).filter((t) => !t.small);

  it('a length field past the end at every element: LengthPastEnd', async () => {
    for (const { at } of tags) {
      const bad = v5.slice();
      new DataView(bad.buffer).setUint32(at + 4, 0xfffffff8, true);
      expect(await outcome(bad), `length at ${at}`).toBe('LengthPastEnd');
    }
  });

  it('dimensions of 2^31-1 × 2^31-1: refused before any allocation', async () => {
    const view = new DataView(v5.buffer, v5.byteOffset);
    let changed = 0;
    for (const { at } of tagStarts(v5)) {
      // the dimensions element: miINT32 with 8 bytes, right after an 8-byte miUINT32 flags element
      if (view.getUint32(at, true) === 5 && view.getUint32(at + 4, true) === 8 && view.getUint32(at - 16, true) === 6) {
        const bad = v5.slice();
        const dv = new DataView(bad.buffer);
        dv.setInt32(at + 8, 0x7fffffff, true);
        dv.setInt32(at + 12, 0x7fffffff, true);
        expect(await outcome(bad), `dims at ${at}`).toMatch(/BadDimensions|BadElement/);
        changed++;
      }
    }
    expect(changed).toBeGreaterThan(15);
  });

  it('negative dimensions are refused', async () => {
    const bad = v5.slice();
    const dims = tagStarts(v5).find((t) => new DataView(bad.buffer).getUint32(t.at, true) === 5)!;
    new DataView(bad.buffer).setInt32(dims.at + 8, -5, true);
    expect(await outcome(bad)).toBe('BadDimensions');
  });
});

describe('bit flips', () => {
  for (const name of ['v5.mat', 'v5z.mat', 'v4.mat', 'v5be.mat']) {
    it(`${name}: 60 seeded single-bit flips each end in a result or a named error`, async () => {
      const f = load(name);
      const rand = mulberry32(name.length * 7919);
      const codes = new Map<string, number>();
      for (let i = 0; i < 60; i++) {
        const bad = f.slice();
        const at = Math.floor(rand() * bad.byteLength);
        bad[at] ^= 1 << Math.floor(rand() * 8);
        const r = await outcome(bad);
        codes.set(r, (codes.get(r) ?? 0) + 1);
      }
      // Not every flip lands on structure, but some must, or the test tests nothing.
      expect([...codes.keys()].some((c) => c !== 'ok')).toBe(true);
    });
  }

  it('v73.mat: 30 flips in its HDF5 metadata never escape as another error', async () => {
    const f = load('v73.mat');
    const rand = mulberry32(73);
    for (let i = 0; i < 30; i++) {
      const bad = f.slice();
      const at = 512 + Math.floor(rand() * 2048);
      bad[at] ^= 1 << Math.floor(rand() * 8);
      await outcome(bad);
    }
  });
});

describe('constructed attacks', () => {
  const header = load('v5.mat').subarray(0, 128);
  const element = (type: number, payload: Uint8Array) => {
    const padded = new Uint8Array(8 + Math.ceil(payload.byteLength / 8) * 8);
    const dv = new DataView(padded.buffer);
    dv.setUint32(0, type, true);
    dv.setUint32(4, payload.byteLength, true);
    padded.set(payload, 8);
    return padded;
  };
  const concat = (...parts: Uint8Array[]) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.byteLength;
    }
    return out;
  };
  const u32 = (...xs: number[]) => new Uint8Array(new Uint32Array(xs).buffer);
  const i32 = (...xs: number[]) => new Uint8Array(new Int32Array(xs).buffer);
  /** A 1×1 cell holding `inner` (or an empty matrix at the bottom). */
  const cell = (inner: Uint8Array | undefined) =>
    element(14, concat(element(6, u32(1, 0)), element(5, i32(1, 1)), element(1, new TextEncoder().encode('c')), inner ?? element(14, new Uint8Array(0))));

  it('cells nested 200 deep: TooDeep', async () => {
    let m: Uint8Array | undefined;
    for (let i = 0; i < 200; i++) m = cell(m);
    expect(await outcome(concat(header, m!))).toBe('TooDeep');
  });

  it('cells nested 10 deep are fine and listed as a skipped cell', async () => {
    let m: Uint8Array | undefined;
    for (let i = 0; i < 10; i++) m = cell(m);
    const f = await readMat(concat(header, m!));
    expect(f.variables).toEqual([{ kind: 'skipped', class: 'cell', name: 'c', dims: [1, 1] }]);
  });

  it('a compressed element that inflates past the cap: InflateCap, not an allocation', async () => {
    const bomb = deflateSync(Buffer.alloc(64 << 20));
    const tag = new Uint8Array(8);
    new DataView(tag.buffer).setUint32(0, 15, true);
    new DataView(tag.buffer).setUint32(4, bomb.byteLength, true);
    expect(await outcome(concat(header, tag, bomb))).toBe('InflateCap');
  });

  it('a compressed element of garbage: InflateFailed', async () => {
    const tag = new Uint8Array(8);
    new DataView(tag.buffer).setUint32(0, 15, true);
    new DataView(tag.buffer).setUint32(4, 64, true);
    expect(await outcome(concat(header, tag, new Uint8Array(64).fill(0xab)))).toBe('InflateFailed');
  });

  it('a flood of tiny elements: TooManyElements under the element cap', () => {
    const tiny = element(14, new Uint8Array(0));
    const flood = concat(header, ...Array.from({ length: 5000 }, () => tiny));
    expect(() => readMatSync(flood, { maxElements: 1000 })).toThrow(expect.objectContaining({ code: 'TooManyElements' }));
  });

  it('an unknown class and an unexpected top-level element are named', async () => {
    const weird = element(14, concat(element(6, u32(99, 0)), element(5, i32(1, 1)), element(1, new TextEncoder().encode('w'))));
    expect(await outcome(concat(header, weird))).toBe('Unsupported');
    expect(await outcome(concat(header, element(9, new Uint8Array(8))))).toBe('BadElement');
  });

  it('a header with a wrong byte-order mark or version', async () => {
    const bad = load('v5.mat');
    bad[126] = 0x41;
    expect(await outcome(bad)).toBe('NotMatFile');
    const v = load('v5.mat');
    new DataView(v.buffer).setUint16(124, 0x0300, true);
    expect(await outcome(v)).toBe('NotMatFile');
  });
});
