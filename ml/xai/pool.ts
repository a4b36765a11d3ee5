import { fork, type ChildProcess } from 'node:child_process';
import { toArtifactLocation, type ArtifactLocationLike } from '../../artifacts/open.js';
import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { TfjsBackendChoice } from '../../config/index.js';
import type { XaiMethod } from '../../contracts/xai.js';
import { nativeTfThreadEnv } from '../tf/threads.js';
import { reviveChildError, stderrTailNote } from '../train/messages.js';
import type { AnalysisJob, AnalysisOutcome } from '../eval/jobs.js';
import type { FeatureJob } from '../features/job.js';
import type { FeatureAnalysisJob, FeatureAnalysisOutcome } from '../features/analysis/job.js';
import type { PredictJob } from '../eval/predict.js';
import type { ExplainJob, SignalExplanation } from './explain.js';
import { isXaiChildMessage, type XaiChildMessage, type XaiParentMessage } from './messages.js';

/**
 * A pool of long-lived child processes that run explanations off the worker's event loop
 * (DESIGN: CPU-heavy work must not starve heartbeats) and on every core. Jobs beyond the pool's
 * size wait in a FIFO queue. Aborting a running job kills its process (a tfjs kernel cannot be
 * interrupted) and a fresh one is started for the next job; a child that dies fails only the job
 * it was running, with the tail of its stderr. The same children also run batched predictions
 * for the evaluation activity (`predict`): one loaded model serves both, and both stay off the
 * worker's event loop.
 */

export interface XaiPoolOptions {
  size: number;
  /** The artifact store (a directory path, or a full location such as S3). */
  artifacts: ArtifactLocationLike;
  backend?: TfjsBackendChoice;
  log?(msg: string, meta?: object): void;
}

export interface RunOptions {
  signal?: AbortSignal;
  onMethod?(method: XaiMethod): void;
}

export class XaiAbortedError extends Error {
  constructor(message = 'explanation aborted') {
    super(message);
    this.name = 'AbortError';
  }
}

const CHILD_ENTRY = fileURLToPath(new URL('./child-entry.ts', import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const STDERR_TAIL_BYTES = 4 * 1024;

export interface Predictions {
  /** windows × classes, row-major. */
  probabilities: Float32Array;
  /** The tfjs backend the child process ran on. */
  backend: string;
}

type Work =
  | { type: 'explain'; job: ExplainJob }
  | { type: 'predict'; job: PredictJob }
  | { type: 'analyze'; job: AnalysisJob }
  | { type: 'features'; job: FeatureJob }
  | { type: 'feature-analysis'; job: FeatureAnalysisJob };

interface Task {
  id: number;
  modelUri: string;
  work: Work;
  opts: RunOptions;
  resolve(e: unknown): void;
  reject(e: Error): void;
  onAbort?: () => void;
}

interface Slot {
  child: ChildProcess;
  ready: boolean;
  task?: Task;
  stderrTail: string;
  backend?: string;
}

export class XaiProcessPool {
  private readonly slots = new Set<Slot>();
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly opts: XaiPoolOptions) {
    if (!Number.isInteger(opts.size) || opts.size < 1) throw new RangeError(`size must be a positive integer, got ${opts.size}`);
  }

  get size(): number {
    return this.opts.size;
  }

  /** Jobs running in a child right now. */
  get running(): number {
    let n = 0;
    for (const s of this.slots) if (s.task) n++;
    return n;
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Pids of the live children (diagnostics, and tests that kill one). */
  get pids(): number[] {
    return [...this.slots].map((s) => s.child.pid).filter((p): p is number => p !== undefined);
  }

  run(modelUri: string, job: ExplainJob, opts: RunOptions = {}): Promise<SignalExplanation> {
    return this.submit<SignalExplanation>(modelUri, { type: 'explain', job }, opts);
  }

  /** Class probabilities of the job's windows, computed in a child process. */
  predict(modelUri: string, job: PredictJob, opts: Pick<RunOptions, 'signal'> = {}): Promise<Predictions> {
    return this.submit<Predictions>(modelUri, { type: 'predict', job }, opts);
  }

  /** An evaluation's metrics (no model), computed in a child process. */
  analyze(job: AnalysisJob, opts: Pick<RunOptions, 'signal'> = {}): Promise<AnalysisOutcome> {
    return this.submit<AnalysisOutcome>('', { type: 'analyze', job }, opts);
  }

  /** A feature matrix (rows × columns float32) of the job's signals, computed in a child process. */
  features(job: FeatureJob, opts: Pick<RunOptions, 'signal'> = {}): Promise<Float32Array> {
    return this.submit<Float32Array>('', { type: 'features', job }, opts);
  }

  /** An importance, selection or correlation analysis of a stored feature set, in a child process. */
  analyzeFeatures(job: FeatureAnalysisJob, opts: Pick<RunOptions, 'signal'> = {}): Promise<FeatureAnalysisOutcome> {
    return this.submit<FeatureAnalysisOutcome>('', { type: 'feature-analysis', job }, opts);
  }

  private submit<T>(modelUri: string, work: Work, opts: RunOptions): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the XAI process pool is closed'));
    if (opts.signal?.aborted) return Promise.reject(new XaiAbortedError('explanation aborted before it started'));
    return new Promise<T>((resolve, reject) => {
      const task: Task = { id: this.nextId++, modelUri, work, opts, resolve: resolve as (v: unknown) => void, reject };
      if (opts.signal) {
        task.onAbort = () => this.abort(task);
        opts.signal.addEventListener('abort', task.onAbort, { once: true });
      }
      this.queue.push(task);
      this.dispatch();
    });
  }

  /** Kill every child and fail what is queued or running. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.queue.splice(0)) this.finish(t, new Error('the XAI process pool was closed'));
    // Held until every child has exited, so `await close()` cannot be cut short by an empty loop.
    for (const s of this.slots) s.child.ref();
    const exits = [...this.slots].map((s) => this.kill(s));
    await Promise.all(exits);
  }

  private dispatch(): void {
    this.dispatchQueued();
    this.updateRefs();
  }

  /**
   * The children keep the process alive exactly while there is work (queued or running): an idle
   * pool never holds a worker or a script open, and a caller awaiting a job is never left with a
   * process that exits under it because nothing else was pending.
   */
  private updateRefs(): void {
    // After close() the children are being killed: their exits are awaited with refs held.
    const busy = this.closed || this.queue.length > 0 || this.running > 0;
    for (const s of this.slots) {
      const handles = [s.child, s.child.channel, s.child.stderr] as ({ ref?: () => void; unref?: () => void } | null | undefined)[];
      for (const h of handles) (busy ? h?.ref : h?.unref)?.call(h);
    }
  }

  private dispatchQueued(): void {
    while (this.queue.length > 0) {
      const slot = [...this.slots].find((s) => s.ready && !s.task && s.child.connected);
      if (!slot) {
        let starting = [...this.slots].filter((s) => !s.ready).length;
        // Start children only for work that no starting child will take.
        while (this.slots.size < this.opts.size && starting < this.queue.length) {
          this.spawn();
          starting++;
        }
        return;
      }
      const task = this.queue.shift()!;
      slot.task = task;
      const work = task.work;
      const msg: XaiParentMessage =
        work.type === 'explain'
          ? { type: 'explain', id: task.id, modelUri: task.modelUri, job: work.job }
          : work.type === 'predict'
            ? { type: 'predict', id: task.id, modelUri: task.modelUri, job: work.job }
            : work.type === 'analyze'
              ? { type: 'analyze', id: task.id, job: work.job }
              : work.type === 'features'
                ? { type: 'features', id: task.id, job: work.job }
                : { type: 'feature-analysis', id: task.id, job: work.job };
      slot.child.send(msg, (err) => {
        if (err && slot.task === task) {
          // The child died between jobs and its exit has not been seen yet: the job never
          // reached it, so it goes back to the front of the queue for another child.
          this.opts.log?.('XAI child process unreachable; requeueing the job', { pid: slot.child.pid, error: err.message });
          slot.task = undefined;
          this.slots.delete(slot);
          this.queue.unshift(task);
          void this.kill(slot);
          if (!this.closed) this.dispatch();
        }
      });
    }
  }

  private spawn(): void {
    const child = fork(CHILD_ENTRY, [], {
      execArgv: ['--import', TSX_LOADER],
      // The pool's children share the cores: native TensorFlow gets its share, not every core each.
      env: { ...process.env, ...nativeTfThreadEnv(os.availableParallelism() / this.opts.size) },
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    const slot: Slot = { child, ready: false, stderrTail: '' };
    this.slots.add(slot);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      process.stderr.write(chunk);
      slot.stderrTail = (slot.stderrTail + chunk).slice(-STDERR_TAIL_BYTES);
    });
    this.updateRefs();
    child.on('message', (raw: unknown) => {
      if (isXaiChildMessage(raw)) this.onMessage(slot, raw);
    });
    child.on('error', (e) => this.opts.log?.('XAI child process error', { pid: child.pid, error: e.message }));
    // A dead child leaves the pool at once (its job, if any, fails on 'close', once stderr is read).
    child.on('exit', () => this.slots.delete(slot));
    child.on('close', (code, signal) => {
      if (slot.task) {
        const how = signal ? `was killed by signal ${signal}` : `exited with code ${code}`;
        this.finish(
          slot.task,
          new Error(
            `XAI child process (pid ${child.pid}) ${how} while ${({ explain: 'explaining', predict: 'predicting', analyze: 'analysing', features: 'extracting features', 'feature-analysis': 'analysing features' } as const)[slot.task.work.type]}${stderrTailNote(slot.stderrTail, 6)}`,
          ),
        );
      }
      if (!this.closed) this.dispatch();
    });
    const init: XaiParentMessage = { type: 'init', artifacts: toArtifactLocation(this.opts.artifacts), backend: this.opts.backend };
    child.send(init);
  }

  private onMessage(slot: Slot, m: XaiChildMessage): void {
    switch (m.type) {
      case 'ready':
        slot.ready = true;
        slot.backend = m.backend;
        this.opts.log?.('XAI child process ready', { pid: slot.child.pid, backend: m.backend });
        this.dispatch();
        return;
      case 'fatal':
        this.opts.log?.('XAI child process failed to start', { pid: slot.child.pid, error: m.error.message });
        // Fail one queued job with the reason rather than respawning forever.
        if (this.queue.length > 0) this.finish(this.queue.shift()!, reviveChildError(m.error, 'XAI child process'));
        return;
      case 'method':
        if (slot.task?.id === m.id) slot.task.opts.onMethod?.(m.method);
        return;
      case 'result':
      case 'predictions':
      case 'analysis':
      case 'features':
      case 'feature-analysis':
      case 'error': {
        const task = slot.task;
        if (!task || task.id !== m.id) return;
        slot.task = undefined;
        if (m.type === 'result') this.finish(task, undefined, m.explanation);
        else if (m.type === 'predictions') this.finish(task, undefined, { probabilities: m.probabilities, backend: m.backend } satisfies Predictions);
        else if (m.type === 'analysis') this.finish(task, undefined, m.outcome);
        else if (m.type === 'features') this.finish(task, undefined, m.matrix);
        else if (m.type === 'feature-analysis') this.finish(task, undefined, m.outcome);
        else this.finish(task, reviveChildError(m.error, 'XAI child process'));
        this.dispatch();
        return;
      }
    }
  }

  private abort(task: Task): void {
    const queued = this.queue.indexOf(task);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.finish(task, new XaiAbortedError('explanation aborted while queued'));
      return;
    }
    const slot = [...this.slots].find((s) => s.task === task);
    if (!slot) return;
    slot.task = undefined;
    this.opts.log?.('aborting XAI child process', { pid: slot.child.pid });
    // Resolved once the child is gone, so the core is free when the caller moves on.
    void this.kill(slot).then(() => this.finish(task, new XaiAbortedError('explanation aborted: child process killed')));
  }

  private kill(slot: Slot): Promise<void> {
    const c = slot.child;
    if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      c.once('close', () => resolve());
      c.kill('SIGKILL');
    });
  }

  private finish(task: Task, error?: Error, result?: unknown): void {
    if (task.onAbort) task.opts.signal?.removeEventListener('abort', task.onAbort);
    queueMicrotask(() => this.updateRefs());
    if (error) task.reject(error);
    else task.resolve(result);
  }
}
