import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import {
  CLASS_SCHEMES,
  ERROR_TYPES,
  ImportFileSchema,
  ImportFileNameSchema,
  MAT_CHANNELS,
  RecordingLabelSchema,
  SlugSchema,
  classLabel,
  schemeClasses,
  type ImportFileResult,
  type ImportMatDatasetResult,
  type RecordingLabel,
  type ResolvedImportFile,
} from '../contracts/index.js';
import { encodeFloat32 } from '../artifacts/codecs.js';
import { registerArtifact } from '../db/repos/artifacts.js';
import { classCounts, countSignals, getDataset, setDatasetStatus, upsertDataset, upsertSignals, type SignalInput } from '../db/repos/datasets.js';
import { claimDatasetFile, countDatasetFiles, markDatasetFileImported, recordDatasetFileFailure, type FileFacts } from '../db/repos/imports.js';
import { parseCwruName } from '../ml/mat/cwru.js';
import { decodeRecordingInChild, DecodeProcessError } from '../ml/mat/decode-process.js';
import { kurtosis, rms } from '../ml/signal/index.js';
import type { ActivityDeps } from './deps.js';
import { invalidState, validateActivityInput } from './lib/failures.js';
import { ImportPathError, readImportFile, resolveImportFiles, sha256Hex } from './lib/import-files.js';

// ---------------------------------------------------------------------------------------------
// Inputs

/** Heartbeats while a file decodes in its child process (the activity's heartbeat timeout is 30 s). */
const DECODE_HEARTBEAT_MS = 2_000;

const RegisterImportSchema = z
  .object({
    datasetId: SlugSchema,
    name: z.string().min(1).max(200),
    root: z.string().max(1000),
    files: z.array(ImportFileSchema).max(1_000).optional(),
    glob: z.string().max(200).optional(),
    samplingRateHz: z.number().int().positive(),
    signalLength: z.number().int().positive(),
    config: z.record(z.string(), z.unknown()),
    workflowId: z.string().min(1),
  })
  .strict();
export type RegisterImportInput = z.input<typeof RegisterImportSchema>;

const ResolvedFileSchema = z.object({ name: ImportFileNameSchema, source: z.string().min(1), bytes: z.number().int() }).strict();

const ImportFileInputSchema = z
  .object({
    datasetId: SlugSchema,
    file: ResolvedFileSchema,
    channel: z.enum(MAT_CHANNELS),
    samplingRateHz: z.number().int().min(1_000),
    signalLength: z.number().int().min(256),
    scheme: z.enum(CLASS_SCHEMES),
    /** This file's entry of a label map; absent: the CWRU file-name convention. */
    label: RecordingLabelSchema.optional(),
    sourceRateHz: z.number().int().positive().optional(),
  })
  .strict();
export type ImportMatFileInput = z.input<typeof ImportFileInputSchema>;

const FailureSchema = z.object({ datasetId: SlugSchema, file: ImportFileNameSchema, reason: z.string().max(4000) }).strict();
const FinalizeSchema = z
  .object({
    datasetId: SlugSchema,
    status: z.enum(['COMPLETED', 'STOPPED']),
    counts: z
      .object({ files: z.number().int(), imported: z.number().int(), reused: z.number().int(), duplicates: z.number().int(), failed: z.number().int() })
      .strict(),
    failures: z.array(z.object({ file: z.string(), reason: z.string() }).strict()).max(100),
  })
  .strict();
const EndedSchema = z.object({ datasetId: SlugSchema, status: z.enum(['FAILED', 'CANCELLED']), error: z.string().max(4000).optional() }).strict();

export interface RegisteredImport {
  files: ResolvedImportFile[];
  classes: string[];
}

// ---------------------------------------------------------------------------------------------

function badFile(file: string, reason: string, type: string = ERROR_TYPES.invalidInput): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`${file}: ${reason}`, type);
}

/** The recording's conditions from the label map entry or the CWRU name, or a reason why not. */
function recordingConditions(name: string, label: RecordingLabel | undefined, sourceRateHz: number | undefined) {
  const cwru = parseCwruName(name);
  if (!label && !cwru) {
    throw badFile(
      name,
      'the name does not follow the CWRU convention (e.g. 12k_Drive_End_IR014_0_169.mat, normal_0_97.mat); give its labels in a map (--labels map.json)',
    );
  }
  const rate = sourceRateHz ?? label?.samplingRateHz ?? cwru?.samplingRateHz;
  if (rate === undefined) throw badFile(name, 'no sampling rate: the name does not carry one and none was given (--rate or samplingRateHz in the label map)');
  return {
    faultType: label?.faultType ?? cwru!.faultType,
    faultSizeIn: label ? label.faultSizeIn : cwru!.faultSizeIn,
    loadHp: label?.loadHp ?? cwru?.loadHp ?? null,
    rpm: label?.rpm,
    recordingId: cwru?.recordingId,
    sourceRateHz: rate,
  };
}

/**
 * Importing MAT-files. registerImport (control queue) checks every path and size before
 * anything is read; importMatFile (CPU queue) imports one file: read, pick the channel, resample
 * to the dataset's rate, cut into signals, store. Its rows are keyed by the file's content hash,
 * so a retry or a second import of the same bytes writes nothing new.
 */
export function createImportActivities(deps: ActivityDeps) {
  const { db, notifier, artifacts, config } = deps;
  const limits = { root: config.imports.root, maxBytes: config.imports.maxFileBytes, artifacts };
  return {
    async registerImport(raw: RegisterImportInput): Promise<RegisteredImport> {
      const input = validateActivityInput(RegisterImportSchema, raw, 'registerImport input');
      let files: ResolvedImportFile[];
      try {
        files = await resolveImportFiles({ ...limits, dir: input.root, files: input.files, glob: input.glob });
      } catch (e) {
        if (e instanceof ImportPathError)
          throw ApplicationFailure.nonRetryable(`import files refused: ${e.message}`, e.kind === 'missing' ? ERROR_TYPES.notFound : ERROR_TYPES.invalidInput);
        throw e;
      }
      const existing = await getDataset(db, input.datasetId);
      if (existing && existing.source !== 'mat') throw invalidState(`dataset "${input.datasetId}" exists and is ${existing.source}, not an import`);
      await upsertDataset(
        db,
        {
          id: input.datasetId,
          name: input.name,
          source: 'mat',
          config: input.config,
          status: 'GENERATING',
          samplingRateHz: input.samplingRateHz,
          signalLength: input.signalLength,
          workflowId: input.workflowId,
        },
        { reopen: true },
      );
      const scheme = (input.config.scheme as (typeof CLASS_SCHEMES)[number] | undefined) ?? 'fault-type';
      return { files, classes: schemeClasses(scheme) };
    },

    async importMatFile(raw: ImportMatFileInput): Promise<ImportFileResult> {
      const input = validateActivityInput(ImportFileInputSchema, raw, 'importMatFile input');
      const { file, datasetId } = input;
      const ctx = Context.current();
      let bytes: Uint8Array;
      try {
        bytes = await readImportFile(file, limits);
      } catch (e) {
        if (e instanceof ImportPathError) throw badFile(file.name, e.reason, e.kind === 'missing' ? ERROR_TYPES.notFound : ERROR_TYPES.invalidInput);
        throw e;
      }
      const contentHash = sha256Hex(bytes);
      const cond = recordingConditions(file.name, input.label, input.sourceRateHz);
      // Decoded off this event loop (ml/mat/decode-process.ts); heartbeats go on meanwhile.
      ctx.heartbeat({ file: file.name, phase: 'decoding' });
      const beat = setInterval(() => ctx.heartbeat({ file: file.name, phase: 'decoding' }), DECODE_HEARTBEAT_MS);
      let decoded;
      try {
        decoded = await decodeRecordingInChild(
          { bytes, channel: input.channel, recordingId: cond.recordingId, sourceRateHz: cond.sourceRateHz, targetRateHz: input.samplingRateHz },
          { signal: ctx.cancellationSignal },
        );
      } catch (e) {
        if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason ?? e;
        // A crashed decoder may be the machine (memory pressure), so it is retried; the file is named.
        if (e instanceof DecodeProcessError) throw new Error(`${file.name}: ${e.message}`);
        throw e;
      } finally {
        clearInterval(beat);
      }
      if (!decoded.ok) throw badFile(file.name, decoded.message, decoded.kind === 'format' ? ERROR_TYPES.invalidMatFile : ERROR_TYPES.invalidInput);
      const rpm = decoded.rpm ?? cond.rpm;
      if (rpm === undefined) throw badFile(file.name, 'no X<id>RPM variable in the file and no rpm in the label map');
      const samples = decoded.samples;
      const segments = Math.floor(samples.length / input.signalLength);
      if (segments === 0) {
        throw badFile(
          file.name,
          `${decoded.variable} has ${samples.length} samples at ${input.samplingRateHz} Hz, fewer than one signal of ${input.signalLength}`,
        );
      }
      const label = classLabel(input.scheme, cond.faultType, cond.faultSizeIn);
      const facts: FileFacts = {
        contentHash,
        source: file.source,
        bytes: bytes.byteLength,
        label,
        faultType: cond.faultType,
        faultSizeIn: cond.faultSizeIn,
        loadHp: cond.loadHp,
        rpm,
        channel: input.channel,
        variable: decoded.variable,
        sourceRateHz: cond.sourceRateHz,
        sourceSamples: decoded.sourceSamples,
        segments,
      };
      const claim = await claimDatasetFile(db, datasetId, file.name, facts);
      const base = { file: file.name, contentHash, label };
      if (claim.kind === 'imported') return { ...base, outcome: 'reused', signals: claim.row.segments ?? 0 };
      if (claim.kind === 'duplicate') return { ...base, outcome: 'duplicate', signals: 0, duplicateOf: claim.of };
      if (claim.kind === 'conflict')
        throw badFile(file.name, `was imported into ${datasetId} before with other content (sha256 ${claim.row.contentHash})`, ERROR_TYPES.invalidState);
      const firstIdx = claim.row.firstIdx!;
      const rows: SignalInput[] = [];
      for (let k = 0; k < segments; k++) {
        const seg = samples.subarray(k * input.signalLength, (k + 1) * input.signalLength);
        const stored = await artifacts.put(encodeFloat32(seg), { kind: 'signal', mediaType: 'application/x-float32le' });
        await registerArtifact(db, { uri: stored.uri, sha256: stored.sha256, kind: 'signal', mediaType: 'application/x-float32le', bytes: stored.bytes });
        rows.push({
          idx: firstIdx + k,
          label,
          severityIn: cond.faultSizeIn,
          loadHp: cond.loadHp,
          shaftHz: rpm / 60,
          artifactUri: stored.uri,
          length: seg.length,
          samplingRateHz: input.samplingRateHz,
          rms: rms(seg),
          kurtosis: kurtosis(seg),
          faultType: cond.faultType,
          sourceFile: file.name,
          fileHash: contentHash,
          channel: input.channel,
          rpm,
          offsetSamples: k * input.signalLength,
        });
        ctx.heartbeat({ file: file.name, segment: k });
        if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
      }
      await upsertSignals(db, datasetId, rows);
      await markDatasetFileImported(db, datasetId, file.name);
      return { ...base, outcome: 'imported', signals: segments };
    },

    async recordImportFailure(raw: z.input<typeof FailureSchema>): Promise<void> {
      const input = validateActivityInput(FailureSchema, raw, 'recordImportFailure input');
      await recordDatasetFileFailure(db, input.datasetId, input.file, input.reason);
    },

    async finalizeImport(
      raw: z.input<typeof FinalizeSchema>,
    ): Promise<Omit<ImportMatDatasetResult, 'status' | 'files' | 'imported' | 'reused' | 'duplicates' | 'failed' | 'failures'>> {
      const input = validateActivityInput(FinalizeSchema, raw, 'finalizeImport input');
      const dataset = await getDataset(db, input.datasetId);
      if (!dataset) throw invalidState(`dataset "${input.datasetId}" vanished during its import`);
      const numSignals = await countSignals(db, input.datasetId);
      if (numSignals === 0)
        throw invalidState(`import into "${input.datasetId}" produced no signals (${input.counts.failed} of ${input.counts.files} files failed)`);
      const counts = await classCounts(db, input.datasetId);
      await setDatasetStatus(db, input.datasetId, 'READY', { numSignals, classCounts: counts });
      const scheme = (dataset.config.scheme as (typeof CLASS_SCHEMES)[number] | undefined) ?? 'fault-type';
      const fileCounts = await countDatasetFiles(db, input.datasetId);
      await notifier.notify({
        eventType: 'IMPORT_COMPLETED',
        entityKind: 'dataset',
        entityId: input.datasetId,
        title: `Import ${input.datasetId} ${input.status === 'STOPPED' ? 'stopped' : 'completed'}`,
        message: `${numSignals} signals from ${fileCounts.IMPORTED ?? 0} files; ${input.counts.failed} failed${input.failures[0] ? ` (first: ${input.failures[0].file}: ${input.failures[0].reason})` : ''}`,
        details: { ...input.counts, numSignals, classCounts: counts },
      });
      return {
        datasetId: input.datasetId,
        numSignals,
        classCounts: counts,
        classes: schemeClasses(scheme).filter((c) => counts[c] !== undefined),
        samplingRateHz: dataset.samplingRateHz ?? 0,
        signalLength: dataset.signalLength ?? 0,
      };
    },

    async markImportEnded(raw: z.input<typeof EndedSchema>): Promise<void> {
      const input = validateActivityInput(EndedSchema, raw, 'markImportEnded input');
      const row = await setDatasetStatus(db, input.datasetId, input.status, { error: input.error ?? null });
      if (!row) return; // never registered (refused before anything started)
      await notifier.notify({
        eventType: input.status === 'FAILED' ? 'IMPORT_FAILED' : 'IMPORT_CANCELLED',
        entityKind: 'dataset',
        entityId: input.datasetId,
        title: `Import ${input.datasetId} ${input.status === 'FAILED' ? 'failed' : 'cancelled'}`,
        message: input.error ?? input.status,
      });
    },
  };
}
export type ImportActivities = ReturnType<typeof createImportActivities>;
