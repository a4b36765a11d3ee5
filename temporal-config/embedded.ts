import type { Config } from '../config/index.js';
import { findTemporalCli, type TemporalCli } from './cli.js';
import { startDevServer, type DevServer } from './dev-server.js';
import { devServerDbFile, devServerLogFile } from './settings.js';

/**
 * What `npm start` runs in embedded mode: the dev server on the configured ports
 * (TEMPORAL_DEV_PORT / TEMPORAL_UI_PORT), persistent in .data/temporal/, with the Web UI.
 * Returns the CLI it used so the caller can log where it came from.
 */
export async function startEmbeddedTemporal(
  config: Config,
  opts: { ui?: boolean; uiCodecEndpoint?: string } = {},
): Promise<{ server: DevServer; cli: TemporalCli }> {
  if (config.temporal.mode !== 'embedded') {
    throw new Error(`TEMPORAL_ADDRESS is set (${config.temporal.address}): connect to it, launch nothing`);
  }
  const cli = findTemporalCli(config);
  const server = await startDevServer({
    cliPath: cli.path,
    port: config.temporal.devPort,
    uiPort: config.temporal.uiPort,
    ui: opts.ui ?? true,
    dbFile: devServerDbFile(config.dataDir),
    logFile: devServerLogFile(config.dataDir),
    namespace: config.temporal.namespace,
    retention: config.temporal.retention,
    uiCodecEndpoint: opts.uiCodecEndpoint,
  });
  return { server, cli };
}
