import { predictions, sampleCount, type Scores } from './types.js';

/**
 * Confusion matrix and per-class precision / recall / F1 of the argmax prediction, with
 * scikit-learn's conventions: rows are true classes, a ratio with an empty denominator is 0
 * (`zero_division=0`), and the normalised matrix divides each row by its count (an empty row
 * stays zeros).
 */
export interface ClassReport {
  class: string;
  precision: number;
  recall: number;
  f1: number;
  /** True samples of the class. */
  support: number;
  /** Samples predicted as the class. */
  predicted: number;
}

export interface Classification {
  accuracy: number;
  count: number;
  confusion: number[][];
  confusionNormalized: number[][];
  perClass: ClassReport[];
  macroF1: number;
  weightedF1: number;
}

export function confusionMatrix(labels: ArrayLike<number>, predicted: ArrayLike<number>, k: number): number[][] {
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < labels.length; i++) m[labels[i]][predicted[i]]++;
  return m;
}

export function normalizeRows(m: readonly number[][]): number[][] {
  return m.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (total > 0 ? v / total : 0));
  });
}

const ratio = (a: number, b: number): number => (b > 0 ? a / b : 0);

export function classify(s: Scores, predicted: Int32Array = predictions(s)): Classification {
  const n = sampleCount(s);
  const k = s.classes.length;
  const confusion = confusionMatrix(s.labels, predicted, k);
  let correct = 0;
  for (let c = 0; c < k; c++) correct += confusion[c][c];
  const perClass = s.classes.map((name, c): ClassReport => {
    const tp = confusion[c][c];
    const support = confusion[c].reduce((a, b) => a + b, 0);
    const predictedAs = confusion.reduce((a, row) => a + row[c], 0);
    const precision = ratio(tp, predictedAs);
    const recall = ratio(tp, support);
    return { class: name, precision, recall, f1: ratio(2 * precision * recall, precision + recall), support, predicted: predictedAs };
  });
  return {
    accuracy: ratio(correct, n),
    count: n,
    confusion,
    confusionNormalized: normalizeRows(confusion),
    perClass,
    macroF1: perClass.reduce((a, r) => a + r.f1, 0) / k,
    weightedF1: ratio(
      perClass.reduce((a, r) => a + r.f1 * r.support, 0),
      n,
    ),
  };
}
