import { findTemporalCli } from '../../temporal-config/cli.js';
import { startDevServer, type DevServer } from '../../temporal-config/dev-server.js';

/** Namespace and retention the integration tests run with (not the defaults, so both are exercised). */
export const TEST_NAMESPACE = 'faultline-test';
export const TEST_RETENTION = '3d';

export interface TestTemporal {
  server: DevServer;
  address: string;
  namespace: string;
  stop(): Promise<void>;
}

/**
 * The one way integration tests get a Temporal server: the project's own launcher, in-memory, on
 * free ports, with the project's search attributes — so tests run against what `npm start` runs.
 * Share one per test file (start in beforeAll, stop in afterAll); start-up takes a second or two.
 */
export async function startTestTemporal(opts: { ui?: boolean; namespace?: string; retention?: string } = {}): Promise<TestTemporal> {
  const cli = findTemporalCli({ temporal: { cliPath: process.env.TEMPORAL_CLI || undefined } });
  const server = await startDevServer({
    cliPath: cli.path,
    namespace: opts.namespace ?? TEST_NAMESPACE,
    retention: opts.retention ?? TEST_RETENTION,
    ui: opts.ui ?? false,
  });
  return { server, address: server.address, namespace: server.namespace, stop: () => server.stop() };
}
