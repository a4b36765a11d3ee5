import { isCancellation } from '@temporalio/workflow';

/**
 * Bounded fan-out for workflows: run `task` over `items` with at most `maxInFlight` in flight.
 *
 * Why lanes instead of Promise.race over a set: each lane pulls the next index when its item
 * settles, which keeps the order of scheduled commands a pure function of history (replay-safe),
 * never exceeds the window, and lets `shouldStart` stop scheduling (the `stop` signal, a failure
 * threshold) while in-flight work finishes.
 *
 * A cancellation ends every lane: once the workflow's scope is cancelled each new activity
 * rejects at once, so a lane that kept pulling would chain one immediate failure per remaining
 * item inside a single activation (50,000 of them corrupted Node's async-hook stack and killed
 * the worker). Items not started are left `undefined`.
 */
export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

export interface FanOutOptions<T, R> {
  maxInFlight: number;
  /** Consulted before each start; returning false starts nothing new (running work finishes). */
  shouldStart?: () => boolean;
  /** Called as each item settles, in completion order. */
  onSettled?: (item: T, index: number, result: Settled<R>) => void;
}

export async function fanOut<T, R>(
  items: readonly T[],
  task: (item: T, index: number) => Promise<R>,
  opts: FanOutOptions<T, R>,
): Promise<(Settled<R> | undefined)[]> {
  if (!Number.isInteger(opts.maxInFlight) || opts.maxInFlight < 1) {
    throw new RangeError(`maxInFlight must be a positive integer, got ${opts.maxInFlight}`);
  }
  const results: (Settled<R> | undefined)[] = new Array(items.length).fill(undefined);
  let next = 0;
  let cancelled = false;
  const lane = async (): Promise<void> => {
    while (!cancelled && next < items.length && (opts.shouldStart?.() ?? true)) {
      const index = next++;
      const item = items[index];
      let settled: Settled<R>;
      try {
        settled = { ok: true, value: await task(item, index) };
      } catch (error) {
        settled = { ok: false, error };
        if (isCancellation(error)) cancelled = true;
      }
      results[index] = settled;
      opts.onSettled?.(item, index, settled);
    }
  };
  const lanes = Math.min(opts.maxInFlight, items.length);
  await Promise.all(Array.from({ length: lanes }, lane));
  return results;
}

/** Split [0, total) into consecutive ranges of at most `size`. */
export function chunkRanges(total: number, size: number): { start: number; count: number }[] {
  const out: { start: number; count: number }[] = [];
  for (let start = 0; start < total; start += size) out.push({ start, count: Math.min(size, total - start) });
  return out;
}
