import { describe, expect, it } from 'vitest';
import { buildWindows, classBalance, windowStarts, WindowError } from '../../ml/data/windows.js';

describe('windowStarts', () => {
  it('steps by hop and stops before running past the end', () => {
    expect(windowStarts(1000, { windowLength: 256, windowHop: 128, maxWindowsPerSignal: 100 })).toEqual([0, 128, 256, 384, 512, 640]);
    expect(windowStarts(256, { windowLength: 256, windowHop: 128, maxWindowsPerSignal: 100 })).toEqual([0]);
    expect(windowStarts(255, { windowLength: 256, windowHop: 128, maxWindowsPerSignal: 100 })).toEqual([]);
  });

  it('thins evenly over the whole signal, keeping first and last, deterministically', () => {
    const opts = { windowLength: 100, windowHop: 10, maxWindowsPerSignal: 5 };
    const starts = windowStarts(10_000, opts); // 991 candidate windows
    expect(starts).toHaveLength(5);
    expect(starts[0]).toBe(0);
    expect(starts[4]).toBe(9900);
    expect(new Set(starts).size).toBe(5);
    expect(windowStarts(10_000, opts)).toEqual(starts);
    for (let i = 1; i < 5; i++) expect(starts[i] - starts[i - 1]).toBeGreaterThan(2000);
  });

  it('never repeats a window when the cap is just below the available count', () => {
    const starts = windowStarts(100 + 9 * 7, { windowLength: 100, windowHop: 7, maxWindowsPerSignal: 9 });
    expect(new Set(starts).size).toBe(9);
  });
});

describe('buildWindows', () => {
  const ramp = (n: number, scale: number, offset: number) => Float32Array.from({ length: n }, (_, i) => offset + scale * Math.sin(i / 3));

  it('builds [n, windowLength] data with labels, each window z-scored', () => {
    const set = buildWindows(
      [
        { index: 1, labelIndex: 0, samples: ramp(1000, 1, 0) },
        { index: 2, labelIndex: 3, samples: ramp(1000, 50, 7) },
      ],
      { windowLength: 256, windowHop: 256, maxWindowsPerSignal: 2 },
    );
    expect(set.count).toBe(4);
    expect(set.x).toHaveLength(4 * 256);
    expect(Array.from(set.y)).toEqual([0, 0, 3, 3]);
    expect(Array.from(set.signalOf)).toEqual([1, 1, 2, 2]);
    for (let w = 0; w < 4; w++) {
      const win = set.x.subarray(w * 256, (w + 1) * 256);
      const mean = win.reduce((a, b) => a + b, 0) / 256;
      const std = Math.sqrt(win.reduce((a, b) => a + (b - mean) ** 2, 0) / 256);
      expect(mean).toBeCloseTo(0, 5);
      expect(std).toBeCloseTo(1, 4);
    }
    // Amplitude and offset are normalised away: the loud signal's window equals the quiet one's.
    for (let i = 0; i < 256; i++) expect(set.x[2 * 256 + i]).toBeCloseTo(set.x[i], 4);
  });

  it('turns a constant window into zeros instead of NaN', () => {
    const set = buildWindows([{ index: 0, labelIndex: 0, samples: new Float32Array(300).fill(4) }], {
      windowLength: 256,
      windowHop: 256,
      maxWindowsPerSignal: 4,
    });
    expect(Array.from(set.x).every((v) => v === 0)).toBe(true);
  });

  it('names a signal shorter than one window, and one with non-finite samples', () => {
    const opts = { windowLength: 256, windowHop: 128, maxWindowsPerSignal: 4 };
    expect(() => buildWindows([{ index: 42, labelIndex: 0, samples: new Float32Array(100) }], opts)).toThrow(WindowError);
    expect(() => buildWindows([{ index: 42, labelIndex: 0, samples: new Float32Array(100) }], opts)).toThrow(
      /signal 42 has 100 samples, shorter than one window \(windowLength 256\)/,
    );
    const bad = new Float32Array(300);
    bad[17] = NaN;
    expect(() => buildWindows([{ index: 5, labelIndex: 0, samples: bad }], opts)).toThrow(/signal 5 has a non-finite sample \(NaN\) at position 17/);
  });
});

describe('classBalance', () => {
  it('counts windows per class per split, zeros included', () => {
    const b = classBalance({ train: { y: Int32Array.from([0, 0, 1]) }, validation: { y: Int32Array.from([1]) }, test: { y: new Int32Array(0) } }, [
      'normal',
      'ball',
    ]);
    expect(b).toEqual({ train: { normal: 2, ball: 1 }, validation: { normal: 0, ball: 1 }, test: { normal: 0, ball: 0 } });
  });
});
