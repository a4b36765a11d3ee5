import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import {
  AnalyzeFeatureSetActivityInputSchema,
  FeatureAnalysisEndedInputSchema,
  type AnalyzeFeatureSetActivityInput,
  type FeatureAnalysisEndedInput,
  type FeatureAnalysisOptions,
  type FeatureAnalysisResult,
  CWRU_SPEED_BY_LOAD_RPM,
  ERROR_TYPES,
  ExtractFeatureChunkInputSchema,
  FEATURE_SET_VERSION,
  FeatureChunkHeartbeatSchema,
  FeatureIndexSchema,
  FeatureSetEndedInputSchema,
  FinishFeatureSetInputSchema,
  RegisterFeatureSetInputSchema,
  type ExtractFeatureChunkInput,
  type ExtractFeaturesResult,
  type FeatureChunkHeartbeat,
  type FeatureChunkRef,
  type FeatureIndex,
  type FeatureSetEndedInput,
  type FeatureWindow,
  type FinishFeatureSetInput,
  type RegisteredFeatureSet,
  type RegisterFeatureSetInput,
  type SplitSpec,
  TrainHyperparametersSchema,
} from '../contracts/index.js';
import { decodeFloat32, encodeFloat32, encodeJson, getJson } from '../artifacts/codecs.js';
import { registerArtifact } from '../db/repos/artifacts.js';
import { countSignals, getDataset, listSignals } from '../db/repos/datasets.js';
import { getExperiment } from '../db/repos/experiments.js';
import {
  getFeatureAnalysis,
  getFeatureSet,
  setFeatureAnalysisStatus,
  setFeatureSetStatus,
  upsertFeatureAnalysis,
  upsertFeatureSet,
  type FeatureSetRow,
} from '../db/repos/features.js';
import type { SignalRow } from '../db/schema.js';
import { splitSignals } from '../ml/data/split.js';
import { windowStarts } from '../ml/data/windows.js';
import type { BaselineJob } from '../ml/features/analysis/job.js';
import { featureCatalog } from '../ml/features/index.js';
import type { FeatureJob, FeatureJobSignal } from '../ml/features/job.js';
import type { XaiProcessPool } from '../ml/xai/pool.js';
import type { ActivityDeps } from './deps.js';
import { splitSignalOf } from './lib/eval-data.js';
import { invalidState, notFound, validateActivityInput } from './lib/failures.js';
import { createXaiPool } from './xai/pool.js';

const HEARTBEAT_MS = 2_000;
/** Signals per child-process job: each finished job is one artifact in the heartbeat, so a retry redoes at most one job per process. */
const SIGNALS_PER_JOB = 4;

const invalidInput = (message: string) => ApplicationFailure.nonRetryable(message, ERROR_TYPES.invalidInput);

/**
 * The shaft speed features are located at: the recording's rpm (imported data), else the
 * signal's own shaft speed (simulated data), else the CWRU rig's nominal speed at its load.
 */
export function shaftHzOf(row: Pick<SignalRow, 'rpm' | 'shaftHz' | 'loadHp'>): number | null {
  if (row.rpm !== null && row.rpm > 0) return row.rpm / 60;
  if (row.shaftHz !== null && row.shaftHz > 0) return row.shaftHz;
  const nominal = row.loadHp !== null ? CWRU_SPEED_BY_LOAD_RPM[row.loadHp] : undefined;
  return nominal !== undefined ? nominal / 60 : null;
}

function startsOf(row: SignalRow, window: FeatureWindow): number[] {
  if (window.length === null) return [0];
  return windowStarts(row.length, { windowLength: window.length, windowHop: window.hop ?? window.length, maxWindowsPerSignal: window.maxPerSignal });
}

function resultOf(row: FeatureSetRow, signals: number, computed: boolean): ExtractFeaturesResult | null {
  if (row.status !== 'COMPLETED' || !row.matrixUri || !row.indexUri || !row.catalogUri || row.numRows === null || !row.featureNames) return null;
  return {
    featureSetId: row.id,
    datasetId: row.datasetId,
    version: row.version,
    rows: row.numRows,
    signals,
    columns: row.featureNames.length,
    featureNames: row.featureNames,
    matrixUri: row.matrixUri,
    indexUri: row.indexUri,
    catalogUri: row.catalogUri,
    computed,
  };
}

/**
 * Feature extraction. Registration and the end-of-run bookkeeping run on the control queue;
 * chunks and the final assembly on the CPU queue. A chunk's signals are featurised in the XAI
 * child processes (off this event loop, which keeps heartbeating, and on every core), a few
 * signals per job; each finished job is stored and named in the heartbeat, so a retry after a
 * crash computes only the jobs that were not finished.
 */
export function createFeatureActivities(deps: ActivityDeps) {
  const { db, artifacts, notifier } = deps;
  let pool: XaiProcessPool | undefined = deps.xaiPool;
  const getPool = (): XaiProcessPool => (pool ??= createXaiPool(deps.config));

  async function store(bytes: Uint8Array, kind: string, mediaType: string): Promise<string> {
    const s = await artifacts.put(bytes, { kind, mediaType });
    await registerArtifact(db, { ...s, kind, mediaType });
    return s.uri;
  }

  async function present(row: FeatureSetRow): Promise<boolean> {
    const uris = [row.matrixUri, row.indexUri, row.catalogUri];
    for (const uri of uris) if (!uri || !(await artifacts.has(uri))) return false;
    return true;
  }

  return {
    /** Check the dataset, and return the stored set when this exact one was completed before. */
    async registerFeatureSet(raw: RegisterFeatureSetInput): Promise<RegisteredFeatureSet> {
      const input = validateActivityInput(RegisterFeatureSetInputSchema, raw, 'registerFeatureSet input');
      const dataset = await getDataset(db, input.datasetId);
      if (!dataset) throw notFound(`datasetId "${input.datasetId}" does not exist`);
      if (dataset.status !== 'READY') throw invalidState(`dataset "${input.datasetId}" is ${dataset.status}, not READY`);
      const signals = await countSignals(db, input.datasetId);
      if (signals === 0) throw invalidInput(`datasetId: dataset "${input.datasetId}" has no signals`);
      const columns = featureCatalog(input.settings).length;
      const existing = await getFeatureSet(db, input.featureSetId);
      if (existing && existing.status === 'COMPLETED' && (await present(existing))) {
        const ix = FeatureIndexSchema.parse(await getJson(artifacts, existing.indexUri!));
        return { signals, columns, existing: resultOf(existing, new Set(ix.signalIdx).size, false) };
      }
      await upsertFeatureSet(db, {
        id: input.featureSetId,
        datasetId: input.datasetId,
        version: FEATURE_SET_VERSION,
        settings: { settings: input.settings, window: input.window },
        workflowId: input.workflowId,
      });
      return { signals, columns, existing: null };
    },

    /** Features of signals [start, start + count): a chunk matrix and its row index, as artifacts. */
    async extractFeatureChunk(raw: ExtractFeatureChunkInput): Promise<FeatureChunkRef> {
      const input = validateActivityInput(ExtractFeatureChunkInputSchema, raw, 'extractFeatureChunk input');
      const ctx = Context.current();
      const rows = await listSignals(db, input.datasetId, { offset: input.start, limit: input.count });
      if (rows.length === 0) throw notFound(`dataset "${input.datasetId}" has no signals from index ${input.start}`);
      const needsShaft = input.settings.domains.includes('envelope');
      const signals: (FeatureJobSignal & { row: SignalRow })[] = [];
      for (const row of rows) {
        const shaftHz = shaftHzOf(row);
        if (needsShaft && shaftHz === null) {
          throw invalidInput(`signal ${input.datasetId}:${row.idx} has no rpm, shaft speed or CWRU load: the envelope features need its shaft speed`);
        }
        const starts = startsOf(row, input.window);
        // A signal shorter than one window has no rows (recorded as zero rows, not an error).
        if (starts.length > 0) signals.push({ row, uri: row.artifactUri, samplingRateHz: row.samplingRateHz, shaftHz: shaftHz ?? 1, starts });
      }
      const columns = featureCatalog(input.settings).length;
      const jobs: { from: number; to: number; rows: number }[] = [];
      for (let from = 0; from < signals.length; from += SIGNALS_PER_JOB) {
        const to = Math.min(signals.length, from + SIGNALS_PER_JOB);
        jobs.push({ from, to, rows: signals.slice(from, to).reduce((n, s) => n + s.starts.length, 0) });
      }
      const parts: FeatureChunkHeartbeat['parts'] = [];
      const hb = FeatureChunkHeartbeatSchema.safeParse(ctx.info.heartbeatDetails);
      if (
        hb.success &&
        hb.data.featureSetId === input.featureSetId &&
        hb.data.start === input.start &&
        hb.data.count === input.count &&
        hb.data.jobSize === SIGNALS_PER_JOB
      ) {
        for (const p of hb.data.parts) if (p.job < jobs.length && p.rows === jobs[p.job].rows && (await artifacts.has(p.uri))) parts.push(p);
        if (parts.length > 0) ctx.log.info('resuming feature extraction from the last heartbeat', { jobsDone: parts.length, jobs: jobs.length });
      }
      const heartbeat = (): FeatureChunkHeartbeat => ({
        featureSetId: input.featureSetId,
        start: input.start,
        count: input.count,
        jobSize: SIGNALS_PER_JOB,
        parts,
      });
      const beat = setInterval(() => ctx.heartbeat(heartbeat()), HEARTBEAT_MS);
      ctx.heartbeat(heartbeat());
      const finished = new Set(parts.map((p) => p.job));
      const todo = jobs.map((_, j) => j).filter((j) => !finished.has(j));
      try {
        const p = getPool();
        let next = 0;
        const lane = async () => {
          while (next < todo.length) {
            const j = todo[next++];
            const job: FeatureJob = {
              settings: input.settings,
              windowLength: input.window.length,
              signals: signals.slice(jobs[j].from, jobs[j].to).map(({ uri, samplingRateHz, shaftHz, starts }) => ({ uri, samplingRateHz, shaftHz, starts })),
            };
            const matrix = await p.features(job, { signal: ctx.cancellationSignal });
            if (matrix.length !== jobs[j].rows * columns)
              throw new Error(`feature job ${j} returned ${matrix.length} values for ${jobs[j].rows} rows × ${columns} columns`);
            // Content-addressed: a job computed again writes the same part, never a second one.
            const part = await artifacts.put(encodeFloat32(matrix), { kind: 'feature-part', mediaType: 'application/x-float32le' });
            parts.push({ job: j, uri: part.uri, rows: jobs[j].rows });
          }
        };
        await Promise.all(Array.from({ length: Math.min(p.size, todo.length) }, lane));
      } catch (err) {
        if (ctx.cancellationSignal.aborted) throw new CancelledFailure('feature extraction cancelled');
        const e = err as Error & { code?: string };
        if (e.name === 'FeatureInputError') throw invalidInput(`dataset "${input.datasetId}": ${e.message}`);
        if (e.code === 'ARTIFACT_NOT_FOUND') throw notFound(`dataset "${input.datasetId}": ${e.message}`);
        throw err;
      } finally {
        clearInterval(beat);
      }
      const total = jobs.reduce((n, j) => n + j.rows, 0);
      const matrix = new Float32Array(total * columns);
      let offset = 0;
      const byJob = new Map(parts.map((p) => [p.job, p.uri]));
      for (let j = 0; j < jobs.length; j++) {
        const uri = byJob.get(j)!;
        matrix.set(decodeFloat32(await artifacts.get(uri), uri), offset * columns);
        offset += jobs[j].rows;
      }
      const index: FeatureIndex = {
        featureSetId: input.featureSetId,
        datasetId: input.datasetId,
        windowLength: input.window.length,
        signalIdx: signals.flatMap((s) => s.starts.map(() => s.row.idx)),
        windowStart: signals.flatMap((s) => s.starts),
        labels: signals.flatMap((s) => s.starts.map(() => s.row.label)),
      };
      const [m, ix] = await Promise.all([
        artifacts.put(encodeFloat32(matrix), { kind: 'feature-chunk', mediaType: 'application/x-float32le' }),
        artifacts.put(encodeJson(index), { kind: 'feature-chunk-index', mediaType: 'application/json' }),
      ]);
      return { start: input.start, count: input.count, rows: total, matrixUri: m.uri, indexUri: ix.uri };
    },

    /** Concatenate the chunks in signal order into the set's matrix, index and catalog; the row and the notification. */
    async finishFeatureSet(raw: FinishFeatureSetInput): Promise<ExtractFeaturesResult> {
      const input = validateActivityInput(FinishFeatureSetInputSchema, raw, 'finishFeatureSet input');
      const row = await getFeatureSet(db, input.featureSetId);
      if (!row) throw notFound(`feature set "${input.featureSetId}" does not exist`);
      const { settings } = row.settings as { settings: Parameters<typeof featureCatalog>[0] };
      const catalog = featureCatalog(settings);
      const columns = catalog.length;
      const chunks = [...input.chunks].sort((a, b) => a.start - b.start);
      const rows = chunks.reduce((n, c) => n + c.rows, 0);
      if (rows === 0) throw invalidInput(`window: no signal of dataset "${row.datasetId}" is at least one window long`);
      const matrix = new Float32Array(rows * columns);
      const index: FeatureIndex = { featureSetId: row.id, datasetId: row.datasetId, windowLength: null, signalIdx: [], windowStart: [], labels: [] };
      let offset = 0;
      for (const c of chunks) {
        const part = decodeFloat32(await artifacts.get(c.matrixUri), c.matrixUri);
        if (part.length !== c.rows * columns) throw invalidState(`chunk at ${c.start} has ${part.length} values for ${c.rows} rows × ${columns} columns`);
        matrix.set(part, offset * columns);
        offset += c.rows;
        const ix = FeatureIndexSchema.parse(await getJson(artifacts, c.indexUri));
        index.windowLength = ix.windowLength;
        index.signalIdx.push(...ix.signalIdx);
        index.windowStart.push(...ix.windowStart);
        index.labels.push(...ix.labels);
      }
      const [matrixUri, indexUri, catalogUri] = await Promise.all([
        store(encodeFloat32(matrix), 'feature-matrix', 'application/x-float32le'),
        store(encodeJson(index), 'feature-index', 'application/json'),
        store(encodeJson(catalog), 'feature-catalog', 'application/json'),
      ]);
      const featureNames = catalog.map((d) => d.name);
      const updated = await setFeatureSetStatus(db, row.id, 'COMPLETED', {
        numRows: rows,
        numFeatures: columns,
        featureNames,
        matrixUri,
        indexUri,
        catalogUri,
        rowsPerSec: input.seconds > 0 ? rows / input.seconds : null,
      });
      if (!updated) throw invalidState(`feature set "${row.id}" is ${row.status}: it cannot be completed`);
      const signals = new Set(index.signalIdx).size;
      await notifier.notify({
        eventType: 'FEATURES_EXTRACTED',
        entityKind: 'feature-set',
        entityId: row.id,
        title: `Features of ${row.datasetId} extracted`,
        message: `${rows} rows × ${columns} features from ${signals} signals`,
        details: { datasetId: row.datasetId, rows, columns, matrixUri },
      });
      return resultOf(updated, signals, true)!;
    },

    async markFeatureSetEnded(raw: FeatureSetEndedInput): Promise<void> {
      const input = validateActivityInput(FeatureSetEndedInputSchema, raw, 'markFeatureSetEnded input');
      const row = await setFeatureSetStatus(db, input.featureSetId, input.status, { error: input.error ?? null });
      if (!row) return; // refused before registration: no row to mark
      // A stop is a cancellation the user asked to end gently: the same event, its own title.
      await notifier.notify({
        eventType: input.status === 'FAILED' ? 'FEATURES_FAILED' : 'FEATURES_CANCELLED',
        entityKind: 'feature-set',
        entityId: input.featureSetId,
        title: `Feature extraction ${input.featureSetId} ${input.status === 'FAILED' ? 'failed' : input.status === 'STOPPED' ? 'stopped' : 'cancelled'}`,
        message: input.error ?? input.status,
      });
    },
  };
}
export type FeatureActivities = ReturnType<typeof createFeatureActivities>;

/**
 * Analyses of a stored feature set (importance, selection, correlation). The arithmetic — forests
 * fitted per repeat and per fold — runs in an XAI child process while this activity heartbeats;
 * a completed analysis of the same id is returned as stored.
 */
export function createFeatureAnalysisActivities(deps: ActivityDeps) {
  const { db, artifacts, notifier } = deps;
  let pool: XaiProcessPool | undefined = deps.xaiPool;
  const getPool = (): XaiProcessPool => (pool ??= createXaiPool(deps.config));

  async function store(bytes: Uint8Array, kind: string, mediaType: string): Promise<string> {
    const s = await artifacts.put(bytes, { kind, mediaType });
    await registerArtifact(db, { ...s, kind, mediaType });
    return s.uri;
  }

  /** One line naming a split rule, for the summary and the picture. */
  function ruleOf(split: SplitSpec | undefined, hp: { validationFraction: number; testFraction: number; seed: number }): string {
    const kind = split?.kind ?? 'signal';
    const extra = split?.kind === 'condition' ? ` hold out ${JSON.stringify(split.holdOut)}` : split && 'gapSignals' in split ? ` gap ${split.gapSignals}` : '';
    return `${kind}${extra}, validation ${hp.validationFraction}, test ${split?.kind === 'condition' ? 'held out' : hp.testFraction}, seed ${hp.seed}`;
  }

  /**
   * Mode `baseline`: the split and the columns, resolved from the database. The split is the one
   * the trainer computes — the experiment's stored hyperparameters through the contract's schema
   * (the trainer's defaults filled in) and splitSignals over the dataset's signals read with
   * splitSignalOf, the mapping the training and evaluation activities use — so the forest's
   * training and test signals are the CNN's.
   */
  async function resolveBaseline(set: FeatureSetRow, options: FeatureAnalysisOptions): Promise<BaselineJob> {
    const b = options?.baseline ?? {};
    let hpRaw: unknown = { split: b.split, validationFraction: b.validationFraction, testFraction: b.testFraction, seed: b.splitSeed };
    let cnn: BaselineJob['cnn'] = null;
    if (b.experimentId !== undefined) {
      const exp = await getExperiment(db, b.experimentId);
      if (!exp) throw notFound(`options.baseline.experimentId: experiment "${b.experimentId}" does not exist`);
      if (exp.datasetId !== set.datasetId) {
        throw invalidInput(
          `options.baseline.experimentId: experiment "${b.experimentId}" was trained on dataset "${exp.datasetId}", feature set "${set.id}" is of "${set.datasetId}": extract the features of "${exp.datasetId}"`,
        );
      }
      hpRaw = exp.hyperparameters;
      if (exp.status === 'COMPLETED')
        cnn = { testAccuracy: exp.testAccuracy, bestValAccuracy: exp.bestValAccuracy, confusionMatrix: exp.confusionMatrix, classes: exp.classes };
    }
    const hp = TrainHyperparametersSchema.safeParse(hpRaw);
    if (!hp.success) {
      const issue = hp.error.issues[0];
      const where = b.experimentId !== undefined ? `experiment "${b.experimentId}": its stored hyperparameters` : 'options.baseline';
      throw (b.experimentId !== undefined ? invalidState : invalidInput)(`${where}: ${issue?.path.join('.')}: ${issue?.message}`);
    }
    const rows = await listSignals(db, set.datasetId);
    let split;
    try {
      split = splitSignals(rows.map(splitSignalOf), hp.data);
    } catch (err) {
      if (err instanceof Error && err.name === 'SplitError')
        throw invalidInput(`options.baseline: dataset "${set.datasetId}" cannot be split so: ${err.message}`);
      throw err;
    }
    const names = set.featureNames ?? [];
    let wanted: string[] | null = b.features ?? null;
    if (b.selectionId !== undefined) {
      const sel = await getFeatureAnalysis(db, b.selectionId);
      if (!sel) throw notFound(`options.baseline.selectionId: analysis "${b.selectionId}" does not exist`);
      if (sel.mode !== 'select' || sel.status !== 'COMPLETED' || !sel.features)
        throw invalidState(`options.baseline.selectionId: analysis "${b.selectionId}" is a ${sel.status} ${sel.mode} analysis, not a COMPLETED select`);
      if (sel.featureSetId !== set.id)
        throw invalidInput(`options.baseline.selectionId: analysis "${b.selectionId}" selected from feature set "${sel.featureSetId}", not "${set.id}"`);
      wanted = sel.features;
    }
    let columns: number[] | null = null;
    if (wanted) {
      const unknown = wanted.filter((f) => !names.includes(f));
      if (unknown.length > 0)
        throw invalidInput(`options.baseline.features: ${unknown.map((f) => `"${f}"`).join(', ')} not in feature set "${set.id}" (${names.join(', ')})`);
      columns = wanted.map((f) => names.indexOf(f));
    }
    return {
      split,
      columns,
      ...(b.mrmrK !== undefined ? { mrmrK: b.mrmrK } : {}),
      source: { experimentId: b.experimentId ?? null, rule: ruleOf(hp.data.split, hp.data) },
      cnn,
    };
  }

  return {
    async analyzeFeatureSet(raw: AnalyzeFeatureSetActivityInput): Promise<FeatureAnalysisResult> {
      const input = validateActivityInput(AnalyzeFeatureSetActivityInputSchema, raw, 'analyzeFeatureSet input');
      const ctx = Context.current();
      const set = await getFeatureSet(db, input.featureSetId);
      if (!set) throw notFound(`featureSetId "${input.featureSetId}" does not exist: extract it first (faultline features extract)`);
      if (set.status !== 'COMPLETED' || !set.matrixUri || !set.indexUri || !set.featureNames) {
        throw invalidState(`feature set "${input.featureSetId}" is ${set.status}, not COMPLETED`);
      }
      const done = await getFeatureAnalysis(db, input.analysisId);
      if (done?.status === 'COMPLETED' && done.resultUri && done.pictureUri && (await artifacts.has(done.resultUri))) {
        return {
          analysisId: done.id,
          featureSetId: set.id,
          datasetId: set.datasetId,
          mode: done.mode,
          summary: (done.summary ?? {}) as FeatureAnalysisResult['summary'],
          features: done.features ?? [],
          resultUri: done.resultUri,
          pictureUri: done.pictureUri,
        };
      }
      // Resolved before the row is written: a baseline with a bad experiment, selection or split fails with no row to clean up.
      const baseline = input.mode === 'baseline' ? await resolveBaseline(set, input.options) : undefined;
      await upsertFeatureAnalysis(db, { id: input.analysisId, featureSetId: set.id, mode: input.mode, options: input.options, workflowId: input.workflowId });
      const beat = setInterval(() => ctx.heartbeat({ analysing: input.mode }), HEARTBEAT_MS);
      ctx.heartbeat({ analysing: input.mode });
      let outcome;
      try {
        outcome = await getPool().analyzeFeatures(
          {
            mode: input.mode,
            options: input.options,
            title: `${input.mode}: ${set.datasetId}`,
            names: set.featureNames,
            matrixUri: set.matrixUri,
            indexUri: set.indexUri,
            ...(baseline ? { baseline } : {}),
          },
          { signal: ctx.cancellationSignal },
        );
      } catch (err) {
        if (ctx.cancellationSignal.aborted) throw new CancelledFailure('feature analysis cancelled');
        const e = err as Error;
        if (e.name === 'FeatureAnalysisInputError' || e.name === 'RangeError') throw invalidInput(`feature set "${set.id}": ${e.message}`);
        throw err;
      } finally {
        clearInterval(beat);
      }
      const [resultUri, pictureUri] = await Promise.all([
        store(
          encodeJson({ analysisId: input.analysisId, featureSetId: set.id, mode: input.mode, options: input.options, ...(outcome.result as object) }),
          'feature-analysis',
          'application/json',
        ),
        store(new TextEncoder().encode(outcome.svg), 'feature-analysis-picture', 'image/svg+xml'),
      ]);
      const row = await setFeatureAnalysisStatus(db, input.analysisId, 'COMPLETED', {
        summary: outcome.summary,
        features: outcome.features,
        resultUri,
        pictureUri,
      });
      if (!row) throw invalidState(`feature analysis "${input.analysisId}" cannot be completed`);
      await notifier.notify({
        eventType: 'FEATURE_ANALYSIS_COMPLETED',
        entityKind: 'feature-analysis',
        entityId: input.analysisId,
        title: `Feature ${input.mode} of ${set.datasetId} completed`,
        message: Object.entries(outcome.summary)
          .map(([k, v]) => `${k} ${typeof v === 'number' ? v.toFixed(4) : String(v)}`)
          .join(', '),
        details: { ...outcome.summary, pictureUri },
      });
      return {
        analysisId: input.analysisId,
        featureSetId: set.id,
        datasetId: set.datasetId,
        mode: input.mode,
        summary: outcome.summary,
        features: outcome.features,
        resultUri,
        pictureUri,
      };
    },

    async markFeatureAnalysisEnded(raw: FeatureAnalysisEndedInput): Promise<void> {
      const input = validateActivityInput(FeatureAnalysisEndedInputSchema, raw, 'markFeatureAnalysisEnded input');
      const row = await setFeatureAnalysisStatus(db, input.analysisId, input.status, { error: input.error ?? null });
      if (!row) return;
      await notifier.notify({
        eventType: input.status === 'FAILED' ? 'FEATURE_ANALYSIS_FAILED' : 'FEATURE_ANALYSIS_CANCELLED',
        entityKind: 'feature-analysis',
        entityId: input.analysisId,
        title: `Feature analysis ${input.analysisId} ${input.status === 'FAILED' ? 'failed' : input.status === 'STOPPED' ? 'stopped' : 'cancelled'}`,
        message: input.error ?? input.status,
      });
    },
  };
}
export type FeatureAnalysisActivities = ReturnType<typeof createFeatureAnalysisActivities>;
