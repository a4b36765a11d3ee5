/**
 * The classical baseline: a random forest on a feature matrix, trained on the rows of the training
 * signals and scored on the rows of the validation and test signals of a CNN experiment's split.
 * The split itself is computed by the trainer's own code (ml/data/split.ts splitSignals) before it
 * gets here, so the forest and the network see the same signals on each side; here only rows are
 * routed by their signal. Scores go through ml/eval's classify, the one that evaluations use, so
 * the accuracy and confusion matrix mean exactly what an experiment's do.
 */
import { classify, type Classification } from '../../eval/classification.js';
import { fitForest, predictProba, type ForestOptions, type Table } from './forest.js';
import { mrmr } from './index.js';
import { subset } from './stats.js';

/** Signal indices of each side (what splitSignals returns). */
export interface BaselineSplit {
  train: readonly number[];
  validation: readonly number[];
  test: readonly number[];
}

export interface BaselineOptions {
  forest: Partial<ForestOptions>;
  /** Columns the forest sees; null = all. */
  columns: readonly number[] | null;
  /** Instead of `columns`: mRMR's k best, chosen on the training rows only (no test row informs the choice). */
  mrmrK?: number;
  /** Equal-frequency bins of mRMR's mutual information. */
  bins?: number;
}

export interface BaselineOutcome {
  /** The columns used, in the order chosen. */
  columns: number[];
  rows: { train: number; validation: number; test: number };
  signals: { train: number; validation: number; test: number };
  validation: Classification;
  test: Classification;
  fitSeconds: number;
}

export class BaselineInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeatureAnalysisInputError';
  }
}

/** Rows of `signalOfRow` whose signal is in `signals` (rows of signals in no part — a time split's gaps — are left out). */
function rowsOf(signalOfRow: ArrayLike<number>, signals: readonly number[]): number[] {
  const wanted = new Set(signals);
  const out: number[] = [];
  for (let r = 0; r < signalOfRow.length; r++) if (wanted.has(signalOfRow[r])) out.push(r);
  return out;
}

export function runBaseline(
  table: Table,
  signalOfRow: ArrayLike<number>,
  classes: readonly string[],
  split: BaselineSplit,
  o: BaselineOptions,
): BaselineOutcome {
  if (signalOfRow.length !== table.rows) throw new BaselineInputError(`signalOfRow has ${signalOfRow.length} entries for ${table.rows} rows`);
  const parts = { train: rowsOf(signalOfRow, split.train), validation: rowsOf(signalOfRow, split.validation), test: rowsOf(signalOfRow, split.test) };
  for (const [side, rows] of Object.entries(parts)) {
    if (rows.length === 0)
      throw new BaselineInputError(`the ${side} signals of the split have no rows in the feature set (is it a feature set of the same dataset?)`);
  }
  const trainAll = subset(table, parts.train);
  let columns: number[];
  if (o.mrmrK !== undefined) columns = mrmr(trainAll, Math.min(o.mrmrK, table.columns), o.bins ?? 10);
  else columns = o.columns ? [...o.columns] : Array.from({ length: table.columns }, (_, j) => j);
  const bad = columns.find((j) => !Number.isInteger(j) || j < 0 || j >= table.columns);
  if (bad !== undefined) throw new BaselineInputError(`column ${bad} is not one of the ${table.columns} features`);
  const t0 = performance.now();
  const forest = fitForest(subset(table, parts.train, columns), o.forest);
  const fitSeconds = (performance.now() - t0) / 1000;
  const score = (rows: number[]): Classification => {
    const part = subset(table, rows, columns);
    return classify({ probabilities: predictProba(forest, part.x, part.rows), labels: part.y, classes });
  };
  const distinct = (rows: number[]) => new Set(rows.map((r) => signalOfRow[r])).size;
  return {
    columns,
    rows: { train: parts.train.length, validation: parts.validation.length, test: parts.test.length },
    signals: { train: distinct(parts.train), validation: distinct(parts.validation), test: distinct(parts.test) },
    validation: score(parts.validation),
    test: score(parts.test),
    fitSeconds,
  };
}
