import { existsSync } from 'node:fs';
import { openArtifactStore } from '../../artifacts/open.js';
import type { ArtifactStore } from '../../artifacts/types.js';
import { ConfigError, loadConfig } from '../../config/index.js';
import { connectClient } from '../../temporal-config/connection.js';
import { createFaultlineApi, type FaultlineApi } from '../api.js';
import { artifactFilePath } from '../artifact-path.js';
import { TemporalUnreachableError } from '../errors.js';

/** Flags every command shares (declared on the root program). */
export interface GlobalOptions {
  json?: boolean;
  address?: string;
  namespace?: string;
}

/** A connected API plus what the CLI needs to print links; closed after each command. */
export interface CliSession {
  api: FaultlineApi;
  /** Web UI page of a workflow, when we know where the UI is (embedded dev server). */
  webUiUrl(workflowId: string): string | undefined;
  /**
   * The local file of an `artifact:sha256/…` URI when this machine's artifact store (ARTIFACT_DIR,
   * default `.data/artifacts`) holds it; undefined otherwise (e.g. the worker runs elsewhere).
   */
  artifactPath?(uri: string): string | undefined;
  /** The configured artifact store (ARTIFACT_URL / ARTIFACT_DIR), for `result --out`. */
  artifactStore?(): ArtifactStore;
  close(): Promise<void>;
}

export type OpenSession = (options: GlobalOptions) => Promise<CliSession>;

/**
 * The real session: configuration from the environment (ConfigError → exit 2), then a
 * connection (any failure → TemporalUnreachableError → exit 3).
 */
export function temporalSessionOpener(env: NodeJS.ProcessEnv = process.env): OpenSession {
  return async (options) => {
    const config = loadConfig(env);
    // TEMPORAL_NAMESPACE is what envconfig profiles honour over their own namespace, so the
    // flag goes in both places and wins in embedded and external mode alike.
    const namespace = options.namespace ?? config.temporal.namespace;
    const effective = { ...config, temporal: { ...config.temporal, namespace } };
    const connectEnv = options.namespace ? { ...env, TEMPORAL_NAMESPACE: options.namespace } : env;
    const address = options.address ?? config.temporal.address;
    let connected: Awaited<ReturnType<typeof connectClient>>;
    try {
      connected = await connectClient(effective, { address: options.address, env: connectEnv });
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      throw new TemporalUnreachableError(address, { cause: err });
    }
    // The UI address is only known for the dev server we launch; a cluster's UI is elsewhere.
    const uiBase = config.temporal.mode === 'embedded' && !options.address ? `http://127.0.0.1:${config.temporal.uiPort}` : undefined;
    const ns = connected.namespace ?? namespace;
    let store: ArtifactStore | undefined;
    return {
      api: createFaultlineApi(connected.client),
      webUiUrl: (workflowId) => (uiBase ? `${uiBase}/namespaces/${encodeURIComponent(ns)}/workflows/${encodeURIComponent(workflowId)}` : undefined),
      artifactPath: (uri) => {
        // Only a directory store has local files to point at; an S3 store's are fetched with --out.
        if (config.artifacts.kind !== 'file') return undefined;
        const file = artifactFilePath(config.artifacts.dir, uri);
        return file !== undefined && existsSync(file) ? file : undefined;
      },
      artifactStore: () => (store ??= openArtifactStore(config.artifacts)),
      close: async () => {
        store?.close?.();
        await connected.close();
      },
    };
  };
}
