import { fork, type ChildProcess } from 'node:child_process';
import { toArtifactLocation, type ArtifactLocationLike } from '../../artifacts/open.js';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TrainingHeartbeat } from '../../contracts/training.js';
import type { TfjsBackendChoice } from '../../config/index.js';
import { nativeTfThreadEnv } from '../tf/threads.js';
import { TrainingAbortedError, TrainingDivergedError } from './errors.js';
import { isChildMessage, reviveChildError, stderrTailNote, type ChildMessage, type SerializedError, type StartMessage } from './messages.js';
import type { TrainingJob, TrainingOutcome } from './trainer.js';

/**
 * Runs `runTraining` in a child process (child-entry.ts).
 *
 * Why a process and not a worker thread: tfjs keeps global state per module instance and the
 * wasm backend installs process-wide exception handlers; a process isolates both, can be killed
 * outright on cancellation, and its memory is returned to the OS when it ends.
 */

export interface ChildTrainingOptions {
  /** The artifact store (a directory path, or a full location such as S3). */
  artifacts: ArtifactLocationLike;
  backend?: TfjsBackendChoice;
  /** Called once per epoch, strictly in order; the next report waits until this resolves. */
  onEpoch(report: TrainingHeartbeat): Promise<void>;
  /** Called once the child has selected its backend, before the first epoch (awaited in order). */
  onBackend?(name: string, version: string): void | Promise<void>;
  /**
   * Threads TensorFlow may use in this process (native backend only; wasm is single-threaded):
   * the cores divided by the training slots, so concurrent trainings do not oversubscribe.
   */
  threads?: number;
  /** The child's pid, right after it was started (for logs and diagnostics). */
  onSpawn?(pid: number): void;
  log?(msg: string, meta?: object): void;
  signal?: AbortSignal;
  /** Time between SIGTERM and SIGKILL on abort (default 5 s). */
  killGraceMs?: number;
}

const CHILD_ENTRY = fileURLToPath(new URL('./child-entry.ts', import.meta.url));
/**
 * tsx's ESM loader as an absolute file URL: `--import tsx` alone would be resolved from the
 * child's cwd, which need not be the project directory.
 */
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const STDERR_TAIL_BYTES = 8 * 1024;

export function runTrainingInChildProcess(job: TrainingJob, opts: ChildTrainingOptions): Promise<TrainingOutcome> {
  if (opts.signal?.aborted) return Promise.reject(new TrainingAbortedError('training aborted before the child process started'));

  return new Promise<TrainingOutcome>((resolve, reject) => {
    const child = fork(CHILD_ENTRY, [], {
      execArgv: ['--import', TSX_LOADER],
      env: { ...process.env, ...nativeTfThreadEnv(opts.threads ?? 1) },
      // Structured clone keeps NaN/Infinity in metrics (JSON would turn them into null).
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });

    let settled = false;
    let aborted = false;
    let killTimer: NodeJS.Timeout | undefined;
    let stderrTail = '';
    // Every child event is handled in arrival order behind the epoch callbacks before it, so
    // 'done' resolves only after the last onEpoch finished, and a crash after epoch N still
    // delivers epoch N's heartbeat (the retry resumes from it).
    let queue: Promise<void> = Promise.resolve();
    const enqueue = (step: () => void | Promise<void>): void => {
      queue = queue
        .then(async () => {
          if (!settled) await step();
        })
        .catch((e: unknown) => fail(e instanceof Error ? e : new Error(String(e)), true));
    };

    const cleanup = (): void => {
      opts.signal?.removeEventListener('abort', onAbort);
    };
    const succeed = (outcome: TrainingOutcome): void => {
      if (settled) return;
      settled = true;
      cleanup();
      resolve(outcome);
    };
    function fail(error: Error, killChild: boolean): void {
      if (settled) return;
      settled = true;
      cleanup();
      if (killChild) terminate(child);
      reject(error);
    }
    function terminate(c: ChildProcess): void {
      if (c.exitCode !== null || c.signalCode !== null) return;
      c.kill('SIGTERM');
      killTimer = setTimeout(() => {
        if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      }, opts.killGraceMs ?? 5_000);
    }

    function onAbort(): void {
      if (settled || aborted) return;
      aborted = true;
      opts.log?.('aborting training child process', { pid: child.pid });
      terminate(child);
      // Rejected once the child is gone ('close' below), so the core is free when we return.
    }
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      process.stderr.write(chunk);
      stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_BYTES);
    });

    // The child's verdict ('done' or 'error') is acted on when the process has exited, so
    // the caller never sees a result while the child still holds a core.
    let verdict: { ok: true; outcome: TrainingOutcome } | { ok: false; error: SerializedError } | undefined;

    child.on('message', (raw: unknown) => {
      if (!isChildMessage(raw)) return;
      const m: ChildMessage = raw;
      switch (m.type) {
        case 'backend':
          opts.log?.('training child backend', { pid: child.pid, backend: m.name, version: m.version, tried: m.tried });
          enqueue(() => opts.onBackend?.(m.name, m.version));
          return;
        case 'log':
          opts.log?.(m.msg, m.meta);
          return;
        case 'epoch':
          enqueue(() => opts.onEpoch(m.report));
          return;
        case 'done':
          verdict ??= { ok: true, outcome: m.outcome };
          return;
        case 'error':
          verdict ??= { ok: false, error: m.error };
          return;
      }
    });

    child.on('error', (e) => fail(new Error(`training child process failed: ${e.message}`), true));

    // 'close' (not 'exit') fires after the IPC channel has drained, so no message is lost.
    child.on('close', (code, signal) => {
      if (killTimer) clearTimeout(killTimer);
      if (aborted) {
        // Not queued behind onEpoch callbacks: cancellation must not wait for a slow consumer.
        // Abort wins over whatever the child managed to report while shutting down.
        fail(abortError(), false);
        return;
      }
      enqueue(() => {
        if (verdict?.ok) return succeed(verdict.outcome);
        if (verdict) return fail(reviveError(verdict.error), false);
        const how = signal ? `was killed by signal ${signal}` : `exited with code ${code}`;
        fail(new Error(`training child process (pid ${child.pid}) ${how} before reporting a result${stderrTailNote(stderrTail)}`), false);
      });
    });

    try {
      if (child.pid !== undefined) opts.onSpawn?.(child.pid);
    } catch (e) {
      fail(e instanceof Error ? e : new Error(String(e)), true);
      return;
    }
    const start: StartMessage = { type: 'start', job, artifacts: toArtifactLocation(opts.artifacts), backend: opts.backend };
    child.send(start, (err) => {
      if (err) fail(new Error(`cannot send the job to the training child process: ${err.message}`), true);
    });
  });
}

function abortError(): TrainingAbortedError {
  return new TrainingAbortedError('training aborted: child process terminated');
}

/** An Error with the child's name and message (e.g. 'TrainingDiverged'), stack kept for logs. */
function reviveError(e: SerializedError): Error {
  return reviveChildError(e, 'training child process', (x) =>
    x.name === 'TrainingDiverged' ? new TrainingDivergedError(x.message) : x.name === 'AbortError' ? new TrainingAbortedError(x.message) : new Error(x.message),
  );
}
