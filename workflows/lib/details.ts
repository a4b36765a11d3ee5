import { patched, setCurrentDetails, upsertMemo } from '@temporalio/workflow';
import { PROGRESS_MEMO_KEY, progressOf, type ProgressMemo } from '../../contracts/index.js';

/** Histories recorded before the progress memo existed replay without its upserts. */
export const PROGRESS_MEMO_PATCH = 'progress-memo';

export const PROGRESS_MEMO_MINUTE_PATCH = 'progress-memo-minute';

/** Within a tenth of the work, the memo still catches up this often (workflow time) if the line changed. */
export const PROGRESS_MEMO_MIN_INTERVAL_MS = 60_000;

/** Where a run is, as its workflow knows it: counts for the memo, the line people read. */
export interface DetailsSnapshot {
  phase: string;
  completed: number;
  total: number;
  /** The current-details line (contracts/details.ts formats it). */
  line: string;
}

export interface LiveDetails {
  /** Call after anything the line shows may have changed (a unit finished, a phase began). */
  refresh(): void;
}

/**
 * Keep a run's progress visible where people look, without anyone querying it:
 *
 * - *current details* (`setCurrentDetails`): the Web UI shows them on the run's page and
 *   `temporal workflow metadata` prints them. They live in workflow memory and are served by the
 *   SDK's built-in metadata query, so setting them issues no command: updating on every event is free.
 * - the `progress` *memo*: stored by the server, so `temporal workflow describe` (and list views,
 *   which return memos) show it even with no worker running. Each upsert is a command and an
 *   event, so it is refreshed only when the phase or the total changes or another tenth of the
 *   work is done — at most ~10 upserts per phase whatever the fan-out (50,000 chunks included) — and,
 *   so a long tenth does not leave it stale, at most once a minute of workflow time in between.
 *
 * Deterministic: both depend only on workflow state. The memo upserts are new commands, hence
 * behind `patched(PROGRESS_MEMO_PATCH)` so runs started before them replay unchanged.
 */
export function liveDetails(snapshot: () => DetailsSnapshot): LiveDetails {
  let shown: string | undefined;
  let memoBucket: string | undefined;
  let memoLine: string | undefined;
  let memoAtMs = 0;
  const refresh = () => {
    const s = snapshot();
    if (s.line !== shown) {
      setCurrentDetails(s.line);
      shown = s.line;
    }
    const { fraction } = progressOf(s.phase, s.completed, s.total);
    const bucket = `${s.phase}|${s.total}|${Math.floor(fraction * 10)}`;
    // Date.now() is the workflow clock here (the time of the current task): replay-safe.
    const now = Date.now();
    // The once-a-minute catch-up came after the first recorded histories with the memo: its own patch.
    const due = bucket !== memoBucket || (s.line !== memoLine && now - memoAtMs >= PROGRESS_MEMO_MIN_INTERVAL_MS && patched(PROGRESS_MEMO_MINUTE_PATCH));
    if (!due) return;
    memoBucket = bucket;
    memoLine = s.line;
    memoAtMs = now;
    if (!patched(PROGRESS_MEMO_PATCH)) return;
    const memo: ProgressMemo = { phase: s.phase, completed: s.completed, total: s.total, fraction, details: s.line };
    upsertMemo({ [PROGRESS_MEMO_KEY]: memo });
  };
  refresh();
  return { refresh };
}
