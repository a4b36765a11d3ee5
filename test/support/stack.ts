import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { getDatasetResult, startDatasetGeneration, type StartDatasetRequest } from '../../client/api.js';
import { loadConfig, type Config } from '../../config/index.js';
import { connect, type DbHandle } from '../../db/connect.js';
import { connectClient } from '../../temporal-config/connection.js';
import { freePort } from '../../temporal-config/dev-server.js';
import { bundleWorkflows } from '../../workers/bundle.js';
import { hostWorkers } from '../../workers/host.js';
import type { QueueRole } from '../../contracts/index.js';
import type { ActivitiesByQueue } from '../../activities/index.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';
import { startTestTemporal, type TestTemporal } from './temporal.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Everything an end-to-end test needs, all real: the project's dev-server launcher, a fresh
 * Postgres database, a temporary artifact directory, and workers built exactly as `npm run
 * worker` builds them. Control and CPU queues run in this process; training workers run as
 * separate `workers/main.ts` processes, so a test can kill one like a crashed machine.
 */
export interface TestStack {
  temporal: TestTemporal;
  database: TestDatabase;
  config: Config;
  env: NodeJS.ProcessEnv;
  client: Client;
  /** A connection of the test's own, for assertions on rows. */
  db: DbHandle['db'];
  startInProcessWorkers(queues: QueueRole[], opts?: { wrapActivities?: (a: ActivitiesByQueue) => ActivitiesByQueue }): Promise<{ stop(): Promise<void> }>;
  spawnWorkerProcess(queues: QueueRole[], extraEnv?: Record<string, string>): Promise<WorkerProcess>;
  stop(): Promise<void>;
}

export interface WorkerProcess {
  child: ChildProcess;
  /** Output so far, for diagnostics when a test fails. */
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function startTestStack(extraEnv: Record<string, string> = {}, opts: { temporal?: () => Promise<TestTemporal> } = {}): Promise<TestStack> {
  // opts.temporal: a server of the caller's (the chaos suite's persistent one, which it restarts).
  const [temporal, database] = await Promise.all([(opts.temporal ?? startTestTemporal)(), createTestDatabase()]);
  const artifactDir = mkdtempSync(path.join(os.tmpdir(), 'faultline-artifacts-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: database.url,
    ARTIFACT_DIR: artifactDir,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: temporal.namespace,
    DASHBOARD_URL: 'http://dashboard.test',
    LOG_LEVEL: 'warn',
    ...extraEnv,
  };
  const config = loadConfig(env);
  const connected = await connectClient(config);
  const handle = await connect(config.database);
  const bundle = await bundleWorkflows(undefined, undefined, { encodedFailures: config.payloadEncryption !== undefined });
  const stoppers: (() => Promise<void>)[] = [];
  const processes: WorkerProcess[] = [];

  async function startInProcessWorkers(queues: QueueRole[], opts: { wrapActivities?: (a: ActivitiesByQueue) => ActivitiesByQueue } = {}) {
    const hosted = await hostWorkers(config, {
      ...opts,
      client: connected.client,
      namespace: config.temporal.namespace,
      queues,
      workflowBundle: bundle,
      slots: { control: 20, cpu: 2, train: 1 },
      identity: `test-${process.pid}`,
    });
    stoppers.push(hosted.stop);
    return { stop: hosted.stop };
  }

  async function spawnWorkerProcess(queues: QueueRole[], extraEnv: Record<string, string> = {}): Promise<WorkerProcess> {
    let out = '';
    const metricsPort = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'workers', 'main.ts'), '--queues', queues.join(',')], {
      cwd: REPO_ROOT,
      env: { ...env, METRICS_BIND: `127.0.0.1:${metricsPort}`, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const wp: WorkerProcess = {
      child,
      output: () => out,
      kill: async (signal: NodeJS.Signals = 'SIGTERM') => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        await exited;
      },
    };
    processes.push(wp);
    return wp;
  }

  return {
    temporal,
    database,
    config,
    env,
    client: connected.client,
    db: handle.db,
    startInProcessWorkers,
    spawnWorkerProcess,
    async stop() {
      await Promise.all(processes.map((p) => p.kill('SIGKILL')));
      for (const s of stoppers) await s();
      await connected.close();
      await handle.close();
      await temporal.stop();
      await database.drop();
      rmSync(artifactDir, { recursive: true, force: true });
    },
  };
}

/**
 * The setup most integration suites share: a stack with control and CPU workers in this
 * process and, with `trainWorker`, one training worker process.
 */
export async function startWorkingStack(opts: { trainWorker?: boolean } = {}): Promise<TestStack> {
  const stack = await startTestStack();
  await stack.startInProcessWorkers(['control', 'cpu']);
  if (opts.trainWorker) await stack.spawnWorkerProcess(['train']);
  return stack;
}

/** Generate a dataset through the real workflow and wait until it is READY; returns its id. */
export async function generateDataset(stack: TestStack, request: StartDatasetRequest): Promise<string> {
  const started = await startDatasetGeneration(stack.client, request);
  await getDatasetResult(stack.client, started.workflowId);
  return started.entityId;
}

/** Poll `fn` until it returns a value that is not undefined, or fail after `timeoutMs`. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 120_000, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

export { freePort };
