import path from 'node:path';

/**
 * Documented defaults for the Temporal side of Faultline. config/index.ts reads the environment;
 * these are the values it falls back to and the launcher's fixed choices, kept in one place so
 * the README, `npm start` and the tests agree.
 */

/** Namespace when TEMPORAL_NAMESPACE is unset (matches config/index.ts). */
export const DEFAULT_NAMESPACE = 'default';

/**
 * History retention when TEMPORAL_RETENTION is unset (matches config/index.ts). A week keeps
 * failed campaigns inspectable in the Web UI over a weekend; results the dashboard needs live in
 * Postgres, so nothing is lost when Temporal drops a closed run's history.
 */
export const DEFAULT_RETENTION = '7d';

/** The dev server binds loopback only: it has no auth and must not be reachable from the network. */
export const DEV_SERVER_IP = '127.0.0.1';

/** How long the launcher waits for the frontend (and UI) before giving up with the log tail. */
export const DEV_SERVER_STARTUP_TIMEOUT_MS = 60_000;

/** Where `npm start` keeps the persistent dev-server state, relative to the data dir (.data/). */
export function devServerDbFile(dataDir: string): string {
  return path.join(dataDir, 'temporal', 'dev-server.sqlite');
}
export function devServerLogFile(dataDir: string): string {
  return path.join(dataDir, 'temporal', 'dev-server.log');
}

/**
 * Dynamic config passed to `temporal server start-dev --dynamic-config-value KEY=JSON`.
 * - One task-queue partition: a single-node dev server gains nothing from 4 partitions, and our
 *   train queue has very few pollers (1 slot per device); with several partitions a task can sit
 *   in a partition no poller is watching until it is forwarded, which shows up as start latency.
 * - Search-attribute cache refresh on read: `temporal operator search-attribute create` (and the
 *   start-up registration) is visible to the next query at once, instead of after the cache TTL.
 * - Transfer-queue poll rate: every hand-off of a new workflow or activity task from history to
 *   matching goes through the shard's transfer queue, whose reader is paced at
 *   `transferProcessorMaxPollRPS` (default 20/s per shard). The dev server has ONE shard, so each
 *   hop waited up to 50 ms (~33 ms on average) and an HPO trial at one in flight (four hops) cost
 *   ~200 ms of pure waiting. The limit protects a shared database from many shards polling; one
 *   shard on SQLite has nothing to protect.
 * - Timer max time shift: the timer queue fires a timer only once it is `timerProcessorMaxTimeShift`
 *   (default 1 s) past its time, to tolerate clock skew between history hosts — so on the dev
 *   server `sleep('10 ms')` took ~1 s, as did activity retry backoffs and timeouts. One process has
 *   one clock: 10 ms makes timers fire on time.
 * temporal-config/README.md ("Cluster notes") says what to set on a real cluster.
 */
export const DEV_SERVER_DYNAMIC_CONFIG: Readonly<Record<string, unknown>> = {
  'matching.numTaskqueueReadPartitions': 1,
  'matching.numTaskqueueWritePartitions': 1,
  'system.forceSearchAttributesCacheRefreshOnRead': true,
  'history.transferProcessorMaxPollRPS': 10_000,
  'history.timerProcessorMaxTimeShift': '10ms',
};

/** Parses a retention like `72h` or `7d` (the TEMPORAL_RETENTION format) into seconds. */
export function retentionToSeconds(retention: string): number {
  const m = /^(\d+)(h|d)$/.exec(retention);
  if (!m) throw new Error(`retention ${JSON.stringify(retention)} must be a duration like 72h or 7d`);
  const n = Number(m[1]);
  if (n <= 0) throw new Error(`retention ${JSON.stringify(retention)} must be positive`);
  return n * (m[2] === 'd' ? 86_400 : 3_600);
}
