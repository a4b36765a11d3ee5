import { stat } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError } from 'commander';
import { z } from 'zod';
import { loadConfig } from '../../config/index.js';
import { InputValidationError, type ImportMatDatasetResult, type MatChannel, type Progress } from '../../contracts/index.js';
import type { StartImportRequest } from '../import.js';
import type { ArtifactLocationLike } from '../../artifacts/open.js';
import { prepareImportInput, uploadImportFile } from '../import.js';
import { CliInputError, prepareOrExplain, type CliDeps, type CommandGroup } from './context.js';
import { decimal, integer, jsonObject, type FieldFlag } from './fields.js';
import { count, formatRun } from './output.js';
import { addRunCommands, addStartCommand, addStopCommand } from './run-commands.js';

/** Every spelling `--channel` accepts, lower case → the contract's channel. */
export const CHANNEL_ALIASES: Readonly<Record<string, MatChannel>> = {
  'drive-end': 'DE',
  de: 'DE',
  'fan-end': 'FE',
  fe: 'FE',
  base: 'BA',
  ba: 'BA',
};

export function parseChannel(raw: string): MatChannel {
  const channel = CHANNEL_ALIASES[raw.toLowerCase()];
  if (channel === undefined) throw new InvalidArgumentError(`must be drive-end (DE), fan-end (FE) or base (BA) (got ${JSON.stringify(raw)})`);
  return channel;
}

/** `cwru` (labels from the file names) or a JSON object file name → label, inline or as a file. */
export function parseLabels(raw: string): 'cwru' | Record<string, unknown> {
  return raw.toLowerCase() === 'cwru' ? 'cwru' : jsonObject(raw);
}

/** A rate in Hz: a whole number (`12000`) or with a k suffix (`12k`, `48k`). */
export function parseRate(raw: string): number {
  const kilo = /^(.+)k$/i.exec(raw);
  if (!kilo) return integer(raw);
  const hz = decimal(kilo[1]) * 1000;
  if (!Number.isInteger(hz)) throw new InvalidArgumentError(`must be a whole number of Hz, e.g. 12000 or 12k (got ${JSON.stringify(raw)})`);
  return hz;
}

/**
 * `faultline import start` flags → ImportMatDatasetRequest fields. Defaults live in the
 * contract. `--upload` is not a field: its files are put into the artifact store first and
 * join `files` as `{ artifactUri, name }` (see resolveUploads).
 */
export const IMPORT_FIELDS: readonly FieldFlag[] = [
  { flags: '--dataset <datasetId>', description: 'dataset id (default: derived from the request, mat-<hash>)', path: ['datasetId'] },
  { flags: '--name <name>', description: 'human-readable name', path: ['name'] },
  { flags: '--root <folder>', description: 'folder inside IMPORT_ROOT that --file and --glob name files in (default: the root itself)', path: ['root'] },
  { flags: '--file <name>', description: 'a MAT-file in --root, by file name (repeat for more)', path: ['files'], repeatable: true },
  // Variadic: `--files a.mat b.mat` takes names up to the next flag (shell globs expand into it).
  { flags: '--files <names...>', description: 'MAT-files in --root, by file name, as a list (after any --file)', path: ['files'], repeatable: true },
  {
    flags: '--upload <path>',
    description: 'a local MAT-file anywhere: put into the artifact store, then imported (repeat for more)',
    path: ['uploads'],
    repeatable: true,
  },
  { flags: '--glob <pattern>', description: "instead of --file: the names in --root matching this (* and ?, quote it: '*.mat')", path: ['glob'] },
  { flags: '--channel <channel>', description: 'accelerometer: drive-end (DE, default), fan-end (FE) or base (BA)', path: ['channel'], parse: parseChannel },
  { flags: '--scheme <scheme>', description: 'class labels: fault-type (4 classes) | fault-type-size (the 10-class CWRU benchmark)', path: ['scheme'] },
  {
    flags: '--rate <hz>',
    description: "the dataset's sampling rate; recordings at another rate are resampled (e.g. 12000 or 12k)",
    path: ['samplingRateHz'],
    parse: parseRate,
  },
  {
    flags: '--source-rate <hz>',
    description: "every file's own sampling rate, overriding the file name and the label map",
    path: ['sourceRateHz'],
    parse: parseRate,
  },
  { flags: '--length <samples>', description: 'samples per signal (each recording is cut into consecutive signals)', path: ['signalLength'], parse: integer },
  {
    flags: '--labels <cwru|map.json>',
    description: 'cwru (from the CWRU file names, default) or a JSON object file name → label, inline or a file',
    path: ['labels'],
    parse: parseLabels,
  },
  { flags: '--max-in-flight <n>', description: 'files imported at once', path: ['maxInFlight'], parse: integer },
  {
    flags: '--max-failed <n>',
    description: 'the import fails when more files than this fail (default: 10 % of the files, at least 1)',
    path: ['maxFailedFiles'],
    parse: integer,
  },
];

export const IMPORT_FLAGS_BY_PATH: Readonly<Record<string, string>> = {
  datasetId: '--dataset',
  name: '--name',
  root: '--root',
  files: '--file | --files | --upload | --glob',
  uploads: '--upload',
  glob: '--glob',
  channel: '--channel',
  scheme: '--scheme',
  samplingRateHz: '--rate',
  sourceRateHz: '--source-rate',
  signalLength: '--length',
  labels: '--labels',
  maxInFlight: '--max-in-flight',
  maxFailedFiles: '--max-failed',
};

type ImportFlagsRequest = StartImportRequest & { uploads?: string[] };
type Uploader = NonNullable<CliDeps['uploadImportFile']>;

const refuseUpload = (localPath: string, message: string) =>
  new CliInputError(new InputValidationError('import request', [{ path: 'uploads', message, value: localPath }]), IMPORT_FLAGS_BY_PATH);

/**
 * An uploader into the artifact store at `artifacts`: a regular file of at most `maxFileBytes`
 * (IMPORT_MAX_FILE_MB), refused by flag and path otherwise. Errors name the path, never the
 * content: `--upload` may point at any file.
 */
export function localUploader(artifacts: ArtifactLocationLike, maxFileBytes: number): Uploader {
  return async (localPath) => {
    let info;
    try {
      info = await stat(localPath);
    } catch (err) {
      throw refuseUpload(localPath, `cannot read the file: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!info.isFile()) throw refuseUpload(localPath, 'is not a regular file');
    if (info.size > maxFileBytes) throw refuseUpload(localPath, `has ${info.size} bytes; an import file may have at most ${maxFileBytes} (IMPORT_MAX_FILE_MB)`);
    return uploadImportFile(artifacts, localPath);
  };
}

/** The configured store (ARTIFACT_URL / ARTIFACT_DIR) and cap, read only when `--upload` is used. */
function defaultUploader(): Uploader {
  const config = loadConfig(process.env);
  return localUploader(config.artifacts, config.imports.maxFileBytes);
}

/** Upload the `--upload` files (content-addressed: the same file twice is stored once) into `files`. */
export async function resolveUploads(request: ImportFlagsRequest, deps: CliDeps): Promise<StartImportRequest> {
  const { uploads, ...rest } = request;
  if (!uploads || uploads.length === 0) return rest;
  // Every other flag is checked first (with a stand-in URI), so a typo costs no upload.
  const standIn = uploads.map((p) => ({ artifactUri: `artifact:sha256/${'0'.repeat(64)}`, name: path.basename(p) }));
  prepareOrExplain(() => prepareImportInput({ ...rest, files: [...(rest.files ?? []), ...standIn] }), IMPORT_FLAGS_BY_PATH);
  const upload = deps.uploadImportFile ?? defaultUploader();
  const uploaded = [];
  for (const localPath of uploads) uploaded.push(await upload(localPath));
  return { ...rest, files: [...(rest.files ?? []), ...uploaded] };
}

// --------------------------------------------------------------------------------------------
// Output

const ImportProgressDetailsSchema = z.object({
  running: z.number().optional(),
  maxInFlight: z.number().optional(),
  imported: z.number().optional(),
  reused: z.number().optional(),
  duplicates: z.number().optional(),
  failed: z.number().optional(),
  maxFailedFiles: z.number().optional(),
  signals: z.number().optional(),
  failures: z.array(z.object({ file: z.string(), reason: z.string() })).optional(),
});

export function importProgressDetails(p: Progress): string {
  const r = ImportProgressDetailsSchema.safeParse(p);
  if (!r.success) return '';
  const d = r.data;
  const parts: string[] = [];
  if (d.running !== undefined) parts.push(`running ${d.running}${d.maxInFlight !== undefined ? `/${d.maxInFlight}` : ''}`);
  if (d.imported !== undefined) parts.push(`imported ${d.imported}`);
  if (d.reused) parts.push(`reused ${d.reused}`);
  if (d.duplicates) parts.push(`duplicates ${d.duplicates}`);
  if (d.failed !== undefined) parts.push(`failed ${d.failed}${d.maxFailedFiles !== undefined ? ` (max ${d.maxFailedFiles})` : ''}`);
  if (d.signals !== undefined) parts.push(`signals ${count(d.signals)}`);
  return parts.join('  ');
}

export function formatImportResult(r: ImportMatDatasetResult, webUiUrl: string | undefined): string {
  const seconds = r.signalLength / r.samplingRateHz;
  const lines = [
    `Import ${r.datasetId}  ${r.status}`,
    `  files          ${count(r.files)}: ${count(r.imported)} imported, ${count(r.reused)} reused, ${count(r.duplicates)} duplicate${r.duplicates === 1 ? '' : 's'}, ${count(r.failed)} failed`,
    `  signals        ${count(r.numSignals)}  (${count(r.signalLength)} samples at ${count(r.samplingRateHz)} Hz = ${seconds.toFixed(2)} s each)`,
    `  per class      ${r.classes.map((c) => `${c} ${count(r.classCounts[c] ?? 0)}`).join(', ')}`,
  ];
  if (r.failures.length > 0) lines.push('  failures', ...r.failures.map((f) => `    ${f.file}: ${f.reason}`));
  if (webUiUrl) lines.push(`  Web UI         ${webUiUrl}`);
  lines.push('', `Next: faultline train start --dataset ${r.datasetId} --wait`);
  return lines.join('\n');
}

export const importCommands: CommandGroup = {
  name: 'import',
  register(program, deps) {
    const group = program.command('import').description('import MAT-file recordings into a dataset (importMatDatasetWorkflow)');
    const kind = {
      kind: 'import',
      idLabel: 'dataset id',
      summarize: (r: ImportMatDatasetResult, url: string | undefined) => formatImportResult(r, url),
      progressDetails: importProgressDetails,
      formatRun: (run: Parameters<typeof formatRun>[0], url: string | undefined) => {
        const lines = [formatRun(run, url, importProgressDetails)];
        const r = ImportProgressDetailsSchema.safeParse(run.progress ?? {});
        const failures = r.success ? (r.data.failures ?? []) : [];
        if (failures.length > 0) lines.push('  last failures', ...failures.map((f) => `    ${f.file}: ${f.reason}`));
        return lines.join('\n');
      },
    } as const;
    addStartCommand(group, deps, {
      ...kind,
      entityLabel: 'import',
      description: 'start importing MAT-files (--file … | --files … | --upload … | --glob …); the same files twice import once',
      waitDescription: 'show live progress and print the result',
      fields: IMPORT_FIELDS,
      flagsByPath: IMPORT_FLAGS_BY_PATH,
      resolve: resolveUploads,
      prepare: (request: StartImportRequest) => prepareImportInput(request),
      start: (api, input) => api.startImport(input),
    });
    addRunCommands(group, deps, kind);
    addStopCommand(group, deps, { kind: 'import', idLabel: 'dataset id', entityLabel: 'import', finishing: 'files being imported' });
  },
};
