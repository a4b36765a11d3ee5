import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { loadClientConnectConfig, type ClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import type { Config } from '../config/index.js';
import { dataConverterFor } from './data-converter.js';

/**
 * How clients and workers reach Temporal.
 * - embedded: the dev server we launched on loopback — a plain address, no TLS, no key.
 * - external: a real cluster or Temporal Cloud. Everything comes from @temporalio/envconfig, i.e.
 *   the TOML profile (TEMPORAL_CONFIG_FILE or ~/.config/temporalio/temporal.toml, profile
 *   TEMPORAL_PROFILE) overridden by TEMPORAL_ADDRESS / TEMPORAL_NAMESPACE / TEMPORAL_API_KEY /
 *   TEMPORAL_TLS_* / TEMPORAL_GRPC_META_*: the same sources and precedence as the `temporal` CLI,
 *   so a profile that works for `temporal workflow list` works for us.
 */

export interface ConnectOverrides {
  /** Use this frontend instead of the configured one (tests, a just-launched dev server). */
  address?: string;
  /** For tests: envconfig reads these instead of process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface ResolvedConnection {
  namespace: string;
  /** Options accepted by both Connection.connect and NativeConnection.connect. */
  options: NativeConnectionOptions & { address: string };
  /** 'envconfig' when a profile / TEMPORAL_* variables supplied the options. */
  source: 'embedded' | 'envconfig';
}

/** Resolves address, namespace, TLS and API key without connecting (exported for tests and logs). */
export function resolveConnection(config: Pick<Config, 'temporal'>, overrides: ConnectOverrides = {}): ResolvedConnection {
  if (config.temporal.mode === 'embedded') {
    return {
      namespace: config.temporal.namespace,
      options: { address: overrides.address ?? config.temporal.address },
      source: 'embedded',
    };
  }
  const env = overrides.env ?? process.env;
  const loaded: ClientConnectConfig = loadClientConnectConfig({
    overrideEnvVars: Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')),
  });
  // config.temporal.address is TEMPORAL_ADDRESS, which envconfig already applied over the profile;
  // it stays as the fallback so a profile without an address still connects somewhere definite.
  const address = overrides.address ?? loaded.connectionOptions.address ?? config.temporal.address;
  // A namespace from the profile wins over config's built-in 'default' unless TEMPORAL_NAMESPACE
  // is set (envconfig has applied that already, so both agree then).
  const namespace = loaded.namespace ?? config.temporal.namespace;
  return { namespace, options: { ...loaded.connectionOptions, address }, source: 'envconfig' };
}

function clientOptions(o: ResolvedConnection['options']): ConnectionOptions {
  // NativeConnectionOptions and ConnectionOptions share these fields; copy them explicitly so a
  // Core-only option never leaks into the gRPC-js client.
  return { address: o.address, tls: o.tls, apiKey: o.apiKey, metadata: o.metadata };
}

export interface ConnectedClient {
  client: Client;
  connection: Connection;
  namespace: string;
  close(): Promise<void>;
}

export async function connectClient(
  config: Pick<Config, 'temporal'> & Partial<Pick<Config, 'payloadEncryption'>>,
  overrides?: ConnectOverrides,
): Promise<ConnectedClient> {
  const resolved = resolveConnection(config, overrides);
  const connection = await Connection.connect(clientOptions(resolved.options));
  const client = new Client({ connection, namespace: resolved.namespace, dataConverter: dataConverterFor(config) });
  return { client, connection, namespace: resolved.namespace, close: () => connection.close() };
}

export async function connectWorkerConnection(config: Pick<Config, 'temporal'>, overrides?: ConnectOverrides): Promise<NativeConnection> {
  return NativeConnection.connect(resolveConnection(config, overrides).options);
}
