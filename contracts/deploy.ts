import { z } from 'zod';
import { SlugSchema } from './ids.js';

/**
 * Deployment (seed DeploymentService: export_onnx_task, optimize_model_task,
 * benchmark_models_task): an experiment's tfjs model to a checked, benchmarked, published ONNX
 * model. Every artifact a deployment makes is a `model_versions` row with its parent; at most one
 * version per experiment is `published`, and a failed or cancelled deployment leaves the one
 * that was published before.
 */

export const MODEL_VERSION_KINDS = ['onnx-fp32', 'onnx-optimized', 'onnx-int8-static', 'onnx-int8-dynamic', 'onnx-fp16'] as const;
export type ModelVersionKind = (typeof MODEL_VERSION_KINDS)[number];

/**
 * exported: written and checked against tfjs; validated / rejected: accuracy on the test split
 * within / beyond the tolerance; published: the experiment's current deployable model; retired:
 * was published, replaced by a later deployment; rolled_back: made by a deployment that failed
 * or was cancelled (kept as a record, never served).
 */
export const MODEL_VERSION_STATUSES = ['exported', 'validated', 'rejected', 'published', 'retired', 'rolled_back'] as const;
export type ModelVersionStatus = (typeof MODEL_VERSION_STATUSES)[number];

/** The saga's steps, in order. */
export const DEPLOY_STEPS = ['export', 'optimize', 'quantize', 'validate', 'benchmark', 'publish'] as const;

/**
 * Formats a deployment may produce. fp32 is always exported (every other format derives from it);
 * listing it makes the fp32 export and its optimised child candidates for validation and publishing.
 */
export const DEPLOY_FORMATS = ['fp32', 'int8-static', 'int8-dynamic', 'float16'] as const;
export type DeployFormat = (typeof DEPLOY_FORMATS)[number];
export type QuantizedFormat = Exclude<DeployFormat, 'fp32'>;
export const QUANTIZED_KINDS: Record<QuantizedFormat, ModelVersionKind> = {
  'int8-static': 'onnx-int8-static',
  'int8-dynamic': 'onnx-int8-dynamic',
  float16: 'onnx-fp16',
};
export type DeployStep = (typeof DEPLOY_STEPS)[number];

/** Steps a deployment may stop after (the single-step commands): its versions stay as made, none is published. */
export const DEPLOY_STOP_STEPS = ['export', 'optimize', 'quantize', 'validate', 'benchmark'] as const;
export type DeployStopStep = (typeof DEPLOY_STOP_STEPS)[number];

export const DEPLOY_DEFAULTS = {
  /** Accuracy a version may lose against the tfjs model on the test split, in percentage points. */
  maxAccuracyDropPp: 0.5,
  /** Windows timed one by one for the latency percentiles. */
  latencyRuns: 200,
  formats: ['fp32', 'int8-static', 'int8-dynamic'] as readonly DeployFormat[],
};

export const DeployModelInputSchema = z
  .object({
    experimentId: SlugSchema,
    /** Default (client): `<experimentId>-<n>`; a deployment's id is its workflow id's tail. */
    deploymentId: SlugSchema,
    maxAccuracyDropPp: z.number().min(0).max(100).default(DEPLOY_DEFAULTS.maxAccuracyDropPp),
    latencyRuns: z.number().int().min(10).max(10_000).default(DEPLOY_DEFAULTS.latencyRuns),
    formats: z
      .array(z.enum(DEPLOY_FORMATS))
      .min(1)
      .refine((f) => new Set(f).size === f.length, { message: 'lists a format twice' })
      .default([...DEPLOY_DEFAULTS.formats]),
    /** Stop successfully after this step (no publish): `faultline deploy export|optimize|quantize|benchmark`. */
    stopAfter: z.enum(DEPLOY_STOP_STEPS).optional(),
  })
  .strict();
export type DeployModelInput = z.output<typeof DeployModelInputSchema>;
export type DeployModelRequest = z.input<typeof DeployModelInputSchema>;

/** Deterministic version ids, so a step's compensation can be registered before the step runs. */
export const modelVersionId = (deploymentId: string, kind: ModelVersionKind): string => `${deploymentId}.${kind}`;

export interface ParityFigures {
  windows: number;
  maxAbsDiff: number;
  /** Enforced on export and optimisation; null for a quantized version, which its accuracy on the test split judges instead. */
  tolerance: number | null;
  argmaxAgreement: number;
}

export interface ExportedVersion {
  versionId: string;
  kind: ModelVersionKind;
  artifactUri: string;
  bytes: number;
  parity: ParityFigures;
}

export interface VersionValidation {
  versionId: string;
  accuracy: number;
  /** tfjs accuracy minus this version's, in percentage points. */
  dropPp: number;
  accepted: boolean;
}

export interface ValidationResult {
  windows: number;
  tfjsAccuracy: number;
  versions: VersionValidation[];
}

/** One engine's figures on one machine (benchmark activity). */
export interface EngineBenchmark {
  engine: string;
  versionId: string | null;
  threads: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** Windows per second at batch 64 and at batch 256. */
  throughput64: number;
  throughput256: number;
  /** Load (deserialize / session create) and the first prediction. */
  coldStartMs: number;
  /** Model file size. */
  bytes: number;
  /** Highest resident set size of the worker process seen while this engine ran. */
  peakRssMb: number;
}

export interface BenchmarkResult {
  engines: EngineBenchmark[];
  /** ORT fp32 (1 thread) throughput over tfjs throughput, at batch 64. */
  speedup: number;
  /** ORT int8 static (1 thread) throughput over tfjs throughput at batch 64; null when no int8 static version was benchmarked. */
  int8Speedup?: number | null;
  /** SVG bar chart of the engines' throughput (artifact URI); absent in results recorded before it existed. */
  chartUri?: string;
}

/** What the quantize step records of the calibration windows, so a reader can check they are the dataset's training windows. */
export interface CalibrationFigures {
  datasetId: string;
  split: 'train';
  windows: number;
  /** Dataset signal indices (signals.idx) the windows were cut from. */
  signals: number[];
  /** sha256 (hex) of the windows' float32 bytes, in order. */
  sha256: string;
}

export interface DeployModelResult {
  deploymentId: string;
  experimentId: string;
  status: 'PUBLISHED';
  publishedVersionId: string;
  previousVersionId: string | null;
  versions: ExportedVersion[];
  validation: ValidationResult;
  benchmark: BenchmarkResult;
}

/** A deployment told to stop after a step: what it made, nothing published, nothing rolled back. */
export interface DeployStoppedResult {
  deploymentId: string;
  experimentId: string;
  status: 'STOPPED';
  stoppedAfter: DeployStopStep;
  versions: ExportedVersion[];
  validation: ValidationResult | null;
  benchmark: BenchmarkResult | null;
}

export type DeployRunResult = DeployModelResult | DeployStoppedResult;
