import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { RecordingOutcome, RecordingRequest } from './recording.js';

/**
 * Decodes one recording (recording.ts) in a child process. Why: inflating and resampling a file
 * near the import size cap takes seconds of CPU, which on the worker's event loop would starve
 * every heartbeat on it; and a file crafted to exhaust memory can take down only the child, whose
 * death is reported as an error naming it, never the worker.
 */
const CHILD_ENTRY = fileURLToPath(new URL('./decode-child.ts', import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const STDERR_TAIL_BYTES = 4 * 1024;

export class DecodeProcessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecodeProcessError';
  }
}

type ChildReply = { type: 'done'; outcome: RecordingOutcome } | { type: 'error'; message: string };

export interface DecodeOptions {
  signal?: AbortSignal;
  /** Heap limit of the child, MB (typed arrays live outside it; the MAT reader caps those). */
  maxOldSpaceMb?: number;
}

export function decodeRecordingInChild(req: RecordingRequest, opts: DecodeOptions = {}): Promise<RecordingOutcome> {
  if (opts.signal?.aborted) return Promise.reject(opts.signal.reason ?? new DecodeProcessError('decode aborted before it started'));
  return new Promise<RecordingOutcome>((resolve, reject) => {
    const child = fork(CHILD_ENTRY, [], {
      execArgv: ['--import', TSX_LOADER, ...(opts.maxOldSpaceMb ? [`--max-old-space-size=${opts.maxOldSpaceMb}`] : [])],
      // Structured clone carries the typed arrays both ways without a JSON detour.
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let settled = false;
    let reply: ChildReply | undefined;
    let stderrTail = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_BYTES);
    });
    const onAbort = () => {
      if (settled) return;
      settled = true;
      child.kill('SIGKILL');
      reject(opts.signal?.reason ?? new DecodeProcessError('decode aborted'));
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('message', (m: unknown) => {
      reply = m as ChildReply;
    });
    child.on('error', (e) => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      reject(new DecodeProcessError(`the decoder process failed to start: ${e.message}`));
    });
    child.on('close', (code, sig) => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      if (reply?.type === 'done') return resolve(reply.outcome);
      if (reply?.type === 'error') return reject(new DecodeProcessError(`the decoder failed: ${reply.message}`));
      const how = sig ? `was killed by signal ${sig}` : `exited with code ${code}`;
      const tail = stderrTail.trim().split('\n').slice(-4).join(' | ');
      reject(new DecodeProcessError(`the decoder process (pid ${child.pid}) ${how} before answering${tail ? `: ${tail}` : ''}`));
    });
    child.send(req);
  });
}
