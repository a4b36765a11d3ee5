import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { openArtifactStore } from '../../artifacts/open.js';
import type { ArtifactStore } from '../../artifacts/types.js';
import { parseArtifactUri } from '../../artifacts/uri.js';
import { describeArtifactLocation } from '../../config/artifact-location.js';
import { loadConfig } from '../../config/index.js';
import { outputOf, type CliDeps, type CommandGroup } from './context.js';
import { writeFileAtomic } from './result-files.js';

/** The configured store (ARTIFACT_URL / ARTIFACT_DIR) and a line saying where it is. */
function defaultStore(): { store: ArtifactStore; where: string } {
  const config = loadConfig(process.env);
  return { store: openArtifactStore(config.artifacts), where: describeArtifactLocation(config.artifacts) };
}

/** Media types a put may declare, by file extension (anything else is octet-stream). */
const MEDIA_BY_EXT: Readonly<Record<string, string>> = {
  '.html': 'text/html',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.mat': 'application/x-matlab-data',
  '.csv': 'text/csv',
};

async function withStore<T>(deps: CliDeps, fn: (store: ArtifactStore, where: string) => Promise<T>): Promise<T> {
  const { store, where } = deps.openArtifactStore?.() ?? defaultStore();
  try {
    return await fn(store, where);
  } finally {
    store.close?.();
  }
}

export const artifactCommands: CommandGroup = {
  name: 'artifact',
  register(program, deps) {
    const group = program.command('artifact').description('read and write the artifact store (ARTIFACT_URL: a directory or s3://bucket/prefix)');

    group
      .command('get')
      .description('copy an artifact (artifact:sha256/…) to a file; its hash is checked on the way')
      .argument('<uri>', "artifact URI, e.g. a result's reportUri")
      .requiredOption('--out <file>', 'the file to write (e.g. report.html)')
      .option('--force', 'replace the file if it exists')
      .action(async (uri: string, opts: { out: string; force?: boolean }, cmd: Command) => {
        const out = outputOf(cmd, deps);
        parseArtifactUri(uri);
        await withStore(deps, async (store) => {
          const bytes = await store.get(uri);
          const file = path.resolve(opts.out);
          await writeFileAtomic(file, bytes, opts.force === true);
          out.result({ uri, path: file, bytes: bytes.byteLength }, () => `Wrote ${file} (${bytes.byteLength} bytes) from ${uri}`);
        });
      });

    group
      .command('put')
      .description('store a local file; prints its artifact URI (content-addressed: the same file twice is stored once)')
      .argument('<file>', 'the file to store')
      .option('--kind <kind>', 'what it is, for humans', 'upload')
      .action(async (file: string, opts: { kind: string }, cmd: Command) => {
        const out = outputOf(cmd, deps);
        const info = await stat(file).catch((err: Error) => {
          throw new Error(`<file>: cannot read ${JSON.stringify(file)}: ${err.message}`);
        });
        if (!info.isFile()) throw new Error(`<file>: ${JSON.stringify(file)} is not a regular file`);
        await withStore(deps, async (store, where) => {
          const mediaType = MEDIA_BY_EXT[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
          const stored = await store.put(new Uint8Array(await readFile(file)), { kind: opts.kind, mediaType });
          out.result({ ...stored, store: where }, () => `${stored.uri}  (${stored.bytes} bytes, in ${where})`);
        });
      });
  },
};
