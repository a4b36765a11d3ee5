/**
 * Byte encodings of what we store. Float arrays are always little-endian on disk, whatever the
 * host, so an artifact's hash (its URI) is the same on every machine. JSON is canonical (sorted
 * keys), so equal values give equal bytes and therefore the same URI.
 */
import { canonicalJson } from '../contracts/ids.js';
import { ArtifactError } from './errors.js';
import type { ArtifactStore, StoredArtifact } from './types.js';

export const MEDIA_TYPES = {
  float32le: 'application/x-float32le',
  json: 'application/json',
} as const;

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Float32 values → little-endian bytes (a copy; the input is not aliased). */
export function encodeFloat32LE(values: Float32Array | ArrayLike<number>): Uint8Array {
  const f32 = values instanceof Float32Array ? values : Float32Array.from(values);
  if (HOST_IS_LITTLE_ENDIAN) {
    return new Uint8Array(f32.buffer.slice(f32.byteOffset, f32.byteOffset + f32.byteLength));
  }
  const out = new Uint8Array(f32.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < f32.length; i++) view.setFloat32(i * 4, f32[i], true);
  return out;
}

/**
 * Little-endian bytes → Float32Array (always a fresh, aligned copy: the input may sit at any
 * byte offset of a shared Buffer). Throws ARTIFACT_CORRUPT if the length is not a multiple of 4.
 */
export function decodeFloat32LE(bytes: Uint8Array, uri?: string): Float32Array {
  if (bytes.byteLength % 4 !== 0) {
    throw new ArtifactError(
      'ARTIFACT_CORRUPT',
      `${uri ? `artifact ${uri}` : 'data'} is not float32 little-endian: ${bytes.byteLength} bytes is not a multiple of 4`,
      uri,
    );
  }
  const n = bytes.byteLength / 4;
  if (HOST_IS_LITTLE_ENDIAN) {
    return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  }
  const out = new Float32Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/** Aliases: float32 artifacts are always little-endian, so the short names mean the same. */
export const encodeFloat32 = encodeFloat32LE;
export const decodeFloat32 = decodeFloat32LE;

/** Canonical JSON (sorted keys, undefined dropped) as UTF-8. */
export function encodeJson(value: unknown): Uint8Array {
  return new TextEncoder().encode(canonicalJson(value));
}

/** UTF-8 JSON → value; throws ARTIFACT_CORRUPT (naming the URI when given) if it does not parse. */
export function decodeJson(bytes: Uint8Array, uri?: string): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
  } catch (err) {
    throw new ArtifactError('ARTIFACT_CORRUPT', `${uri ? `artifact ${uri}` : 'data'} is not valid JSON: ${(err as Error).message}`, uri, {
      cause: err,
    });
  }
}

/** Store a float32 array (e.g. a signal) and return where it went. */
export function putFloat32(store: ArtifactStore, values: Float32Array | ArrayLike<number>, kind: string): Promise<StoredArtifact> {
  return store.put(encodeFloat32LE(values), { kind, mediaType: MEDIA_TYPES.float32le });
}

export async function getFloat32(store: ArtifactStore, uri: string): Promise<Float32Array> {
  return decodeFloat32LE(await store.get(uri), uri);
}

export function putJson(store: ArtifactStore, value: unknown, kind: string): Promise<StoredArtifact> {
  return store.put(encodeJson(value), { kind, mediaType: MEDIA_TYPES.json });
}

/** Read a JSON artifact. The result is unknown: validate it with the contract's schema. */
export async function getJson(store: ArtifactStore, uri: string): Promise<unknown> {
  return decodeJson(await store.get(uri), uri);
}
