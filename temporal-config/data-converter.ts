import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';

/**
 * The payload converter module every worker, workflow bundle, replayer and client loads by path
 * (contracts/payload-converter.cjs: Temporal's default, tolerant of the bare NaN / Infinity that
 * other SDKs write, so such an input fails the run by field name instead of every workflow task).
 */
export const PAYLOAD_CONVERTER_PATH = fileURLToPath(new URL('../contracts/payload-converter.cjs', import.meta.url));

export const DATA_CONVERTER: DataConverter = { payloadConverterPath: PAYLOAD_CONVERTER_PATH };
