import path from 'node:path';
import { z } from 'zod';
import { parseArtifactUrl, S3_MIN_PART_BYTES, type ArtifactLocation } from './artifact-location.js';
import { QUEUE_ROLES, type QueueRole } from '../contracts/index.js';

/**
 * The one place the environment is read. Every variable is validated; a bad value stops
 * start-up with a message naming the variable and the value (never a silent default).
 */

const TFJS_BACKENDS = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type TfjsBackendChoice = (typeof TFJS_BACKENDS)[number];

const intFrom = (min: number, max: number) => z.string().regex(/^\d+$/, 'must be a whole number').transform(Number).pipe(z.number().int().min(min).max(max));

/** 20 GiB: a thousand times the demo dataset, well below a worker disk. */
const DEFAULT_DATASET_MAX_BYTES = 20 * 1024 ** 3;

const urlString = z.string().url('must be a URL such as http://host:port');

const EnvSchema = z.object({
  FAULTLINE_DATA_DIR: z.string().min(1).default('.data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  DB_POOL_MAX: intFrom(1, 200).default(10),
  /** How long an activity's database statement keeps reconnecting through an outage (0: fail at once). */
  DB_OUTAGE_SECONDS: intFrom(0, 3_600).default(120),
  PGLITE_DIR: z.string().min(1).optional(),
  ARTIFACT_DIR: z.string().min(1).optional(),
  /** The artifact store: s3://bucket/prefix, file:///dir or a path (default: ARTIFACT_DIR's directory). */
  ARTIFACT_URL: z.string().min(1).optional(),
  /** An S3-compatible endpoint for s3:// artifact URLs (MinIO, moto...); unset for AWS. */
  S3_ENDPOINT: z
    .string()
    .regex(/^https?:\/\/[^\s/]+/, 'must be an http:// or https:// URL such as http://127.0.0.1:9000')
    .optional(),
  S3_REGION: z.string().min(1).optional(),
  AWS_REGION: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).optional(),
  /** Multipart part size for large artifacts, MiB (S3's minimum is 5). */
  S3_PART_MB: intFrom(S3_MIN_PART_BYTES / 1024 / 1024, 5120).default(16),
  DASHBOARD_URL: urlString.default('http://localhost:8050'),
  NOTIFY_WEBHOOK_URL: urlString.optional(),
  TFJS_BACKEND: z.enum(TFJS_BACKENDS).optional(),
  /** When set, connect to this Temporal frontend (cluster or Cloud) and launch nothing. */
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d+$/, 'must be host:port')
    .optional(),
  /** An @temporalio/envconfig profile (address, namespace, TLS, API key); also selects external mode. */
  TEMPORAL_PROFILE: z.string().min(1).optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_CLI: z.string().min(1).optional(),
  TEMPORAL_DEV_PORT: intFrom(1, 65535).default(7233),
  TEMPORAL_UI_PORT: intFrom(1, 65535).default(8233),
  TEMPORAL_RETENTION: z
    .string()
    .regex(/^\d+(h|d)$/, 'must be a duration like 72h or 7d')
    .default('7d'),
  WORKER_QUEUES: z
    .string()
    .default(QUEUE_ROLES.join(','))
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(QUEUE_ROLES as [QueueRole, ...QueueRole[]])).min(1)),
  TRAIN_SLOTS: intFrom(1, 64).optional(),
  CPU_SLOTS: intFrom(1, 256).optional(),
  CONTROL_SLOTS: intFrom(1, 1000).default(50),
  /** Child processes that run explanations (default: one per core). */
  XAI_PROCESSES: intFrom(1, 64).optional(),
  METRICS_BIND: z
    .string()
    .regex(/^[^\s:]+:\d+$/, 'must be host:port')
    .optional(),
  /** The folder import paths must stay inside (default <data dir>/imports). */
  IMPORT_ROOT: z.string().min(1).optional(),
  /** Largest MAT-file an import reads, MB. */
  IMPORT_MAX_FILE_MB: intFrom(1, 16_384).default(512),
  /** Largest dataset (estimated float32 bytes of its signals) a generation may write. */
  DATASET_MAX_BYTES: intFrom(1, Number.MAX_SAFE_INTEGER).default(DEFAULT_DATASET_MAX_BYTES),
  /**
   * Payload encryption keys, `id:base64` pairs separated by commas (each key 32 random bytes:
   * `openssl rand -base64 32`). Unset: payloads are stored as plain JSON.
   */
  PAYLOAD_KEYS: z.string().min(1).optional(),
  /** The key new payloads are encrypted with (default: the first of PAYLOAD_KEYS). */
  PAYLOAD_KEY_ID: z.string().min(1).optional(),
  /** Where `npm run codec-server` listens (the Web UI's and the CLI's remote codec endpoint). */
  CODEC_SERVER_BIND: z
    .string()
    .regex(/^[^\s:]+:\d+$/, 'must be host:port')
    .default('127.0.0.1:8888'),
  /** If set, the codec server requires `Authorization: Bearer <token>`. */
  CODEC_SERVER_TOKEN: z.string().min(16, 'must have at least 16 characters').optional(),
  /** Web origins allowed to call the codec server (comma-separated; default: the embedded Web UI's). */
  CODEC_CORS_ORIGINS: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** Payload encryption: base64 keys by id, and the one new payloads use. */
export interface PayloadEncryption {
  activeKeyId: string;
  keys: Record<string, string>;
}

const KEY_ID_RE = /^[A-Za-z0-9._-]{1,64}$/;

/** Parse PAYLOAD_KEYS / PAYLOAD_KEY_ID; problems name the variable and the key id, never a key. */
function parsePayloadKeys(raw: string | undefined, active: string | undefined): PayloadEncryption | undefined {
  if (raw === undefined) {
    if (active !== undefined) throw new ConfigError([{ variable: 'PAYLOAD_KEY_ID', value: active, message: 'is set but PAYLOAD_KEYS is not' }]);
    return undefined;
  }
  const keys: Record<string, string> = {};
  const order: string[] = [];
  for (const [i, entry] of raw.split(',').entries()) {
    const colon = entry.indexOf(':');
    const id = colon === -1 ? '' : entry.slice(0, colon).trim();
    const b64 = colon === -1 ? '' : entry.slice(colon + 1).trim();
    // The value is a secret: messages say which entry and why, never what it holds.
    const problem = (message: string) =>
      new ConfigError([{ variable: 'PAYLOAD_KEYS', value: '(hidden)', message: `entry ${i + 1}${id ? ` (key id ${JSON.stringify(id)})` : ''}: ${message}` }]);
    if (!KEY_ID_RE.test(id)) throw problem("must be <key id>:<base64 key>, the id of letters, digits, '.', '_' or '-'");
    if (keys[id] !== undefined) throw problem('the key id appears twice');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || Buffer.from(b64, 'base64').length !== 32)
      throw problem('the key must be 32 bytes in base64 (openssl rand -base64 32)');
    keys[id] = b64;
    order.push(id);
  }
  const activeKeyId = active ?? order[0];
  if (keys[activeKeyId] === undefined)
    throw new ConfigError([{ variable: 'PAYLOAD_KEY_ID', value: active, message: `is not a key id of PAYLOAD_KEYS (${order.join(', ')})` }]);
  return { activeKeyId, keys };
}

export interface Config {
  dataDir: string;
  database: { kind: 'pg'; url: string; poolMax: number } | { kind: 'pglite'; dir: string };
  /** Where artifacts live (ARTIFACT_URL, else the directory ARTIFACT_DIR). */
  artifacts: ArtifactLocation;
  /** DB_OUTAGE_SECONDS: activities' reconnect budget per statement or transaction (Postgres). */
  dbOutageSeconds: number;
  /** The artifact directory when the store is a directory; scratch space on this machine otherwise. */
  artifactDir: string;
  dashboardUrl: string;
  notifyWebhookUrl?: string;
  tfjsBackend?: TfjsBackendChoice;
  temporal: {
    /**
     * 'external': connect to TEMPORAL_ADDRESS or the TEMPORAL_PROFILE's address (envconfig
     * profiles apply); 'embedded': launch a dev server.
     */
    mode: 'external' | 'embedded';
    address: string;
    namespace: string;
    cliPath?: string;
    devPort: number;
    uiPort: number;
    retention: string;
  };
  worker: {
    queues: QueueRole[];
    trainSlots?: number;
    cpuSlots?: number;
    controlSlots: number;
    /** XAI child processes per worker; unset: one per core. */
    xaiProcesses?: number;
    metricsBind?: string;
  };
  imports: { root: string; maxFileBytes: number };
  datasets: { maxBytes: number };
  /** Payload encryption (PAYLOAD_KEYS); unset: plain payloads. */
  payloadEncryption?: PayloadEncryption;
  codecServer: { bind: string; token?: string; corsOrigins: string[] };
  logLevel: z.output<typeof EnvSchema>['LOG_LEVEL'];
}

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; value: string | undefined; message: string }[]) {
    super(
      `invalid configuration:\n${problems
        .map((p) => `  ${p.variable}=${p.value === undefined ? '(unset)' : JSON.stringify(p.value)}: ${p.message}`)
        .join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

/** Read and validate the configuration from `env` (process.env by default). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Config {
  // Empty strings mean "unset": a blank line in an .env file should not become a value.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const r = EnvSchema.safeParse(cleaned);
  if (!r.success) {
    throw new ConfigError(
      r.error.issues.map((i) => {
        const variable = String(i.path[0] ?? '(env)');
        return { variable, value: cleaned[variable], message: i.message };
      }),
    );
  }
  const e = r.data;
  const dataDir = path.resolve(cwd, e.FAULTLINE_DATA_DIR);
  const artifactDir = path.resolve(cwd, e.ARTIFACT_DIR ?? path.join(dataDir, 'artifacts'));
  let artifacts: ArtifactLocation = { kind: 'file', dir: artifactDir };
  if (e.ARTIFACT_URL !== undefined) {
    try {
      artifacts = parseArtifactUrl(e.ARTIFACT_URL, cwd, {
        endpoint: e.S3_ENDPOINT,
        region: e.S3_REGION ?? e.AWS_REGION ?? 'us-east-1',
        forcePathStyle: e.S3_FORCE_PATH_STYLE === undefined ? undefined : e.S3_FORCE_PATH_STYLE === 'true',
        partBytes: e.S3_PART_MB * 1024 * 1024,
      });
    } catch (err) {
      throw new ConfigError([{ variable: 'ARTIFACT_URL', value: e.ARTIFACT_URL, message: (err as Error).message }]);
    }
    if (artifacts.kind === 'file' && e.ARTIFACT_DIR !== undefined && artifacts.dir !== artifactDir) {
      throw new ConfigError([
        {
          variable: 'ARTIFACT_URL',
          value: e.ARTIFACT_URL,
          message: `names the directory ${artifacts.dir} but ARTIFACT_DIR names ${artifactDir}: set one of them`,
        },
      ]);
    }
  }
  return {
    dataDir,
    database: e.DATABASE_URL
      ? { kind: 'pg', url: e.DATABASE_URL, poolMax: e.DB_POOL_MAX }
      : { kind: 'pglite', dir: path.resolve(cwd, e.PGLITE_DIR ?? path.join(dataDir, 'pglite')) },
    artifacts,
    artifactDir: artifacts.kind === 'file' ? artifacts.dir : artifactDir,
    dbOutageSeconds: e.DB_OUTAGE_SECONDS,
    dashboardUrl: e.DASHBOARD_URL.replace(/\/+$/, ''),
    notifyWebhookUrl: e.NOTIFY_WEBHOOK_URL,
    tfjsBackend: e.TFJS_BACKEND,
    temporal: {
      mode: e.TEMPORAL_ADDRESS || e.TEMPORAL_PROFILE ? 'external' : 'embedded',
      address: e.TEMPORAL_ADDRESS ?? `127.0.0.1:${e.TEMPORAL_DEV_PORT}`,
      namespace: e.TEMPORAL_NAMESPACE,
      cliPath: e.TEMPORAL_CLI,
      devPort: e.TEMPORAL_DEV_PORT,
      uiPort: e.TEMPORAL_UI_PORT,
      retention: e.TEMPORAL_RETENTION,
    },
    worker: {
      queues: e.WORKER_QUEUES,
      trainSlots: e.TRAIN_SLOTS,
      cpuSlots: e.CPU_SLOTS,
      controlSlots: e.CONTROL_SLOTS,
      xaiProcesses: e.XAI_PROCESSES,
      metricsBind: e.METRICS_BIND,
    },
    imports: { root: path.resolve(cwd, e.IMPORT_ROOT ?? path.join(dataDir, 'imports')), maxFileBytes: e.IMPORT_MAX_FILE_MB * 1024 * 1024 },
    datasets: { maxBytes: e.DATASET_MAX_BYTES },
    payloadEncryption: parsePayloadKeys(e.PAYLOAD_KEYS, e.PAYLOAD_KEY_ID),
    codecServer: {
      bind: e.CODEC_SERVER_BIND,
      token: e.CODEC_SERVER_TOKEN,
      corsOrigins: e.CODEC_CORS_ORIGINS
        ? e.CODEC_CORS_ORIGINS.split(',')
            .map((o) => o.trim().replace(/\/+$/, ''))
            .filter(Boolean)
        : [`http://127.0.0.1:${e.TEMPORAL_UI_PORT}`, `http://localhost:${e.TEMPORAL_UI_PORT}`],
    },
    logLevel: e.LOG_LEVEL,
  };
}
