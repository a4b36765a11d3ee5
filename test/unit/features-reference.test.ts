/**
 * ml/features against the numpy/scipy/PyWavelets reference (bench/peers/features_numpy.py) on the
 * 50 random signals of test/fixtures/features/reference.json (regenerate with
 * `.venv-py/bin/python test/fixtures/features/make_fixtures.py`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { extractFeatures, featureCatalog, normaliseFeatureSettings } from '../../ml/features/index.js';
import { FeatureSettingsSchema } from '../../contracts/index.js';

const FixtureSchema = z.object({
  cases: z.array(
    z.object({
      samplingRateHz: z.number(),
      shaftHz: z.number(),
      settings: FeatureSettingsSchema,
      samples: z.string(),
      features: z.record(z.string(), z.number()),
    }),
  ),
});

const file = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/features/reference.json');
const fixture = FixtureSchema.parse(JSON.parse(readFileSync(file, 'utf8')));

function decode(base64: string): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

/** Relative error, with an absolute floor so values that are 0 on both sides compare equal. */
function relativeError(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-12);
}

describe('features vs numpy/scipy/PyWavelets', () => {
  it('has 50 reference signals', () => {
    expect(fixture.cases).toHaveLength(50);
  });

  fixture.cases.forEach((c, i) => {
    it(`signal ${i} (${c.samplingRateHz} Hz, ${decode(c.samples).length} samples): every feature within 1e-6 relative`, () => {
      const settings = normaliseFeatureSettings(c.settings);
      const names = featureCatalog(settings).map((d) => d.name);
      expect(names.slice().sort()).toEqual(Object.keys(c.features).sort());
      const row = extractFeatures(decode(c.samples), { samplingRateHz: c.samplingRateHz, shaftHz: c.shaftHz }, settings);
      const worst = names
        .map((name, j) => ({ name, ours: row[j], numpy: c.features[name], error: relativeError(row[j], c.features[name]) }))
        .sort((a, b) => b.error - a.error)[0];
      expect(worst.error, JSON.stringify(worst)).toBeLessThan(1e-6);
    });
  });
});
