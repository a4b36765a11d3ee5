import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import {
  AnalyzeComparisonInputSchema,
  AnalyzeErrorsInputSchema,
  AnalyzeRocInputSchema,
  ERROR_TYPES,
  EvaluationEndedInputSchema,
  FinishEvaluationInputSchema,
  PredictHeartbeatSchema,
  PredictSplitInputSchema,
  RegisterEvaluationInputSchema,
  TrainHyperparametersSchema,
  type AnalyzeComparisonInput,
  type AnalyzeErrorsInput,
  type AnalyzeRocInput,
  type CompareExperimentsResult,
  type EvalSplit,
  type EvaluateErrorsResult,
  type EvaluateRocResult,
  type EvaluationEndedInput,
  type FinishEvaluationInput,
  type PredictHeartbeat,
  type PredictionsRef,
  type PredictSplitInput,
  type RegisteredEvaluation,
  type RegisterEvaluationInput,
} from '../contracts/index.js';
import { decodeFloat32, encodeFloat32, encodeJson, getJson } from '../artifacts/codecs.js';
import { registerArtifact } from '../db/repos/artifacts.js';
import { getDataset, listSignals } from '../db/repos/datasets.js';
import {
  getPredictions,
  listCompletedEvaluationsOf,
  setEvaluationStatus,
  setExperimentReport,
  upsertEvaluation,
  upsertPredictions,
  xaiPicturesFor,
} from '../db/repos/evaluations.js';
import { getExperiment, listEpochs } from '../db/repos/experiments.js';
import { getModel } from '../db/repos/models.js';
import type { DatasetRow, ExperimentRow, SignalRow } from '../db/schema.js';
import { compareModels, renderComparisonSvg, renderErrorsSvg, renderExperimentPage, renderRocSvg, type PageEvaluation, type Scores } from '../ml/eval/index.js';
import type { AnalysisJob, AnalysisOutcome } from '../ml/eval/jobs.js';
import type { XaiProcessPool } from '../ml/xai/pool.js';
import { createXaiPool } from './xai/pool.js';
import type { ActivityDeps } from './deps.js';
import { buildIndex, PredictionIndexSchema, selectSplit, type PredictionIndex, type SplitSettings } from './lib/eval-data.js';
import { invalidState, notFound, validateActivityInput } from './lib/failures.js';
import { inferenceVersion } from './lib/inference-version.js';
import { recordingGroups, RecordingScales, type RecordingScale } from './lib/recording-scale.js';

const HEARTBEAT_MS = 2_000;
/**
 * Signals per child-process job: big enough to amortise IPC, small enough to heartbeat progress;
 * and at most MAX_PARTS jobs, since each finished job is one artifact URI in the heartbeat.
 */
const SIGNALS_PER_JOB = 16;
const MAX_PARTS = 200;
const PREDICT_BATCH = 256;

/** The finished jobs a previous attempt recorded, if its heartbeat describes this same selection and job size. */
function resumableParts(details: unknown, indexUri: string, jobSize: number, jobs: number): PredictHeartbeat['parts'] {
  const hb = PredictHeartbeatSchema.safeParse(details);
  if (!hb.success || hb.data.indexUri !== indexUri || hb.data.jobSize !== jobSize) return [];
  return hb.data.parts.filter((p) => p.job < jobs);
}

const invalidInput = (message: string) => ApplicationFailure.nonRetryable(message, ERROR_TYPES.invalidInput);
const schemeOf = (d: DatasetRow): string => (d.config as { scheme?: string }).scheme ?? 'fault-type';

interface LoadedExperiment {
  row: ExperimentRow;
  modelUri: string;
  classes: string[];
  settings: SplitSettings;
  /** `recording`: windows are scaled by their recording (activities/lib/recording-scale.ts), not z-scored alone. */
  normalization: 'window' | 'recording';
  trainedOn: DatasetRow;
}

/**
 * Evaluation (ROC, errors, comparison). Registration and closing run on the control queue;
 * predictions and analyses on the CPU queue. A model's predictions over a dataset's split are
 * computed once, batched in the XAI child processes (off this event loop, which keeps
 * heartbeating), and stored as artifacts keyed by (model, dataset, split); every analysis reads
 * them back, so a retried or repeated analysis never runs the model again.
 */
export function createEvalActivities(deps: ActivityDeps) {
  const { db, artifacts, notifier } = deps;
  let pool: XaiProcessPool | undefined = deps.xaiPool;
  const getPool = (): XaiProcessPool => (pool ??= createXaiPool(deps.config));
  const scales = new RecordingScales(async (r) => decodeFloat32(await artifacts.get(r.artifactUri), r.artifactUri));

  async function loadExperiment(experimentId: string): Promise<LoadedExperiment> {
    const row = await getExperiment(db, experimentId);
    if (!row) throw notFound(`experiment "${experimentId}" does not exist`);
    if (row.status !== 'COMPLETED') throw invalidState(`experiment "${experimentId}" is ${row.status}, not COMPLETED: it has no trained model to evaluate`);
    const model = await getModel(db, experimentId);
    if (!model) throw notFound(`experiment "${experimentId}" has no stored model`);
    const classes = model.classes ?? row.classes;
    if (!classes || classes.length < 2) throw invalidState(`experiment "${experimentId}" has no class list`);
    const hp = TrainHyperparametersSchema.safeParse(row.hyperparameters);
    if (!hp.success) throw invalidState(`experiment "${experimentId}": its stored hyperparameters do not parse (${hp.error.issues[0]?.message})`);
    const trainedOn = await getDataset(db, row.datasetId);
    if (!trainedOn) throw notFound(`experiment "${experimentId}" was trained on dataset "${row.datasetId}", which no longer exists`);
    return { row, modelUri: model.artifactUri, classes, settings: hp.data, normalization: hp.data.normalization ?? 'window', trainedOn };
  }

  /** Per signal, its recording's scale for a model trained with `normalization: "recording"`; undefined (z-score each window) otherwise. */
  function recordingScaleReader(exp: LoadedExperiment, rows: readonly SignalRow[], datasetId: string): (r: SignalRow) => Promise<RecordingScale | undefined> {
    if (exp.normalization !== 'recording') return () => Promise.resolve(undefined);
    const groups = recordingGroups(rows, exp.settings);
    const byIdx = new Map(rows.map((r) => [r.idx, r]));
    return (r) => scales.scaleOf(datasetId, r.idx, groups, byIdx);
  }

  async function readIndex(uri: string): Promise<PredictionIndex> {
    return PredictionIndexSchema.parse(await getJson(artifacts, uri));
  }

  async function loadScores(ref: PredictionsRef): Promise<{ scores: Scores; index: PredictionIndex }> {
    const [probabilities, index] = await Promise.all([
      artifacts.get(ref.probabilitiesUri).then((b) => decodeFloat32(b, ref.probabilitiesUri)),
      readIndex(ref.indexUri),
    ]);
    return { scores: { probabilities, labels: index.labels, classes: index.classes }, index };
  }

  async function store(text: string | Uint8Array, kind: string, mediaType: string): Promise<string> {
    const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
    const s = await artifacts.put(bytes, { kind, mediaType });
    await registerArtifact(db, { ...s, kind, mediaType });
    return s.uri;
  }

  /**
   * Run an analysis in a child process (the XAI pool's): a bootstrap over many windows is
   * seconds of arithmetic that would otherwise hold this event loop and every heartbeat on it.
   */
  async function analyzeInChild(job: AnalysisJob): Promise<AnalysisOutcome> {
    const ctx = Context.current();
    const beat = setInterval(() => ctx.heartbeat({ analysing: job.kind }), HEARTBEAT_MS);
    ctx.heartbeat({ analysing: job.kind });
    try {
      return await getPool().analyze(job, { signal: ctx.cancellationSignal });
    } catch (err) {
      if (ctx.cancellationSignal.aborted) throw new CancelledFailure('analysis cancelled');
      if (err instanceof Error && err.name === 'EvalInputError') throw invalidInput(err.message);
      throw err;
    } finally {
      clearInterval(beat);
    }
  }

  /** Rebuild one experiment's page from the rows and stored pictures; returns its URI. */
  async function refreshPage(experimentId: string): Promise<string | undefined> {
    const exp = await getExperiment(db, experimentId);
    if (!exp) return undefined;
    const [epochs, evals] = await Promise.all([listEpochs(db, experimentId), listCompletedEvaluationsOf(db, experimentId)]);
    const pictures: PageEvaluation[] = [];
    for (const e of evals) {
      let svg: string | null = null;
      if (e.pictureUri)
        svg = await artifacts.get(e.pictureUri).then(
          (b) => new TextDecoder().decode(b),
          () => null,
        );
      pictures.push({
        id: e.id,
        kind: e.kind,
        datasetId: e.datasetId,
        split: e.split,
        summary: e.summary ?? {},
        svg,
        completedAt: e.completedAt?.toISOString() ?? null,
      });
    }
    const html = renderExperimentPage({
      experimentId,
      datasetId: exp.datasetId,
      facts: {
        status: exp.status,
        'test accuracy': exp.testAccuracy,
        'best validation accuracy': exp.bestValAccuracy,
        epochs: exp.epochsCompleted,
        parameters: exp.parameterCount,
        'latency ms/window': exp.inferenceMsPerWindow,
        backend: exp.backend,
      },
      epochs: epochs.map((e) => ({ epoch: e.epoch, loss: e.loss, accuracy: e.accuracy, valLoss: e.valLoss, valAccuracy: e.valAccuracy })),
      evaluations: pictures,
      generatedAt: new Date().toISOString(),
    });
    const uri = await store(html, 'experiment-page', 'text/html');
    await setExperimentReport(db, experimentId, uri);
    return uri;
  }

  const describe = (ref: PredictionsRef) => `experiment ${ref.experimentId} on ${ref.datasetId} (${ref.split} split)`;

  return {
    /**
     * Check the request against the database before any model runs: every experiment trained
     * and with a model, the dataset READY, the same class scheme (and sampling rate) everywhere,
     * no label the models do not know, and no `all` split over an experiment's own training data.
     */
    async registerEvaluation(raw: RegisterEvaluationInput): Promise<RegisteredEvaluation> {
      const input = validateActivityInput(RegisterEvaluationInputSchema, raw, 'registerEvaluation input');
      const loaded = [];
      for (const id of input.experimentIds) loaded.push(await loadExperiment(id));
      const datasetId = input.datasetId ?? loaded[0].row.datasetId;
      const dataset = await getDataset(db, datasetId);
      if (!dataset) throw notFound(`datasetId "${datasetId}" does not exist`);
      if (dataset.status !== 'READY') throw invalidState(`dataset "${datasetId}" is ${dataset.status}, not READY`);
      const scheme = schemeOf(dataset);
      const schemes = loaded.map((e) => ({ id: e.row.id, scheme: schemeOf(e.trainedOn) }));
      if (new Set(schemes.map((s) => s.scheme)).size > 1) {
        throw invalidInput(`experimentIds: the experiments use different class schemes: ${schemes.map((s) => `${s.id} (${s.scheme})`).join(', ')}`);
      }
      const labels = Object.keys(dataset.classCounts ?? {});
      for (const e of loaded) {
        const trained = schemeOf(e.trainedOn);
        if (trained !== scheme) {
          throw invalidInput(
            `datasetId: experiment "${e.row.id}" was trained on dataset "${e.trainedOn.id}" (class scheme ${trained}); dataset "${datasetId}" has class scheme ${scheme}`,
          );
        }
        const unknown = labels.filter((l) => !e.classes.includes(l));
        if (unknown.length > 0)
          throw invalidInput(
            `datasetId: dataset "${datasetId}" has labels ${unknown.join(', ')} that experiment "${e.row.id}" does not predict (${e.classes.join(', ')})`,
          );
        if (e.trainedOn.samplingRateHz && dataset.samplingRateHz && e.trainedOn.samplingRateHz !== dataset.samplingRateHz) {
          throw invalidInput(
            `datasetId: experiment "${e.row.id}" was trained at ${e.trainedOn.samplingRateHz} Hz; dataset "${datasetId}" is sampled at ${dataset.samplingRateHz} Hz`,
          );
        }
        if (input.split === 'all' && e.row.datasetId === datasetId) {
          throw invalidInput(`split: "all" on dataset "${datasetId}" would score experiment "${e.row.id}" on its own training data; use "test"`);
        }
      }
      await upsertEvaluation(db, {
        id: input.evaluationId,
        kind: input.kind,
        experimentIds: input.experimentIds,
        datasetId,
        split: input.split,
        config: input.config,
        workflowId: input.workflowId,
      });
      return { datasetId, scheme, classes: loaded[0].classes };
    },

    /** The model's class probabilities for every window of the split, computed once per (model, dataset, split). */
    async predictSplit(raw: PredictSplitInput): Promise<PredictionsRef> {
      const input = validateActivityInput(PredictSplitInputSchema, raw, 'predictSplit input');
      const ctx = Context.current();
      const exp = await loadExperiment(input.experimentId);
      const rows = await listSignals(db, input.datasetId);
      let chosen;
      try {
        chosen = selectSplit(rows, input.split as EvalSplit, exp.settings);
      } catch (err) {
        if (err instanceof Error && err.name === 'SplitError') throw invalidInput(`dataset "${input.datasetId}": ${err.message}`);
        throw err;
      }
      const usable = chosen.filter((r) => r.length >= exp.settings.windowLength);
      if (usable.length === 0)
        throw invalidInput(`dataset "${input.datasetId}": no ${input.split} signal is at least one window (${exp.settings.windowLength} samples) long`);
      const unknown = usable.find((r) => !exp.classes.includes(r.label));
      if (unknown)
        throw invalidInput(`signal ${input.datasetId}:${unknown.idx} has label "${unknown.label}", not a class of experiment "${input.experimentId}"`);
      const { index, starts } = buildIndex(
        {
          experimentId: input.experimentId,
          datasetId: input.datasetId,
          split: input.split,
          classes: exp.classes,
          windowLength: exp.settings.windowLength,
          windowHop: exp.settings.windowHop,
          maxWindowsPerSignal: exp.settings.maxWindowsPerSignal,
        },
        usable,
      );
      const k = exp.classes.length;
      const windows = index.labels.length;
      const existing = await getPredictions(db, input.experimentId, input.datasetId, input.split);
      // Reused only when they cover exactly this selection (a dataset that gained signals since is scored again).
      const same = existing && existing.signals === usable.length && existing.windows === windows && existing.windowLength === exp.settings.windowLength;
      if (existing && same && (await artifacts.has(existing.probabilitiesUri)) && (await artifacts.has(existing.indexUri))) {
        return {
          experimentId: input.experimentId,
          datasetId: input.datasetId,
          split: input.split,
          probabilitiesUri: existing.probabilitiesUri,
          indexUri: existing.indexUri,
          windows: existing.windows,
          signals: existing.signals,
          classes: existing.classes,
          windowLength: existing.windowLength,
          backend: existing.backend ?? '',
          computed: false,
        };
      }
      const probabilities = new Float32Array(windows * k);
      const jobSize = Math.max(SIGNALS_PER_JOB, Math.ceil(usable.length / MAX_PARTS));
      const jobs: { from: number; to: number; offset: number; windows: number }[] = [];
      let offset = 0;
      for (let from = 0; from < usable.length; from += jobSize) {
        const to = Math.min(usable.length, from + jobSize);
        let n = 0;
        for (let s = from; s < to; s++) n += starts[s].length;
        jobs.push({ from, to, offset, windows: n });
        offset += n;
      }
      // The index first: its content-addressed URI names this exact selection in the heartbeat.
      const indexUri = await store(encodeJson(index), 'eval-index', 'application/json');
      const parts: PredictHeartbeat['parts'] = [];
      let done = 0;
      const resumed = resumableParts(ctx.info.heartbeatDetails, indexUri, jobSize, jobs.length);
      for (const part of resumed) {
        const job = jobs[part.job];
        const chunk = decodeFloat32(await artifacts.get(part.uri), part.uri);
        if (chunk.length !== job.windows * k) continue;
        probabilities.set(chunk, job.offset * k);
        parts.push(part);
        done += job.to - job.from;
      }
      if (parts.length > 0) ctx.log.info('resuming predictions from the last heartbeat', { jobsDone: parts.length, jobs: jobs.length, signalsDone: done });
      const finished = new Set(parts.map((p) => p.job));
      const todo = jobs.map((_, j) => j).filter((j) => !finished.has(j));
      let backend = '';
      let predictedWindows = 0;
      const scaleOf = recordingScaleReader(exp, rows, input.datasetId);
      // An exported fp32 form that benchmarked faster runs the windows instead of tfjs (checked
      // against tfjs on each job's first signal in the child; it falls back to tfjs if it differs).
      const onnx = await inferenceVersion(db, input.experimentId);
      if (onnx) ctx.log.info('predicting on onnxruntime', { versionId: onnx.versionId, benchmarkedSpeedup: Math.round(onnx.speedup * 10) / 10 });
      const heartbeat = (): PredictHeartbeat => ({ signals: usable.length, signalsDone: done, indexUri, jobSize, parts });
      const beat = setInterval(() => ctx.heartbeat(heartbeat()), HEARTBEAT_MS);
      ctx.heartbeat(heartbeat());
      const t0 = performance.now();
      try {
        const p = getPool();
        let next = 0;
        // As many jobs in flight as the pool has processes: every core predicts.
        const lane = async () => {
          while (next < todo.length) {
            const jobIndex = todo[next++];
            const job = jobs[jobIndex];
            const out = await p.predict(
              exp.modelUri,
              {
                windowLength: exp.settings.windowLength,
                batchSize: PREDICT_BATCH,
                ...(onnx ? { onnx: { uri: onnx.uri, versionId: onnx.versionId } } : {}),
                signals: await Promise.all(
                  usable.slice(job.from, job.to).map(async (r, i) => ({ uri: r.artifactUri, starts: starts[job.from + i], scale: await scaleOf(r) })),
                ),
              },
              { signal: ctx.cancellationSignal },
            );
            probabilities.set(out.probabilities, job.offset * k);
            backend = out.backend;
            // Content-addressed: a job predicted again writes the same part, never a second one.
            const part = await artifacts.put(encodeFloat32(out.probabilities), { kind: 'eval-probabilities-part', mediaType: 'application/x-float32le' });
            parts.push({ job: jobIndex, uri: part.uri });
            done += job.to - job.from;
            predictedWindows += job.windows;
          }
        };
        await Promise.all(Array.from({ length: Math.min(p.size, todo.length) }, lane));
      } catch (err) {
        if (ctx.cancellationSignal.aborted) throw new CancelledFailure('prediction cancelled');
        const e = err as Error & { code?: string };
        if (e.name === 'PredictInputError') throw invalidInput(`${input.experimentId} on ${input.datasetId}: ${e.message}`);
        if (e.code === 'ARTIFACT_NOT_FOUND') throw notFound(`${input.experimentId} on ${input.datasetId}: ${e.message}`);
        if (e.code === 'ARTIFACT_CORRUPT')
          throw ApplicationFailure.nonRetryable(`${input.experimentId} on ${input.datasetId}: ${e.message}`, ERROR_TYPES.corruptArtifact);
        throw err;
      } finally {
        clearInterval(beat);
      }
      const seconds = (performance.now() - t0) / 1000;
      const probabilitiesUri = await store(encodeFloat32(probabilities), 'eval-probabilities', 'application/x-float32le');
      await upsertPredictions(db, {
        modelId: input.experimentId,
        datasetId: input.datasetId,
        split: input.split,
        probabilitiesUri,
        indexUri,
        windows,
        signals: usable.length,
        classes: exp.classes,
        windowLength: exp.settings.windowLength,
        backend,
        windowsPerSec: seconds > 0 && predictedWindows > 0 ? predictedWindows / seconds : null,
      });
      ctx.log.info('predictions stored', {
        experimentId: input.experimentId,
        datasetId: input.datasetId,
        split: input.split,
        windows,
        predicted: predictedWindows,
        windowsPerSec: Math.round(predictedWindows / Math.max(seconds, 1e-9)),
        backend,
      });
      return {
        experimentId: input.experimentId,
        datasetId: input.datasetId,
        split: input.split,
        probabilitiesUri,
        indexUri,
        windows,
        signals: usable.length,
        classes: exp.classes,
        windowLength: exp.settings.windowLength,
        backend,
        computed: true,
      };
    },

    async analyzeRoc(raw: AnalyzeRocInput): Promise<EvaluateRocResult> {
      const input = validateActivityInput(AnalyzeRocInputSchema, raw, 'analyzeRoc input');
      const ref = input.predictions;
      const { scores } = await loadScores(ref);
      const out = await analyzeInChild({ kind: 'roc', scores, options: { replicates: input.bootstrap.replicates, seed: input.bootstrap.seed } });
      if (out.kind !== 'roc') throw new Error(`asked for a ROC analysis, got ${out.kind}`);
      const a = out.analysis;
      const pictureUri = await store(renderRocSvg({ title: `ROC: ${ref.experimentId}`, subtitle: describe(ref), analysis: a }), 'eval-roc', 'image/svg+xml');
      const resultUri = await store(encodeJson({ evaluationId: input.evaluationId, predictions: ref, analysis: a }), 'eval-roc', 'application/json');
      return {
        evaluationId: input.evaluationId,
        kind: 'roc',
        experimentId: ref.experimentId,
        datasetId: ref.datasetId,
        split: ref.split as EvalSplit,
        status: 'COMPLETED',
        samples: a.count,
        pictureUri,
        resultUri,
        accuracy: a.accuracy,
        aucMacro: a.aucMacro,
        aucMicro: a.aucMicro,
        apMacro: a.apMacro,
        apMicro: a.apMicro,
        ci: a.ci,
        perClass: a.perClass.map((c) => ({ class: c.class, positives: c.positives, auc: c.auc, averagePrecision: c.averagePrecision })),
      };
    },

    async analyzeErrors(raw: AnalyzeErrorsInput): Promise<EvaluateErrorsResult> {
      const input = validateActivityInput(AnalyzeErrorsInputSchema, raw, 'analyzeErrors input');
      const ref = input.predictions;
      const { scores, index } = await loadScores(ref);
      const info = index.windowSignal.map((s, w) => ({
        signal: index.signals[s].ref,
        windowStart: index.windowStart[w],
        conditions: index.signals[s].conditions,
      }));
      const out = await analyzeInChild({ kind: 'errors', scores, info, options: { bins: input.bins, maxListed: input.maxListed } });
      if (out.kind !== 'errors') throw new Error(`asked for an error analysis, got ${out.kind}`);
      const e = out.analysis;
      const idxOf = new Map(index.signals.map((s) => [s.ref, s.idx]));
      const pictures = await xaiPicturesFor(
        db,
        ref.experimentId,
        ref.datasetId,
        e.misclassified.map((m) => idxOf.get(m.signal)!),
      );
      const misclassified = e.misclassified.map((m) => ({ ...m, xaiPictureUri: pictures.get(idxOf.get(m.signal)!) ?? null }));
      const pictureUri = await store(
        renderErrorsSvg({ title: `Errors: ${ref.experimentId}`, subtitle: describe(ref), classes: index.classes, errors: e }),
        'eval-errors',
        'image/svg+xml',
      );
      const resultUri = await store(
        encodeJson({ evaluationId: input.evaluationId, predictions: ref, analysis: { ...e, misclassified } }),
        'eval-errors',
        'application/json',
      );
      const worstByCondition: EvaluateErrorsResult['worstByCondition'] = {};
      for (const [name, groups] of Object.entries(e.byCondition)) {
        const worst = [...groups].sort((a, b) => b.errorRate - a.errorRate || b.count - a.count)[0];
        if (worst) worstByCondition[name] = { value: worst.value, errorRate: worst.errorRate, count: worst.count };
      }
      return {
        evaluationId: input.evaluationId,
        kind: 'errors',
        experimentId: ref.experimentId,
        datasetId: ref.datasetId,
        split: ref.split as EvalSplit,
        status: 'COMPLETED',
        samples: e.classification.count,
        pictureUri,
        resultUri,
        accuracy: e.classification.accuracy,
        macroF1: e.classification.macroF1,
        ece: e.calibration.ece,
        errors: e.errors,
        perClass: e.classification.perClass.map((c) => ({ class: c.class, precision: c.precision, recall: c.recall, f1: c.f1, support: c.support })),
        worst: misclassified.slice(0, 20).map((m) => ({
          signal: m.signal,
          windowStart: m.windowStart,
          trueClass: m.trueClass,
          predictedClass: m.predictedClass,
          confidence: m.confidence,
          xaiPictureUri: m.xaiPictureUri,
        })),
        worstByCondition,
      };
    },

    /**
     * Pair every experiment's outcomes on the samples all of them were scored on. Windows pair
     * when every model cuts the same windows; otherwise signals do (mean probability over a
     * signal's windows), so models with other window lengths still meet on common ground.
     */
    async analyzeComparison(raw: AnalyzeComparisonInput): Promise<CompareExperimentsResult> {
      const input = validateActivityInput(AnalyzeComparisonInputSchema, raw, 'analyzeComparison input');
      const loaded = [];
      for (const ref of input.predictions) loaded.push({ ref, ...(await loadScores(ref)) });
      const windowKey = (ix: PredictionIndex) => `${ix.windowLength}/${ix.windowHop}/${ix.maxWindowsPerSignal}`;
      const pairing: 'window' | 'signal' = new Set(loaded.map((l) => windowKey(l.index))).size === 1 ? 'window' : 'signal';
      const models = [];
      for (const { ref, scores, index } of loaded) {
        const k = index.classes.length;
        const outcomes = new Map<string, boolean>();
        if (pairing === 'window') {
          index.labels.forEach((y, w) => {
            const row = scores.probabilities;
            let best = 0;
            for (let c = 1; c < k; c++) if (row[w * k + c] > row[w * k + best]) best = c;
            outcomes.set(`${index.signals[index.windowSignal[w]].ref}@${index.windowStart[w]}`, best === y);
          });
        } else {
          const sums = index.signals.map(() => new Float64Array(k));
          index.windowSignal.forEach((s, w) => {
            for (let c = 0; c < k; c++) sums[s][c] += scores.probabilities[w * k + c];
          });
          index.signals.forEach((sig, s) => {
            let best = 0;
            for (let c = 1; c < k; c++) if (sums[s][c] > sums[s][best]) best = c;
            outcomes.set(sig.ref, index.classes[best] === sig.label);
          });
        }
        const exp = await getExperiment(db, ref.experimentId);
        const seconds = exp?.startedAt && exp.completedAt ? (exp.completedAt.getTime() - exp.startedAt.getTime()) / 1000 : null;
        models.push({
          id: ref.experimentId,
          outcomes,
          parameters: exp?.parameterCount ?? null,
          latencyMs: exp?.inferenceMsPerWindow ?? null,
          trainingSeconds: seconds,
          epochs: exp?.epochsCompleted ?? null,
        });
      }
      const c = compareModels(models, { alpha: input.alpha });
      if (c.samples === 0) {
        throw invalidInput(
          `experimentIds: no ${pairing} is in the ${loaded[0].ref.split} split of every experiment (${loaded.map((l) => `${l.ref.experimentId}: ${l.index.signals.length} signals`).join(', ')}); their splits do not overlap`,
        );
      }
      const first = loaded[0].ref;
      const pictureUri = await store(
        renderComparisonSvg({
          title: `Comparison ${input.evaluationId}`,
          subtitle: `${models.length} experiments on ${first.datasetId} (${first.split} split), paired by ${pairing}`,
          comparison: c,
        }),
        'eval-compare',
        'image/svg+xml',
      );
      const resultUri = await store(
        encodeJson({ evaluationId: input.evaluationId, pairing, predictions: input.predictions, comparison: c }),
        'eval-compare',
        'application/json',
      );
      return {
        evaluationId: input.evaluationId,
        kind: 'compare',
        experimentIds: models.map((m) => m.id),
        datasetId: first.datasetId,
        split: first.split as EvalSplit,
        status: 'COMPLETED',
        samples: c.samples,
        pictureUri,
        resultUri,
        pairing,
        rows: c.rows.map((r) => ({
          experimentId: r.id,
          accuracy: r.accuracy,
          ci: r.ci,
          parameters: r.parameters,
          latencyMs: r.latencyMs,
          trainingSeconds: r.trainingSeconds,
          epochs: r.epochs,
          pareto: r.pareto,
        })),
        pairs: c.pairs.map((p) => ({
          first: p.first,
          second: p.second,
          b: p.b,
          c: p.c,
          method: p.method,
          pValue: p.pValue,
          adjustedP: p.adjustedP,
          significant: p.significant,
        })),
      };
    },

    /** The row COMPLETED, each involved experiment's page rebuilt, then the notification. */
    async finishEvaluation(raw: FinishEvaluationInput): Promise<{ pageUris: Record<string, string> }> {
      const input = validateActivityInput(FinishEvaluationInputSchema, raw, 'finishEvaluation input');
      const row = await setEvaluationStatus(db, input.evaluationId, 'COMPLETED', {
        summary: input.summary,
        pictureUri: input.pictureUri,
        resultUri: input.resultUri,
      });
      if (!row) throw notFound(`evaluation "${input.evaluationId}" does not exist`);
      const pageUris: Record<string, string> = {};
      for (const id of row.experimentIds) {
        const uri = await refreshPage(id);
        if (uri) pageUris[id] = uri;
      }
      await notifier.notify({
        eventType: 'EVALUATION_COMPLETED',
        entityKind: 'evaluation',
        entityId: input.evaluationId,
        title: `Evaluation ${input.evaluationId} completed`,
        message: Object.entries(input.summary)
          .filter(([, v]) => typeof v === 'number')
          .map(([k, v]) => `${k} ${(v as number).toFixed(4)}`)
          .join(', '),
        details: { ...input.summary, pictureUri: input.pictureUri },
      });
      return { pageUris };
    },

    async markEvaluationEnded(raw: EvaluationEndedInput): Promise<void> {
      const input = validateActivityInput(EvaluationEndedInputSchema, raw, 'markEvaluationEnded input');
      const row = await setEvaluationStatus(db, input.evaluationId, input.status, { error: input.error ?? null });
      if (!row) return; // refused before registration: no row to mark
      await notifier.notify({
        eventType: input.status === 'FAILED' ? 'EVALUATION_FAILED' : 'EVALUATION_CANCELLED',
        entityKind: 'evaluation',
        entityId: input.evaluationId,
        title: `Evaluation ${input.evaluationId} ${input.status === 'FAILED' ? 'failed' : 'cancelled'}`,
        message: input.error ?? input.status,
      });
    },
  };
}
export type EvalActivities = ReturnType<typeof createEvalActivities>;
