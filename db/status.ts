/**
 * Status transition rules shared by the repositories. They make status writes safe to repeat
 * and safe to race: a retried or late activity can never move an entity backwards.
 *
 * - success (COMPLETED / READY) may replace any status: a later success beats an earlier
 *   failure record (e.g. a retried attempt succeeding after the first attempt was marked FAILED);
 * - another terminal status (FAILED, CANCELLED, STOPPED, PRUNED) replaces only a non-terminal one;
 * - a non-terminal status replaces only a non-terminal one of the same or an earlier stage
 *   (PENDING → RUNNING, never RUNNING → PENDING), unless the caller explicitly `reopen`s: then
 *   any status but success may go back to PENDING/RUNNING (a deliberate re-run).
 * Writing the status an entity already has is always allowed (it refreshes the other fields).
 */
import { DATASET_STATUSES, RUN_STATUSES, type DatasetStatus, type RunStatus } from '../contracts/status.js';

export const RUN_SUCCESS: readonly RunStatus[] = ['COMPLETED'];
export const RUN_TERMINAL: readonly RunStatus[] = ['COMPLETED', 'FAILED', 'CANCELLED', 'STOPPED', 'PRUNED'];
export const DATASET_SUCCESS: readonly DatasetStatus[] = ['READY'];
export const DATASET_TERMINAL: readonly DatasetStatus[] = ['READY', 'FAILED', 'CANCELLED'];

export interface TransitionOptions {
  /** Allow PENDING/RUNNING again after FAILED, CANCELLED or STOPPED (an explicit re-run). Never after success. */
  reopen?: boolean;
}

/** Stage of a non-terminal status: PENDING first, then the working status. */
const STAGE: Readonly<Record<string, number>> = { PENDING: 0, RUNNING: 1, GENERATING: 1 };

function allowedFrom<S extends string>(all: readonly S[], success: readonly S[], terminal: readonly S[], to: S, opts: TransitionOptions): S[] {
  if (success.includes(to)) return [...all];
  const nonTerminal = all.filter((s) => !terminal.includes(s));
  if (terminal.includes(to)) return [...new Set([...nonTerminal, to])];
  if (opts.reopen) return all.filter((s) => !success.includes(s));
  return nonTerminal.filter((s) => (STAGE[s] ?? 0) <= (STAGE[to] ?? 0));
}

/** Statuses from which a run (experiment, campaign, trial) may move to `to`. */
export function runStatusesAllowingTransitionTo(to: RunStatus, opts: TransitionOptions = {}): RunStatus[] {
  return allowedFrom(RUN_STATUSES, RUN_SUCCESS, RUN_TERMINAL, to, opts);
}

/** Statuses from which a dataset may move to `to`. */
export function datasetStatusesAllowingTransitionTo(to: DatasetStatus, opts: TransitionOptions = {}): DatasetStatus[] {
  return allowedFrom(DATASET_STATUSES, DATASET_SUCCESS, DATASET_TERMINAL, to, opts);
}

export function isTerminalRunStatus(s: RunStatus): boolean {
  return RUN_TERMINAL.includes(s);
}

export function isTerminalDatasetStatus(s: DatasetStatus): boolean {
  return DATASET_TERMINAL.includes(s);
}
