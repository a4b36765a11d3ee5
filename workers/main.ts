/**
 * `npm run worker [-- --queues control,cpu,train] [--workflow-bundle dist/workflow-bundle.js]`
 *
 * One process serving the chosen queues. Exit codes: 0 after a graceful shutdown (SIGINT/SIGTERM),
 * 1 when a worker fails, 2 for bad configuration or flags.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../config/index.js';
import { connectClient, connectWorkerConnection } from '../temporal-config/connection.js';
import { createWorkers, runWorkers } from './create-workers.js';
import { DEFAULT_METRICS_BIND, installRuntime } from './runtime.js';
import { defaultSlots } from './slots.js';

/** The single place that knows the activities module's shape (the lead owns activities/). */
async function loadActivities(config: Config, client: Awaited<ReturnType<typeof connectClient>>['client']) {
  const { createActivityDeps, createActivities } = await import('../activities/index.js');
  const { deps, close } = await createActivityDeps(config, { client });
  return { activities: createActivities(deps), close };
}

function usageError(message: string): never {
  console.error(`${message}\nusage: npm run worker -- [--queues control,cpu,train] [--workflow-bundle <file>]`);
  process.exit(2);
}

function parseFlags(argv: string[]): { queues?: string; workflowBundle?: string } {
  try {
    const { values } = parseArgs({
      args: argv,
      options: { queues: { type: 'string' }, 'workflow-bundle': { type: 'string' } },
      strict: true,
    });
    return { queues: values.queues, workflowBundle: values['workflow-bundle'] };
  } catch (err) {
    return usageError(err instanceof Error ? err.message : String(err));
  }
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  let config: Config;
  try {
    // --queues goes through the same validation as WORKER_QUEUES.
    config = loadConfig(flags.queues ? { ...process.env, WORKER_QUEUES: flags.queues } : process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const bundlePath = flags.workflowBundle ? path.resolve(flags.workflowBundle) : undefined;
  if (bundlePath && !existsSync(bundlePath)) usageError(`--workflow-bundle: no such file ${bundlePath}`);

  const metricsBind = config.worker.metricsBind ?? DEFAULT_METRICS_BIND;
  const { logger } = installRuntime({ metricsBind, logLevel: config.logLevel });
  const slots = defaultSlots(config.worker);

  const connection = await connectWorkerConnection(config);
  const temporal = await connectClient(config);
  const { activities, close } = await loadActivities(config, temporal.client);
  try {
    const workers = await createWorkers({
      connection,
      namespace: temporal.namespace,
      queues: config.worker.queues,
      activities,
      slots,
      ...(bundlePath ? { workflowBundle: { codePath: bundlePath } } : {}),
    });
    logger.info(
      { queues: config.worker.queues, slots, namespace: temporal.namespace, mode: config.temporal.mode, metrics: `http://${metricsBind}/metrics` },
      'workers running',
    );
    await runWorkers(workers);
    logger.info('workers stopped');
  } finally {
    await close();
    await temporal.close();
    await connection.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
