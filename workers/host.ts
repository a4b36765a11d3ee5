import type { Client } from '@temporalio/client';
import { createActivities, createActivityDeps, type ActivitiesByQueue, type ActivityDeps } from '../activities/index.js';
import type { Config } from '../config/index.js';
import type { QueueRole } from '../contracts/index.js';
import { connectWorkerConnection } from '../temporal-config/connection.js';
import { dataConverterFor } from '../temporal-config/data-converter.js';
import { createWorkers, runWorkers, type CreateWorkersOptions } from './create-workers.js';
import type { SlotCounts } from './slots.js';

/** Workers running in this process, with the activity dependencies they were built on. */
export interface HostedWorkers {
  deps: ActivityDeps;
  /** Settles when the workers stop; rejects with the first worker failure. */
  running: Promise<void>;
  /** Drain the workers, then close their database and connection. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * The one way this process hosts workers: `npm start`, the benchmarks and the integration tests
 * all assemble connection → activity dependencies → workers → run the same way, and stop them in
 * the reverse order (workers drain before their database and connection close).
 */
export async function hostWorkers(
  config: Config,
  opts: {
    client: Client;
    namespace: string;
    queues: QueueRole[];
    slots: SlotCounts;
    workflowBundle?: CreateWorkersOptions['workflowBundle'];
    identity?: string;
    /** Tests only: wrap the real activities, e.g. to hold one back and see a run mid-way. */
    wrapActivities?: (activities: ActivitiesByQueue) => ActivitiesByQueue;
  },
): Promise<HostedWorkers> {
  const connection = await connectWorkerConnection(config);
  let deps: Awaited<ReturnType<typeof createActivityDeps>> | undefined;
  try {
    deps = await createActivityDeps(config, { client: opts.client });
    const workers = await createWorkers({
      connection,
      namespace: opts.namespace,
      queues: opts.queues,
      activities: (opts.wrapActivities ?? ((a) => a))(createActivities(deps.deps)),
      slots: opts.slots,
      dataConverter: dataConverterFor(config),
      ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : {}),
      ...(opts.identity ? { identity: opts.identity } : {}),
    });
    const abort = new AbortController();
    const running = runWorkers(workers, abort.signal);
    // Observed here so a worker failure is never unhandled; callers may still await `running`.
    running.catch(() => undefined);
    const close = deps.close;
    let stopped: Promise<void> | undefined;
    return {
      deps: deps.deps,
      running,
      stop: () =>
        (stopped ??= (async () => {
          abort.abort();
          await running.catch(() => undefined);
          await close();
          await connection.close();
        })()),
    };
  } catch (err) {
    await deps?.close().catch(() => undefined);
    await connection.close().catch(() => undefined);
    throw err;
  }
}
