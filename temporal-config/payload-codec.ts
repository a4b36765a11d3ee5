import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import type { PayloadEncryption } from '../config/index.js';

/**
 * AES-256-GCM payload encryption for everything Temporal stores about a run: workflow and
 * activity inputs and results, heartbeats, signals, queries, memos and (with the failure
 * converter's encodeCommonAttributes) failure messages and stack traces. Search attributes are
 * not payload-coded by Temporal and stay readable: ours hold only ids, kinds and statuses.
 *
 * A payload is serialised whole (metadata included, so its original encoding comes back) and
 * encrypted with a fresh 96-bit nonce; the key id travels in clear metadata so keys can rotate:
 * new payloads use the active key, old histories decode as long as their key is still listed.
 * The key id is bound to the ciphertext as additional authenticated data, so relabelling a
 * payload with another key id fails authentication instead of decrypting garbage.
 */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
export const CIPHER_METADATA = 'encryption-cipher';
const CIPHER = 'AES-256-GCM';
// CommonJS package: a named ESM import of it fails under plain Node (tsx/vitest would hide that).
const { temporal } = proto;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

const enc = new TextEncoder();
const dec = new TextDecoder();

export class PayloadDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadDecryptionError';
  }
}

export class AesGcmPayloadCodec implements PayloadCodec {
  private readonly keys: ReadonlyMap<string, Buffer>;
  readonly activeKeyId: string;

  constructor(encryption: PayloadEncryption) {
    this.keys = new Map(Object.entries(encryption.keys).map(([id, b64]) => [id, Buffer.from(b64, 'base64')]));
    if (!this.keys.has(encryption.activeKeyId)) throw new Error(`active key id ${JSON.stringify(encryption.activeKeyId)} is not among the keys`);
    this.activeKeyId = encryption.activeKeyId;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const key = this.keys.get(this.activeKeyId)!;
    return payloads.map((p) => {
      const plain = temporal.api.common.v1.Payload.encode(p).finish();
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      cipher.setAAD(enc.encode(this.activeKeyId));
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return {
        metadata: {
          encoding: enc.encode(ENCRYPTED_ENCODING),
          [KEY_ID_METADATA]: enc.encode(this.activeKeyId),
          [CIPHER_METADATA]: enc.encode(CIPHER),
        },
        data: new Uint8Array(Buffer.concat([nonce, body, cipher.getAuthTag()])),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => {
      const encoding = p.metadata?.encoding;
      // Payloads written before encryption was turned on (or by a peer without it) pass through.
      if (encoding === undefined || dec.decode(encoding) !== ENCRYPTED_ENCODING) return p;
      const idBytes = p.metadata?.[KEY_ID_METADATA];
      if (idBytes === undefined) throw new PayloadDecryptionError(`an encrypted payload has no ${KEY_ID_METADATA} metadata`);
      const keyId = dec.decode(idBytes);
      const key = this.keys.get(keyId);
      if (key === undefined) {
        throw new PayloadDecryptionError(
          `payload encrypted with key id ${JSON.stringify(keyId)}, which is not in PAYLOAD_KEYS (known: ${[...this.keys.keys()].join(', ')})`,
        );
      }
      const data = p.data ?? new Uint8Array();
      if (data.byteLength < NONCE_BYTES + TAG_BYTES) throw new PayloadDecryptionError(`encrypted payload of ${data.byteLength} bytes is too short`);
      const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(0, NONCE_BYTES));
      decipher.setAAD(idBytes);
      decipher.setAuthTag(buf.subarray(buf.length - TAG_BYTES));
      let plain: Buffer;
      try {
        plain = Buffer.concat([decipher.update(buf.subarray(NONCE_BYTES, buf.length - TAG_BYTES)), decipher.final()]);
      } catch {
        throw new PayloadDecryptionError(`payload encrypted with key id ${JSON.stringify(keyId)} failed authentication: wrong key or tampered data`);
      }
      const decoded = temporal.api.common.v1.Payload.decode(plain);
      return { metadata: decoded.metadata ?? {}, data: decoded.data ?? new Uint8Array() };
    });
  }
}
