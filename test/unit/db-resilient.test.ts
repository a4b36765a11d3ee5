import { describe, expect, it } from 'vitest';
import { isConnectionError, withReconnect } from '../../db/resilient.js';

/** An error shaped like node-postgres' (`code` is the SQLSTATE) or Node's (`code` is the errno). */
function pgError(code: string, message = `error ${code}`): Error {
  return Object.assign(new Error(message), { code });
}

/** How drizzle reports a failed statement: its own error with the driver's as `cause`. */
function drizzleWrapped(cause: Error): Error {
  return new Error('Failed query: insert into "epoch_metrics" ...', { cause });
}

describe('isConnectionError', () => {
  it.each([
    ['admin shutdown (pg_terminate_backend)', pgError('57P01', 'terminating connection due to administrator command')],
    ['server crash', pgError('57P02')],
    ['server starting up', pgError('57P03', 'the database system is starting up')],
    ['connection failure', pgError('08006')],
    ['too many connections', pgError('53300')],
    ['refused socket', pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['reset socket', pgError('ECONNRESET')],
    ['connection lost mid-query', new Error('Connection terminated unexpectedly')],
    ['pool checkout timeout', new Error('timeout exceeded when trying to connect')],
    ['database closed to connections', pgError('55000', 'database "x" is not currently accepting connections')],
    ['wrapped by drizzle', drizzleWrapped(pgError('57P01'))],
    ['refused on every address', new AggregateError([pgError('ECONNREFUSED'), pgError('ECONNREFUSED')])],
  ])('%s is one', (_, err) => {
    expect(isConnectionError(err)).toBe(true);
  });

  it.each([
    ['unique violation', pgError('23505', 'duplicate key value violates unique constraint')],
    ['foreign key violation', drizzleWrapped(pgError('23503'))],
    ['not-null violation', pgError('23502')],
    ['syntax error', pgError('42601')],
    ['serialization failure', pgError('40001')],
    ['another 55000', pgError('55000', 'cannot ALTER TABLE because it is being used')],
    ['a plain error', new Error('boom')],
    ['not an error at all', 'Connection terminated'],
    ['undefined', undefined],
  ])('%s is not', (_, err) => {
    expect(isConnectionError(err)).toBe(false);
  });
});

/** An operation that fails with `errors` in turn, then returns 'ok'; counts its calls. */
function flaky(errors: unknown[]) {
  let calls = 0;
  return {
    calls: () => calls,
    op: async () => {
      calls++;
      if (calls <= errors.length) throw errors[calls - 1];
      return 'ok';
    },
  };
}

const fast = { initialDelayMs: 1, maxDelayMs: 5 };

describe('withReconnect', () => {
  it('retries connection errors until the operation succeeds', async () => {
    const f = flaky([pgError('57P01'), pgError('ECONNREFUSED'), new Error('Connection terminated unexpectedly')]);
    const retries: number[] = [];
    await expect(withReconnect(f.op, { budgetMs: 10_000, ...fast, onRetry: (r) => retries.push(r.attempt) })).resolves.toBe('ok');
    expect(f.calls()).toBe(4);
    expect(retries).toEqual([1, 2, 3]);
  });

  it('throws a statement error at once, without retrying', async () => {
    const unique = pgError('23505', 'duplicate key value violates unique constraint "x"');
    const f = flaky([unique]);
    await expect(withReconnect(f.op, { budgetMs: 10_000, ...fast })).rejects.toBe(unique);
    expect(f.calls()).toBe(1);
  });

  it('stops retrying a statement error that follows connection errors', async () => {
    const fk = drizzleWrapped(pgError('23503'));
    const f = flaky([pgError('57P01'), fk]);
    await expect(withReconnect(f.op, { budgetMs: 10_000, ...fast })).rejects.toBe(fk);
    expect(f.calls()).toBe(2);
  });

  it('gives up with the last connection error once the budget is spent', async () => {
    const down = Array.from({ length: 10_000 }, () => pgError('ECONNREFUSED'));
    const f = flaky(down);
    const thrown = await withReconnect(f.op, { budgetMs: 30, ...fast }).catch((e: unknown) => e);
    expect(thrown).toBe(down[f.calls() - 1]);
    expect(f.calls()).toBeGreaterThan(1);
    expect(f.calls()).toBeLessThan(down.length);
  });

  it('does not retry at all with a zero budget', async () => {
    const f = flaky([pgError('57P01')]);
    await expect(withReconnect(f.op, { budgetMs: 0, ...fast })).rejects.toMatchObject({ code: '57P01' });
    expect(f.calls()).toBe(1);
  });

  it('backs off exponentially up to the cap', async () => {
    const f = flaky(Array.from({ length: 6 }, () => pgError('08006')));
    const delays: number[] = [];
    await withReconnect(f.op, { budgetMs: 60_000, initialDelayMs: 1, maxDelayMs: 8, onRetry: (r) => delays.push(r.delayMs) });
    expect(delays).toEqual([1, 2, 4, 8, 8, 8]);
  });
});
