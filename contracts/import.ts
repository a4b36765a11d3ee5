import { z } from 'zod';
import { ArtifactUriSchema } from './artifact-uri.js';
import { DEFAULT_SAMPLING_RATE_HZ } from './constants.js';
import { CLASS_SCHEMES, FaultTypeSchema } from './classes.js';
import { SlugSchema } from './ids.js';

/**
 * Importing real recordings (seed task import_mat_dataset_task(config, mat_file_paths), which
 * validated nothing and sent TRAINING_COMPLETE). One workflow imports a list of MAT-files into
 * one dataset; every file is one activity, and a file that cannot be imported is recorded by
 * name with its reason.
 */

/** Accelerometer positions of a CWRU recording: drive end, fan end, base. */
export const MAT_CHANNELS = ['DE', 'FE', 'BA'] as const;
export type MatChannel = (typeof MAT_CHANNELS)[number];

/**
 * A file name (no folders): what a failure, a row and a label map name the file by. Path
 * separators, `..` and control characters are refused here, before any file system is touched.
 */
export const ImportFileNameSchema = z
  .string()
  .min(1)
  .max(255)
  .refine(
    (s) => !/[/\\]/.test(s) && ![...s].some((c) => c.charCodeAt(0) < 0x20) && s !== '.' && s !== '..',
    'must be a file name without folders ("/", "\\", "..") or control characters',
  );

/** A file under the import root (relative to `root`), or one already in the artifact store. */
export const ImportFileSchema = z.union([ImportFileNameSchema, z.object({ artifactUri: ArtifactUriSchema, name: ImportFileNameSchema }).strict()]);
export type ImportFile = z.output<typeof ImportFileSchema>;

/** Conditions of one recording, when the file name does not carry them (or to override it). */
export const RecordingLabelSchema = z
  .object({
    faultType: FaultTypeSchema,
    /** Fault diameter, inches (0 for normal). */
    faultSizeIn: z.number().min(0).max(0.1).default(0),
    loadHp: z.number().min(0).max(10).optional(),
    /** Used when the file has no RPM variable. */
    rpm: z.number().positive().max(100_000).optional(),
    /** The recording's sampling rate, Hz (not stored in MAT-files). */
    samplingRateHz: z.number().int().min(100).max(1_000_000).optional(),
  })
  .strict();
export type RecordingLabel = z.output<typeof RecordingLabelSchema>;

export const ImportMatDatasetInputSchema = z
  .object({
    datasetId: SlugSchema,
    name: z.string().min(1).max(200).optional(),
    /** A folder inside IMPORT_ROOT (relative to it; default the root itself) that `files`/`glob` are in. */
    root: z
      .string()
      .max(1000)
      .refine((s) => !s.split(/[/\\]/).includes('..'), 'must not contain ".." segments')
      .default('.'),
    files: z
      .array(ImportFileSchema)
      .min(1)
      // File names travel in the input and the workflow's state: 1,000 stay far below 64 KB.
      .max(1_000)
      .optional(),
    /** Instead of `files`: names in `root` matching this pattern (`*` and `?`; no folders). */
    glob: z
      .string()
      .min(1)
      .max(200)
      .refine((s) => !/[/\\]/.test(s), 'must match names in root, without folders')
      .optional(),
    channel: z.enum(MAT_CHANNELS).default('DE'),
    /** The dataset's sampling rate: recordings at another rate are resampled (anti-aliased) to it. */
    samplingRateHz: z.number().int().min(1_000).max(200_000).default(DEFAULT_SAMPLING_RATE_HZ),
    /** Samples per signal: each recording is cut into consecutive signals of this length. */
    signalLength: z.number().int().min(256).max(2_000_000).default(8192),
    /** Labels from the CWRU file-name convention, or a map from file name to label. */
    labels: z.union([z.literal('cwru'), z.record(ImportFileNameSchema, RecordingLabelSchema)]).default('cwru'),
    /** The source rate of every file, overriding the name (and the map's per-file rate). */
    sourceRateHz: z.number().int().min(100).max(1_000_000).optional(),
    scheme: z.enum(CLASS_SCHEMES).default('fault-type'),
    /** Files being imported at once (sliding window). */
    maxInFlight: z.number().int().min(1).max(64).default(4),
    /** Per-file failures tolerated before the import fails. Default: 10 % of the files, at least 1. */
    maxFailedFiles: z.number().int().min(0).max(1_000).optional(),
  })
  .strict()
  .refine((r) => (r.files === undefined) !== (r.glob === undefined), { message: 'give exactly one of files and glob', path: ['files'] });
export type ImportMatDatasetInput = z.output<typeof ImportMatDatasetInputSchema>;
export type ImportMatDatasetRequest = z.input<typeof ImportMatDatasetInputSchema>;

export function importFailureThreshold(input: Pick<ImportMatDatasetInput, 'maxFailedFiles'>, total: number): number {
  return input.maxFailedFiles ?? Math.max(1, Math.ceil(total * 0.1));
}

export const importFileName = (f: ImportFile): string => (typeof f === 'string' ? f : f.name);

/** A file of the import as the registration resolved it (path checked, size checked). */
export interface ResolvedImportFile {
  name: string;
  /** `path:<absolute path>` under the root, or the artifact URI. */
  source: string;
  bytes: number;
}

export interface ImportFileResult {
  file: string;
  /** imported: new signals; reused: this file was imported before; duplicate: another file of the dataset has the same bytes. */
  outcome: 'imported' | 'reused' | 'duplicate';
  contentHash: string;
  signals: number;
  label: string;
  duplicateOf?: string;
}

export interface ImportFailure {
  file: string;
  reason: string;
}

export interface ImportMatDatasetResult {
  datasetId: string;
  status: 'COMPLETED' | 'STOPPED';
  files: number;
  imported: number;
  reused: number;
  duplicates: number;
  failed: number;
  failures: ImportFailure[];
  numSignals: number;
  classCounts: Record<string, number>;
  classes: string[];
  samplingRateHz: number;
  signalLength: number;
}
