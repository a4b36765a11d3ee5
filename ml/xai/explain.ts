import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { XaiMethod, XaiMethods } from '../../contracts/xai.js';
import { modelShape, segmentBounds, XaiInputError } from './common.js';
import { deletionFaithfulness } from './faithfulness.js';
import { gradCam } from './grad-cam.js';
import { completenessGap, integratedGradients } from './integrated-gradients.js';
import { occlusion } from './occlusion.js';
import { kernelShap } from './shapley.js';
import { summarizeAttribution, type SegmentShare } from './summary.js';

/**
 * Everything one signal's explanation needs, in plain data: the windows (already z-normalised
 * as in training), the resolved method settings and the seeds. Runs wherever a model is loaded
 * (the XAI child process, a test, the benchmark); no I/O.
 */
export interface ExplainJob {
  windows: Float32Array[];
  classes: string[];
  /** 'predicted': the class of the mean prediction over the windows; else this class index. */
  target: 'predicted' | number;
  methods: XaiMethods;
  /** KernelSHAP's "absent" windows (required when kernel-shap is requested). */
  background?: Float32Array[];
  faithfulness: { steps: number; randomOrders: number };
  summary: { segments: number; topK: number; bands: number };
  samplingRateHz: number;
  seed: number;
}

export interface MethodExplanation {
  method: XaiMethod;
  /** windows × window length, row-major. */
  attributions: Float32Array;
  /** Per window: random-order AUC − method AUC. */
  faithfulnessPerWindow: number[];
  faithfulness: number;
  aucMethod: number;
  aucRandom: number;
  /** Means over windows, in position order. */
  segmentShares: number[];
  bandShares: number[];
  topSegments: SegmentShare[];
  dominantBand: { lowHz: number; highHz: number; share: number };
  peakHz: number;
  /** Integrated Gradients only: worst relative completeness error over the windows. */
  completenessError: number | null;
  durationMs: number;
}

export interface SignalExplanation {
  targetClass: number;
  predictedClass: number;
  /** Mean class probabilities over the windows. */
  probabilities: number[];
  methods: MethodExplanation[];
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const round = (v: number): number => Number(v.toPrecision(6));

/** Class probabilities of each window, [windows][classes]. */
export function predictWindows(model: tfl.LayersModel, windows: readonly Float32Array[]): number[][] {
  const { inputLength } = modelShape(model);
  const flat = new Float32Array(windows.length * inputLength);
  windows.forEach((w, i) => flat.set(w, i * inputLength));
  const out = tf.tidy(() => model.predict(tf.tensor3d(flat, [windows.length, inputLength, 1])) as tf.Tensor2D);
  const rows = out.arraySync();
  out.dispose();
  return rows;
}

/** Methods of `methods` in the order of XAI_METHODS. */
function methodsOf(methods: XaiMethods): XaiMethod[] {
  const order: XaiMethod[] = ['integrated-gradients', 'grad-cam', 'occlusion', 'kernel-shap'];
  return order.filter((m) => methods[m] !== undefined);
}

/**
 * Explain every window of one signal with every requested method, score each explanation's
 * faithfulness on the deletion curve, and summarise it (where in the window, which band). One
 * target class per signal, so the rows of a signal agree on what they explain.
 */
export function explainSignal(model: tfl.LayersModel, job: ExplainJob, onMethod?: (method: XaiMethod) => void): SignalExplanation {
  const { inputLength, numClasses } = modelShape(model);
  if (job.windows.length === 0) throw new XaiInputError('windows must hold at least one window');
  if (job.classes.length !== numClasses) {
    throw new XaiInputError(`classes has ${job.classes.length} names, the model predicts ${numClasses} classes`);
  }
  const probs = predictWindows(model, job.windows);
  const meanProbs = Array.from({ length: numClasses }, (_, c) => mean(probs.map((p) => p[c])));
  const predictedClass = meanProbs.indexOf(Math.max(...meanProbs));
  const targetClass = job.target === 'predicted' ? predictedClass : job.target;
  if (!Number.isInteger(targetClass) || targetClass < 0 || targetClass >= numClasses) {
    throw new XaiInputError(`target class must be in [0, ${numClasses - 1}], got ${targetClass}`);
  }

  const results: MethodExplanation[] = [];
  for (const method of methodsOf(job.methods)) {
    onMethod?.(method);
    const t0 = performance.now();
    const attributions = new Float32Array(job.windows.length * inputLength);
    const faith: { score: number; aucMethod: number; aucRandom: number }[] = [];
    const summaries: ReturnType<typeof summarizeAttribution>[] = [];
    let completenessError: number | null = null;
    job.windows.forEach((x, w) => {
      const attr = attributeWindow(model, x, method, targetClass, { methods: job.methods, background: job.background, seed: (job.seed + 7919 * w) >>> 0 });
      if (method === 'integrated-gradients') {
        const s = job.methods['integrated-gradients'];
        const gap = completenessGap(model, x, attr, { targetClass, baseline: s?.baseline, score: s?.score });
        completenessError = Math.max(completenessError ?? 0, gap.relativeError);
      }
      attributions.set(attr, w * inputLength);
      const curves = deletionFaithfulness(model, x, attr, {
        targetClass,
        steps: Math.min(job.faithfulness.steps, inputLength),
        randomOrders: job.faithfulness.randomOrders,
        seed: (job.seed + w) >>> 0,
      });
      faith.push({ score: curves.score, aucMethod: curves.aucMethod, aucRandom: curves.aucRandom });
      summaries.push(
        summarizeAttribution(x, attr, {
          samplingRateHz: job.samplingRateHz,
          segments: Math.min(job.summary.segments, inputLength),
          topK: Math.min(job.summary.topK, job.summary.segments),
          bands: job.summary.bands,
        }),
      );
    });
    results.push({ method, attributions, completenessError, durationMs: performance.now() - t0, ...combine(faith, summaries, attributions, job, inputLength) });
  }
  return { targetClass, predictedClass, probabilities: meanProbs.map(round), methods: results };
}

/** One method's attribution map of one window, with the request's settings for that method. */
export function attributeWindow(
  model: tfl.LayersModel,
  x: Float32Array,
  method: XaiMethod,
  targetClass: number,
  opts: { methods: XaiMethods; background?: Float32Array[]; seed: number },
): Float32Array {
  const m = opts.methods;
  switch (method) {
    case 'integrated-gradients': {
      const s = m['integrated-gradients']!;
      return integratedGradients(model, x, { targetClass, steps: s.steps, baseline: s.baseline, score: s.score });
    }
    case 'grad-cam': {
      const s = m['grad-cam']!;
      return gradCam(model, x, { targetClass, layer: s.layer, score: s.score });
    }
    case 'occlusion': {
      const s = m.occlusion!;
      return occlusion(model, x, { targetClass, window: Math.min(s.window, x.length), stride: s.stride, baseline: s.baseline });
    }
    case 'kernel-shap': {
      const s = m['kernel-shap']!;
      if (!opts.background || opts.background.length === 0) throw new XaiInputError('kernel-shap needs background windows');
      return kernelShap(model, x, { targetClass, segments: Math.min(s.segments, x.length), samples: s.samples, background: opts.background, seed: opts.seed })
        .attributions;
    }
  }
}

/** Means over windows; top segments and the dominant band re-derived from the mean shares. */
function combine(
  faith: { score: number; aucMethod: number; aucRandom: number }[],
  summaries: ReturnType<typeof summarizeAttribution>[],
  attributions: Float32Array,
  job: ExplainJob,
  inputLength: number,
): Omit<MethodExplanation, 'method' | 'attributions' | 'completenessError' | 'durationMs'> {
  const segs = summaries[0].segmentShares.length;
  const bands = summaries[0].bandShares.length;
  const segmentShares = Array.from({ length: segs }, (_, i) => round(mean(summaries.map((s) => s.segmentShares[i]))));
  const bandShares = Array.from({ length: bands }, (_, i) => round(mean(summaries.map((s) => s.bandShares[i]))));
  const bounds = segmentBounds(inputLength, segs);
  const windows = attributions.length / inputLength;
  // Signed evidence per segment (for (+) or against (−) the class), mean over windows.
  const sums = Array.from({ length: segs }, (_, i) => {
    let s = 0;
    for (let w = 0; w < windows; w++) for (let k = bounds[i]; k < bounds[i + 1]; k++) s += attributions[w * inputLength + k];
    return round(s / windows);
  });
  const topSegments = segmentShares
    .map((share, i) => ({ start: bounds[i], end: bounds[i + 1], share, sum: sums[i] }))
    .sort((a, b) => b.share - a.share || a.start - b.start)
    .slice(0, Math.min(job.summary.topK, segs));
  let best = 0;
  for (let b = 1; b < bands; b++) if (bandShares[b] > bandShares[best]) best = b;
  const nyquist = job.samplingRateHz / 2;
  return {
    faithfulnessPerWindow: faith.map((f) => round(f.score)),
    faithfulness: round(mean(faith.map((f) => f.score))),
    aucMethod: round(mean(faith.map((f) => f.aucMethod))),
    aucRandom: round(mean(faith.map((f) => f.aucRandom))),
    segmentShares,
    bandShares,
    topSegments,
    dominantBand: { lowHz: round((best * nyquist) / bands), highHz: round(((best + 1) * nyquist) / bands), share: bandShares[best] },
    peakHz: summaries[0].peakHz,
  };
}
