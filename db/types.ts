import type { ExtractTablesWithRelations } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import type * as schema from './schema.js';

export type Schema = typeof schema;

/**
 * The one database type every repository takes. Both drivers (node-postgres and PGlite) produce
 * a `PgDatabase` over this schema, and a transaction is one too, so repositories work unchanged
 * inside `withTransaction`.
 */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;

/** What `withTransaction` hands its callback: a Database that can also `rollback()`. */
export type Transaction = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;

export interface DbHandle {
  db: Database;
  kind: 'pg' | 'pglite';
  /** Ends the pool (pg) or closes the embedded database (PGlite). Safe to call twice. */
  close(): Promise<void>;
}
