import path from 'node:path';
import { z } from 'zod';
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
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface Config {
  dataDir: string;
  database: { kind: 'pg'; url: string; poolMax: number } | { kind: 'pglite'; dir: string };
  /** DB_OUTAGE_SECONDS: activities' reconnect budget per statement or transaction (Postgres). */
  dbOutageSeconds: number;
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
  return {
    dataDir,
    database: e.DATABASE_URL
      ? { kind: 'pg', url: e.DATABASE_URL, poolMax: e.DB_POOL_MAX }
      : { kind: 'pglite', dir: path.resolve(cwd, e.PGLITE_DIR ?? path.join(dataDir, 'pglite')) },
    dbOutageSeconds: e.DB_OUTAGE_SECONDS,
    artifactDir: path.resolve(cwd, e.ARTIFACT_DIR ?? path.join(dataDir, 'artifacts')),
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
    logLevel: e.LOG_LEVEL,
  };
}
