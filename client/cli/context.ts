import type { Command } from 'commander';
import { InputValidationError } from '../../contracts/index.js';
import { Output, formatValidationError, type CliIO } from './output.js';
import type { CliSession, GlobalOptions, OpenSession } from './session.js';

/** Everything a command needs from outside; tests pass fakes (no Temporal, no terminal). */
export interface CliDeps {
  io: CliIO;
  openSession: OpenSession;
  /** Progress poll period for --wait / --follow. */
  pollIntervalMs?: number;
  /** Aborted on Ctrl-C: stop waiting, leave the workflow running. */
  interrupt?: AbortSignal;
  /** Replays history files (default: workers/replay.ts, loaded on first use). */
  replay?: (files: readonly string[]) => Promise<import('./replay.js').ReplayReport[]>;
  /** Puts a local MAT-file into the artifact store (`import start --upload`); default: ARTIFACT_DIR's store. */
  uploadImportFile?: (localPath: string) => Promise<{ artifactUri: string; name: string }>;
  /** The artifact store of `artifact get|put` and where it is (default: ARTIFACT_URL / ARTIFACT_DIR). */
  openArtifactStore?: () => { store: import('../../artifacts/types.js').ArtifactStore; where: string };
}

/**
 * One command group (`dataset`, `train`, later `hpo`, `nas`, `xai`): a module that adds its
 * subcommands to the program. main.ts lists the groups; nothing else needs to change.
 */
export interface CommandGroup {
  name: string;
  register(program: Command, deps: CliDeps): void;
}

export function globalsOf(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

export function outputOf(cmd: Command, deps: CliDeps): Output {
  return new Output(deps.io, globalsOf(cmd).json === true);
}

/** Open a session for one command and always close it, so the process can exit. */
export async function withSession<T>(cmd: Command, deps: CliDeps, fn: (session: CliSession) => Promise<T>): Promise<T> {
  const session = await deps.openSession(globalsOf(cmd));
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}

/** Invalid input, rendered with the CLI flag next to each contract field. Exit code 2. */
export class CliInputError extends Error {
  constructor(
    readonly validation: InputValidationError,
    flagByPath: Readonly<Record<string, string>>,
  ) {
    super(formatValidationError(validation, flagByPath));
    this.name = 'CliInputError';
  }
}

/** Run `prepare`, turning an InputValidationError into a CliInputError that names the flags. */
export function prepareOrExplain<T>(prepare: () => T, flagByPath: Readonly<Record<string, string>>): T {
  try {
    return prepare();
  } catch (err) {
    if (err instanceof InputValidationError) throw new CliInputError(err, flagByPath);
    throw err;
  }
}

/** The user stopped waiting (Ctrl-C); the workflow keeps running. */
export class InterruptedError extends Error {
  constructor(
    readonly workflowId: string,
    followCommand: string,
  ) {
    super(`stopped waiting; ${workflowId} is still running. Follow it with: ${followCommand}`);
    this.name = 'InterruptedError';
  }
}

/** Reject with InterruptedError when `signal` aborts first. */
export function unlessInterrupted<T>(promise: Promise<T>, signal: AbortSignal | undefined, onAbort: () => Error): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(onAbort());
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(onAbort());
    signal.addEventListener('abort', abort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', abort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(e);
      },
    );
  });
}
