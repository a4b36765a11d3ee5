import { condition, setHandler, workflowInfo } from '@temporalio/workflow';
import { stopSignal } from '../../contracts/index.js';

/**
 * What HPO and NAS campaigns share: a window of running units (trials, candidates) that an
 * update may resize while it runs, a `stop` signal that lets running units finish and starts
 * none, and the rule for when to continue-as-new. The campaign keeps its own search state; this
 * keeps only the scheduling, so both campaigns schedule identically (and replay identically).
 */
export class CampaignScheduler {
  private changed = false;
  private stop: { reason?: string } | undefined;
  /** Units finished in this run (rejected and duplicate candidates included). */
  private finishedThisRun = 0;
  /** Every unit started in this run; awaited before the campaign ends or is cleaned up. */
  readonly inFlight: Promise<void>[] = [];

  constructor(private readonly continueAsNewEvery: number | undefined) {
    setHandler(stopSignal, (arg) => {
      this.stop = { reason: arg?.reason };
      this.wake();
    });
  }

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
  async run(opts: { running(): number; maxConcurrent(): number; mayStart(): boolean; startNext(): Promise<{ done: Promise<void> } | undefined> }): Promise<void> {
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
}
