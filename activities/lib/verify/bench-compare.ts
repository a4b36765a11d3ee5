import type { BenchFigureComparison, FigureDirection, VerifyStepProgress } from '../../../contracts/index.js';

/**
 * Comparison of a benchmark's figures with the last stored run of the same benchmark. Figures
 * are whatever each bench definition keeps (bench/defs/*.ts), nested objects of numbers; they
 * are compared leaf by leaf on their dotted paths. Which way is better is read off the name,
 * because the definitions do not declare it: rates and accuracies up, times down; anything else
 * (counts, settings) is compared but never flagged.
 */

/** Every finite number in `figures`, by dotted path (`ours.seconds.all`, `tfjs.0.trainSamplesPerSec`); `kind` is skipped. */
export function flattenFigures(figures: unknown, prefix = ''): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (value: unknown, at: string) => {
    if (typeof value === 'number') {
      if (Number.isFinite(value)) out.set(at, value);
    } else if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (at === prefix && k === 'kind') continue;
        walk(v, at ? `${at}.${k}` : k);
      }
    }
  };
  walk(figures, prefix);
  return out;
}

const HIGHER = /per_?sec|accuracy|speedup|throughput|\bf1\b|auc/i;
const LOWER = /^(seconds|ms|sec|latency|duration)$|Ms$|Sec$|Seconds$|^ms[A-Z]|Latency|Duration/;

/** Which way is better for a figure, from its dotted path. */
export function figureDirection(figure: string): FigureDirection {
  const last = figure.split('.').pop() ?? figure;
  if (HIGHER.test(last)) return 'higher';
  // A time inside a `seconds` group (`ours.seconds.time`) or named as one (`fitSec`, `medianMs`, `msPerSignal`).
  if (LOWER.test(last) || /(^|\.)seconds\./.test(figure)) return 'lower';
  return 'unknown';
}

/**
 * Each figure present in both runs: the ratio current/baseline, and a regression when the figure
 * got worse than `threshold` allows (0.2: a rate below 80 % of its baseline, a time above 120 %).
 */
export function compareFigures(baseline: unknown, current: unknown, threshold: number): BenchFigureComparison[] {
  const before = flattenFigures(baseline);
  const comparisons: BenchFigureComparison[] = [];
  for (const [figure, value] of flattenFigures(current)) {
    const base = before.get(figure);
    if (base === undefined) continue;
    const ratio = base === 0 ? null : value / base;
    const direction = figureDirection(figure);
    const regression = ratio !== null && ((direction === 'higher' && ratio < 1 - threshold) || (direction === 'lower' && ratio > 1 + threshold));
    comparisons.push({ figure, baseline: base, current: value, ratio: ratio === null ? null : Math.round(ratio * 10_000) / 10_000, direction, regression });
  }
  return comparisons;
}

/** bench/run.ts announces each bench with `=== <name> — load average …`: the progress of a bench run. */
export function parseBenchStartLine(line: string, names: readonly string[]): string | undefined {
  const m = /^=== ([a-z0-9-]+)[ (]/.exec(line);
  return m && names.includes(m[1]) ? m[1] : undefined;
}

export function benchProgress(names: readonly string[], started: string | undefined): VerifyStepProgress {
  const idx = started === undefined ? -1 : names.indexOf(started);
  return { completed: Math.max(0, idx), total: names.length, ...(started ? { current: started } : {}) };
}
