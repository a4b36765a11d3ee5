// @ts-check
'use strict';
/**
 * The failure converter of workers and clients when payloads are encrypted (PAYLOAD_KEYS):
 * Temporal's default, with `encodeCommonAttributes`, so a failure's message and stack trace
 * travel inside an encoded payload (which the AES-GCM codec encrypts) instead of in clear proto
 * fields; history then shows "Encoded failure" to anyone without the key, and the real message
 * through the codec. Without encryption the default converter is used and this file is not loaded.
 *
 * CommonJS on purpose, like payload-converter.cjs: required by path by the worker and bundled
 * into the workflow sandbox by webpack.
 */
const { DefaultFailureConverter } = require('@temporalio/common');

module.exports = { failureConverter: new DefaultFailureConverter({ encodeCommonAttributes: true }) };
