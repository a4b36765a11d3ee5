/**
 * Where a text stops being JSON, described without quoting it.
 *
 * V8's `JSON.parse` errors quote the text around the fault (`Unexpected token 'r', "root:*:192"...`).
 * For text read from a file the user named, that echoes the file's first bytes into terminals,
 * logs and JSON error documents — whatever file it was. This scanner finds the same fault by
 * position (line, column, byte offset) and names it by kind only, so an error can say where to
 * look and never what is there. Pure and strict (RFC 8259): it agrees with `JSON.parse` on what
 * is valid, so it is only consulted after `JSON.parse` has failed.
 */

export interface JsonSyntaxFault {
  /** 0-based UTF-16 offset of the fault. */
  offset: number;
  /** 1-based. */
  line: number;
  /** 1-based, counted in UTF-16 code units from the line start. */
  column: number;
  /** What is wrong, in words that quote nothing of the text. */
  reason: string;
}

const LITERALS = ['true', 'false', 'null'] as const;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /[0-9a-fA-F]{4}/y;
const SIMPLE_ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);

class Fault extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** The first syntax fault of `text`, or undefined when it is valid JSON. Iterative: any nesting depth. */
export function locateJsonSyntaxFault(text: string): JsonSyntaxFault | undefined {
  try {
    scan(text);
    return undefined;
  } catch (err) {
    if (!(err instanceof Fault)) throw err;
    return { offset: err.offset, ...lineAndColumn(text, err.offset), reason: err.reason };
  }
}

/**
 * "not valid JSON: <reason> at line L, column C" for text that `JSON.parse` refused. Falls back
 * to a position-less sentence when the scanner finds no fault (it should not happen: both follow
 * RFC 8259), still quoting nothing.
 */
export function describeJsonSyntaxError(text: string): string {
  const fault = locateJsonSyntaxFault(text);
  return fault ? `not valid JSON: ${fault.reason} at line ${fault.line}, column ${fault.column}` : 'not valid JSON';
}

/** Text → value, with errors that quote nothing (BOM tolerated: editors on Windows write one). */
export function parseJsonQuietly(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch {
    return { ok: false, message: describeJsonSyntaxError(body) };
  }
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

function scan(text: string): void {
  const n = text.length;
  let i = 0;
  const stack: ('object' | 'array')[] = [];

  const skipWhitespace = () => {
    while (i < n) {
      const c = text[i];
      if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') break;
      i++;
    }
  };
  function endOrUnexpected(expected: string): never {
    throw new Fault(i, i >= n ? `unexpected end of input (expected ${expected})` : `unexpected character (expected ${expected})`);
  }
  const string = () => {
    const start = i;
    i++; // opening quote
    for (;;) {
      if (i >= n) throw new Fault(start, 'unterminated string');
      const code = text.charCodeAt(i);
      if (code === 0x22) {
        i++;
        return;
      }
      if (code < 0x20) throw new Fault(i, 'control character inside a string (escape it)');
      if (code === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          HEX4.lastIndex = i + 2;
          if (!HEX4.test(text)) throw new Fault(i, 'invalid \\u escape (needs 4 hex digits)');
          i += 6;
          continue;
        }
        if (e === undefined || !SIMPLE_ESCAPES.has(e)) throw new Fault(i, 'invalid escape sequence');
        i += 2;
        continue;
      }
      i++;
    }
  };
  const member = () => {
    skipWhitespace();
    if (text[i] !== '"') endOrUnexpected('a property name in double quotes');
    string();
    skipWhitespace();
    if (text[i] !== ':') endOrUnexpected("':' after the property name");
    i++;
  };

  for (;;) {
    // A value.
    skipWhitespace();
    const c = text[i];
    let opened = false;
    if (c === '{' || c === '[') {
      i++;
      skipWhitespace();
      if (text[i] === (c === '{' ? '}' : ']')) i++;
      else {
        stack.push(c === '{' ? 'object' : 'array');
        if (c === '{') member();
        opened = true;
      }
    } else if (c === '"') string();
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i;
      if (!NUMBER.test(text)) throw new Fault(i, 'invalid number');
      i = NUMBER.lastIndex;
    } else {
      const literal = LITERALS.find((l) => text.startsWith(l, i));
      if (!literal) endOrUnexpected('a value');
      i += literal.length;
    }
    if (opened) continue;

    // After a value: close containers, or a comma and the next value.
    for (;;) {
      skipWhitespace();
      const top = stack.at(-1);
      if (top === undefined) {
        if (i < n) throw new Fault(i, 'unexpected content after the JSON value');
        return;
      }
      const close = top === 'object' ? '}' : ']';
      if (text[i] === close) {
        i++;
        stack.pop();
        continue;
      }
      if (text[i] === ',') {
        i++;
        if (top === 'object') member();
        break;
      }
      endOrUnexpected(`',' or '${close}'`);
    }
  }
}
