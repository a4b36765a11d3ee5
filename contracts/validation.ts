import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';
import { ERROR_TYPES, type FieldIssue } from './errors.js';

/**
 * A refusal is a payload too, and its size is the caller's to choose (a space of 10,000 unknown
 * parameters, 20 huge strings): a workflow whose failure exceeds Temporal's 2 MB limit cannot
 * even fail, and retries its workflow task forever. So a refusal names at most this many issues
 * (the total is always stated), each message and value cut short.
 */
export const MAX_REPORTED_ISSUES = 20;
const MAX_ISSUE_MESSAGE_CHARS = 500;
const MAX_ISSUE_VALUE_CHARS = 200;

/** Thrown by `parseInput` when a value does not satisfy its schema. Pure: safe in workflows. */
export class InputValidationError extends Error {
  readonly issues: FieldIssue[];
  constructor(what: string, issues: FieldIssue[]) {
    const shown = issues.slice(0, MAX_REPORTED_ISSUES).map(formatIssue).join('; ');
    const more = issues.length > MAX_REPORTED_ISSUES ? `; … and ${issues.length - MAX_REPORTED_ISSUES} more issues (${issues.length} in all)` : '';
    super(`invalid ${what}: ${shown}${more}`);
    this.name = 'InputValidationError';
    this.issues = issues;
  }
}

function formatIssue(i: FieldIssue): string {
  const got = i.value === undefined ? '' : ` (got ${safeJson(i.value)})`;
  return `${cut(i.path, MAX_ISSUE_VALUE_CHARS) || '(root)'}: ${cut(i.message, MAX_ISSUE_MESSAGE_CHARS)}${got}`;
}

function cut(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}

/** An issue small enough for a failure's details: long strings cut, big structures as short JSON text. */
function compactIssue(i: FieldIssue): FieldIssue {
  const v = i.value;
  let value: unknown = v;
  if (typeof v === 'string') value = cut(v, MAX_ISSUE_VALUE_CHARS);
  else if (v !== null && typeof v === 'object') {
    const text = safeJson(v);
    value = text.endsWith('...') ? text : v;
  }
  return { ...i, path: cut(i.path, MAX_ISSUE_VALUE_CHARS), message: cut(i.message, MAX_ISSUE_MESSAGE_CHARS), value };
}

function safeJson(v: unknown): string {
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
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

/**
 * NaN and ±Infinity anywhere in an input, by path. Other SDKs write them as bare JSON tokens (our
 * payload converter decodes them), and an open record (`base`, `config`) would otherwise carry
 * them past its schema into the engine.
 */
function nonFiniteIssues(value: unknown, path: string[] = [], out: FieldIssue[] = [], depth = 0): FieldIssue[] {
  if (out.length >= 20 || depth > 64) return out;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) out.push({ path: path.join('.'), message: 'must be a finite number', value });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => nonFiniteIssues(v, [...path, String(i)], out, depth + 1));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) nonFiniteIssues(v, [...path, k], out, depth + 1);
  }
  return out;
}

/** Parse `input` with `schema`, or throw an InputValidationError naming each field and value. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const nonFinite = nonFiniteIssues(input);
  if (nonFinite.length > 0) throw new InputValidationError(what, nonFinite);
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
      const omitted = err.issues.length - MAX_REPORTED_ISSUES;
      const issues = err.issues.slice(0, MAX_REPORTED_ISSUES).map(compactIssue);
      throw ApplicationFailure.nonRetryable(err.message, ERROR_TYPES.invalidInput, omitted > 0 ? { issues, omittedIssues: omitted } : { issues });
    }
    throw err;
  }
}
