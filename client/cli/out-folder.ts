import type { Command } from 'commander';
import { formatWrittenFiles, writeResultFiles, type ResultFile, type WrittenFile } from './result-files.js';
import type { CliSession } from './session.js';

export interface OutFolderOptions {
  out?: string;
  force?: boolean;
}

/** `--out <folder>` and `--force` on a `result` command. */
export function addOutFolderOptions(cmd: Command): Command {
  return cmd
    .option('--out <folder>', "write the result's pictures and reports into this folder (report.html, summary.svg, ...)")
    .option('--force', 'with --out: replace files that are already there');
}

/** Write the files when `--out` was given; undefined otherwise. */
export async function writeOutFolder(
  session: Pick<CliSession, 'artifactStore'>,
  opts: OutFolderOptions,
  files: readonly ResultFile[],
): Promise<{ files: WrittenFile[]; text: string } | undefined> {
  if (opts.out === undefined) return undefined;
  const store = session.artifactStore?.();
  if (store === undefined) throw new Error('--out: this session has no artifact store (ARTIFACT_URL / ARTIFACT_DIR)');
  const written = await writeResultFiles(store, opts.out, files, opts.force === true);
  return { files: written, text: formatWrittenFiles(written, opts.out) };
}
