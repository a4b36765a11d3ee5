import type { PayloadConverter } from '@temporalio/common';

/** Temporal's default payload converter, tolerant of bare NaN / ±Infinity in JSON payloads. */
export declare const payloadConverter: PayloadConverter;
/** JSON.parse that also accepts bare NaN, Infinity and -Infinity outside strings. */
export declare function parseLenientJson(text: string): unknown;
