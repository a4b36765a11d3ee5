import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config/index.js';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, PayloadDecryptionError } from '../../temporal-config/payload-codec.js';
import { thrownBy } from '../support/errors.js';

const K1 = randomBytes(32).toString('base64');
const K2 = randomBytes(32).toString('base64');
const json = (v: unknown) => ({ metadata: { encoding: new TextEncoder().encode('json/plain') }, data: new TextEncoder().encode(JSON.stringify(v)) });
const text = (u: Uint8Array | null | undefined) => new TextDecoder().decode(u ?? new Uint8Array());

describe('AesGcmPayloadCodec', () => {
  const codec = new AesGcmPayloadCodec({ activeKeyId: 'k1', keys: { k1: K1 } });

  it('round-trips a payload with its metadata; the ciphertext hides it and differs every time', async () => {
    const original = json({ datasetId: 'secret-plant-7', rpm: 1797 });
    const [a] = await codec.encode([original]);
    const [b] = await codec.encode([original]);
    expect(text(a.metadata?.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(a.metadata?.['encryption-key-id'])).toBe('k1');
    expect(Buffer.from(a.data!).toString('latin1')).not.toContain('secret-plant-7');
    expect(Buffer.from(a.data!).equals(Buffer.from(b.data!))).toBe(false);
    const [back] = await codec.decode([a]);
    expect(text(back.metadata?.encoding)).toBe('json/plain');
    expect(JSON.parse(text(back.data))).toEqual({ datasetId: 'secret-plant-7', rpm: 1797 });
  });

  it('passes plain payloads through on decode (histories from before encryption was turned on)', async () => {
    const plain = json({ a: 1 });
    expect(await codec.decode([plain])).toEqual([plain]);
  });

  it('rotation: the new active key encrypts, the old one still decrypts; a dropped key is named', async () => {
    const [old] = await codec.encode([json('old run')]);
    const rotated = new AesGcmPayloadCodec({ activeKeyId: 'k2', keys: { k2: K2, k1: K1 } });
    const [fresh] = await rotated.encode([json('new run')]);
    expect(text(fresh.metadata?.['encryption-key-id'])).toBe('k2');
    expect((await rotated.decode([old, fresh])).map((p) => JSON.parse(text(p.data)))).toEqual(['old run', 'new run']);
    const onlyNew = new AesGcmPayloadCodec({ activeKeyId: 'k2', keys: { k2: K2 } });
    await expect(onlyNew.decode([old])).rejects.toThrow('payload encrypted with key id "k1", which is not in PAYLOAD_KEYS (known: k2)');
  });

  it('refuses tampered data, a relabelled key id, and a truncated payload', async () => {
    const [enc] = await codec.encode([json({ x: 1 })]);
    const flipped = new Uint8Array(enc.data!);
    flipped[20] ^= 1;
    await expect(codec.decode([{ ...enc, data: flipped }])).rejects.toThrow(PayloadDecryptionError);
    // Same key bytes under another id: the id is authenticated, so this fails too.
    const twin = new AesGcmPayloadCodec({ activeKeyId: 'k1', keys: { k1: K1, other: K1 } });
    const relabelled = { ...enc, metadata: { ...enc.metadata, 'encryption-key-id': new TextEncoder().encode('other') } };
    await expect(twin.decode([relabelled])).rejects.toThrow('failed authentication: wrong key or tampered data');
    await expect(codec.decode([{ ...enc, data: enc.data!.slice(0, 10) }])).rejects.toThrow('encrypted payload of 10 bytes is too short');
  });
});

describe('PAYLOAD_KEYS configuration', () => {
  const load = (env: Record<string, string>) => loadConfig(env, path.resolve('/srv'));
  const problem = (env: Record<string, string>) => thrownBy(() => load(env), ConfigError).message;

  it('parses id:base64 pairs; the first is active unless PAYLOAD_KEY_ID says otherwise', () => {
    expect(load({}).payloadEncryption).toBeUndefined();
    expect(load({ PAYLOAD_KEYS: `a:${K1}, b:${K2}` }).payloadEncryption).toEqual({ activeKeyId: 'a', keys: { a: K1, b: K2 } });
    expect(load({ PAYLOAD_KEYS: `a:${K1},b:${K2}`, PAYLOAD_KEY_ID: 'b' }).payloadEncryption?.activeKeyId).toBe('b');
  });

  it('names the entry and the problem, never the key', () => {
    const short = randomBytes(16).toString('base64');
    expect(problem({ PAYLOAD_KEYS: `a:${short}` })).toContain('PAYLOAD_KEYS="(hidden)": entry 1 (key id "a"): the key must be 32 bytes in base64');
    expect(problem({ PAYLOAD_KEYS: `a:${short}` })).not.toContain(short);
    expect(problem({ PAYLOAD_KEYS: `a:${K1},a:${K2}` })).toContain('entry 2 (key id "a"): the key id appears twice');
    expect(problem({ PAYLOAD_KEYS: K1 })).toContain('entry 1: must be <key id>:<base64 key>');
    expect(problem({ PAYLOAD_KEYS: `a:${K1}`, PAYLOAD_KEY_ID: 'z' })).toContain('PAYLOAD_KEY_ID="z": is not a key id of PAYLOAD_KEYS (a)');
    expect(problem({ PAYLOAD_KEY_ID: 'z' })).toContain('PAYLOAD_KEY_ID="z": is set but PAYLOAD_KEYS is not');
    expect(problem({ CODEC_SERVER_TOKEN: 'short' })).toContain('CODEC_SERVER_TOKEN');
  });

  it('the codec server answers the embedded Web UI by default, or the listed origins', () => {
    expect(load({}).codecServer).toEqual({ bind: '127.0.0.1:8888', token: undefined, corsOrigins: ['http://127.0.0.1:8233', 'http://localhost:8233'] });
    expect(load({ CODEC_CORS_ORIGINS: 'https://ui.example/, https://b.example' }).codecServer.corsOrigins).toEqual(['https://ui.example', 'https://b.example']);
  });
});
