import os from 'node:os';
import { XaiProcessPool } from '../../ml/xai/pool.js';
import type { ActivityDeps } from '../deps.js';

/** The worker's pool of XAI child processes: XAI_PROCESSES, or one per core. Spawns lazily. */
export function createXaiPool(config: ActivityDeps['config']): XaiProcessPool {
  return new XaiProcessPool({
    size: config.worker.xaiProcesses ?? Math.max(1, os.availableParallelism()),
    artifacts: config.artifacts,
    backend: config.tfjsBackend,
  });
}
