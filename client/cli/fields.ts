import { readFileSync, statSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { parseJsonQuietly } from '../../contracts/json-syntax.js';

/**
 * A CLI flag that fills one field of a workflow request. Declaring flags as data gives three
 * things from one table: the commander options, the request object (only flags the user gave,
 * so defaults stay the contract's), and the path → flag map used to name flags in errors.
 */
export interface FieldFlag {
  flags: string;
  description: string;
  /** Where the value goes in the request, e.g. ['config', 'seed']. */
  path: readonly string[];
  parse?: (raw: string) => unknown;
  /**
   * The flag may be given again (or takes several values, `--files <names...>`); its values are
   * collected in order into an array. Repeatable flags sharing a path append to one array, in
   * table order (`--file x --files y z` → [x, y, z]).
   */
  repeatable?: boolean;
}

export function addFieldFlags(cmd: Command, fields: readonly FieldFlag[]): Command {
  for (const f of fields) {
    const option = new Option(f.flags, f.description);
    const parse = f.parse ?? ((raw: string) => raw);
    if (f.repeatable) option.argParser((raw: string, previous: unknown) => [...(Array.isArray(previous) ? previous : []), parse(raw)]);
    else if (f.parse) option.argParser((raw: string) => parse(raw));
    cmd.addOption(option);
  }
  return cmd;
}

/** Build the request from the parsed options: nested objects are created only when needed. */
export function requestFromFlags(fields: readonly FieldFlag[], opts: Record<string, unknown>): Record<string, unknown> {
  const request: Record<string, unknown> = {};
  for (const f of fields) {
    const value = opts[new Option(f.flags).attributeName()];
    if (value === undefined) continue;
    let node = request;
    for (const key of f.path.slice(0, -1)) {
      const next = node[key];
      node = (next !== null && typeof next === 'object' ? next : (node[key] = {})) as Record<string, unknown>;
    }
    const key = f.path[f.path.length - 1];
    const previous = node[key];
    node[key] = f.repeatable && Array.isArray(previous) && Array.isArray(value) ? [...(previous as unknown[]), ...(value as unknown[])] : value;
  }
  return request;
}

export function flagsByPath(fields: readonly FieldFlag[]): Record<string, string> {
  return Object.fromEntries(fields.map((f) => [f.path.join('.'), new Option(f.flags).long ?? f.flags]));
}

// --------------------------------------------------------------------------------------------
// Parsers. They reject what is not a value of the right kind at all, spelled strictly: an
// integer flag takes decimal digits only (`0x10`, `1e3`, `12abc`, ` 5`, `` are refused, where
// `Number()` would read 16, 1000, NaN, 5, 0), a float flag a finite decimal (`3e-4` allowed).
// Ranges and enum membership are the zod contract's job, so the CLI and the API cannot disagree
// about what is valid. Commander prefixes each refusal with the flag and the value given.

const DECIMAL_INTEGER = /^[+-]?\d+$/;
const DECIMAL_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A whole number written in decimal digits (optional sign), within ±2^53. */
export function integer(raw: string): number {
  if (!DECIMAL_INTEGER.test(raw)) throw new InvalidArgumentError(`must be a whole number in decimal digits, e.g. 16 (got ${JSON.stringify(raw)})`);
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`is too large to be an exact integer (got ${JSON.stringify(raw)})`);
  return n;
}

/** A finite decimal number: `0.001`, `-2`, `.5`, `3e-4`; no hex, no `Infinity`, no spaces. */
export function decimal(raw: string): number {
  if (!DECIMAL_NUMBER.test(raw)) throw new InvalidArgumentError(`must be a decimal number, e.g. 0.5 or 3e-4 (got ${JSON.stringify(raw)})`);
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`must be a finite number (got ${JSON.stringify(raw)})`);
  return n;
}

export function list(raw: string): string[] {
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new InvalidArgumentError(`must be a comma-separated list (got "${raw}")`);
  return items;
}

export function integerList(raw: string): number[] {
  return list(raw).map(integer);
}

export function decimalList(raw: string): number[] {
  return list(raw).map(decimal);
}

/** "lo,hi" or a single value meaning lo = hi (decimals). */
export function range(raw: string): [number, number] {
  const xs = decimalList(raw);
  if (xs.length === 1) return [xs[0], xs[0]];
  if (xs.length === 2) return [xs[0], xs[1]];
  throw new InvalidArgumentError(`must be "lo,hi" or one number (got "${raw}")`);
}

/** JSON files given to a flag are settings, not data: far below this (payloads aim < 64 KB). */
export const MAX_JSON_FILE_BYTES = 1024 * 1024;

/**
 * A JSON object given inline (`'{"epochs": 5}'`) or as a file path (`space.json`). Only "not a
 * readable JSON object" is rejected here; what the object may contain is the contract's job.
 * Errors name the path and where the syntax breaks, never the file's content: the flag may have
 * been pointed at any file (`--space /etc/shadow`), and errors end up in terminals and logs.
 */
export function jsonObject(raw: string): Record<string, unknown> {
  const inline = raw.trim().startsWith('{');
  const text = inline ? raw : readSettingsFile(raw);
  const parsed = parseJsonQuietly(text);
  if (!parsed.ok) throw new InvalidArgumentError(inline ? `is ${parsed.message}` : `the file ${JSON.stringify(raw)} is ${parsed.message}`);
  const value = parsed.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const holds = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    throw new InvalidArgumentError(`must be a JSON object${inline ? '' : ` (the file ${JSON.stringify(raw)} holds ${holds})`}`);
  }
  return value as Record<string, unknown>;
}

/** A regular file of at most MAX_JSON_FILE_BYTES (not a device or a pipe, which could stream forever). */
function readSettingsFile(path: string): string {
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new InvalidArgumentError(`must be a JSON object or a JSON file (${JSON.stringify(path)} is not a regular file)`);
    size = stat.size;
  } catch (err) {
    if (err instanceof InvalidArgumentError) throw err;
    throw new InvalidArgumentError(`must be a JSON object or a readable JSON file (cannot read ${JSON.stringify(path)}: ${fsReason(err)})`);
  }
  if (size > MAX_JSON_FILE_BYTES) {
    throw new InvalidArgumentError(`the file ${JSON.stringify(path)} has ${size} bytes; a settings file may have at most ${MAX_JSON_FILE_BYTES}`);
  }
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new InvalidArgumentError(`must be a JSON object or a readable JSON file (cannot read ${JSON.stringify(path)}: ${fsReason(err)})`);
  }
}

/** Node's file-system sentence (ENOENT, EACCES, EISDIR…), which names only the path. */
function fsReason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
