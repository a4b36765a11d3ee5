/**
 * One analysis of a stored feature set, as a child process of the pool runs it: the matrix and
 * its row index in, a JSON-able result, its picture and its headline numbers out.
 */
import type { FeatureAnalysisMode, FeatureAnalysisOptions, FeatureIndex } from '../../../contracts/index.js';
import {
  correlation,
  correlationFilter,
  crossValidatedAccuracy,
  featureImportance,
  mrmr,
  mutualInformation,
  type ImportanceKind,
  type ImportanceRow,
  type Table,
} from './index.js';
import { runBaseline, type BaselineSplit } from './baseline.js';
import { renderConfusionSvg, renderCorrelationSvg, renderImportanceSvg } from './pictures.js';

export interface FeatureAnalysisJob {
  mode: FeatureAnalysisMode;
  options: FeatureAnalysisOptions;
  title: string;
  names: string[];
  matrixUri: string;
  indexUri: string;
  /** Mode `baseline`: resolved by the activity — the split (signal indices, from the trainer's splitSignals) and the columns. */
  baseline?: BaselineJob;
}

export interface BaselineJob {
  split: BaselineSplit;
  /** Column indices into `names`; null = all (or mRMR's choice when mrmrK is set). */
  columns: number[] | null;
  mrmrK?: number;
  /** Where the split came from, for the result: the experiment and its rule. */
  source: { experimentId: string | null; rule: string };
  /** The CNN's numbers on the same split, when it has finished (null: not trained or not completed). */
  cnn: { testAccuracy: number | null; bestValAccuracy: number | null; confusionMatrix: number[][] | null; classes: string[] | null } | null;
}

export interface FeatureAnalysisOutcome {
  summary: Record<string, number | string | null>;
  features: string[];
  result: unknown;
  svg: string;
}

export class FeatureAnalysisInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeatureAnalysisInputError';
  }
}

/** The matrix as a Table with class indices in sorted label order, and each row's signal. */
export function tableOf(matrix: Float32Array, index: FeatureIndex, columns: number): { table: Table; groups: Int32Array; classes: string[] } {
  const rows = index.labels.length;
  if (matrix.length !== rows * columns) throw new FeatureAnalysisInputError(`the matrix has ${matrix.length} values for ${rows} rows × ${columns} columns`);
  const classes = [...new Set(index.labels)].sort();
  if (classes.length < 2)
    throw new FeatureAnalysisInputError(`the feature set has ${classes.length} class (${classes.join(', ')}): importance and selection need at least 2`);
  const y = Int32Array.from(index.labels, (l) => classes.indexOf(l));
  return { table: { x: matrix, rows, columns, y, classes: classes.length }, groups: Int32Array.from(index.signalIdx), classes };
}

function importance(table: Table, groups: Int32Array, names: string[], o: FeatureAnalysisOptions, rankBy: ImportanceKind) {
  return featureImportance(table, groups, names, { forest: o.forest, repeats: o.repeats, testFraction: o.testFraction, bins: o.bins, seed: o.seed, rankBy });
}

export function runFeatureAnalysis(job: FeatureAnalysisJob, matrix: Float32Array, index: FeatureIndex): FeatureAnalysisOutcome {
  const { table, groups, classes } = tableOf(matrix, index, job.names.length);
  const o = job.options;
  const nonFinite = table.x.findIndex((v) => !Number.isFinite(v));
  if (nonFinite >= 0)
    throw new FeatureAnalysisInputError(`row ${Math.floor(nonFinite / table.columns)}, feature ${job.names[nonFinite % table.columns]} is not finite`);
  if (job.mode === 'importance') {
    const t = importance(table, groups, job.names, o, o.rankBy);
    return {
      summary: {
        rows: table.rows,
        heldOutAccuracy: t.heldOutAccuracy,
        heldOutAccuracySd: t.heldOutAccuracySd,
        top: t.rows[0]?.feature ?? null,
        rankBy: o.rankBy,
      },
      features: t.rows.map((r) => r.feature),
      result: { ...t, classes },
      svg: renderImportanceSvg({ title: job.title, rows: t.rows, kind: o.rankBy }),
    };
  }
  if (job.mode === 'select') {
    let chosen: number[];
    let ranked: ImportanceRow[] | null = null;
    if (o.method === 'mrmr') chosen = mrmr(table, o.k, o.bins);
    else {
      // Top-k and the correlation filter walk the features in importance order (MI for the filter: cheap and model-free).
      if (o.method === 'top-k') ranked = importance(table, groups, job.names, o, o.rankBy).rows;
      const order = ranked ? ranked.map((r) => job.names.indexOf(r.feature)) : byRelevance(table, o.bins);
      chosen = o.method === 'top-k' ? order.slice(0, o.k) : correlationFilter(table, order, o.threshold);
    }
    const all = Array.from({ length: table.columns }, (_, j) => j);
    const selectedCv = crossValidatedAccuracy(table, groups, chosen, o.folds, o.forest, o.seed);
    const allCv = crossValidatedAccuracy(table, groups, all, o.folds, o.forest, o.seed);
    const features = chosen.map((j) => job.names[j]);
    const mi = mutualInformation(table, o.bins);
    const rows: ImportanceRow[] = chosen.map((j, i) => ({
      feature: job.names[j],
      impurity: 0,
      impuritySd: 0,
      permutation: 0,
      permutationSd: 0,
      mutualInformation: mi[j],
      anovaF: 0,
      rank: i + 1,
    }));
    return {
      summary: { method: o.method, selected: chosen.length, of: table.columns, cvAccuracySelected: selectedCv.mean, cvAccuracyAll: allCv.mean, folds: o.folds },
      features,
      result: { method: o.method, features, selectedCv, allCv, ranked, classes },
      svg: renderImportanceSvg({
        title: `${job.title}: ${o.method} selection (CV accuracy ${selectedCv.mean.toFixed(3)} vs ${allCv.mean.toFixed(3)} on all)`,
        rows,
        kind: 'mutual-information',
      }),
    };
  }
  if (job.mode === 'baseline') return baselineOutcome(job, table, groups, classes);
  const c = correlation(table, o.threshold);
  const pairs = c.pairs.map((p) => ({ a: job.names[p.a], b: job.names[p.b], pearson: p.pearson, spearman: p.spearman }));
  return {
    summary: { features: table.columns, pairsAboveThreshold: pairs.length, threshold: o.threshold },
    features: c.order.map((j) => job.names[j]),
    result: { names: job.names, pearson: Array.from(c.pearson), spearman: Array.from(c.spearman), order: c.order, pairs, threshold: o.threshold },
    svg: renderCorrelationSvg({ title: `${job.title}: Pearson r, clustered`, names: job.names, matrix: c.pearson, order: c.order }),
  };
}

function byRelevance(table: Table, bins: number): number[] {
  const mi = mutualInformation(table, bins);
  return Array.from({ length: table.columns }, (_, j) => j).sort((a, b) => mi[b] - mi[a] || a - b);
}

/** Mode `baseline`: the forest on the experiment's split; summary and result shaped like an experiment's test metrics. */
function baselineOutcome(job: FeatureAnalysisJob, table: Table, groups: Int32Array, classes: string[]): FeatureAnalysisOutcome {
  const b = job.baseline;
  if (!b) throw new FeatureAnalysisInputError('mode baseline needs the resolved split (job.baseline)');
  if (b.cnn?.classes && b.cnn.classes.join('\u0000') !== classes.join('\u0000')) {
    throw new FeatureAnalysisInputError(`the experiment's classes (${b.cnn.classes.join(', ')}) are not the feature set's (${classes.join(', ')})`);
  }
  const r = runBaseline(table, groups, classes, b.split, { forest: job.options.forest, columns: b.columns, mrmrK: b.mrmrK, bins: job.options.bins });
  const features = r.columns.map((j) => job.names[j]);
  const cnnTest = b.cnn?.testAccuracy ?? null;
  const vs = cnnTest === null ? '' : ` vs CNN ${(100 * cnnTest).toFixed(1)} %`;
  return {
    summary: {
      testAccuracy: r.test.accuracy,
      validationAccuracy: r.validation.accuracy,
      macroF1: r.test.macroF1,
      cnnTestAccuracy: cnnTest,
      cnnBestValAccuracy: b.cnn?.bestValAccuracy ?? null,
      experimentId: b.source.experimentId,
      split: b.source.rule,
      features: features.length,
      trainRows: r.rows.train,
      testRows: r.rows.test,
      testSignals: r.signals.test,
    },
    features,
    result: {
      // Named as the experiments table names them (test_accuracy, confusion_matrix, classes): rows true, columns predicted.
      testAccuracy: r.test.accuracy,
      validationAccuracy: r.validation.accuracy,
      confusionMatrix: r.test.confusion,
      classes,
      perClass: r.test.perClass,
      macroF1: r.test.macroF1,
      validation: { accuracy: r.validation.accuracy, confusionMatrix: r.validation.confusion },
      rows: r.rows,
      signals: r.signals,
      features,
      forest: job.options.forest,
      fitSeconds: r.fitSeconds,
      source: b.source,
      cnn: b.cnn,
    },
    svg: renderConfusionSvg({
      title: `${job.title}: random forest, test accuracy ${(100 * r.test.accuracy).toFixed(1)} %${vs}`,
      subtitle: `${features.length} features · split ${b.source.rule}${b.source.experimentId ? ` of ${b.source.experimentId}` : ''} · ${r.rows.test} test rows from ${r.signals.test} signals`,
      classes,
      confusion: r.test.confusion,
    }),
  };
}
