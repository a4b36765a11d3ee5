import type { Client } from '@temporalio/client';
import type { SignalDefinition } from '@temporalio/common';

/** The workflow's progress is refreshed at most this often (a signal per line would flood its history). */
const SIGNAL_EVERY_MS = 2_000;

export interface ProgressSignaller<T> {
  /** Record the newest progress; it is signalled now or, throttled, a little later. */
  update(progress: T): void;
  /** Signal the newest progress now (at the end of a run). */
  flush(): void;
}

/**
 * Throttled progress signals to a run's own workflow, with a trailing send so the newest
 * progress always arrives even when the next update is a minute away. A lost signal only delays
 * the progress query, so failures are logged, not thrown.
 */
export function progressSignaller<T>(
  client: Client,
  workflowId: string,
  signal: SignalDefinition<[T]>,
  initial: T,
  warn: (message: string, meta: Record<string, unknown>) => void,
): ProgressSignaller<T> & { readonly current: T } {
  const handle = client.workflow.getHandle(workflowId);
  let current = initial;
  let last = 0;
  let pending: NodeJS.Timeout | undefined;
  const send = (force: boolean) => {
    const wait = SIGNAL_EVERY_MS - (Date.now() - last);
    if (!force && wait > 0) {
      pending ??= setTimeout(() => {
        pending = undefined;
        send(true);
      }, wait);
      return;
    }
    if (pending) clearTimeout(pending);
    pending = undefined;
    last = Date.now();
    handle.signal(signal, current).catch((err: unknown) => warn('could not signal verify progress', { error: String(err) }));
  };
  return {
    get current() {
      return current;
    },
    update(p) {
      current = p;
      send(false);
    },
    flush() {
      send(true);
    },
  };
}
