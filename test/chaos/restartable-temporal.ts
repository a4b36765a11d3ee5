import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findTemporalCli } from '../../temporal-config/cli.js';
import { freePort, isPortFree, startDevServer, type DevServer } from '../../temporal-config/dev-server.js';
import { TEST_NAMESPACE, TEST_RETENTION, type TestTemporal } from '../support/temporal.js';

/**
 * A dev server on a SQLite file and a fixed port, like a separately run `temporal server
 * start-dev --db-filename …`, that the chaos suite stops (SIGTERM) or kills (SIGKILL) and starts
 * again on the same file: clients and workers reconnect to the same address and find their
 * workflows where they were.
 */
export interface RestartableTemporal extends TestTemporal {
  /** Ends the server with `signal`, waits until it is gone, and starts it again on its file. */
  restart(signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

export async function startRestartableTemporal(): Promise<RestartableTemporal> {
  const cli = findTemporalCli({ temporal: { cliPath: process.env.TEMPORAL_CLI || undefined } });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'faultline-chaos-temporal-'));
  const port = await freePort();
  const start = () =>
    startDevServer({ cliPath: cli.path, port, dbFile: path.join(dir, 'dev-server.sqlite'), namespace: TEST_NAMESPACE, retention: TEST_RETENTION, ui: false });
  let server: DevServer = await start();

  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  const gone = async (pid: number): Promise<void> => {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && (alive(pid) || !(await isPortFree(port)))) await new Promise((r) => setTimeout(r, 100));
  };

  return {
    get server() {
      return server;
    },
    address: server.address,
    namespace: server.namespace,
    async restart(signal) {
      const pid = server.pid;
      if (signal === 'SIGKILL') {
        // The server's own process group (the launcher starts it detached): no shutdown at all.
        process.kill(-pid, 'SIGKILL');
        await gone(pid);
      }
      await server.stop();
      await gone(pid);
      server = await start();
    },
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
