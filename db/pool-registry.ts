import type pg from 'pg';
import type { Database } from './types.js';

/**
 * Which pg.Pool backs which Database. `withTransaction` needs the pool to check out and release
 * the connection itself (see tx.ts); a WeakMap keeps `Database` a plain drizzle type.
 */
const pools = new WeakMap<Database, pg.Pool>();

export function registerPool(db: Database, pool: pg.Pool): void {
  pools.set(db, pool);
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
