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
import { renderCorrelationSvg, renderImportanceSvg } from './pictures.js';

export interface FeatureAnalysisJob {
  mode: FeatureAnalysisMode;
  options: FeatureAnalysisOptions;
  title: string;
  names: string[];
  matrixUri: string;
  indexUri: string;
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
