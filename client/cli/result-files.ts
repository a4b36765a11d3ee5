import { stat } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic as writeAtomically } from '../../artifacts/atomic-file.js';
import type { ArtifactStore } from '../../artifacts/types.js';

/** One artifact of a result, under the file name a person expects (`report.html`, `summary.svg`). */
export interface ResultFile {
  name: string;
  uri: string;
}

export interface WrittenFile extends ResultFile {
  path: string;
  bytes: number;
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * Write `bytes` to `file` atomically (artifacts/atomic-file.ts): a reader or a crash never leaves
 * half a report. Refuses to replace an existing file unless `overwrite`.
 */
export async function writeFileAtomic(file: string, bytes: Uint8Array, overwrite: boolean): Promise<void> {
  if (!overwrite) {
    const exists = await stat(file).then(
      () => true,
      (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? false : Promise.reject(err)),
    );
    if (exists) throw new OutputExistsError(file);
  }
  await writeAtomically(file, bytes);
}

export class OutputExistsError extends Error {
  constructor(readonly file: string) {
    super(`--out: ${file} already exists (add --force to replace it)`);
    this.name = 'OutputExistsError';
  }
}

/**
 * Fetch each of a result's files from the artifact store (whichever it is: directory or S3) and
 * write it into `folder` under its proper name. Files of the same name replace each other only
 * with `overwrite`; a second `result --out` of the same run writes identical bytes.
 */
export async function writeResultFiles(store: ArtifactStore, folder: string, files: readonly ResultFile[], overwrite: boolean): Promise<WrittenFile[]> {
  const dir = path.resolve(folder);
  const written: WrittenFile[] = [];
  for (const f of files) {
    // Names come from our own code, but a page is named after an experiment id: keep them plain.
    if (!SAFE_NAME.test(f.name)) throw new Error(`result file name ${JSON.stringify(f.name)} is not a plain file name`);
    const bytes = await store.get(f.uri);
    const file = path.join(dir, f.name);
    await writeFileAtomic(file, bytes, overwrite);
    written.push({ ...f, path: file, bytes: bytes.byteLength });
  }
  return written;
}

/** Human lines for what `--out` wrote. */
export function formatWrittenFiles(written: readonly WrittenFile[], folder: string): string {
  if (written.length === 0) return `Nothing to write to ${path.resolve(folder)}: this result has no pictures or reports.`;
  return [`Wrote ${written.length} file${written.length === 1 ? '' : 's'}:`, ...written.map((w) => `  ${w.path}  (${w.bytes} bytes)`)].join('\n');
}

/** A file-name-safe form of an id (experiment ids are `[A-Za-z0-9._-]` already; anything else becomes `_`). */
export function fileSafe(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100) || 'unnamed';
}
