import { describe, expect, it } from 'vitest';
import { GenerateDatasetInputSchema } from '../../contracts/index.js';
import { payloadConverter, parseLenientJson } from '../../contracts/payload-converter.cjs';
import { InputValidationError, parseInput } from '../../contracts/validation.js';

const jsonPayload = (text: string) => ({ metadata: { encoding: new TextEncoder().encode('json/plain') }, data: new TextEncoder().encode(text) });

describe('payload converter', () => {
  it('decodes the bare NaN / Infinity / -Infinity that Python writes, outside strings only', () => {
    const v = payloadConverter.fromPayload(jsonPayload('{"a":NaN,"b":[Infinity,-Infinity,1.5],"s":"NaN \\" Infinity","t":"-Infinity"}')) as Record<
      string,
      unknown
    >;
    expect(Number.isNaN(v.a)).toBe(true);
    expect(v.b).toEqual([Infinity, -Infinity, 1.5]);
    expect(v.s).toBe('NaN " Infinity');
    expect(v.t).toBe('-Infinity');
  });

  it('round-trips ordinary values exactly like the default converter', () => {
    const value = { datasetId: 'ds-1', n: 3, nested: { xs: [1, 2, 3], ok: true, none: null }, text: 'ünïcode ✓' };
    expect(payloadConverter.fromPayload(payloadConverter.toPayload(value)!)).toEqual(value);
    const bytes = new Uint8Array([1, 2, 3]);
    expect(payloadConverter.fromPayload(payloadConverter.toPayload(bytes)!)).toEqual(bytes);
  });

  it('still refuses JSON that is broken in other ways', () => {
    expect(() => parseLenientJson('{"a":nan}')).toThrow(SyntaxError);
    expect(() => parseLenientJson('{"a":1,}')).toThrow(SyntaxError);
    expect(() => parseLenientJson('{"a":NaN')).toThrow(SyntaxError);
  });
});

describe('validation of non-finite numbers', () => {
  it('refuses NaN and Infinity by field path, even inside open records', () => {
    const raw = parseLenientJson('{"datasetId":"ds-1","config":{"signalsPerClass":NaN,"snrDb":[0,Infinity]}}');
    let err: unknown;
    try {
      parseInput(GenerateDatasetInputSchema, raw, 'generateDatasetWorkflow input');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputValidationError);
    const issues = (err as InputValidationError).issues.map((i) => i.path);
    expect(issues).toEqual(['config.signalsPerClass', 'config.snrDb.1']);
    expect((err as Error).message).toContain('config.signalsPerClass: must be a finite number (got NaN)');
    expect((err as Error).message).toContain('config.snrDb.1: must be a finite number (got Infinity)');
  });
});
