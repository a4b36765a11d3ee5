import { allHandlersFinished, condition, log, workflowInfo } from '@temporalio/workflow';
import type { ZodType } from 'zod';
import { parseInput } from '../../contracts/index.js';
import { recordRunEnded, type EndedStatus } from './failure.js';

/**
 * The campaign skeleton HPO, NAS and batch XAI share (and the workflows to come): a window of
 * running units (trials, candidates, signals) that an update may resize while it runs, a `stop`
 * that lets running units finish and starts none, the rule for when to continue-as-new, and the
 * end-of-run bookkeeping. Each workflow keeps its own search state and registers its handlers
 * itself, visibly (`setHandler(stopSignal, scheduler.onStop)`); this keeps only the scheduling,
 * so every campaign schedules identically (and replays identically).
 */
export class CampaignScheduler {
  private changed = false;
  private stop: { reason?: string } | undefined;
  /** Units finished in this run (rejected and duplicate candidates included). */
  private finishedThisRun = 0;
  /** Every unit started in this run; awaited before the campaign ends or is cleaned up. */
  readonly inFlight: Promise<void>[] = [];

  constructor(private readonly continueAsNewEvery: number | undefined) {}

  /** The `stop` signal's handler: running units finish, none starts. */
  readonly onStop = (arg?: { reason?: string }): void => {
    this.stop = { reason: arg?.reason };
    this.wake();
  };

  get stopRequested(): boolean {
    return this.stop !== undefined;
  }

  get stopReason(): string | undefined {
    return this.stop?.reason;
  }

  /** Something the loop waits for happened: a unit finished, a limit or the stop flag changed. */
  wake(): void {
    this.changed = true;
  }

  /** A unit ended (whatever its outcome, including a candidate rejected before training). */
  finished(): void {
    this.finishedThisRun++;
    this.wake();
  }

  /** Forced by the input (tests), or suggested by Temporal as the history grows. */
  continueAsNewDue(): boolean {
    return (this.continueAsNewEvery !== undefined && this.finishedThisRun >= this.continueAsNewEvery) || workflowInfo().continueAsNewSuggested;
  }

  /**
   * Start units while `mayStart()` and fewer than `maxConcurrent()` run, wait for a change, and
   * repeat until nothing runs; then wait for every started unit. `startNext` resolves to
   * `{ done }` for a started unit, or to undefined when it ended at once (a rejected or duplicate
   * candidate); the wrapper matters: an async function returning a bare promise would adopt it
   * and wait for the whole unit.
   */
  async run(opts: {
    running(): number;
    maxConcurrent(): number;
    mayStart(): boolean;
    startNext(): Promise<{ done: Promise<void> } | undefined>;
  }): Promise<void> {
    for (;;) {
      while (opts.mayStart() && !this.continueAsNewDue() && opts.running() < opts.maxConcurrent()) {
        const started = await opts.startNext();
        if (started) {
          // Observed here so a rejection (cancellation) is never "unhandled" while the loop
          // waits; Promise.all / allSettled below still see it.
          started.done.catch(() => undefined);
          this.inFlight.push(started.done);
        }
      }
      if (opts.running() === 0) break;
      this.changed = false;
      await condition(() => this.changed);
    }
    await Promise.all(this.inFlight);
  }

  /** Let cancelled units finish cancelling before their rows are marked. */
  async settle(): Promise<void> {
    await Promise.allSettled(this.inFlight);
  }

  /**
   * The run is over by `err` (failure or cancellation): wait for the cancelled units, then mark
   * the rows through `mark`; returns the phase to show (`failed` / `cancelled`).
   */
  async ended(err: unknown, mark: (status: EndedStatus, error: string) => Promise<void>): Promise<string> {
    await this.settle();
    return (await recordRunEnded(err, mark)).toLowerCase();
  }

  /**
   * Drained for continue-as-new: nothing runs, so the state to carry is complete once every
   * handler (an update in progress) has finished.
   */
  async drained(what: Record<string, unknown>): Promise<void> {
    await condition(allHandlersFinished);
    log.info('continuing as new', what);
  }
}

/**
 * The handler and validator of a campaign's limits update (`updateCampaign`,
 * `updateNasCampaign`): the validator parses the update and refuses a budget below what was
 * already started, so a rejected update never reaches history; the handler applies it.
 * Register it in the workflow: `setHandler(update, u.handler, u.options)`.
 */
export function limitsUpdate<L extends Record<string, number>>(opts: {
  name: string;
  schema: ZodType<Partial<L>>;
  limits: L;
  /** The budget field (maxTrials, maxCandidates) and how many units are already started. */
  budget: keyof L & string;
  started: () => number;
  /** "trials already started", "candidates already proposed". */
  startedLabel: string;
  changed: () => void;
}): { handler: (update: Partial<L>) => L; options: { validator: (update: Partial<L>) => void } } {
  return {
    handler: (update) => {
      for (const [key, value] of Object.entries(update) as [keyof L, L[keyof L] | undefined][]) {
        if (value !== undefined) opts.limits[key] = value;
      }
      opts.changed();
      return { ...opts.limits };
    },
    options: {
      validator: (update) => {
        const u = parseInput(opts.schema, update, opts.name);
        const budget = u[opts.budget];
        if (budget !== undefined && budget < opts.started()) {
          throw new Error(`${opts.budget} ${budget} is below the ${opts.started()} ${opts.startedLabel}`);
        }
      },
    },
  };
}
