import type pg from 'pg';
import type { ReconnectPolicy } from './resilient.js';
import type { Database } from './types.js';

/**
 * Which pg.Pool backs which Database. `withTransaction` needs the pool to check out and release
 * the connection itself (see tx.ts); a WeakMap keeps `Database` a plain drizzle type.
 */
const pools = new WeakMap<Database, pg.Pool>();
/** The reconnect policy a Database was opened with (connect's `reconnect` option), for withTransaction. */
const policies = new WeakMap<Database, ReconnectPolicy>();

export function registerPool(db: Database, pool: pg.Pool, reconnect?: ReconnectPolicy): void {
  pools.set(db, pool);
  if (reconnect) policies.set(db, reconnect);
}

export function reconnectPolicyOf(db: Database): ReconnectPolicy | undefined {
  return policies.get(db);
}

export function poolOf(db: Database): pg.Pool | undefined {
  return pools.get(db);
}

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

/** Connection counts of a pg-backed Database (for health checks, metrics and leak tests); undefined for PGlite. */
export function poolStats(db: Database): PoolStats | undefined {
  const pool = pools.get(db);
  return pool ? { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount } : undefined;
}

export interface CheckedOutClient {
  client: pg.PoolClient;
  /** Returns the client to the pool, or destroys it when `err` is given or the connection failed meanwhile. */
  release(err?: Error): void;
}

/**
 * Check a client out of the pool with an 'error' listener attached for as long as we hold it.
 * pg-pool only listens while a client is idle: a held client whose server connection dies
 * emits an unhandled 'error' that would crash the worker process.
 */
export async function checkout(pool: pg.Pool): Promise<CheckedOutClient> {
  const client = await pool.connect();
  let connectionError: Error | undefined;
  const onError = (err: Error) => {
    connectionError = err;
  };
  client.on('error', onError);
  let released = false;
  return {
    client,
    release(err?: Error) {
      if (released) return;
      released = true;
      client.removeListener('error', onError);
      client.release(err ?? connectionError);
    },
  };
}
