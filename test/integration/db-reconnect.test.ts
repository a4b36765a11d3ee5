import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type DbHandle } from '../../db/connect.js';
import { getArtifact, registerArtifact } from '../../db/repos/artifacts.js';
import { recordEpoch } from '../../db/repos/experiments.js';
import { isConnectionError } from '../../db/resilient.js';
import { artifacts } from '../../db/schema.js';
import { withTransaction } from '../../db/tx.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { waitFor } from '../support/stack.js';

/** How long each simulated outage lasts: several backoff steps, far below the budget. */
const OUTAGE_MS = 3_000;

function artifact(n: number) {
  const hex = n.toString(16).padStart(64, '0');
  return { uri: `artifact:sha256/${hex}`, sha256: hex, bytes: n, kind: 'test', mediaType: 'application/octet-stream' };
}

/** Whether `p` has settled (without waiting for it). */
async function settled(p: Promise<unknown>): Promise<boolean> {
  const marker = Symbol('pending');
  return (
    (await Promise.race([
      p.then(
        () => true,
        () => true,
      ),
      Promise.resolve(marker),
    ])) !== marker
  );
}

/**
 * A real Postgres database cut off (connections refused, open ones terminated) and reopened:
 * statements and transactions opened with a reconnect policy wait it out; statement errors and
 * an exhausted budget still fail.
 */
describe('database writes across a connection loss', () => {
  let testDb: TestDatabase;
  let handle: DbHandle;
  let retries = 0;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    handle = await connect({ kind: 'pg', url: testDb.url, poolMax: 4 }, { reconnect: { budgetMs: 60_000, maxDelayMs: 500, onRetry: () => retries++ } });
  });
  afterAll(async () => {
    await testDb?.reopen().catch(() => undefined);
    await handle?.close();
    await testDb?.drop();
  });

  it('a statement issued during the outage completes once the database is back', async () => {
    await registerArtifact(handle.db, artifact(1)); // an open, idle connection the outage terminates
    retries = 0;
    await testDb.cutOff();
    const write = registerArtifact(handle.db, artifact(2));
    await waitFor('a retry', async () => (retries > 0 ? true : undefined));
    expect(await settled(write)).toBe(false);
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    await testDb.reopen();
    await expect(write).resolves.toBe(true);
    expect((await getArtifact(handle.db, artifact(2).uri))?.bytes).toBe(2);
  });

  it('a transaction that lost its connection runs again as a whole', async () => {
    let runs = 0;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const tx = withTransaction(handle.db, async (t) => {
      runs++;
      await registerArtifact(t, artifact(3));
      await registerArtifact(t, artifact(4));
      if (runs === 1) await held; // the first run is in flight when its backend is terminated
      await t.execute(sql`select 1`);
    });
    await waitFor('the first run to hold its transaction', async () => (runs === 1 ? true : undefined));
    await testDb.cutOff();
    release();
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    await testDb.reopen();
    await tx;
    expect(runs).toBe(2);
    const rows = await handle.db.select().from(artifacts).where(eq(artifacts.kind, 'test'));
    expect(rows.map((r) => r.bytes).sort()).toEqual([1, 2, 3, 4]);
  });

  it('a constraint error is thrown at once, not retried', async () => {
    retries = 0;
    // No experiment "ghost": the foreign key refuses the epoch row.
    const err = await recordEpoch(handle.db, 'ghost', { epoch: 1, loss: 1, accuracy: 0, valLoss: 1, valAccuracy: 0, durationMs: 1, samplesPerSec: 1 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(isConnectionError(err)).toBe(false);
    expect(JSON.stringify((err as Error).cause ?? {})).toMatch(/23503/);
    expect(retries).toBe(0);
  });

  it('a worker opening the database during an outage waits for it', async () => {
    await testDb.cutOff();
    const opening = connect({ kind: 'pg', url: testDb.url, poolMax: 1 }, { reconnect: { budgetMs: 60_000, maxDelayMs: 500 } });
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    expect(await settled(opening)).toBe(false);
    await testDb.reopen();
    const late = await opening;
    try {
      expect(await getArtifact(late.db, artifact(1).uri)).toBeDefined();
    } finally {
      await late.close();
    }
  });

  it('an outage longer than the budget fails with the connection error', async () => {
    const short = await connect({ kind: 'pg', url: testDb.url, poolMax: 1 }, { skipMigrations: true, reconnect: { budgetMs: 1_500, maxDelayMs: 200 } });
    try {
      await testDb.cutOff();
      const err = await registerArtifact(short.db, artifact(5)).catch((e: unknown) => e);
      expect(isConnectionError(err)).toBe(true);
    } finally {
      await testDb.reopen();
      await short.close();
    }
  });
});
