import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ArtifactError,
  decodeFloat32LE,
  decodeJson,
  encodeFloat32LE,
  encodeJson,
  FileArtifactStore,
  getFloat32,
  getJson,
  MEDIA_TYPES,
  parseArtifactUri,
  putFloat32,
  putJson,
  sha256Hex,
} from '../../artifacts/index.js';
import { rejectionOf, thrownBy } from '../support/errors.js';

const META = { kind: 'test', mediaType: 'application/octet-stream' };

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

const errorOf = (p: Promise<unknown>): Promise<ArtifactError> => rejectionOf(p, ArtifactError);

describe('FileArtifactStore', () => {
  let dir: string;
  let store: FileArtifactStore;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'faultline-artifacts-'));
    store = new FileArtifactStore(dir);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('addresses content by hash: same bytes, same URI, one file', async () => {
    const bytes = new Uint8Array([1, 2, 3, 4, 5]);
    const a = await store.put(bytes, META);
    const b = await store.put(Uint8Array.from(bytes), { kind: 'other', mediaType: 'x/y' });
    const hex = sha256Hex(bytes);
    expect(a).toEqual({ uri: `artifact:sha256/${hex}`, sha256: hex, bytes: 5 });
    expect(b).toEqual(a);
    expect(await listFiles(dir)).toEqual([path.join('sha256', hex.slice(0, 2), hex)]);
    expect(store.pathOf(a.uri)).toBe(path.join(dir, 'sha256', hex.slice(0, 2), hex));
    expect(await store.has(a.uri)).toBe(true);
    expect(Array.from(await store.get(a.uri))).toEqual([1, 2, 3, 4, 5]);

    const other = await store.put(new Uint8Array([9]), META);
    expect(other.uri).not.toBe(a.uri);
    expect(await listFiles(dir)).toHaveLength(2);
  });

  it('stores empty content', async () => {
    const empty = await store.put(new Uint8Array(0), META);
    expect((await store.get(empty.uri)).byteLength).toBe(0);
  });

  it('detects corruption on read, naming the URI, and repairs it on the next put', async () => {
    const data = randomBytes(1024);
    const { uri } = await store.put(data, META);
    await writeFile(store.pathOf(uri), Buffer.from(data).fill(0, 0, 10));
    const err = await errorOf(store.get(uri));
    expect(err.code).toBe('ARTIFACT_CORRUPT');
    expect(err.message).toContain(uri);
    expect(err.uri).toBe(uri);

    await store.put(data, META);
    expect(Buffer.from(await store.get(uri)).equals(data)).toBe(true);
  });

  it('reports a missing artifact with ARTIFACT_NOT_FOUND', async () => {
    const uri = `artifact:sha256/${'0'.repeat(64)}`;
    expect(await store.has(uri)).toBe(false);
    const err = await errorOf(store.get(uri));
    expect(err.code).toBe('ARTIFACT_NOT_FOUND');
    expect(err.message).toContain(uri);
  });

  it.each(['', 'artifact:sha256/xyz', `artifact:sha256/${'A'.repeat(64)}`, `file:///etc/passwd`, `artifact:sha256/../../${'0'.repeat(58)}`])(
    'rejects the malformed URI %j, naming it',
    async (bad) => {
      const err = await errorOf(store.get(bad));
      expect(err.code).toBe('ARTIFACT_INVALID_URI');
      expect(err.message).toContain(JSON.stringify(bad));
      await expect(store.has(bad)).rejects.toThrow(ArtifactError);
      expect(() => store.pathOf(bad)).toThrow(ArtifactError);
    },
  );

  it('survives concurrent puts of the same content', async () => {
    const data = randomBytes(1 << 20);
    const results = await Promise.all(Array.from({ length: 16 }, () => store.put(data, META)));
    expect(new Set(results.map((r) => r.uri)).size).toBe(1);
    // No temporary files are left behind, only the artifact itself.
    expect(await listFiles(dir)).toHaveLength(1);
    expect(Buffer.from(await store.get(results[0].uri)).equals(data)).toBe(true);
    expect(parseArtifactUri(results[0].uri)).toBe(sha256Hex(data));
  });
});

describe('codecs', () => {
  it('encodes float32 little-endian regardless of the host', () => {
    expect(Array.from(encodeFloat32LE([1]))).toEqual([0x00, 0x00, 0x80, 0x3f]);
    expect(Array.from(encodeFloat32LE(new Float32Array([-2])))).toEqual([0x00, 0x00, 0x00, 0xc0]);
  });

  it('round-trips float32 values exactly, including special values', () => {
    const values = new Float32Array([0, -0, 1.5, -3.25e-8, 1e-45, 3.4028234663852886e38, Infinity, -Infinity, NaN, Math.PI]);
    const back = decodeFloat32LE(encodeFloat32LE(values));
    expect(back).toHaveLength(values.length);
    for (let i = 0; i < values.length; i++) expect(Object.is(back[i], values[i])).toBe(true);
  });

  it('decodes from an unaligned view into an aligned copy and does not alias its input', () => {
    const encoded = encodeFloat32LE(new Float32Array([1, 2, 3]));
    const padded = new Uint8Array(encoded.length + 1);
    padded.set(encoded, 1);
    const view = padded.subarray(1);
    const decoded = decodeFloat32LE(view);
    expect(Array.from(decoded)).toEqual([1, 2, 3]);
    padded.fill(0);
    expect(Array.from(decoded)).toEqual([1, 2, 3]);

    const source = new Float32Array([7, 8]);
    const bytes = encodeFloat32LE(source.subarray(1));
    source[1] = 0;
    expect(Array.from(decodeFloat32LE(bytes))).toEqual([8]);
  });

  it('rejects float32 data whose length is not a multiple of 4', () => {
    expect(() => decodeFloat32LE(new Uint8Array(5), 'artifact:sha256/x')).toThrow(/artifact:sha256\/x.*multiple of 4/);
  });

  it('encodes JSON canonically and reports undecodable JSON as corrupt', () => {
    expect(encodeJson({ b: 1, a: [1, { d: 2, c: 3 }] })).toEqual(encodeJson({ a: [1, { c: 3, d: 2 }], b: 1 }));
    expect(decodeJson(encodeJson({ a: 'é' }))).toEqual({ a: 'é' });
    const err = thrownBy(() => decodeJson(new TextEncoder().encode('{oops'), 'artifact:sha256/y'), ArtifactError);
    expect(err.code).toBe('ARTIFACT_CORRUPT');
  });

  it('puts and gets typed values through a store', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'faultline-codecs-'));
    try {
      const store = new FileArtifactStore(dir);
      const signal = Float32Array.from({ length: 4096 }, (_, i) => Math.sin(i / 10));
      const stored = await putFloat32(store, signal, 'signal');
      expect(stored.bytes).toBe(4096 * 4);
      expect(await getFloat32(store, stored.uri)).toEqual(signal);
      const report = await putJson(store, { z: 1, a: 2 }, 'report');
      expect(await getJson(store, report.uri)).toEqual({ a: 2, z: 1 });
      expect((await putJson(store, { a: 2, z: 1 }, 'report')).uri).toBe(report.uri);
      expect(MEDIA_TYPES.float32le).toBe('application/x-float32le');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
