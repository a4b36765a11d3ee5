/**
 * The stack the HPO benchmarks run on, assembled the way `npm start` (scripts/start.ts) does it
 * but for a measurement: the project's dev-server launcher (in-memory, free port, no UI), the
 * embedded PGlite in a temporary directory (or Postgres when DATABASE_URL is set), and workers for
 * all three queues in this process, built by createWorkers from a prebuilt workflow bundle with
 * the default slot counts. SDK and worker logs go to a file in the temporary directory (stdout
 * belongs to the bench: its last line is the JSON report); the tail is printed if a bench fails.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { Client } from '@temporalio/client';
import { loadConfig, type Config } from '../../config/index.js';
import type { Database } from '../../db/connect.js';
import { connectClient } from '../../temporal-config/connection.js';
import { findTemporalCli } from '../../temporal-config/cli.js';
import { getDatasetResult, startDatasetGeneration } from '../../client/api.js';
import type { GenerateDatasetResult } from '../../contracts/index.js';
import { startDevServer } from '../../temporal-config/dev-server.js';
import { bundleWorkflows } from '../../workers/bundle.js';
import { hostWorkers } from '../../workers/host.js';
import { installRuntime } from '../../workers/runtime.js';
import { defaultSlots, type SlotCounts } from '../../workers/slots.js';

export interface BenchStack {
  client: Client;
  /** The workers' own database handle (PGlite allows one per directory), for reading rows. */
  db: Database;
  config: Config;
  database: 'pglite' | 'postgres';
  slots: SlotCounts;
  /** Seconds to boot the dev server, bundle workflows and start the workers. */
  startupSec: number;
  /** The workers' workflow bundle, for replaying a campaign's history in this process. */
  workflowBundle: { code: string };
  logFile: string;
  /** Last lines of the worker log, for error messages. */
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

const BENCH_NAMESPACE = 'faultline-bench';

export async function startBenchStack(opts: { logLevel?: Config['logLevel'] } = {}): Promise<BenchStack> {
  const t0 = performance.now();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'faultline-bench-'));
  const logFile = path.join(dir, 'worker.log');
  const logLevel = opts.logLevel ?? 'warn';
  installRuntime({ logLevel, destination: pino.destination({ dest: logFile, sync: false, mkdir: true }) });

  const cli = findTemporalCli({ temporal: { cliPath: process.env.TEMPORAL_CLI || undefined } });
  const server = await startDevServer({ cliPath: cli.path, namespace: BENCH_NAMESPACE, retention: '1d', ui: false });
  const cleanup: (() => Promise<void>)[] = [() => server.stop()];
  const stopAll = async () => {
    for (const f of cleanup.reverse()) await f().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // A bench always launches its own server: an inherited TEMPORAL_PROFILE must not redirect it.
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TEMPORAL_PROFILE: undefined,
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_NAMESPACE: server.namespace,
      FAULTLINE_DATA_DIR: dir,
      PGLITE_DIR: path.join(dir, 'pglite'),
      ARTIFACT_DIR: path.join(dir, 'artifacts'),
      LOG_LEVEL: logLevel,
    };
    const config = loadConfig(env);
    const temporal = await connectClient(config);
    cleanup.push(() => temporal.close());
    const slots = defaultSlots(config.worker);
    const workflowBundle = await bundleWorkflows();
    const hosted = await hostWorkers(config, {
      client: temporal.client,
      namespace: temporal.namespace,
      queues: ['control', 'cpu', 'train'],
      workflowBundle,
      slots,
      identity: `bench-${process.pid}`,
    });
    cleanup.push(hosted.stop);
    const logTail = (lines = 20): string => {
      try {
        return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      } catch {
        return '';
      }
    };
    return {
      client: temporal.client,
      db: hosted.deps.db,
      config,
      database: config.database.kind === 'pg' ? 'postgres' : 'pglite',
      slots,
      startupSec: (performance.now() - t0) / 1000,
      workflowBundle,
      logFile,
      logTail,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

export const loadavg = (): number[] => os.loadavg().map((v) => Math.round(v * 100) / 100);

/**
 * The first Python that can import `modules`: FAULTLINE_BENCH_PYTHON, then .venv/bin/python, then
 * python3 (the order every bench peer uses). Otherwise the interpreters tried, for a skip reason.
 */
export function findPython(root: string, modules: string[]): { python: string } | { python: string | null; reason: string } {
  const candidates = [process.env.FAULTLINE_BENCH_PYTHON, path.join(root, '.venv/bin/python'), 'python3'].filter(
    (p): p is string => typeof p === 'string' && p.length > 0 && (!p.includes('/') || existsSync(p)),
  );
  const tried: string[] = [];
  for (const python of candidates) {
    const r = spawnSync(python, ['-c', `import ${modules.join(', ')}`], { encoding: 'utf8' });
    if (r.status === 0) return { python };
    tried.push(`${python} (${(r.stderr || String(r.error ?? '')).trim().split('\n').pop() ?? 'failed'})`);
  }
  return { python: candidates[0] ?? null, reason: `no python with ${modules.join(' and ')}: tried ${tried.join('; ') || '(none found)'}` };
}

/**
 * Generate a simulated dataset through the real workflow on the bench stack and say how long it
 * took (the benches that need data all start this way).
 */
export async function generateBenchDataset(
  stack: BenchStack,
  name: string,
  config: { seed: number; signalsPerClass: number; signalLength: number; snrDb: [number, number] },
): Promise<{ dataset: GenerateDatasetResult; generationSec: number }> {
  const g0 = performance.now();
  const ds = await startDatasetGeneration(stack.client, { name, config });
  const dataset = await getDatasetResult(stack.client, ds.workflowId);
  const generationSec = (performance.now() - g0) / 1000;
  console.log(`dataset ${dataset.datasetId}: ${dataset.numSignals} signals × ${dataset.signalLength} samples in ${generationSec.toFixed(1)} s`);
  return { dataset, generationSec };
}
