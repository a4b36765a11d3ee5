/**
 * `npm start [-- --keep] [--signals-per-class N] [--epochs N] [--recordings <folder>]`: the main job, end to end on the
 * embedded default. Boots the Temporal dev server (Web UI on, SQLite under .data/temporal), the
 * embedded PGlite database and one worker process serving all three queues, then generates a
 * simulated CWRU-style dataset, trains the reference 1D CNN on it, evaluates it (ROC analysis of
 * the held-out signals) and explains the trained model
 * on a few signals of every class (all four XAI methods) through the real workflows, and prints
 * the results. `--keep` leaves the stack up (Ctrl-C stops it) so the Web UI and the
 * `faultline` CLI can be explored. `--recordings <folder>` runs the same job on real CWRU MAT-files
 * instead of the simulator: the folder becomes the import root, every `*.mat` in it is imported
 * as the 10-class benchmark (fault type × size), and the model is trained and judged on
 * contiguous time ranges of each recording (`split: time`), never on neighbouring windows.
 *
 * With TEMPORAL_ADDRESS set it launches no server and runs against that cluster; with
 * DATABASE_URL set it uses Postgres. Exit codes: 0 success, 1 failed or below the accuracy
 * target, 2 bad configuration or flags.
 */
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import {
  getDatasetResult,
  getResult,
  getTrainingResult,
  getXaiResult,
  startDatasetGeneration,
  startTraining,
  startXaiBatch,
  watchProgress,
  type StartDatasetRequest,
  type StartTrainingRequest,
  type StartXaiRequest,
} from '../client/api.js';
import { artifactFilePath } from '../client/artifact-path.js';
import { getImportResult } from '../client/import.js';
import { startImport } from '../client/start.js';
import { formatImportResult } from '../client/cli/import.js';
import type { StartedRun } from '../client/types.js';
import type { EvaluateRocResult } from '../contracts/index.js';
import { formatRocResult } from '../client/cli/eval.js';
import { formatXaiResult } from '../client/cli/xai.js';
import { startRocEvaluation } from '../client/eval.js';
import { formatDatasetResult, formatTrainingResult } from '../client/cli/output.js';
import { createProgressView } from '../client/cli/progress-bar.js';
import { ConfigError, loadConfig, type Config } from '../config/index.js';
import { startEmbeddedTemporal } from '../temporal-config/embedded.js';
import { connectClient } from '../temporal-config/connection.js';
import type { DevServer } from '../temporal-config/dev-server.js';
import { startConfiguredCodecServer, type CodecServer } from '../temporal-config/codec-server.js';
import { hostWorkers } from '../workers/host.js';
import { installRuntime } from '../workers/runtime.js';
import { defaultSlots } from '../workers/slots.js';

/** The accuracy the main job must reach on held-out signals (the spine issue's target). */
const ACCURACY_TARGET = 0.9;

function parseFlags() {
  try {
    const { values } = parseArgs({
      options: {
        keep: { type: 'boolean', default: false },
        'signals-per-class': { type: 'string', default: '20' },
        epochs: { type: 'string', default: '15' },
        seed: { type: 'string', default: '42' },
        recordings: { type: 'string' },
      },
      strict: true,
    });
    const int = (name: string, raw: string) => {
      // Decimal digits only: Number() would also read "0x10", "1e3" and " 5".
      const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
      if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${JSON.stringify(raw)}`);
      return n;
    };
    return {
      keep: values.keep ?? false,
      signalsPerClass: int('signals-per-class', values['signals-per-class'] ?? ''),
      epochs: int('epochs', values.epochs ?? ''),
      seed: int('seed', values.seed ?? ''),
      recordings: values.recordings === undefined ? undefined : recordingsFolder(values.recordings),
    };
  } catch (err) {
    console.error(
      `${err instanceof Error ? err.message : String(err)}\nusage: npm start -- [--keep] [--signals-per-class N] [--epochs N] [--seed N] [--recordings <folder>]`,
    );
    process.exit(2);
  }
}

function recordingsFolder(raw: string): string {
  const dir = path.resolve(raw);
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new Error(`--recordings must be a folder of MAT-files, got ${JSON.stringify(raw)} (${dir} is not a folder)`);
  return dir;
}

function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
}

async function main(): Promise<number> {
  const flags = parseFlags();
  const loaded = loadConfigOrExit();
  // --recordings: that folder is the import root (imports read nothing outside it).
  const config: Config = flags.recordings ? { ...loaded, imports: { ...loaded.imports, root: flags.recordings } } : loaded;
  const say = (line: string) => process.stdout.write(`${line}\n`);

  // Worker and SDK logs go to a file: the terminal shows progress and the result.
  const logDir = path.join(config.dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, 'worker.log');
  installRuntime({ logLevel: config.logLevel, metricsBind: config.worker.metricsBind, destination: pino.destination({ dest: logFile, sync: false }) });

  // With PAYLOAD_KEYS, history holds ciphertext; the Web UI decodes it through our codec server.
  let codec: CodecServer | undefined;
  if (config.payloadEncryption) {
    codec = await startConfiguredCodecServer({ ...config, payloadEncryption: config.payloadEncryption });
    say(`Payloads are encrypted (key ${config.payloadEncryption.activeKeyId}); codec server on ${codec.url}.`);
  }
  let server: DevServer | undefined;
  if (config.temporal.mode === 'embedded') {
    say(`Starting the Temporal dev server (Web UI on http://127.0.0.1:${config.temporal.uiPort}) ...`);
    ({ server } = await startEmbeddedTemporal(config, { ui: true, uiCodecEndpoint: codec?.url }));
  } else {
    say(`Using the Temporal cluster at ${config.temporal.address} (namespace ${config.temporal.namespace}).`);
  }
  const uiBase = server?.uiUrl;
  const webUi = (workflowId: string) =>
    uiBase ? `${uiBase}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}` : undefined;

  const temporal = await connectClient(config);
  say(config.database.kind === 'pg' ? 'Database: Postgres (DATABASE_URL).' : `Database: embedded PGlite in ${config.database.dir}.`);
  say('Starting the worker (queues: control, cpu, train) ...');
  const hosted = await hostWorkers(config, {
    client: temporal.client,
    namespace: temporal.namespace,
    queues: ['control', 'cpu', 'train'],
    slots: defaultSlots(config.worker),
  });

  let exitCode = 0;
  try {
    let ds: StartedRun;
    let trainRequest: StartTrainingRequest;
    if (flags.recordings) {
      // Real recordings: the 10-class benchmark, signals of 4,096 samples in recording order.
      ds = await startImport(temporal.client, { name: 'npm start real recordings', glob: '*.mat', scheme: 'fault-type-size', signalLength: 4096 });
      say(`\nImporting ${flags.recordings} into dataset ${ds.entityId}${ds.alreadyExisted ? ' (already imported: reused)' : ''}`);
      await follow(temporal.client, ds.workflowId);
      say(formatImportResult(await getImportResult(temporal.client, ds.workflowId), webUi(ds.workflowId)));
      trainRequest = {
        datasetId: ds.entityId,
        hyperparameters: {
          epochs: flags.epochs,
          windowLength: 2048,
          windowHop: 512,
          maxWindowsPerSignal: 8,
          batchSize: 32,
          learningRate: 0.003,
          patience: 0,
          seed: flags.seed,
          validationFraction: 0.15,
          testFraction: 0.2,
          // Contiguous time ranges of each recording, one signal left out at each boundary.
          split: { kind: 'time', gapSignals: 1 },
        },
      };
    } else {
      const datasetRequest: StartDatasetRequest = {
        name: 'npm start demo',
        config: { seed: flags.seed, signalsPerClass: flags.signalsPerClass, snrDb: [6, 14] },
      };
      ds = await startDatasetGeneration(temporal.client, datasetRequest);
      say(`\nDataset ${ds.entityId}${ds.alreadyExisted ? ' (already generated: reused)' : ''}`);
      await follow(temporal.client, ds.workflowId);
      const dataset = await getDatasetResult(temporal.client, ds.workflowId);
      say(formatDatasetResult(dataset, webUi(ds.workflowId)));
      trainRequest = {
        datasetId: ds.entityId,
        hyperparameters: { epochs: flags.epochs, patience: 5, learningRate: 0.001, maxWindowsPerSignal: 16, seed: flags.seed },
      };
    }
    const tr = await startTraining(temporal.client, trainRequest);
    say(`\nTraining ${tr.entityId}${tr.alreadyExisted ? ' (already trained: reused)' : ''}`);
    await follow(temporal.client, tr.workflowId);
    const result = await getTrainingResult(temporal.client, tr.workflowId);
    say(formatTrainingResult(result, webUi(tr.workflowId)));
    say(`\nExperiment ${result.experimentId}: test accuracy ${(result.testAccuracy * 100).toFixed(1)} % on held-out signals (backend ${result.backend}).`);
    const local = (uri: string | null) => (uri ? artifactFilePath(config.artifactDir, uri) : undefined);

    // How sure the model is on those held-out signals: ROC and PR curves, AUCs with intervals.
    const ev = await startRocEvaluation(temporal.client, {
      experimentId: result.experimentId,
      datasetId: ds.entityId,
      bootstrap: { replicates: 500, seed: flags.seed },
    });
    say(`\nEvaluating ${ev.workflowId}${ev.alreadyExisted ? ' (already evaluated: reused)' : ''}`);
    await follow(temporal.client, ev.workflowId);
    say(formatRocResult(await getResult<EvaluateRocResult>(temporal.client, ev.workflowId), { artifactPath: (uri) => local(uri) }));

    // Explain the model on 6 signals per class (indices interleave the classes): which parts of
    // a window and which frequency bands drive each class, with every method.
    const xaiRequest: StartXaiRequest = {
      modelId: result.experimentId,
      selection: { kind: 'dataset', datasetId: ds.entityId, limit: 24 },
      methods: {
        'integrated-gradients': { steps: 32 },
        'grad-cam': {},
        occlusion: { window: 128, stride: 64 },
        'kernel-shap': { segments: 16, samples: 128, background: { size: 8, labels: ['normal'] } },
      },
      seed: flags.seed,
    };
    const xb = await startXaiBatch(temporal.client, xaiRequest);
    say(`\nExplaining ${xb.entityId}${xb.alreadyExisted ? ' (already explained: reused)' : ''}`);
    await follow(temporal.client, xb.workflowId);
    const explained = await getXaiResult(temporal.client, xb.workflowId);
    say(
      formatXaiResult(explained, webUi(xb.workflowId), {
        summaryUri: explained.summaryUri ?? undefined,
        summaryPath: local(explained.summaryUri),
        summaryJsonUri: explained.summaryJsonUri ?? undefined,
        summaryJsonPath: local(explained.summaryJsonUri),
      }),
    );

    if (uiBase) say(`\nTemporal Web UI: ${uiBase}/namespaces/${encodeURIComponent(config.temporal.namespace)}/workflows`);
    say(`Worker log: ${logFile}`);
    if (result.testAccuracy < ACCURACY_TARGET) {
      say(`Below the ${ACCURACY_TARGET * 100} % target.`);
      exitCode = 1;
    }
    if (flags.keep) {
      say('\n--keep: the stack stays up. Try `npx faultline train progress <experiment id>`; Ctrl-C stops everything.');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
    }
  } catch (err) {
    console.error(`\nfailed: ${err instanceof Error ? err.message : String(err)}\n(see ${logFile})`);
    exitCode = 1;
  } finally {
    await hosted.stop();
    await temporal.close();
    await server?.stop();
    await codec?.close();
  }
  return exitCode;
}

async function follow(client: Awaited<ReturnType<typeof connectClient>>['client'], workflowId: string): Promise<void> {
  const view = createProgressView(process.stderr);
  try {
    await watchProgress(client, workflowId, (p) => view.update(p), { intervalMs: 500 });
  } finally {
    view.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
