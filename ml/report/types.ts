/**
 * Input of the HPO campaign report. Plain data on purpose (no contract or DB types): the lead's
 * activity maps campaign rows / `HpoTrialSummary` records onto it, and tests and benchmarks can
 * build it by hand.
 */

export type ParamValue = string | number | boolean;

export interface HpoReportTrial {
  number: number;
  params: Record<string, ParamValue>;
  /** COMPLETED, PRUNED, FAILED, STOPPED, CANCELLED or RUNNING; anything else is drawn like STOPPED. */
  status: string;
  /** Objective at the last rung reached; absent (or non-finite, which is treated as absent) for failed trials. */
  value?: number;
  /** Epoch (as a string key, JSON-style) → objective value at that rung. */
  intermediate: Record<string, number>;
}

export interface HpoReportInput {
  campaignId: string;
  datasetId: string;
  metric: string;
  direction: 'maximize' | 'minimize';
  /** Epochs of each rung, ascending. */
  rungs: number[];
  trials: HpoReportTrial[];
  /** Multi-objective campaigns: the objectives and the non-dominated trials (a table in the page). */
  pareto?: {
    objectives: { metric: string; direction: 'maximize' | 'minimize' }[];
    front: { trial: number; values: number[]; params: Record<string, ParamValue> }[];
  };
  /** ISO timestamp, printed as given: the renderer reads no clock, so output is reproducible. */
  generatedAt: string;
}
