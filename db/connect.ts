/**
 * Open the database named by the configuration and bring its schema up to date.
 *
 * Postgres (`DATABASE_URL`) goes through a bounded pg.Pool; otherwise an embedded PGlite stores
 * its files under a directory. Both run the same drizzle-kit migrations from db/migrations/.
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import type { Config } from '../config/index.js';
import { checkout, registerPool } from './pool-registry.js';
import { withReconnect, type ReconnectPolicy } from './resilient.js';
import * as schema from './schema.js';
import type { Database, DbHandle } from './types.js';

export type { Database, DbHandle, Transaction } from './types.js';
export { poolStats, type PoolStats } from './pool-registry.js';

export const MIGRATIONS_FOLDER = fileURLToPath(new URL('./migrations', import.meta.url));

/**
 * Session-level advisory lock key held while migrating, so that several workers starting at
 * once against one Postgres migrate one after another instead of racing on CREATE TABLE.
 * An arbitrary constant private to Faultline, passed as text and cast to bigint by pg.
 */
const MIGRATION_LOCK_KEY = '7378707281424134757';

export interface ConnectOptions {
  /** Skip migrations (e.g. for a read-only tool that must not change the schema). Default false. */
  skipMigrations?: boolean;
  /**
   * Ride out a lost connection (Postgres only): every statement outside a transaction, and every
   * withTransaction as a whole, is retried on connection errors within this policy (resilient.ts).
   * Default: none, a tool fails at once. Activities pass DB_OUTAGE_SECONDS.
   */
  reconnect?: ReconnectPolicy;
}

const POOL_DEFAULTS = {
  // Fail a checkout instead of hanging an activity forever when the database is unreachable
  // or the pool is exhausted; the activity's retry policy takes it from there.
  connectionTimeoutMillis: 10_000,
  idleTimeoutMillis: 30_000,
  // Server-side safety net: a session left "idle in transaction" (a bug) is ended by Postgres
  // rather than holding locks and a pool slot forever.
  idle_in_transaction_session_timeout: 300_000,
} as const;

export async function connect(database: Config['database'], opts: ConnectOptions = {}): Promise<DbHandle> {
  return database.kind === 'pg' ? connectPg(database.url, database.poolMax, opts) : connectPglite(database.dir, opts);
}

/** `postgres://user:secret@host/db` → `postgres://user:***@host/db`, for error messages. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@');
}

async function connectPg(url: string, poolMax: number, opts: ConnectOptions): Promise<DbHandle> {
  const pool = new pg.Pool({ connectionString: url, max: poolMax, ...POOL_DEFAULTS, application_name: 'faultline' });
  // An idle client whose server connection dies emits 'error' on the pool; unhandled, that
  // would crash the worker. The pool already discards the client, so there is nothing to do.
  pool.on('error', () => undefined);
  try {
    // With a reconnect policy, a worker started while the database is away waits for it (within
    // the budget) instead of exiting at once.
    if (!opts.skipMigrations) await (opts.reconnect ? withReconnect(() => migratePgLocked(pool), opts.reconnect) : migratePgLocked(pool));
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new Error(`cannot open Postgres database ${redactUrl(url)}: ${errorMessage(err)}`, { cause: err });
  }
  const reconnect = opts.reconnect && opts.reconnect.budgetMs > 0 ? opts.reconnect : undefined;
  if (reconnect) retryPoolQueries(pool, reconnect);
  const db: Database = drizzlePg(pool, { schema });
  registerPool(db, pool, reconnect);
  let closed: Promise<void> | undefined;
  return {
    db,
    kind: 'pg',
    close: () => (closed ??= pool.end()),
  };
}

/**
 * Make `pool.query` (what drizzle runs every statement outside a transaction through) retry on
 * connection errors. Each try checks out a fresh client, so a retry after a terminated
 * connection goes to a new one. Callback-style calls are left alone (drizzle never makes them).
 */
function retryPoolQueries(pool: pg.Pool, policy: ReconnectPolicy): void {
  const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
  const retrying = (...args: unknown[]): Promise<unknown> =>
    typeof args[args.length - 1] === 'function' ? query(...args) : withReconnect(() => query(...args), policy);
  (pool as unknown as { query: typeof retrying }).query = retrying;
}

async function migratePgLocked(pool: pg.Pool): Promise<void> {
  const { client, release } = await checkout(pool);
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    try {
      await migratePg(drizzlePg(client, { schema }), { migrationsFolder: MIGRATIONS_FOLDER });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]).catch((err: Error) => {
        // Could not unlock: discard the connection, which releases its session locks.
        broken = err;
      });
    }
  } catch (err) {
    broken = err instanceof Error ? err : new Error(String(err));
    throw err;
  } finally {
    release(broken);
  }
}

async function connectPglite(dir: string, opts: ConnectOptions): Promise<DbHandle> {
  // 'memory://' (tests) keeps everything in memory; any other value is a directory we create.
  if (!dir.startsWith('memory://')) await mkdir(dir, { recursive: true });
  const client = new PGlite(dir);
  try {
    await client.waitReady;
    const db: Database = drizzlePglite({ client, schema });
    if (!opts.skipMigrations) await migratePglite(drizzlePglite({ client, schema }), { migrationsFolder: MIGRATIONS_FOLDER });
    let closed: Promise<void> | undefined;
    return {
      db,
      kind: 'pglite',
      close: () => (closed ??= client.close()),
    };
  } catch (err) {
    await client.close().catch(() => undefined);
    throw new Error(`cannot open PGlite database in ${dir}: ${errorMessage(err)}`, { cause: err });
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
