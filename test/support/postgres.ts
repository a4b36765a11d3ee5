import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * A throwaway Postgres database per test file, on the local server (127.0.0.1:5432, user
 * postgres, trust auth) unless PGHOST / PGPORT / PGUSER say otherwise. Tests never touch the
 * shared `test` / `postgres` databases, so parallel files and engineers do not collide.
 */
export interface TestDatabase {
  url: string;
  /** Drops the database, ending any connection a test left open. Safe to call twice. */
  drop(): Promise<void>;
  /**
   * An outage of this database alone: refuse new connections and end every open one (what a
   * Postgres restart looks like to a client), until `reopen()`. Never touches other databases.
   */
  cutOff(): Promise<void>;
  reopen(): Promise<void>;
}

function serverSettings() {
  return {
    host: process.env.PGHOST || '127.0.0.1',
    port: Number(process.env.PGPORT || 5432),
    user: process.env.PGUSER || 'postgres',
  };
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ ...serverSettings(), database: 'postgres', connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const { host, port, user } = serverSettings();
  // Unique across processes and runs; identifiers are lowercase so no quoting surprises.
  const name = `faultline_test_${process.pid}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await withAdmin((c) => c.query(`CREATE DATABASE "${name}"`));
  let dropped: Promise<void> | undefined;
  return {
    url: `postgres://${encodeURIComponent(user)}@${host}:${port}/${name}`,
    cutOff: () =>
      withAdmin(async (c) => {
        await c.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`);
        await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
      }),
    reopen: () =>
      withAdmin(async (c) => {
        await c.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`);
      }),
    drop: () =>
      (dropped ??= withAdmin(async (c) => {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      })),
  };
}
