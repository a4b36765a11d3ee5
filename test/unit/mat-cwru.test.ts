import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FAULT_FREQUENCY_MULTIPLES } from '../../contracts/index.js';
import { readMat, toFloat64 } from '../../ml/mat/index.js';
import { channelVariable, parseCwruName, rpmVariable } from '../../ml/mat/cwru.js';
import { envelopeSpectrum, peakFrequency } from '../../ml/signal/index.js';
import { resample } from '../../ml/signal/resample.js';

const CWRU = join(dirname(fileURLToPath(import.meta.url)), '../../../shared/data/cwru');

describe('CWRU file-name convention', () => {
  it('reads rate, end, fault type, diameter, load zone, load and id', () => {
    expect(parseCwruName('12k_Drive_End_IR014_0_169.mat')).toEqual({
      samplingRateHz: 12_000,
      faultEnd: 'DE',
      faultType: 'inner_race',
      faultSizeIn: 0.014,
      loadHp: 0,
      recordingId: 169,
    });
    expect(parseCwruName('12k_Drive_End_OR007@6_0_130.mat')).toMatchObject({ faultType: 'outer_race', faultSizeIn: 0.007, loadZone: 6, recordingId: 130 });
    expect(parseCwruName('48k_Fan_End_B021_3_227.mat')).toMatchObject({
      samplingRateHz: 48_000,
      faultEnd: 'FE',
      faultType: 'ball',
      faultSizeIn: 0.021,
      loadHp: 3,
    });
    expect(parseCwruName('normal_0_97.mat')).toEqual({ samplingRateHz: 48_000, faultType: 'normal', faultSizeIn: 0, loadHp: 0, recordingId: 97 });
  });

  it('does not guess for other names', () => {
    for (const n of ['recording.mat', '12k_Drive_End_XX007_0_1.mat', 'normal.mat', '12k_Drive_End_IR7_0_105.mat']) expect(parseCwruName(n)).toBeUndefined();
  });
});

describe('the ten shared recordings', () => {
  const files = readdirSync(CWRU)
    .filter((f) => f.endsWith('.mat'))
    .sort();
  const load = async (f: string) => {
    const name = parseCwruName(f)!;
    const mat = await readMat(readFileSync(join(CWRU, f)));
    const de = channelVariable(mat, 'DE', name.recordingId);
    if (typeof de === 'string') throw new Error(de);
    return { name, mat, de, rpm: rpmVariable(mat, name.recordingId) };
  };

  it('name, channel and RPM of every file', async () => {
    expect(files.length).toBe(10);
    const labels = new Set<string>();
    for (const f of files) {
      const { name, mat, de, rpm } = await load(f);
      expect(de.name).toBe(`X${String(name.recordingId).padStart(3, '0')}_DE_time`);
      expect(rpm).toBeGreaterThanOrEqual(1796);
      expect(rpm).toBeLessThanOrEqual(1797);
      expect(typeof channelVariable(mat, 'FE', name.recordingId)).not.toBe('string');
      // the normal baseline has no base accelerometer: a reason, not a crash
      if (name.faultType === 'normal') expect(channelVariable(mat, 'BA', name.recordingId)).toMatch(/no X<id>_BA_time/);
      labels.add(`${name.faultType}:${name.faultSizeIn}`);
    }
    expect(labels.size).toBe(10);
  });

  const faultLine = (type: string) => (type === 'inner_race' ? FAULT_FREQUENCY_MULTIPLES.BPFI : FAULT_FREQUENCY_MULTIPLES.BPFO);
  // OR014@6 (file 197) is left out: its drive-end envelope has no line at BPFO (the strongest
  // within ±10 % is 5.5 % off, at 101 Hz, and the overall peak is at 179 Hz), which is how that
  // recording is; asserting it would test the file, not the reader.
  for (const f of files.filter((x) => /_(IR|OR)\d/.test(x) && !x.includes('OR014@6_0_197'))) {
    it(`${f}: the envelope spectrum peaks within 1 % of ${/IR/.test(f) ? 'BPFI' : 'BPFO'} at the file's own RPM`, async () => {
      const { name, de, rpm } = await load(f);
      const expected = (faultLine(name.faultType) * rpm!) / 60;
      const env = envelopeSpectrum(toFloat64(de), name.samplingRateHz, [2000, 5000]);
      // The strongest envelope line near the fault frequency (±10 %: away from shaft harmonics).
      const peak = peakFrequency(env, expected * 0.9, expected * 1.1);
      expect(Math.abs(peak - expected) / expected).toBeLessThan(0.01);
    });
  }

  it('the 48 kHz normal recording resampled to 12 kHz has a quarter of the samples and the same RMS', async () => {
    const { de } = await load('normal_0_97.mat');
    const x = toFloat64(de);
    const y = resample(x, 48_000, 12_000);
    expect(y.length).toBe(Math.floor((x.length - 1) / 4) + 1);
    const r = (a: Float64Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
    // The normal signal's energy sits well below 6 kHz, so little is filtered away.
    expect(r(y) / r(x)).toBeGreaterThan(0.9);
    expect(r(y) / r(x)).toBeLessThan(1.01);
  });
});
