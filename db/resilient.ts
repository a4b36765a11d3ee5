/**
 * Riding out a lost database connection (a Postgres restart, a failover, a network blip) inside
 * the statement that hit it, with bounded exponential backoff, instead of failing the activity
 * and spending one of its Temporal retry attempts on every second of the outage.
 *
 * Only connection-class errors are retried: the database or the path to it went away, the
 * statement itself was fine. A constraint violation, a syntax error or a serialization failure
 * is the statement's own problem and is thrown at once.
 *
 * Retrying is safe because every repository write is an upsert keyed by natural keys (DESIGN:
 * idempotent activities): a statement that committed just before the connection died writes the
 * same row again.
 */

/** SQLSTATEs of a connection that failed or was ended by the server (class 08, 57P0x, 53300). */
const CONNECTION_SQLSTATES = new Set(['08000', '08001', '08003', '08004', '08006', '08007', '08P01', '57P01', '57P02', '57P03', '53300']);
/** Socket-level failures reported by Node. */
const CONNECTION_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** node-postgres' own messages for a connection lost or never made (they carry no code). */
const CONNECTION_MESSAGES = [
  /^Connection terminated/,
  /timeout exceeded when trying to connect/,
  /Client has encountered a connection error and is not queryable/,
  /Client was closed and is not queryable/,
  // 55000 covers more than connections; only this message of it is one (ALLOW_CONNECTIONS false).
  /is not currently accepting connections/,
  /the database system is (starting up|shutting down|in recovery mode)/,
];

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  cause?: unknown;
}

/**
 * Whether `err` (or an error it wraps: drizzle throws "Failed query: …" with the driver's error
 * as `cause`) means the connection, not the statement, failed.
 */
export function isConnectionError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as ErrorLike).cause, depth++) {
    const { code, message } = e as ErrorLike;
    if (typeof code === 'string' && (CONNECTION_SQLSTATES.has(code) || CONNECTION_ERRNOS.has(code))) return true;
    if (typeof message === 'string' && CONNECTION_MESSAGES.some((re) => re.test(message))) return true;
    if (e instanceof AggregateError && e.errors.some((x) => isConnectionError(x))) return true;
  }
  return false;
}

export interface ReconnectPolicy {
  /** How long, in total, to keep retrying one operation before giving up with its last error (0: never retry). */
  budgetMs: number;
  /** First wait (default 250 ms); doubles each time up to `maxDelayMs` (default 5 s). */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Told about each retry (for logs). */
  onRetry?(info: { attempt: number; delayMs: number; error: unknown }): void;
}

/**
 * Run `op`; when it fails with a connection error, wait and run it again until it succeeds, fails
 * otherwise, or `budgetMs` has passed since the first failure (then its last error is thrown).
 */
export async function withReconnect<T>(op: () => Promise<T>, policy: ReconnectPolicy): Promise<T> {
  const initial = policy.initialDelayMs ?? 250;
  const max = policy.maxDelayMs ?? 5_000;
  let firstFailure: number | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      return await op();
    } catch (err) {
      if (!isConnectionError(err)) throw err;
      firstFailure ??= Date.now();
      const left = firstFailure + policy.budgetMs - Date.now();
      if (left <= 0) throw err;
      const delayMs = Math.min(left, max, initial * 2 ** Math.min(attempt - 1, 20));
      policy.onRetry?.({ attempt, delayMs, error: err });
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
