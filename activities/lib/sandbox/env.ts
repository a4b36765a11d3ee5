/**
 * The environment of a sandboxed run: an explicit allow-list, never the worker's own environment.
 * Credentials (DATABASE_URL, PAYLOAD_KEYS, S3 secrets, PGPASSWORD, TEMPORAL_API_KEY, ...) are
 * absent because they are not listed, not because they are filtered out. NODE_OPTIONS is absent
 * too: it could `--require` any file into the run.
 */
export const PASSED_THROUGH = [
  'PATH',
  'HOME',
  'LANG',
  'LC_ALL',
  'TZ',
  'TMPDIR',
  // Integration tests find the local Postgres (trust auth, no password) and the Temporal CLI.
  'PGHOST',
  'PGPORT',
  'PGUSER',
  'TEMPORAL_CLI',
  // Benchmarks pick their backend and length from these (bench/run.ts).
  'TFJS_BACKEND',
  'BENCH_SECONDS',
  // Which Python runs the benchmarks' peers (PyTorch, Optuna, Celery): a path, not a secret. The
  // peers' database and Redis URLs are not passed, since they may carry passwords; the peers
  // then use their local defaults.
  'FAULTLINE_BENCH_PYTHON',
] as const;

/** Set on every run: plain output a parser can read, and a marker that a run is sandboxed. */
const FIXED: Record<string, string> = { NO_COLOR: '1', FORCE_COLOR: '0', CI: '1', FAULTLINE_SANDBOX: '1' };

export function sandboxEnv(from: NodeJS.ProcessEnv, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of PASSED_THROUGH) {
    const v = from[key];
    if (v !== undefined) env[key] = v;
  }
  return { ...env, ...FIXED, ...extra };
}
