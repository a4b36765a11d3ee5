import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { ActivitiesByQueue, ControlActivities, CpuActivities, TrainActivities } from '../../activities/index.js';
import { SEARCH_ATTRIBUTES } from '../../contracts/index.js';
import { findTemporalCli } from '../../temporal-config/cli.js';
import { DATA_CONVERTER } from '../../temporal-config/data-converter.js';
import { DEV_SERVER_DYNAMIC_CONFIG } from '../../temporal-config/settings.js';
import { bundleWorkflows } from '../../workers/bundle.js';
import { createWorkers, runWorkers } from '../../workers/create-workers.js';

/**
 * Fast workflow tests: the SDK's TestWorkflowEnvironment on our own Temporal CLI (no download),
 * the real workflow bundle, and fake activities that the test controls — no Postgres, no
 * artifact store, no tfjs. Orchestration (stop, updates, continue-as-new, failure thresholds,
 * cancellation) is what these tests exercise; the integration tests cover the real activities.
 */
export interface WorkflowEnv {
  env: TestWorkflowEnvironment;
  client: Client;
  namespace: string;
  /** Runs workers for the three queues with these activities until the returned stop(). */
  startWorkers(activities: Partial<FakeActivities>): Promise<{ stop(): Promise<void> }>;
  stop(): Promise<void>;
}

export interface FakeActivities {
  control: Partial<ControlActivities>;
  cpu: Partial<CpuActivities>;
  train: Partial<TrainActivities>;
}

export async function startWorkflowEnv(): Promise<WorkflowEnv> {
  const cli = findTemporalCli({ temporal: { cliPath: process.env.TEMPORAL_CLI || undefined } });
  const namespace = 'faultline-fast';
  const [env, bundle] = await Promise.all([
    TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: cli.path },
        namespace,
        searchAttributes: Object.values(SEARCH_ATTRIBUTES),
        // The same dynamic config as `npm start` and the integration tests (timer granularity, …).
        extraArgs: Object.entries(DEV_SERVER_DYNAMIC_CONFIG).flatMap(([k, v]) => ['--dynamic-config-value', `${k}=${JSON.stringify(v)}`]),
      },
      client: { dataConverter: DATA_CONVERTER },
    }),
    bundleWorkflows(),
  ]);
  const stoppers: (() => Promise<void>)[] = [];
  return {
    env,
    client: env.client,
    namespace,
    async startWorkers(activities) {
      const byQueue: ActivitiesByQueue = {
        control: (activities.control ?? {}) as ControlActivities,
        cpu: (activities.cpu ?? {}) as CpuActivities,
        train: (activities.train ?? {}) as TrainActivities,
      };
      const workers: Worker[] = await createWorkers({
        connection: env.nativeConnection,
        namespace,
        // A worker with no activities and no workflows is refused by the SDK: only queues with fakes.
        queues: (['control', 'cpu', 'train'] as const).filter((q) => q === 'control' || Object.keys(byQueue[q]).length > 0),
        activities: byQueue,
        workflowBundle: bundle,
        slots: { control: 50, cpu: 50, train: 50 },
        identity: `fast-test-${process.pid}`,
      });
      const abort = new AbortController();
      const running = runWorkers(workers, abort.signal);
      let stopped: Promise<void> | undefined;
      const stop = () =>
        (stopped ??= (async () => {
          abort.abort();
          await running.catch(() => undefined);
        })());
      stoppers.push(stop);
      return { stop };
    },
    async stop() {
      for (const s of stoppers) await s();
      await env.teardown();
    },
  };
}

/**
 * A gate fake activities wait on, so a test decides when work finishes. Waiting heartbeats,
 * so a cancellation reaches the activity, and ends when the activity is cancelled.
 */
export class Gate {
  private opened = false;
  private waiters: (() => void)[] = [];
  /** How many activities are waiting right now. */
  waiting = 0;

  open(): void {
    this.opened = true;
    for (const w of this.waiters.splice(0)) w();
  }

  async pass(): Promise<void> {
    if (this.opened) return;
    const ctx = Context.current();
    this.waiting++;
    const beat = setInterval(() => ctx.heartbeat(), 500);
    try {
      await Promise.race([new Promise<void>((resolve) => this.waiters.push(resolve)), ctx.cancelled]);
    } finally {
      clearInterval(beat);
      this.waiting--;
    }
  }
}

/** Terminate what a test left running, so the next test's workers never pick it up. */
export async function terminateLeftovers(client: Client, workflowIds: readonly string[]): Promise<void> {
  for (const id of workflowIds) {
    const handle = client.workflow.getHandle(id);
    const d = await handle.describe().catch(() => undefined);
    if (d?.status.name === 'RUNNING') await handle.terminate('left over by a test').catch(() => undefined);
  }
}

/** Poll `fn` until it returns true, or fail after `timeoutMs` (generous: busy CI machines). */
export async function until(what: string, fn: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * One environment per test file (call inside `describe`): started before the tests, torn down
 * after them, and whatever a test started (`track`) is terminated after it if still running, so
 * the next test's workers never pick it up. `client` and `startWorkers` reach the environment.
 */
export function workflowSuite(): Pick<WorkflowEnv, 'client' | 'startWorkers'> & { track<T extends { workflowId: string }>(run: Promise<T>): Promise<T> } {
  let env: WorkflowEnv | undefined;
  const started: string[] = [];
  const current = (): WorkflowEnv => {
    if (!env) throw new Error('the workflow test environment is not started (use workflowSuite() inside describe)');
    return env;
  };
  beforeAll(async () => {
    env = await startWorkflowEnv();
  });
  afterAll(async () => {
    await env?.stop();
  });
  afterEach(async () => {
    if (env) await terminateLeftovers(env.client, started.splice(0));
  });
  return {
    get client() {
      return current().client;
    },
    startWorkers: (activities) => current().startWorkers(activities),
    async track(run) {
      const r = await run;
      started.push(r.workflowId);
      return r;
    },
  };
}
