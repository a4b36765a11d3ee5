import { ApplicationFailure } from '@temporalio/common';
import { ERROR_TYPES } from '../../../contracts/index.js';

/** How much of a refused value the message shows: enough to recognise it, never 10 kB of it. */
const SHOWN_CHARS = 80;

/** A printable, bounded rendering of a refused value (newlines and NULs made visible). */
export function shown(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const json = JSON.stringify(text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}…` : text);
  return text.length > SHOWN_CHARS ? `${json} (${text.length} chars)` : json;
}

/**
 * The one way the sandbox says no: a non-retryable InvalidInput failure naming the field and the
 * value, thrown before any process starts.
 */
export function refuse(field: string, value: unknown, why: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`${field}: ${why} (got ${shown(value)})`, ERROR_TYPES.invalidInput, { issues: [{ path: field, message: why }] });
}
