import pg from 'pg';
import { findTemporalCli } from '../../temporal-config/cli.js';

/**
 * Integration tests need two real services; say exactly what is missing and how to get it
 * before ~100 tests fail with connection errors.
 */
export default async function checkServices(): Promise<void> {
  findTemporalCli({ temporal: { cliPath: process.env.TEMPORAL_CLI || undefined } });
  const host = process.env.PGHOST || '127.0.0.1';
  const port = Number(process.env.PGPORT || 5432);
  const client = new pg.Client({ host, port, user: process.env.PGUSER || 'postgres', database: 'postgres', connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `the tests need PostgreSQL on ${host}:${port} (user ${process.env.PGUSER || 'postgres'}, trust auth): ${String(err)}\n` +
        `start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start (or set PGHOST/PGPORT/PGUSER)`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}
