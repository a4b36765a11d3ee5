import { sql, type SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';

/** `excluded."column"`: the value an INSERT ... ON CONFLICT DO UPDATE tried to write. */
export function excluded(column: PgColumn): SQL {
  return sql.raw(`excluded."${column.name}"`);
}

/** Drop keys whose value is undefined, so a partial update never nulls a column by omission. */
export function definedOnly<T extends Record<string, unknown>>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Postgres binds at most 65,535 parameters per statement; batches stay well below. */
export function chunks<T>(rows: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

/**
 * The row an upsert returned, or, when its `setWhere` skipped the update (a status transition
 * the rules forbid), the row as stored. Either way the caller gets what is in the database.
 */
export async function storedRow<R>(written: R | undefined, reread: () => Promise<R | undefined>, what: string): Promise<R> {
  if (written) return written;
  const existing = await reread();
  if (!existing) throw new Error(`${what}: upsert wrote nothing and the row does not exist`);
  return existing;
}
