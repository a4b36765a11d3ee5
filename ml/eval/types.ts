/**
 * What every evaluation takes: class probabilities of a classifier on n samples (windows or
 * signals), row-major n × k, and the true class index of each sample. Plain arrays so the
 * analyses run anywhere (an activity, a test, the benchmark) with no tfjs and no I/O.
 */
export interface Scores {
  /** n × k probabilities, row-major. */
  probabilities: ArrayLike<number>;
  /** True class index per sample, in [0, k). */
  labels: ArrayLike<number>;
  /** Class names in index order (k of them). */
  classes: readonly string[];
}

export class EvalInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvalInputError';
  }
}

/** Number of samples of `s`, after checking the shapes agree and every label is a class index. */
export function sampleCount(s: Scores): number {
  const k = s.classes.length;
  if (k < 2) throw new EvalInputError(`classes: need at least 2, got ${k}`);
  const n = s.labels.length;
  if (s.probabilities.length !== n * k) {
    throw new EvalInputError(`probabilities: expected ${n} × ${k} = ${n * k} values, got ${s.probabilities.length}`);
  }
  for (let i = 0; i < n; i++) {
    const y = s.labels[i];
    if (!Number.isInteger(y) || y < 0 || y >= k) throw new EvalInputError(`labels[${i}]: ${y} is not a class index in [0, ${k})`);
  }
  return n;
}

/** Index of the largest probability of row i; the first one on ties (numpy's argmax). */
export function argmaxRow(p: ArrayLike<number>, i: number, k: number): number {
  let best = 0;
  const o = i * k;
  for (let c = 1; c < k; c++) if (p[o + c] > p[o + best]) best = c;
  return best;
}

export function predictions(s: Scores): Int32Array {
  const n = sampleCount(s);
  const k = s.classes.length;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = argmaxRow(s.probabilities, i, k);
  return out;
}
