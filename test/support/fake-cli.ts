import type { FaultlineApi } from '../../client/api.js';
import type { CliDeps } from '../../client/cli/context.js';
import { runCli } from '../../client/cli/main.js';
import type { CliSession } from '../../client/cli/session.js';

/** Wraps an API method so each call is recorded before it runs. */
export type Recorder = <A extends unknown[], R>(method: string, impl: (...args: A) => R) => (...args: A) => R;

/**
 * The CLI over a recording fake API: commander parsing and output only, no Temporal, no
 * terminal. Each test file builds its own fake API (its defaults differ) with `record`; this
 * provides the plumbing they share: call log, captured stdout/stderr, session count.
 */
export function cliHarness(makeApi: (record: Recorder) => FaultlineApi, artifactPath?: (uri: string) => string | undefined) {
  const calls: { method: string; args: unknown[] }[] = [];
  let sessions = 0;
  const stdout: string[] = [];
  const stderr: string[] = [];
  const record: Recorder =
    (method, impl) =>
    (...args) => {
      calls.push({ method, args });
      return impl(...args);
    };
  const api = makeApi(record);
  const session: CliSession = {
    api,
    webUiUrl: (id) => `http://127.0.0.1:8233/namespaces/default/workflows/${id}`,
    ...(artifactPath ? { artifactPath } : {}),
    close: async () => undefined,
  };
  const deps: CliDeps = {
    io: { stdout: { write: (s: string) => stdout.push(s) }, stderr: { write: (s: string) => stderr.push(s) } },
    openSession: async () => {
      sessions++;
      return session;
    },
    pollIntervalMs: 1,
  };
  return {
    deps,
    calls,
    run: (argv: string[]) => runCli(argv, deps),
    stdout: () => stdout.join(''),
    stderr: () => stderr.join(''),
    sessions: () => sessions,
    argsOf: (method: string) => calls.find((c) => c.method === method)?.args,
  };
}
