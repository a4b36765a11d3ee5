import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';
import { ERROR_TYPES, type FieldIssue } from './errors.js';

/** Thrown by `parseInput` when a value does not satisfy its schema. Pure: safe in workflows. */
export class InputValidationError extends Error {
  readonly issues: FieldIssue[];
  constructor(what: string, issues: FieldIssue[]) {
    super(`invalid ${what}: ${issues.map(formatIssue).join('; ')}`);
    this.name = 'InputValidationError';
    this.issues = issues;
  }
}

function formatIssue(i: FieldIssue): string {
  const got = i.value === undefined ? '' : ` (got ${safeJson(i.value)})`;
  return `${i.path || '(root)'}: ${i.message}${got}`;
}

function safeJson(v: unknown): string {
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 120 ? `${s.slice(0, 117)}...` : s;
  } catch {
    return String(v);
  }
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[k];
  }
  return cur;
}

/** Parse `input` with `schema`, or throw an InputValidationError naming each field and value. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issues: FieldIssue[] = r.error.issues.map((iss) => ({
    path: iss.path.map(String).join('.'),
    message: iss.message,
    value: valueAt(input, iss.path),
  }));
  throw new InputValidationError(what, issues);
}

/**
 * `parseInput` for code running under Temporal (workflows and activities): a bad input becomes a
 * non-retryable `InvalidInput` ApplicationFailure whose message names each field and value, so it
 * fails once instead of being retried until a timeout.
 */
export function parseInputOrFail<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  try {
    return parseInput(schema, input, what);
  } catch (err) {
    if (err instanceof InputValidationError) {
      throw ApplicationFailure.nonRetryable(err.message, ERROR_TYPES.invalidInput, { issues: err.issues });
    }
    throw err;
  }
}
