/**
 * The analyses as plain jobs, so a worker can run them in a child process (the XAI pool's) and
 * keep its event loop free for heartbeats: a 1,000-resample bootstrap over tens of thousands of
 * windows is seconds of arithmetic.
 */
import { errorAnalysis, type ErrorAnalysis, type ErrorOptions, type SampleInfo } from './errors.js';
import { rocAnalysis, type RocAnalysis, type RocOptions } from './roc.js';
import type { Scores } from './types.js';

export type AnalysisJob = { kind: 'roc'; scores: Scores; options: RocOptions } | { kind: 'errors'; scores: Scores; info: SampleInfo[]; options: ErrorOptions };
export type AnalysisOutcome = { kind: 'roc'; analysis: RocAnalysis } | { kind: 'errors'; analysis: ErrorAnalysis };

export function runAnalysis(job: AnalysisJob): AnalysisOutcome {
  if (job.kind === 'roc') return { kind: 'roc', analysis: rocAnalysis(job.scores, job.options) };
  return { kind: 'errors', analysis: errorAnalysis(job.scores, job.info, job.options) };
}
