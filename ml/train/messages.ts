import type { ArtifactLocation } from '../../config/artifact-location.js';
import type { TrainingHeartbeat } from '../../contracts/training.js';
import type { TfjsBackendChoice } from '../../config/index.js';
import type { TrainingJob, TrainingOutcome } from './trainer.js';

/**
 * IPC protocol between a worker and its training child process:
 *   parent → child: start
 *   child → parent: backend, then epoch*, then exactly one of done | error (log any time)
 * Cancellation is a signal (SIGTERM, then SIGKILL), not a message: it must work even when the
 * child is stuck inside a long tfjs kernel.
 */

export interface StartMessage {
  type: 'start';
  job: TrainingJob;
  artifacts: ArtifactLocation;
  backend?: TfjsBackendChoice;
}
export type ParentMessage = StartMessage;

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  /** e.g. ArtifactError's 'ARTIFACT_NOT_FOUND', which the activity maps to a non-retryable type. */
  code?: string;
}

export type ChildMessage =
  | { type: 'backend'; name: string; version: string; tried: { backend: string; ok: boolean; error?: string }[] }
  | { type: 'epoch'; report: TrainingHeartbeat }
  | { type: 'log'; msg: string; meta?: object }
  | { type: 'done'; outcome: TrainingOutcome }
  | { type: 'error'; error: SerializedError };

export function serializeError(e: unknown): SerializedError {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return { name: e.name, message: e.message, stack: e.stack, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { name: 'Error', message: String(e) };
}

export function isChildMessage(m: unknown): m is ChildMessage {
  return typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string';
}

/**
 * An Error rebuilt from a child's SerializedError: name, message and `code` kept (activities map
 * codes and names to non-retryable failure types), the child's stack marked as such. `make`
 * picks a subclass by name.
 */
export function reviveChildError(e: SerializedError, where: string, make: (e: SerializedError) => Error = (x) => new Error(x.message)): Error {
  const error = make(e);
  error.name = e.name;
  if (e.code !== undefined) Object.assign(error, { code: e.code });
  if (e.stack) error.stack = `${e.stack}\n    --- in ${where}`;
  return error;
}

/** "; last stderr lines: …" from a child's stderr tail (empty when it wrote nothing). */
export function stderrTailNote(stderr: string, maxLines = 8): string {
  // The wasm runtime dumps its whole minified source line on a crash: keep short lines only.
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .map((l) => (l.length > 300 ? `${l.slice(0, 300)}…` : l))
    .slice(-maxLines);
  return lines.length ? `; last stderr lines:\n${lines.join('\n')}` : '';
}
