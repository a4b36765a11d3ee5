// HPO campaign report: pure SVG/HTML rendering and parameter importance (no I/O; the caller stores the output).
export { renderHpoReport, PANEL_TITLES } from './hpo-report.js';
export { parameterImportance, type ParameterImportance, type ImportanceTrial } from './importance.js';
export type { HpoReportInput, HpoReportTrial, ParamValue } from './types.js';
export { escapeXml } from './svg.js';
export { renderNasReport, paretoFront2, NAS_PANEL_TITLES, type NasReportInput, type NasReportCandidate } from './nas-report.js';
export {
  renderSignalExplanationSvg,
  renderXaiClassSummarySvg,
  renderXaiClassSummaryHtml,
  attributionColumns,
  waveformEnvelope,
  attributionColor,
  MAX_WINDOWS,
  MAX_STRIP_COLUMNS,
  ATTRIBUTION_LEVELS,
  type SignalPictureInput,
  type SignalPictureWindow,
  type XaiClassSummaryInput,
  type XaiClassSummaryMethod,
} from './xai-report.js';
export { architectureLines } from '../../contracts/text.js';
