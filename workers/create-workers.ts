import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { TASK_QUEUES, WORKFLOW_TASK_QUEUE, type QueueRole } from '../contracts/queues.js';
import type { DataConverter } from '@temporalio/common';
import { DATA_CONVERTER } from '../temporal-config/data-converter.js';
import type { SlotCounts } from './slots.js';

/** The lead's workflow entry point, registered by the control-queue worker. */
export const DEFAULT_WORKFLOWS_PATH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'workflows', 'index.ts');

/**
 * How long a shutdown waits for running activities before cancelling them. Long enough for a
 * training epoch or a chunk to finish and heartbeat its checkpoint, so the retry on another
 * worker resumes instead of redoing; short enough for a rolling deploy.
 */
/** Upper bound on how long a heartbeat may wait before it is sent to the server. */
export const HEARTBEAT_THROTTLE = '2 seconds';

export const SHUTDOWN_GRACE: Record<QueueRole, string> = { control: '10s', cpu: '30s', train: '30s' };

export interface CreateWorkersOptions {
  connection: NativeConnection;
  namespace: string;
  queues: QueueRole[];
  activities: { control: object; cpu: object; train: object };
  /** A prebuilt bundle (bundleWorkflows() / dist/); wins over workflowsPath. */
  workflowBundle?: { code: string } | { codePath: string };
  /** Workflows module to bundle at start-up; defaults to <repo>/workflows/index.ts. */
  workflowsPath?: string;
  slots: SlotCounts;
  /** Base identity shown in the Web UI; the queue role is appended. Default pid@hostname. */
  identity?: string;
  /** Payload codecs and failure converter (dataConverterFor(config)); default: plain payloads. */
  dataConverter?: DataConverter;
}

/**
 * One Worker per queue role. Workflows run on WORKFLOW_TASK_QUEUE, which is the control queue, so
 * only the control worker registers them; cpu and train workers poll activities only, and each
 * gets an explicit slot count so a host never takes more CPU/GPU work than it can run.
 */
export async function createWorkers(opts: CreateWorkersOptions): Promise<Worker[]> {
  const baseIdentity = opts.identity ?? `${process.pid}@${os.hostname()}`;
  const roles = [...new Set(opts.queues)];
  const workers: Worker[] = [];
  try {
    for (const role of roles) {
      const options: WorkerOptions = {
        connection: opts.connection,
        namespace: opts.namespace,
        taskQueue: TASK_QUEUES[role],
        identity: `${baseIdentity}/${role}`,
        activities: opts.activities[role],
        dataConverter: opts.dataConverter ?? DATA_CONVERTER,
        maxConcurrentActivityTaskExecutions: opts.slots[role],
        shutdownGraceTime: SHUTDOWN_GRACE[role],
        // Cancellation and fresh heartbeat details reach an activity only when a heartbeat is
        // actually sent; the default throttle (0.8 × heartbeatTimeout, up to 60 s) would let a
        // cancelled training run on for many epochs. One small RPC per 2 s per activity is cheap.
        maxHeartbeatThrottleInterval: HEARTBEAT_THROTTLE,
      };
      if (TASK_QUEUES[role] === WORKFLOW_TASK_QUEUE) {
        if (opts.workflowBundle) options.workflowBundle = opts.workflowBundle;
        else options.workflowsPath = opts.workflowsPath ?? DEFAULT_WORKFLOWS_PATH;
      }
      workers.push(await Worker.create(options));
    }
  } catch (err) {
    // Workers created so far hold native resources; release them before failing.
    await Promise.allSettled(workers.map((w) => w.runUntil(Promise.resolve())));
    throw err;
  }
  return workers;
}

/**
 * Runs the workers together until they stop: on `signal` abort, on SIGINT/SIGTERM (the Temporal
 * Runtime's shutdown signals call Worker.shutdown, which drains within SHUTDOWN_GRACE), or when
 * one fails — then the others are shut down too, so a half-alive process never lingers, and the
 * first failure is rethrown.
 */
export async function runWorkers(workers: Worker[], signal?: AbortSignal): Promise<void> {
  const shutdownAll = () => {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
  };
  // run() switches a worker to RUNNING synchronously, so shutdownAll below reaches every worker.
  const runs = workers.map((w) =>
    w.run().catch((err: unknown) => {
      shutdownAll();
      throw err;
    }),
  );
  if (signal?.aborted) shutdownAll();
  else signal?.addEventListener('abort', shutdownAll, { once: true });
  try {
    const results = await Promise.allSettled(runs);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  } finally {
    signal?.removeEventListener('abort', shutdownAll);
  }
}
