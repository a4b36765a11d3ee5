import { ActivityFailure, CancelledFailure, RetryState } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { chunkRanges, fanOut, type Settled } from '../../workflows/lib/fan-out.js';

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Let every already-settled promise continuation run (no timers involved). */
async function drain(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/**
 * A task whose every call is recorded and held open until the test settles it, with a counter of
 * calls in flight and the highest it ever reached.
 */
function controllableTask<R>() {
  const started: number[] = [];
  const pending = new Map<number, Deferred<R>>();
  let inFlight = 0;
  let maxSeen = 0;
  const task = async (_item: unknown, index: number): Promise<R> => {
    started.push(index);
    inFlight++;
    maxSeen = Math.max(maxSeen, inFlight);
    const d = deferred<R>();
    pending.set(index, d);
    try {
      return await d.promise;
    } finally {
      inFlight--;
    }
  };
  const take = (index: number): Deferred<R> => {
    const d = pending.get(index);
    if (!d) throw new Error(`item ${index} has not started`);
    pending.delete(index);
    return d;
  };
  return {
    task,
    started,
    get inFlight() {
      return inFlight;
    },
    get maxSeen() {
      return maxSeen;
    },
    running: () => [...pending.keys()].sort((a, b) => a - b),
    resolve: (index: number, value: R) => take(index).resolve(value),
    reject: (index: number, error: unknown) => take(index).reject(error),
  };
}

describe('fanOut', () => {
  it('never has more than maxInFlight running, and refills the window as items settle', async () => {
    const items = Array.from({ length: 7 }, (_, i) => `item-${i}`);
    const t = controllableTask<string>();
    const done = fanOut(items, t.task, { maxInFlight: 3 });

    await drain();
    expect(t.running()).toEqual([0, 1, 2]);
    expect(t.inFlight).toBe(3);

    // Settle out of order: the freed lane takes the next index, never more than three run.
    t.resolve(1, 'r1');
    await drain();
    expect(t.running()).toEqual([0, 2, 3]);
    t.resolve(2, 'r2');
    t.resolve(0, 'r0');
    await drain();
    expect(t.running()).toEqual([3, 4, 5]);
    expect(t.inFlight).toBe(3);

    for (const i of [5, 3, 4]) t.resolve(i, `r${i}`);
    await drain();
    expect(t.running()).toEqual([6]);
    t.resolve(6, 'r6');

    const results = await done;
    expect(t.maxSeen).toBe(3);
    expect(t.inFlight).toBe(0);
    expect(results).toEqual(items.map((_, i) => ({ ok: true, value: `r${i}` })));
  });

  it('starts items in index order, whatever order they finish in', async () => {
    const t = controllableTask<number>();
    const done = fanOut([10, 11, 12, 13, 14, 15], t.task, { maxInFlight: 2 });
    const finishOrder = [1, 0, 3, 2, 5, 4];
    for (const i of finishOrder) {
      await drain();
      t.resolve(i, i * 100);
    }
    const results = await done;
    expect(t.started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(results.map((r) => (r?.ok ? r.value : undefined))).toEqual([0, 100, 200, 300, 400, 500]);
  });

  it('passes each item with its index to the task', async () => {
    const seen: [string, number][] = [];
    const results = await fanOut(
      ['a', 'b', 'c'],
      async (item, index) => {
        seen.push([item, index]);
        return `${item}${index}`;
      },
      { maxInFlight: 2 },
    );
    expect(seen).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 2],
    ]);
    expect(results).toEqual([
      { ok: true, value: 'a0' },
      { ok: true, value: 'b1' },
      { ok: true, value: 'c2' },
    ]);
  });

  it('captures a failure as {ok:false} and keeps running the other items', async () => {
    const boom = new Error('boom at 1');
    const t = controllableTask<string>();
    const done = fanOut([0, 1, 2, 3], t.task, { maxInFlight: 2 });
    await drain();
    t.reject(1, boom);
    await drain();
    expect(t.running()).toEqual([0, 2]);
    t.resolve(0, 'r0');
    t.resolve(2, 'r2');
    await drain();
    t.reject(3, 'plain string error');

    const results = await done;
    expect(t.started).toEqual([0, 1, 2, 3]);
    expect(results).toEqual([
      { ok: true, value: 'r0' },
      { ok: false, error: boom },
      { ok: true, value: 'r2' },
      { ok: false, error: 'plain string error' },
    ]);
  });

  it('captures a synchronous throw from the task as a failure too', async () => {
    const results = await fanOut(
      [1, 2],
      (n) => {
        if (n === 1) throw new TypeError('sync');
        return Promise.resolve(n);
      },
      { maxInFlight: 1 },
    );
    expect(results[0]).toMatchObject({ ok: false });
    expect((results[0] as Extract<Settled<number>, { ok: false }>).error).toBeInstanceOf(TypeError);
    expect(results[1]).toEqual({ ok: true, value: 2 });
  });

  it('starts nothing new once shouldStart returns false; running items finish', async () => {
    let stop = false;
    const t = controllableTask<string>();
    const settled: number[] = [];
    const done = fanOut([0, 1, 2, 3, 4, 5], t.task, {
      maxInFlight: 2,
      shouldStart: () => !stop,
      onSettled: (_item, index) => settled.push(index),
    });
    await drain();
    t.resolve(0, 'r0');
    await drain();
    expect(t.running()).toEqual([1, 2]);

    stop = true;
    t.resolve(2, 'r2');
    await drain();
    // No replacement for item 2; item 1 is still running and is not abandoned.
    expect(t.running()).toEqual([1]);
    t.resolve(1, 'r1');

    const results = await done;
    expect(t.started).toEqual([0, 1, 2]);
    expect(settled.sort()).toEqual([0, 1, 2]);
    expect(results).toEqual([{ ok: true, value: 'r0' }, { ok: true, value: 'r1' }, { ok: true, value: 'r2' }, undefined, undefined, undefined]);
  });

  it('stops every lane at the first cancellation: no item is pulled after the scope is cancelled', async () => {
    // Once a workflow is cancelled, every new activity rejects at once; lanes that kept pulling
    // would chain one immediate failure per remaining item in a single activation.
    let cancelled = false;
    const started: number[] = [];
    const task = async (_item: number, index: number): Promise<number> => {
      started.push(index);
      await Promise.resolve();
      if (cancelled) throw new CancelledFailure('workflow cancelled');
      return index;
    };
    const items = Array.from({ length: 50_000 }, (_, i) => i);
    const done = fanOut(items, task, { maxInFlight: 8 });
    await drain();
    cancelled = true;
    const results = await done;
    const ran = results.filter((r) => r !== undefined);
    // Each of the 8 lanes pulls at most one more item after the cancellation, then stops.
    expect(started.length).toBeLessThan(200);
    expect(ran.length).toBe(started.length);
    expect(results.slice(started.length).every((r) => r === undefined)).toBe(true);
    expect(ran.some((r) => r && !r.ok && r.error instanceof CancelledFailure)).toBe(true);
  });

  it('treats an activity failure caused by cancellation as a cancellation', async () => {
    const started: number[] = [];
    const task = async (_item: number, index: number): Promise<number> => {
      started.push(index);
      throw new ActivityFailure(
        'activity cancelled',
        'generateSignalChunk',
        String(index),
        RetryState.CANCEL_REQUESTED,
        'w',
        new CancelledFailure('cancelled'),
      );
    };
    const results = await fanOut([0, 1, 2, 3, 4, 5], task, { maxInFlight: 2 });
    expect(started).toEqual([0, 1]);
    expect(results.slice(2)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('starts nothing at all when shouldStart is false from the beginning', async () => {
    const t = controllableTask<string>();
    const results = await fanOut(['a', 'b'], t.task, { maxInFlight: 2, shouldStart: () => false });
    expect(t.started).toEqual([]);
    expect(results).toEqual([undefined, undefined]);
  });

  it('calls onSettled exactly once per item, in completion order, with the item and its result', async () => {
    const calls: [string, number, Settled<string>][] = [];
    const t = controllableTask<string>();
    const err = new Error('no');
    const done = fanOut(['a', 'b', 'c', 'd'], t.task, {
      maxInFlight: 4,
      onSettled: (item, index, result) => calls.push([item, index, result]),
    });
    await drain();
    t.resolve(2, 'C');
    t.reject(0, err);
    await drain();
    t.resolve(3, 'D');
    t.resolve(1, 'B');
    await done;

    expect(calls).toEqual([
      ['c', 2, { ok: true, value: 'C' }],
      ['a', 0, { ok: false, error: err }],
      ['d', 3, { ok: true, value: 'D' }],
      ['b', 1, { ok: true, value: 'B' }],
    ]);
  });

  it('handles an empty list and a window larger than the list', async () => {
    expect(await fanOut([], async () => 1, { maxInFlight: 3 })).toEqual([]);
    const t = controllableTask<number>();
    const done = fanOut([7, 8], t.task, { maxInFlight: 10 });
    await drain();
    expect(t.running()).toEqual([0, 1]);
    t.resolve(0, 7);
    t.resolve(1, 8);
    expect(await done).toEqual([
      { ok: true, value: 7 },
      { ok: true, value: 8 },
    ]);
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('rejects maxInFlight %s before running anything', async (maxInFlight) => {
    let calls = 0;
    const run = fanOut([1, 2], async () => ++calls, { maxInFlight });
    await expect(run).rejects.toThrow(RangeError);
    await expect(run).rejects.toThrow(`maxInFlight must be a positive integer, got ${maxInFlight}`);
    expect(calls).toBe(0);
  });
});

describe('chunkRanges', () => {
  /** Every index of [0, total) exactly once, in order, by consecutive ranges. */
  function expand(ranges: { start: number; count: number }[]): number[] {
    return ranges.flatMap(({ start, count }) => Array.from({ length: count }, (_, i) => start + i));
  }

  it('splits into full chunks and a shorter last one', () => {
    expect(chunkRanges(10, 4)).toEqual([
      { start: 0, count: 4 },
      { start: 4, count: 4 },
      { start: 8, count: 2 },
    ]);
  });

  it('gives equal chunks when size divides total, and one chunk when size >= total', () => {
    expect(chunkRanges(9, 3)).toEqual([
      { start: 0, count: 3 },
      { start: 3, count: 3 },
      { start: 6, count: 3 },
    ]);
    expect(chunkRanges(5, 5)).toEqual([{ start: 0, count: 5 }]);
    expect(chunkRanges(5, 100)).toEqual([{ start: 0, count: 5 }]);
  });

  it('gives no ranges for total 0', () => {
    expect(chunkRanges(0, 8)).toEqual([]);
  });

  it.each([
    [1, 1],
    [17, 1],
    [17, 2],
    [17, 16],
    [100, 7],
    [256, 8],
    [1000, 999],
  ])('covers [0, %i) exactly with chunks of at most %i', (total, size) => {
    const ranges = chunkRanges(total, size);
    expect(expand(ranges)).toEqual(Array.from({ length: total }, (_, i) => i));
    for (const r of ranges) {
      expect(r.count).toBeGreaterThan(0);
      expect(r.count).toBeLessThanOrEqual(size);
    }
    expect(ranges.length).toBe(Math.ceil(total / size));
  });
});
