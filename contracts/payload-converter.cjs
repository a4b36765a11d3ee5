// @ts-check
'use strict';
/**
 * The payload converter every Faultline worker and client uses: Temporal's default (undefined,
 * binary, JSON), except that JSON payloads written by other SDKs with bare `NaN`, `Infinity` or
 * `-Infinity` (Python's json module does by default) decode instead of failing every workflow
 * task. The numbers decode as JavaScript's NaN / ±Infinity, and input validation then refuses
 * them by field name (contracts/validation.ts): the run fails once, with a message a caller can
 * act on.
 *
 * CommonJS on purpose: the worker `require`s this file by path for activities and webpack bundles
 * it into the workflow sandbox; both must work without a TypeScript loader.
 */
const { BinaryPayloadConverter, CompositePayloadConverter, JsonPayloadConverter, UndefinedPayloadConverter, ValueError } = require('@temporalio/common');
// The SDK's own UTF-8 decoder: the workflow sandbox has no guaranteed global TextDecoder.
const { decode } = require('@temporalio/common/lib/encoding');

const NON_FINITE = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };
const MARK = '\u0000faultline-non-finite:';

/**
 * Parse JSON that may hold bare NaN / Infinity / -Infinity tokens outside strings. Every other
 * deviation from JSON still fails as JSON.parse would.
 * @param {string} text
 * @returns {unknown}
 */
function parseLenientJson(text) {
  try {
    return JSON.parse(text);
  } catch (err) {
    if (!/NaN|Infinity/.test(text)) throw err;
  }
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') {
        out += text[i + 1] ?? '';
        i++;
      } else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
      continue;
    }
    const token = text.startsWith('-Infinity', i) ? '-Infinity' : text.startsWith('Infinity', i) ? 'Infinity' : text.startsWith('NaN', i) ? 'NaN' : undefined;
    if (token) {
      out += JSON.stringify(MARK + token);
      i += token.length - 1;
      continue;
    }
    out += c;
  }
  return JSON.parse(out, (_key, value) =>
    typeof value === 'string' && value.startsWith(MARK) ? NON_FINITE[/** @type {keyof typeof NON_FINITE} */ (value.slice(MARK.length))] : value,
  );
}

class LenientJsonPayloadConverter extends JsonPayloadConverter {
  /**
   * @template T
   * @param {import('@temporalio/common').Payload} content
   * @returns {T}
   */
  fromPayload(content) {
    if (content.data === undefined || content.data === null) throw new ValueError('Got payload with no data');
    return /** @type {T} */ (parseLenientJson(decode(content.data)));
  }
}

const payloadConverter = new CompositePayloadConverter(new UndefinedPayloadConverter(), new BinaryPayloadConverter(), new LenientJsonPayloadConverter());

module.exports = { payloadConverter, parseLenientJson };
