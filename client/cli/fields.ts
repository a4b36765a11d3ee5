import { readFileSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';

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
}

export function addFieldFlags(cmd: Command, fields: readonly FieldFlag[]): Command {
  for (const f of fields) {
    const option = new Option(f.flags, f.description);
    if (f.parse) {
      const parse = f.parse;
      option.argParser((raw: string) => parse(raw));
    }
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
    node[f.path[f.path.length - 1]] = value;
  }
  return request;
}

export function flagsByPath(fields: readonly FieldFlag[]): Record<string, string> {
  return Object.fromEntries(fields.map((f) => [f.path.join('.'), new Option(f.flags).long ?? f.flags]));
}

// --------------------------------------------------------------------------------------------
// Parsers. They reject only what is not a value of the right kind at all (e.g. "abc" for a
// number); ranges, integer-ness and enum membership are the zod contract's job, so the CLI and
// the API cannot disagree about what is valid.

export function number(raw: string): number {
  const n = Number(raw.trim());
  if (raw.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`must be a number (got "${raw}")`);
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

export function numberList(raw: string): number[] {
  return list(raw).map(number);
}

/** "lo,hi" or a single value meaning lo = hi. */
export function range(raw: string): [number, number] {
  const xs = numberList(raw);
  if (xs.length === 1) return [xs[0], xs[0]];
  if (xs.length === 2) return [xs[0], xs[1]];
  throw new InvalidArgumentError(`must be "lo,hi" or one number (got "${raw}")`);
}

/**
 * A JSON object given inline (`'{"epochs": 5}'`) or as a file path (`space.json`). Only "not a
 * readable JSON object" is rejected here; what the object may contain is the contract's job.
 */
export function jsonObject(raw: string): Record<string, unknown> {
  const inline = raw.trim().startsWith('{');
  let text = raw;
  if (!inline) {
    try {
      text = readFileSync(raw, 'utf8');
    } catch (err) {
      throw new InvalidArgumentError(`must be a JSON object or a readable JSON file (cannot read "${raw}": ${(err as Error).message})`);
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InvalidArgumentError(`${inline ? 'is not valid JSON' : `"${raw}" is not valid JSON`}: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidArgumentError(`must be a JSON object${inline ? '' : ` (the file "${raw}" holds ${Array.isArray(value) ? 'an array' : typeof value})`}`);
  }
  return value as Record<string, unknown>;
}
