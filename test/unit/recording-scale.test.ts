import { describe, expect, it } from 'vitest';
import type { SignalRow } from '../../db/schema.js';
import { splitSignalOf } from '../../activities/lib/eval-data.js';
import { recordingGroups, RecordingScales } from '../../activities/lib/recording-scale.js';
import { splitSignals } from '../../ml/data/split.js';
import { recordingStats } from '../../ml/data/windows.js';

/** Two classes, each from two recordings of 10 consecutive signals: what a time split cuts. */
function rows(): SignalRow[] {
  const out: SignalRow[] = [];
  let idx = 0;
  for (const [label, recordings] of [
    ['normal', ['rec-n1', 'rec-n2']],
    ['inner', ['rec-i1', 'rec-i2']],
  ] as const) {
    for (const fileHash of recordings) {
      for (let k = 0; k < 10; k++) {
        out.push({
          datasetId: 'ds',
          idx: idx++,
          label,
          severityIn: 0,
          loadHp: 0,
          shaftHz: null,
          snrDb: null,
          seed: null,
          artifactUri: `mem://${fileHash}/${k}`,
          length: 64,
          samplingRateHz: 12_000,
          rms: null,
          kurtosis: null,
          faultType: label,
          sourceFile: `${fileHash}.mat`,
          fileHash,
          channel: 'DE',
          rpm: 1797,
          offsetSamples: k * 64,
        });
      }
    }
  }
  return out;
}

const settings = {
  validationFraction: 0.2,
  testFraction: 0.2,
  seed: 1,
  windowLength: 32,
  windowHop: 32,
  maxWindowsPerSignal: 2,
  split: { kind: 'time' as const, gapSignals: 1 },
};

describe('recording scales for models trained with normalization "recording"', () => {
  it("groups each signal with its recording's signals in the same split part, in the part's order", () => {
    const all = rows();
    const byIdx = new Map(all.map((r) => [r.idx, r]));
    const parts = splitSignals(all.map(splitSignalOf), settings);
    const partOf = new Map<number, string>();
    for (const [name, list] of Object.entries(parts)) for (const i of list) partOf.set(i, name);
    const groups = recordingGroups(all, settings);
    expect(groups.size).toBe(all.length);
    for (const r of all) {
      const members = groups.get(r.idx)!;
      expect(members).toContain(r.idx);
      for (const m of members) {
        expect(byIdx.get(m)!.fileHash).toBe(r.fileHash);
        expect(partOf.get(m)).toBe(partOf.get(r.idx));
      }
      const part = partOf.get(r.idx);
      // The trainer's order: the part's list filtered to the recording.
      if (part) expect(members).toEqual(parts[part as keyof typeof parts].filter((i) => byIdx.get(i)!.fileHash === r.fileHash));
    }
    // A time split leaves a gap between parts: those signals are grouped apart, per recording.
    const gaps = all.filter((r) => !partOf.has(r.idx));
    expect(gaps.length).toBeGreaterThan(0);
    for (const g of gaps) for (const m of groups.get(g.idx)!) expect(partOf.has(m)).toBe(false);
  });

  it("a signal's scale is the statistics of its group's samples, read once per group", async () => {
    const all = rows();
    const byIdx = new Map(all.map((r) => [r.idx, r]));
    const samples = new Map(all.map((r) => [r.artifactUri, Float32Array.from({ length: 64 }, (_, i) => Math.sin(i * (r.idx + 1)) * (r.idx + 1))]));
    let reads = 0;
    const scales = new RecordingScales(async (r) => {
      reads++;
      return samples.get(r.artifactUri)!;
    });
    const groups = recordingGroups(all, settings);
    const first = all[0].idx;
    const members = groups.get(first)!;
    const expected = recordingStats(members.map((m) => samples.get(byIdx.get(m)!.artifactUri)!));
    expect(await scales.scaleOf('ds', first, groups, byIdx)).toEqual(expected);
    for (const m of members) expect(await scales.scaleOf('ds', m, groups, byIdx)).toEqual(expected);
    expect(reads).toBe(members.length);
    const other = all.find((r) => r.fileHash !== all[0].fileHash)!;
    expect(await scales.scaleOf('ds', other.idx, groups, byIdx)).not.toEqual(expected);
    expect(() => scales.scaleOf('ds', 999, groups, byIdx)).toThrow(/ds:999/);
  });
});
