import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import type { Config } from '../config/index.js';
import { AesGcmPayloadCodec } from './payload-codec.js';

/**
 * The payload converter module every worker, workflow bundle, replayer and client loads by path
 * (contracts/payload-converter.cjs: Temporal's default, tolerant of the bare NaN / Infinity that
 * other SDKs write, so such an input fails the run by field name instead of every workflow task).
 */
export const PAYLOAD_CONVERTER_PATH = fileURLToPath(new URL('../contracts/payload-converter.cjs', import.meta.url));

/** The failure converter that moves messages and stack traces into (encrypted) payloads. */
export const ENCODED_FAILURE_CONVERTER_PATH = fileURLToPath(new URL('../contracts/failure-converter.cjs', import.meta.url));

export const DATA_CONVERTER: DataConverter = { payloadConverterPath: PAYLOAD_CONVERTER_PATH };

/**
 * The data converter for `config`: plain (DATA_CONVERTER), or with PAYLOAD_KEYS the AES-GCM
 * codec and encoded failures. Workers, clients and replayers must agree on it; the workflow
 * bundle must then be built with `failureConverterPath` too (workers/bundle.ts does, from config).
 */
export function dataConverterFor(config: Partial<Pick<Config, 'payloadEncryption'>>): DataConverter {
  if (config.payloadEncryption === undefined) return DATA_CONVERTER;
  return {
    payloadConverterPath: PAYLOAD_CONVERTER_PATH,
    failureConverterPath: ENCODED_FAILURE_CONVERTER_PATH,
    payloadCodecs: [new AesGcmPayloadCodec(config.payloadEncryption)],
  };
}
