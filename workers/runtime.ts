import { Runtime, type Logger, type LogLevel, type LogMetadata } from '@temporalio/worker';
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import type { Config } from '../config/index.js';

/**
 * Process-wide Temporal runtime: one structured JSON logger for SDK, workflow and activity logs,
 * and the Prometheus exporter. Runtime.install may only happen once per process and before any
 * NativeConnection or Worker exists, hence a single entry point with a guard.
 */

export interface RuntimeSetup {
  /** host:port for the Prometheus `/metrics` endpoint; unset = no exporter (tests). */
  metricsBind?: string;
  logLevel: Config['logLevel'];
  /** Where JSON lines go; stdout by default. Tests pass an in-memory stream. */
  destination?: DestinationStream;
}

export interface InstalledRuntime {
  runtime: Runtime;
  /** The same pino logger, for the process's own messages. */
  logger: PinoLogger;
}

/** Where `npm run worker` serves `/metrics` when METRICS_BIND is unset (Prometheus' node-exporter-style port range). */
export const DEFAULT_METRICS_BIND = '127.0.0.1:9464';

let installed: InstalledRuntime | undefined;

const PINO_METHOD: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * Adapts pino to the SDK's Logger. The SDK already attaches the context we want (workflowId,
 * runId, workflowType, activityId, activityType, taskQueue, namespace, attempt, sdkComponent) to
 * `meta`; we pass it through as top-level JSON fields so log search can filter on them.
 * Symbol keys (the SDK's LogTimestamp) are dropped by JSON; pino stamps its own time.
 */
export class PinoSdkLogger implements Logger {
  constructor(private readonly pino: PinoLogger) {}
  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    this.pino[PINO_METHOD[level]](meta ?? {}, message);
  }
  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

export function createPinoLogger(logLevel: Config['logLevel'], destination?: DestinationStream): PinoLogger {
  return pino(
    {
      level: logLevel,
      timestamp: pino.stdTimeFunctions.isoTime,
      // The SDK reports failures under `error`; serialize them with stack and cause.
      serializers: { error: pino.stdSerializers.err, err: pino.stdSerializers.err },
    },
    destination ?? pino.destination({ fd: 1, sync: false }),
  );
}

/** Core (Rust) log level: its INFO is chatty polling detail, so it stays at WARN unless debugging. */
function coreLevel(logLevel: Config['logLevel']): LogLevel {
  if (logLevel === 'trace') return 'TRACE';
  if (logLevel === 'debug') return 'DEBUG';
  if (logLevel === 'error' || logLevel === 'fatal' || logLevel === 'silent') return 'ERROR';
  return 'WARN';
}

export function installRuntime(setup: RuntimeSetup): InstalledRuntime {
  if (installed) {
    throw new Error('installRuntime() was already called in this process: the Temporal Runtime can be installed once');
  }
  const logger = createPinoLogger(setup.logLevel, setup.destination);
  const runtime = Runtime.install({
    logger: new PinoSdkLogger(logger),
    telemetryOptions: {
      // Forward Core's logs into the same JSON stream instead of its own console format.
      logging: { filter: { core: coreLevel(setup.logLevel), other: 'ERROR' }, forward: {} },
      ...(setup.metricsBind ? { metrics: { prometheus: { bindAddress: setup.metricsBind } } } : {}),
    },
  });
  installed = { runtime, logger };
  return installed;
}
