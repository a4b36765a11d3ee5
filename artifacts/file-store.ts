/**
 * Content-addressed artifact store over a directory: `<dir>/sha256/<first 2 hex>/<hex>`.
 *
 * Writes go to a unique temporary file in the target folder, are fsynced, then renamed into
 * place. rename() is atomic within a filesystem, so readers never see a partial file, a crash
 * leaves at most a stray `.tmp`, and concurrent writers of the same content simply replace
 * identical bytes with identical bytes.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat, unlink, utimes } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from './atomic-file.js';
import { ArtifactError } from './errors.js';
import type { ArtifactMeta, ArtifactStore, ListedArtifact, StoredArtifact } from './types.js';
import { artifactUri, parseArtifactUri, sha256Hex } from './uri.js';

export class FileArtifactStore implements ArtifactStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = path.resolve(dir);
  }

  pathOf(uri: string): string {
    const hex = parseArtifactUri(uri);
    return this.pathOfHash(hex);
  }

  /** Store `data`; meta is recorded by the caller (db registerArtifact), the file is just bytes. */
  async put(data: Uint8Array, _meta: ArtifactMeta): Promise<StoredArtifact> {
    const hex = sha256Hex(data);
    const stored: StoredArtifact = { uri: artifactUri(hex), sha256: hex, bytes: data.byteLength };
    const file = this.pathOfHash(hex);
    // Retries usually find the bytes already there; rewrite only if missing or damaged. The
    // file's time is refreshed: the retention sweep spares bytes written within its grace period,
    // and a re-put is a writer about to refer to them.
    if (await this.intact(file, hex, data.byteLength)) {
      const now = new Date();
      await utimes(file, now, now).catch(() => undefined);
      return stored;
    }
    try {
      await writeFileAtomic(file, data);
    } catch (err) {
      throw new Error(`cannot store artifact ${stored.uri} in ${this.dir}: ${(err as Error).message}`, { cause: err });
    }
    return stored;
  }

  async get(uri: string): Promise<Uint8Array> {
    const hex = parseArtifactUri(uri);
    const file = this.pathOfHash(hex);
    let data: Buffer;
    try {
      data = await readFile(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new ArtifactError('ARTIFACT_NOT_FOUND', `artifact ${uri} not found (expected at ${file})`, uri, { cause: err });
      }
      throw err;
    }
    const actual = sha256Hex(data);
    if (actual !== hex) {
      throw new ArtifactError('ARTIFACT_CORRUPT', `artifact ${uri} is corrupt: ${file} has sha256 ${actual} (${data.byteLength} bytes)`, uri);
    }
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }

  async has(uri: string): Promise<boolean> {
    const file = this.pathOf(uri);
    try {
      return (await stat(file)).isFile();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  async *list(): AsyncIterable<ListedArtifact> {
    const root = path.join(this.dir, 'sha256');
    let shards: string[];
    try {
      shards = await readdir(root);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const shard of shards.sort()) {
      if (!/^[0-9a-f]{2}$/.test(shard)) continue;
      for (const name of (await readdir(path.join(root, shard))).sort()) {
        // Only complete artifacts: a stray `.tmp` of a crashed writer is not one.
        if (!/^[0-9a-f]{64}$/.test(name) || !name.startsWith(shard)) continue;
        const info = await stat(path.join(root, shard, name)).catch(() => undefined);
        if (info?.isFile()) yield { uri: artifactUri(name), bytes: info.size, modifiedAt: info.mtime };
      }
    }
  }

  async delete(uri: string): Promise<void> {
    await unlink(this.pathOf(uri)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }

  private pathOfHash(hex: string): string {
    return path.join(this.dir, 'sha256', hex.slice(0, 2), hex);
  }

  /** True when `file` exists with the expected size and hash (streamed: artifacts can be large). */
  private async intact(file: string, hex: string, size: number): Promise<boolean> {
    try {
      if ((await stat(file)).size !== size) return false;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
    return hash.digest('hex') === hex;
  }
}
