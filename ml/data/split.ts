import { mixSeed, mulberry32, shuffled } from '../random.js';

/**
 * Train/validation/test split by *signal*, stratified per class.
 *
 * Windows cut from one recording are strongly correlated; if they landed in both train and test
 * the test accuracy would measure memorisation of that recording, not generalisation. So whole
 * signals are assigned to splits, and windows are cut afterwards.
 */

export interface SplitSignal {
  index: number;
  label: string;
}

export interface SplitOptions {
  validationFraction: number;
  testFraction: number;
  seed: number;
}

export interface SignalSplit {
  train: number[];
  validation: number[];
  test: number[];
}

/** Every class needs at least one signal in each of the three splits. */
export const MIN_SIGNALS_PER_CLASS = 3;

export class SplitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SplitError';
  }
}

/**
 * Deterministic for (signals, fractions, seed), independent of the input order: signals are
 * sorted by index per class before the seeded shuffle. Returned index lists are sorted.
 */
export function splitBySignal(signals: readonly SplitSignal[], opts: SplitOptions): SignalSplit {
  const { validationFraction, testFraction, seed } = opts;
  if (!(validationFraction > 0 && testFraction > 0 && validationFraction + testFraction < 1)) {
    throw new SplitError(`validationFraction (${validationFraction}) and testFraction (${testFraction}) must be > 0 and sum to < 1`);
  }
  const seen = new Set<number>();
  const byClass = new Map<string, number[]>();
  for (const s of signals) {
    if (seen.has(s.index)) throw new SplitError(`signal index ${s.index} appears more than once`);
    seen.add(s.index);
    const list = byClass.get(s.label) ?? [];
    list.push(s.index);
    byClass.set(s.label, list);
  }
  const tooFew = [...byClass].filter(([, idx]) => idx.length < MIN_SIGNALS_PER_CLASS);
  if (tooFew.length > 0) {
    throw new SplitError(
      `too few signals to split by signal: ${tooFew
        .map(([label, idx]) => `class '${label}' has ${idx.length}`)
        .join(', ')} (need at least ${MIN_SIGNALS_PER_CLASS} per class, one for each of train/validation/test)`,
    );
  }

  const out: SignalSplit = { train: [], validation: [], test: [] };
  // Sorted class order so the result does not depend on the order signals were listed in.
  for (const label of [...byClass.keys()].sort()) {
    const indices = byClass
      .get(label)!
      .slice()
      .sort((a, b) => a - b);
    const n = indices.length;
    // Per-class stream: adding a class does not reshuffle the others.
    const order = shuffled(indices, mulberry32(mixSeed(seed, 'split', label)));
    const nTest = clamp(Math.round(n * testFraction), 1, n - 2);
    const nVal = clamp(Math.round(n * validationFraction), 1, n - 1 - nTest);
    out.test.push(...order.slice(0, nTest));
    out.validation.push(...order.slice(nTest, nTest + nVal));
    out.train.push(...order.slice(nTest + nVal));
  }
  for (const list of [out.train, out.validation, out.test]) list.sort((a, b) => a - b);
  return out;
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
