import { calibration, type Calibration } from './calibration.js';
import { classify, type Classification } from './classification.js';
import { argmaxRow, EvalInputError, sampleCount, type Scores } from './types.js';

/**
 * Where a model fails: the confusion matrix and per-class scores, its calibration, the
 * misclassified samples (most confident first: those are the surprising ones) and the error
 * rate broken down by each condition the samples carry (load, fault size, SNR band, source
 * file…), so "it fails on 3 hp" or "on one recording" is one table away.
 */
export interface SampleInfo {
  /** Signal reference, `<datasetId>:<index>`. */
  signal: string;
  /** First sample of the window in its signal. */
  windowStart: number;
  /** Condition name → value; null or absent when unknown (not counted in that breakdown). */
  conditions: Record<string, string | null>;
}

export interface Misclassified {
  signal: string;
  windowStart: number;
  trueClass: string;
  predictedClass: string;
  /** Probability of the predicted class. */
  confidence: number;
  /** Probability the model gave the true class. */
  trueProbability: number;
}

export interface ConditionGroup {
  value: string;
  count: number;
  errors: number;
  errorRate: number;
}

export interface ErrorAnalysis {
  classification: Classification;
  calibration: Calibration;
  errors: number;
  /** The most confident mistakes first, at most `maxListed`. */
  misclassified: Misclassified[];
  /** Condition → groups, ordered by value (numbers numerically). */
  byCondition: Record<string, ConditionGroup[]>;
}

export interface ErrorOptions {
  bins?: number;
  maxListed?: number;
}

/** Numerically by a leading number ("2 hp" before "10 hp", "0–2 dB" before "2–4 dB"), else as text. */
const byValue = (a: ConditionGroup, b: ConditionGroup): number => {
  const x = Number.parseFloat(a.value);
  const y = Number.parseFloat(b.value);
  if (Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
};

export function errorAnalysis(s: Scores, info: readonly SampleInfo[], opts: ErrorOptions = {}): ErrorAnalysis {
  const n = sampleCount(s);
  if (info.length !== n) throw new EvalInputError(`info: ${info.length} entries for ${n} samples`);
  const k = s.classes.length;
  const predicted = new Int32Array(n);
  for (let i = 0; i < n; i++) predicted[i] = argmaxRow(s.probabilities, i, k);
  const wrong: Misclassified[] = [];
  const groups = new Map<string, Map<string, ConditionGroup>>();
  for (let i = 0; i < n; i++) {
    const y = s.labels[i];
    const p = predicted[i];
    const isError = p !== y;
    if (isError) {
      wrong.push({
        signal: info[i].signal,
        windowStart: info[i].windowStart,
        trueClass: s.classes[y],
        predictedClass: s.classes[p],
        confidence: s.probabilities[i * k + p],
        trueProbability: s.probabilities[i * k + y],
      });
    }
    for (const [name, value] of Object.entries(info[i].conditions)) {
      if (value === null || value === undefined) continue;
      let byVal = groups.get(name);
      if (!byVal) groups.set(name, (byVal = new Map()));
      let g = byVal.get(value);
      if (!g) byVal.set(value, (g = { value, count: 0, errors: 0, errorRate: 0 }));
      g.count++;
      if (isError) g.errors++;
    }
  }
  wrong.sort((a, b) => b.confidence - a.confidence || (a.signal < b.signal ? -1 : a.signal > b.signal ? 1 : a.windowStart - b.windowStart));
  const byCondition: Record<string, ConditionGroup[]> = {};
  for (const name of [...groups.keys()].sort()) {
    byCondition[name] = [...groups.get(name)!.values()].map((g) => ({ ...g, errorRate: g.errors / g.count })).sort(byValue);
  }
  return {
    classification: classify(s, predicted),
    calibration: calibration(s, opts.bins ?? 10),
    errors: wrong.length,
    misclassified: wrong.slice(0, opts.maxListed ?? 200),
    byCondition,
  };
}
