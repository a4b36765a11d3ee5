import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeRecordingInChild, DecodeProcessError } from '../../ml/mat/decode-process.js';
import { decodeRecording, type RecordingRequest } from '../../ml/mat/recording.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CWRU = path.resolve(HERE, '../../../shared/data/cwru');

/** The import decodes each file in a child process: same answer as in process, errors by kind, abort kills it. */
describe('MAT recordings decoded in a child process', () => {
  const bytes = new Uint8Array(readFileSync(path.join(CWRU, '12k_Drive_End_IR007_0_105.mat')));
  const req: RecordingRequest = { bytes, channel: 'DE', recordingId: 105, sourceRateHz: 12_000, targetRateHz: 12_000 };

  it('gives exactly the in-process result', async () => {
    const [child, local] = await Promise.all([decodeRecordingInChild(req), decodeRecording(req)]);
    expect(child.ok && local.ok).toBe(true);
    if (!child.ok || !local.ok) return;
    expect(child).toMatchObject({ variable: 'X105_DE_time', rpm: local.rpm, sourceSamples: local.sourceSamples });
    expect(child.samples).toBeInstanceOf(Float32Array);
    expect(child.samples.length).toBe(local.samples.length);
    expect(Buffer.from(child.samples.buffer, child.samples.byteOffset, child.samples.byteLength).equals(Buffer.from(local.samples.buffer))).toBe(true);
  }, 60_000);

  it('resamples in the child (48 kHz → 12 kHz keeps a quarter of the samples)', async () => {
    const normal = new Uint8Array(readFileSync(path.join(CWRU, 'normal_0_97.mat')));
    const r = await decodeRecordingInChild({ bytes: normal, channel: 'DE', recordingId: 97, sourceRateHz: 48_000, targetRateHz: 12_000 });
    expect(r.ok).toBe(true);
    if (r.ok) expect(Math.abs(r.samples.length - r.sourceSamples / 4)).toBeLessThanOrEqual(1);
  }, 60_000);

  it('a damaged file is a format outcome, a missing channel a content outcome, both naming the problem', async () => {
    const damaged = bytes.slice(0, 300);
    const f = await decodeRecordingInChild({ ...req, bytes: damaged });
    expect(f).toMatchObject({ ok: false, kind: 'format' });
    // The normal recording has no base accelerometer.
    const normal = new Uint8Array(readFileSync(path.join(CWRU, 'normal_0_97.mat')));
    const c = await decodeRecordingInChild({ bytes: normal, channel: 'BA', recordingId: 97, sourceRateHz: 48_000, targetRateHz: 12_000 });
    expect(c).toMatchObject({ ok: false, kind: 'content', message: expect.stringContaining('X<id>_BA_time') });
  }, 60_000);

  it('an unexpected failure in the child is a DecodeProcessError with its message', async () => {
    const bad = { ...req, bytes: 42 } as unknown as RecordingRequest;
    await expect(decodeRecordingInChild(bad)).rejects.toThrow(DecodeProcessError);
  }, 60_000);

  it('abort kills the child and rejects with the abort reason', async () => {
    const ac = new AbortController();
    const pending = decodeRecordingInChild(req, { signal: ac.signal });
    ac.abort(new Error('cancelled by test'));
    await expect(pending).rejects.toThrow('cancelled by test');
    await expect(decodeRecordingInChild(req, { signal: ac.signal })).rejects.toThrow('cancelled by test');
  }, 60_000);
});
