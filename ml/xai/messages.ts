import type { ArtifactLocation } from '../../config/artifact-location.js';
import type { TfjsBackendChoice } from '../../config/index.js';
import type { XaiMethod } from '../../contracts/xai.js';
import type { SerializedError } from '../train/messages.js';
import type { AnalysisJob, AnalysisOutcome } from '../eval/jobs.js';
import type { FeatureJob } from '../features/job.js';
import type { FeatureAnalysisJob, FeatureAnalysisOutcome } from '../features/analysis/job.js';
import type { PredictJob } from '../eval/predict.js';
import type { ExplainJob, SignalExplanation } from './explain.js';

/**
 * IPC protocol between a worker and one long-lived XAI child process (pool.ts):
 *   parent → child: init once, then explain*, one at a time
 *   child → parent: ready (after init), then per explain: method* and exactly one result | error;
 *   per predict (the evaluation activity's batched inference): exactly one predictions | error;
 *   per analyze (an evaluation's metrics, no model): exactly one analysis | error;
 *   per features (a chunk of a feature extraction, no model): exactly one features | error;
 *   per feature-analysis (importance, selection, correlation of a stored set): exactly one feature-analysis | error
 * Cancellation is SIGKILL of the child (a tfjs kernel cannot be interrupted); the pool starts a
 * fresh child for the next job.
 */
export type XaiParentMessage =
  | { type: 'init'; artifacts: ArtifactLocation; backend?: TfjsBackendChoice }
  | { type: 'explain'; id: number; modelUri: string; job: ExplainJob }
  | { type: 'predict'; id: number; modelUri: string; job: PredictJob }
  | { type: 'analyze'; id: number; job: AnalysisJob }
  | { type: 'features'; id: number; job: FeatureJob }
  | { type: 'feature-analysis'; id: number; job: FeatureAnalysisJob };

export type XaiChildMessage =
  | { type: 'ready'; backend: string }
  | { type: 'method'; id: number; method: XaiMethod }
  | { type: 'result'; id: number; explanation: SignalExplanation }
  | { type: 'predictions'; id: number; probabilities: Float32Array; backend: string }
  | { type: 'analysis'; id: number; outcome: AnalysisOutcome }
  | { type: 'features'; id: number; matrix: Float32Array }
  | { type: 'feature-analysis'; id: number; outcome: FeatureAnalysisOutcome }
  | { type: 'error'; id: number; error: SerializedError }
  | { type: 'fatal'; error: SerializedError };

export function isXaiChildMessage(m: unknown): m is XaiChildMessage {
  return typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string';
}
