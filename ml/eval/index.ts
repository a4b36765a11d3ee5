// Evaluation metrics and pictures: pure, no Temporal, no tfjs, no I/O (DESIGN: ml/ is the engine).
export { EvalInputError, argmaxRow, predictions, sampleCount, type Scores } from './types.js';
export {
  apFromClf,
  aucFromClf,
  averagePrecision,
  clfCurve,
  descendingOrder,
  prCurve,
  prFromClf,
  rocAuc,
  rocCurve,
  rocFromClf,
  trapezoid,
  type ClfCurve,
  type PrCurve,
  type RocCurve,
} from './curves.js';
export { classify, confusionMatrix, normalizeRows, type ClassReport, type Classification } from './classification.js';
export { calibration, type Calibration, type ReliabilityBin } from './calibration.js';
export {
  binomialTwoSidedHalf,
  chiSquareSf,
  gammaQ,
  logGamma,
  mcnemar,
  mcnemarChi2Statistic,
  mcnemarExact,
  mcnemarPaired,
  wilsonInterval,
  MCNEMAR_EXACT_BELOW,
  Z_95,
  type McNemarResult,
} from './stats.js';
export { bootstrapRandom, percentileInterval, percentileSorted, RankedProblem, resampleCounts, type Interval } from './bootstrap.js';
export { rocAnalysis, type ClassRoc, type RocAnalysis, type RocOptions } from './roc.js';
export { errorAnalysis, type ConditionGroup, type ErrorAnalysis, type ErrorOptions, type Misclassified, type SampleInfo } from './errors.js';
export { compareModels, holmAdjust, paretoFlags, sharedKeys, type ComparedModel, type Comparison, type ComparisonRow, type PairwiseTest } from './compare.js';
export {
  renderComparisonSvg,
  renderErrorsSvg,
  renderRocSvg,
  CLASS_COLORS,
  type ComparisonPictureInput,
  type ErrorsPictureInput,
  type RocPictureInput,
} from './pictures.js';
export { renderExperimentPage, renderTrainingCurvesSvg, type ExperimentPageInput, type PageEpoch, type PageEvaluation } from './page.js';
