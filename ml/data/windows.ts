import type { ClassBalance } from '../../contracts/training.js';

/**
 * Fixed-length training windows cut from long signals.
 *
 * Each window is z-score normalised on its own: vibration amplitude depends on motor load, sensor
 * placement and gain, none of which says anything about the fault class. Normalising per window
 * makes the classifier look at shape (impulse rate, resonance) rather than loudness.
 */

export interface WindowOptions {
  windowLength: number;
  windowHop: number;
  maxWindowsPerSignal: number;
}

export interface WindowSource {
  /** Signal index (for error messages and for tracing a window back to its signal). */
  index: number;
  /** Class index into the job's class list. */
  labelIndex: number;
  samples: Float32Array;
  /**
   * Normalise every window by these (the recording's) statistics instead of its own: keeps the
   * loudness of a window relative to its recording. Unset = per-window z-score.
   */
  scale?: { mean: number; std: number };
}

/** Windows as flat arrays, ready for `tf.tensor3d(x, [count, windowLength, 1])`. */
export interface WindowSet {
  /** count × windowLength float32 values, row-major. */
  x: Float32Array;
  /** Class index per window. */
  y: Int32Array;
  /** Signal index per window. */
  signalOf: Int32Array;
  count: number;
  windowLength: number;
}

export class WindowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WindowError';
  }
}

/**
 * Start offsets of the windows of one signal: every `windowHop` samples, thinned to at most
 * `maxWindowsPerSignal` spread evenly over the whole signal (first and last kept), so a cap
 * does not just keep the beginning of a recording.
 */
export function windowStarts(signalLength: number, opts: WindowOptions): number[] {
  const { windowLength, windowHop, maxWindowsPerSignal } = opts;
  if (!Number.isInteger(windowLength) || windowLength < 1) throw new WindowError(`windowLength must be a positive integer, got ${windowLength}`);
  if (!Number.isInteger(windowHop) || windowHop < 1) throw new WindowError(`windowHop must be a positive integer, got ${windowHop}`);
  if (!Number.isInteger(maxWindowsPerSignal) || maxWindowsPerSignal < 1) {
    throw new WindowError(`maxWindowsPerSignal must be a positive integer, got ${maxWindowsPerSignal}`);
  }
  if (signalLength < windowLength) return [];
  const available = Math.floor((signalLength - windowLength) / windowHop) + 1;
  const take = Math.min(available, maxWindowsPerSignal);
  const starts: number[] = [];
  if (take === 1) {
    // One window: take the middle one, the most typical part of a steady-state recording.
    starts.push(Math.floor((available - 1) / 2) * windowHop);
    return starts;
  }
  for (let i = 0; i < take; i++) {
    // Step ≥ 1 between consecutive picks, so rounding never picks a window twice.
    starts.push(Math.round((i * (available - 1)) / (take - 1)) * windowHop);
  }
  return starts;
}

/**
 * Copy `length` samples from `src[start..]` into `out[outOffset..]`, z-score normalised.
 * A constant window (zero variance) becomes all zeros rather than NaN.
 */
export function zNormalizeInto(src: Float32Array, start: number, length: number, out: Float32Array, outOffset: number): void {
  // Float64 accumulators: float32 sums over thousands of samples lose digits.
  let sum = 0;
  for (let i = 0; i < length; i++) sum += src[start + i];
  const mean = sum / length;
  let sq = 0;
  for (let i = 0; i < length; i++) {
    const d = src[start + i] - mean;
    sq += d * d;
  }
  const std = Math.sqrt(sq / length);
  const scale = std > 1e-12 ? 1 / std : 0;
  for (let i = 0; i < length; i++) out[outOffset + i] = (src[start + i] - mean) * scale;
}

/** Copy `length` samples, shifted and scaled by given statistics (a zero deviation gives zeros). */
export function scaleInto(src: Float32Array, start: number, length: number, scale: { mean: number; std: number }, out: Float32Array, outOffset: number): void {
  const k = scale.std > 1e-12 ? 1 / scale.std : 0;
  for (let i = 0; i < length; i++) out[outOffset + i] = (src[start + i] - scale.mean) * k;
}

/** Mean and standard deviation over all samples of several arrays (one recording's signals), in float64. */
export function recordingStats(parts: readonly Float32Array[]): { mean: number; std: number } {
  let n = 0;
  let sum = 0;
  for (const p of parts) {
    n += p.length;
    for (let i = 0; i < p.length; i++) sum += p[i];
  }
  const mean = n > 0 ? sum / n : 0;
  let sq = 0;
  for (const p of parts) for (let i = 0; i < p.length; i++) sq += (p[i] - mean) ** 2;
  return { mean, std: n > 0 ? Math.sqrt(sq / n) : 0 };
}

/** Cut, thin and normalise the windows of `signals`, in the given signal order. */
export function buildWindows(signals: readonly WindowSource[], opts: WindowOptions): WindowSet {
  const { windowLength } = opts;
  const plans = signals.map((s) => {
    if (s.samples.length < windowLength) {
      throw new WindowError(`signal ${s.index} has ${s.samples.length} samples, shorter than one window (windowLength ${windowLength})`);
    }
    const bad = firstNonFinite(s.samples);
    if (bad >= 0) {
      // Bad data must fail as bad data, not later as a "diverged" training run.
      throw new WindowError(`signal ${s.index} has a non-finite sample (${s.samples[bad]}) at position ${bad}`);
    }
    return { s, starts: windowStarts(s.samples.length, opts) };
  });
  const count = plans.reduce((n, p) => n + p.starts.length, 0);
  const x = new Float32Array(count * windowLength);
  const y = new Int32Array(count);
  const signalOf = new Int32Array(count);
  let w = 0;
  for (const { s, starts } of plans) {
    for (const start of starts) {
      if (s.scale) scaleInto(s.samples, start, windowLength, s.scale, x, w * windowLength);
      else zNormalizeInto(s.samples, start, windowLength, x, w * windowLength);
      y[w] = s.labelIndex;
      signalOf[w] = s.index;
      w++;
    }
  }
  return { x, y, signalOf, count, windowLength };
}

function firstNonFinite(a: Float32Array): number {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return i;
  return -1;
}

/** Windows per class per split, every class listed (zeros included) so gaps are visible. */
export function classBalance(
  sets: { train: Pick<WindowSet, 'y'>; validation: Pick<WindowSet, 'y'>; test: Pick<WindowSet, 'y'> },
  classes: readonly string[],
): ClassBalance {
  const count = (y: Int32Array): Record<string, number> => {
    const out: Record<string, number> = Object.fromEntries(classes.map((c) => [c, 0]));
    for (let i = 0; i < y.length; i++) {
      const c = classes[y[i]];
      if (c === undefined) throw new WindowError(`label index ${y[i]} is outside the ${classes.length} classes`);
      out[c]++;
    }
    return out;
  };
  return { train: count(sets.train.y), validation: count(sets.validation.y), test: count(sets.test.y) };
}
