/**
 * Where import files may come from: names inside one configured folder (IMPORT_ROOT), or
 * artifacts already in the store. Everything that could leave the root is refused by name —
 * `..`, absolute paths, and symlinks whose target is outside — by comparing real paths, and so
 * is anything that is not a regular file or is larger than the cap. Checked when the import is
 * registered (before any file is read) and again when each file is opened (the folder may have
 * changed in between).
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { ERROR_TYPES, importFileName, type ImportFile, type ResolvedImportFile } from '../../contracts/index.js';
import type { ArtifactStore } from '../../artifacts/types.js';

export class ImportPathError extends Error {
  override readonly name = 'ImportPathError';
  constructor(
    readonly file: string,
    readonly reason: string,
    readonly kind: 'refused' | 'missing',
  ) {
    super(`${file}: ${reason}`);
  }
}

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

async function realRoot(root: string): Promise<string> {
  try {
    return await fs.realpath(root);
  } catch {
    throw new ImportPathError(root, `the import root ${root} (IMPORT_ROOT) does not exist`, 'missing');
  }
}

/** The real folder `dir` names inside the root (refused if it leaves it). */
export async function importFolder(root: string, dir: string): Promise<{ root: string; folder: string }> {
  const base = await realRoot(root);
  if (path.isAbsolute(dir) && !inside(base, path.resolve(dir))) throw new ImportPathError(dir, `is outside the import root ${base}`, 'refused');
  const wanted = path.resolve(base, dir);
  if (!inside(base, wanted)) throw new ImportPathError(dir, `leaves the import root ${base}`, 'refused');
  let real: string;
  try {
    real = await fs.realpath(wanted);
  } catch {
    throw new ImportPathError(dir, `no such folder under the import root ${base}`, 'missing');
  }
  if (!inside(base, real)) throw new ImportPathError(dir, `is a link to ${real}, outside the import root ${base}`, 'refused');
  return { root: base, folder: real };
}

/** Check one file in the folder: stays inside the root, is a regular file, is not too large. */
export async function checkImportPath(root: string, folder: string, name: string, maxBytes: number): Promise<ResolvedImportFile> {
  const wanted = path.resolve(folder, name);
  if (!inside(folder, wanted) || path.basename(wanted) !== name) throw new ImportPathError(name, 'must be a file name inside the import folder', 'refused');
  let real: string;
  try {
    real = await fs.realpath(wanted);
  } catch {
    throw new ImportPathError(name, `no such file in ${folder}`, 'missing');
  }
  if (!inside(root, real)) throw new ImportPathError(name, `is a link to ${real}, outside the import root ${root}`, 'refused');
  const st = await fs.stat(real);
  if (!st.isFile()) throw new ImportPathError(name, 'is not a regular file', 'refused');
  if (st.size > maxBytes) throw new ImportPathError(name, `is ${st.size} bytes, over the cap of ${maxBytes} (IMPORT_MAX_FILE_MB)`, 'refused');
  return { name, source: `path:${real}`, bytes: st.size };
}

/** `*` and `?` over one folder's names (no folders, no character classes). */
export function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]');
  return new RegExp(`^${escaped}$`);
}

export async function resolveImportFiles(opts: {
  root: string;
  dir: string;
  files?: ImportFile[];
  glob?: string;
  maxBytes: number;
  artifacts: ArtifactStore;
}): Promise<ResolvedImportFile[]> {
  const needsFolder = opts.glob !== undefined || (opts.files ?? []).some((f) => typeof f === 'string');
  const where = needsFolder ? await importFolder(opts.root, opts.dir) : undefined;
  let files: ImportFile[] = opts.files ?? [];
  if (opts.glob !== undefined && where) {
    const re = globToRegExp(opts.glob);
    files = (await fs.readdir(where.folder)).filter((n) => re.test(n)).sort();
    if (files.length === 0) throw new ImportPathError(opts.glob, `matches no file in ${where.folder}`, 'missing');
    if (files.length > 1000) throw new ImportPathError(opts.glob, `matches ${files.length} files, more than the 1,000 one import takes`, 'refused');
  }
  const seen = new Set<string>();
  const problems: ImportPathError[] = [];
  const out: ResolvedImportFile[] = [];
  for (const f of files) {
    const name = importFileName(f);
    try {
      if (seen.has(name)) throw new ImportPathError(name, 'is listed twice', 'refused');
      seen.add(name);
      if (typeof f === 'string') out.push(await checkImportPath(where!.root, where!.folder, f, opts.maxBytes));
      else {
        if (!(await opts.artifacts.has(f.artifactUri))) throw new ImportPathError(name, `artifact ${f.artifactUri} is not in the store`, 'missing');
        out.push({ name, source: f.artifactUri, bytes: -1 });
      }
    } catch (e) {
      if (e instanceof ImportPathError) problems.push(e);
      else throw e;
    }
  }
  if (problems.length > 0) {
    const kind = problems.every((p) => p.kind === 'missing') ? ERROR_TYPES.notFound : ERROR_TYPES.invalidInput;
    throw ApplicationFailure.nonRetryable(`import files refused: ${problems.map((p) => p.message).join('; ')}`, kind, {
      files: problems.map((p) => ({ file: p.file, reason: p.reason })),
    });
  }
  return out;
}

/** The bytes of one resolved file, re-checked against the root and the cap as it is opened. */
export async function readImportFile(file: ResolvedImportFile, opts: { root: string; maxBytes: number; artifacts: ArtifactStore }): Promise<Uint8Array> {
  if (file.source.startsWith('path:')) {
    const p = file.source.slice('path:'.length);
    const base = await realRoot(opts.root);
    const checked = await checkImportPath(base, path.dirname(p), path.basename(p), opts.maxBytes);
    return new Uint8Array(await fs.readFile(checked.source.slice('path:'.length)));
  }
  const bytes = await opts.artifacts.get(file.source);
  if (bytes.byteLength > opts.maxBytes)
    throw new ImportPathError(file.name, `is ${bytes.byteLength} bytes, over the cap of ${opts.maxBytes} (IMPORT_MAX_FILE_MB)`, 'refused');
  return bytes;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
