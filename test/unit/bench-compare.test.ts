import { describe, expect, it } from 'vitest';
import { benchProgress, compareFigures, figureDirection, flattenFigures, parseBenchStartLine } from '../../activities/lib/verify/bench-compare.js';
import { RunBenchmarksInputSchema } from '../../contracts/index.js';

describe('benchmark comparison', () => {
  it('flattens nested figures to dotted paths, skipping kind and non-numbers', () => {
    const f = flattenFigures({ kind: 'features', ours: { seconds: { all: 2 }, signalsPerSec: 10 }, tfjs: [{ trainSamplesPerSec: 5 }], note: 'x', nan: null });
    expect([...f]).toEqual([
      ['ours.seconds.all', 2],
      ['ours.signalsPerSec', 10],
      ['tfjs.0.trainSamplesPerSec', 5],
    ]);
  });

  it('reads which way is better off the figure name', () => {
    expect(figureDirection('signalsPerSec')).toBe('higher');
    expect(figureDirection('cwru10.runs.0.testAccuracy')).toBe('higher');
    expect(figureDirection('msPerSignalWall')).toBe('lower');
    expect(figureDirection('envelopeSpectrumMedianMs')).toBe('lower');
    expect(figureDirection('ours.seconds.time')).toBe('lower');
    expect(figureDirection('forest.ours.fitSec')).toBe('lower');
    expect(figureDirection('signals')).toBe('unknown');
  });

  it('flags a figure worse than the threshold allows, in its better direction only', () => {
    const baseline = { kind: 'simulator', signals: 20, signalsPerSec: 100, msPerSignalWall: 10 };
    const current = { kind: 'simulator', signals: 40, signalsPerSec: 70, msPerSignalWall: 11, newFigure: 3 };
    expect(compareFigures(baseline, current, 0.2)).toEqual([
      { figure: 'signals', baseline: 20, current: 40, ratio: 2, direction: 'unknown', regression: false },
      { figure: 'signalsPerSec', baseline: 100, current: 70, ratio: 0.7, direction: 'higher', regression: true },
      { figure: 'msPerSignalWall', baseline: 10, current: 11, ratio: 1.1, direction: 'lower', regression: false },
    ]);
    expect(compareFigures({ a: 0 }, { a: 1 }, 0.2)).toEqual([{ figure: 'a', baseline: 0, current: 1, ratio: null, direction: 'unknown', regression: false }]);
  });

  it("follows bench/run.ts's start lines for progress", () => {
    const names = ['simulator', 'xai'];
    expect(parseBenchStartLine('=== xai (quick) — load average 1 / 1 / 1 ===', names)).toBe('xai');
    expect(parseBenchStartLine('=== eval — load', names)).toBeUndefined();
    expect(parseBenchStartLine('xai', names)).toBeUndefined();
    expect(benchProgress(names, 'xai')).toEqual({ completed: 1, total: 2, current: 'xai' });
    expect(benchProgress(names, undefined)).toEqual({ completed: 0, total: 2 });
  });

  it('the contract refuses unknown or repeated bench names before anything starts', () => {
    for (const benches of [['nope'], ['simulator; rm -rf /'], ['simulator', 'simulator'], [], ['../simulator']]) {
      const r = RunBenchmarksInputSchema.safeParse({ runId: 'r', benches });
      expect(r.success, JSON.stringify(benches)).toBe(false);
      expect(r.error?.issues[0].path[0]).toBe('benches');
    }
    expect(RunBenchmarksInputSchema.parse({ runId: 'r', benches: ['simulator'] })).toMatchObject({ quick: false, regressionThreshold: 0.2 });
  });
});
