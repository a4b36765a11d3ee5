// Explanation methods for the 1D-CNN models. Pure tfjs: no Temporal, no I/O.
export { XaiInputError, checkClass, checkWindow, modelShape, predictTarget, segmentBounds, type Baseline, type ModelShape, type Score } from './common.js';
export { integratedGradients, completenessGap, type CompletenessCheck, type IntegratedGradientsOptions } from './integrated-gradients.js';
export { gradCam, lastConvLayer, upsampleLinear, type GradCamOptions } from './grad-cam.js';
export { occlusion, occlusionStarts, type OcclusionOptions } from './occlusion.js';
export { kernelShap, type ShapleyOptions, type ShapleyResult, type ShapleySegment } from './shapley.js';
export { deletionFaithfulness, type DeletionCurves, type FaithfulnessOptions } from './faithfulness.js';
export { summarizeAttribution, type AttributionSummary, type SegmentShare, type SummaryOptions } from './summary.js';
export { attributeWindow, explainSignal, predictWindows, type ExplainJob, type MethodExplanation, type SignalExplanation } from './explain.js';
