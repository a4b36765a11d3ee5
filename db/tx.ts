/**
 * Transactions that cannot leak a connection (DESIGN: the Celery system leaked sessions).
 *
 * drizzle's own pool transaction issues BEGIN before its try/finally (a failed BEGIN never
 * releases the client) and returns a client to the pool even when ROLLBACK failed (a connection
 * in an unknown state is handed to the next caller). So for a pooled pg Database we check the
 * client out ourselves, release it in `finally` on every path, and destroy it (release(err))
 * whenever BEGIN, COMMIT or ROLLBACK failed or the connection reported an error meanwhile.
 */
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgTransactionConfig } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import { checkout, poolOf, reconnectPolicyOf } from './pool-registry.js';
import { withReconnect } from './resilient.js';
import * as schema from './schema.js';
import type { Database, Transaction } from './types.js';

export type { Transaction } from './types.js';

/**
 * Run `fn` in a transaction: commit when it resolves, roll back and rethrow when it throws.
 * Nested calls (passing a Transaction as `db`) become savepoints. `tx.rollback()` aborts on purpose.
 * On a Database opened with a reconnect policy, a transaction that lost its connection is run
 * again as a whole on a new one (so `fn` must be safe to repeat: repository upserts are).
 */
export async function withTransaction<T>(db: Database, fn: (tx: Transaction) => Promise<T>, config?: PgTransactionConfig): Promise<T> {
  const pool = poolOf(db);
  // PGlite (one in-process connection) and nested transactions need no checkout.
  if (!pool) return db.transaction(fn, config);
  const policy = reconnectPolicyOf(db);
  return policy ? withReconnect(() => pooledTransaction(pool, fn, config), policy) : pooledTransaction(pool, fn, config);
}

async function pooledTransaction<T>(pool: pg.Pool, fn: (tx: Transaction) => Promise<T>, config?: PgTransactionConfig): Promise<T> {
  const { client, release } = await checkout(pool);
  let fnFailed = false;
  let fnError: unknown;
  let destroy: Error | undefined;
  try {
    return await drizzlePg(client, { schema }).transaction(async (tx) => {
      try {
        return await fn(tx);
      } catch (err) {
        fnFailed = true;
        fnError = err;
        throw err;
      }
    }, config);
  } catch (err) {
    if (!fnFailed || err !== fnError) {
      // BEGIN, COMMIT or ROLLBACK itself failed: the connection's state is unknown.
      destroy = err instanceof Error ? err : new Error(String(err));
      // Report the caller's error, not the rollback's, when both happened.
      if (fnFailed) throw fnError;
    }
    throw err;
  } finally {
    release(destroy);
  }
}
