/**
 * The text people read about a run where they already look: the Temporal Web UI and
 * `temporal workflow describe`. One module so every workflow, the client and the tests say it the
 * same way.
 *
 * - a *static summary* (one line, set at start by the client, or by a parent for its children):
 *   what this run is — "trial 12 · lr 3e-4 · batch 64 · adam";
 * - *current details* (one line, kept up to date by the workflow): where it is —
 *   "searching · 12/40 trials · best valAccuracy 0.930 (trial 7) · 4 running";
 * - an *activity summary* (one line per scheduled activity): which part of the work it is —
 *   "chunk 3/16 · signals 40–59".
 *
 * Pure and deterministic (workflow-safe: no Intl, no locale): the workflows format these inside
 * the sandbox and the same input always gives the same bytes.
 */
import type { GenerateDatasetInput } from './dataset.js';
import type { CompareExperimentsInput, EvaluateErrorsInput, EvaluateRocInput } from './eval.js';
import type { HpoCampaignInput } from './hpo.js';
import type { ImportMatDatasetInput } from './import.js';
import type { NasCampaignInput } from './nas.js';
import type { ParamSpec } from './search-space.js';
import type { Architecture, EpochMetrics, TrainHyperparameters } from './training.js';
import type { ExplainSignalsInput } from './xai.js';

/** Memo key holding the run's progress for `temporal workflow describe` and list views. */
export const PROGRESS_MEMO_KEY = 'progress';

/** What the workflow keeps in its `progress` memo (a snapshot, refreshed every tenth of the way). */
export interface ProgressMemo {
  phase: string;
  completed: number;
  total: number;
  fraction: number;
  /** The current-details line at that moment. */
  details: string;
}

const SEP = ' · ';

/** 12345 → "12,345" (no Intl: the workflow sandbox must not depend on the host's locale data). */
export function grouped(n: number): string {
  const [int, frac] = String(Math.abs(n)).split('.');
  const body = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${n < 0 ? '-' : ''}${body}${frac ? `.${frac}` : ''}`;
}

/** A compact number for a summary line: 0.0003 → "3e-4", 0.93127 → "0.931", 64 → "64". */
export function compact(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return Math.abs(n) >= 10_000 ? grouped(n) : String(n);
  const abs = Math.abs(n);
  if (abs < 0.01 || abs >= 1e6) {
    const [mantissa, exponent] = n.toExponential(2).split('e');
    return `${String(Number(mantissa))}e${Number(exponent)}`;
  }
  return String(Number(n.toPrecision(3)));
}

/** "3 running" style counts, dropping zeros (the line stays short when nothing happened). */
function counted(parts: [number | undefined, string][]): string[] {
  return parts.filter(([n]) => n !== undefined && n > 0).map(([n, what]) => `${grouped(n as number)} ${what}`);
}

function percent(done: number, total: number): string {
  return total > 0 ? ` (${Math.floor((100 * Math.min(done, total)) / total)}%)` : '';
}

const join = (parts: (string | undefined | null | false)[]): string => parts.filter((p): p is string => typeof p === 'string' && p.length > 0).join(SEP);

/**
 * Temporal keeps a static or activity summary to 200 bytes (its JSON payload, quotes included):
 * longer text is cut at a character boundary with an ellipsis, never refused.
 */
export const MAX_SUMMARY_BYTES = 190;

function utf8Bytes(codePoint: number): number {
  return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
}

/** `text` cut to at most `maxBytes` of UTF-8 (no TextEncoder: this runs in the workflow sandbox too). */
export function fitSummary(text: string, maxBytes = MAX_SUMMARY_BYTES): string {
  let bytes = 0;
  for (const ch of text) bytes += utf8Bytes(ch.codePointAt(0) as number);
  if (bytes <= maxBytes) return text;
  const room = maxBytes - 3; // '…'
  let out = '';
  bytes = 0;
  for (const ch of text) {
    const b = utf8Bytes(ch.codePointAt(0) as number);
    if (bytes + b > room) break;
    out += ch;
    bytes += b;
  }
  return `${out}…`;
}

const summaryLine = (parts: (string | undefined | null | false)[]): string => fitSummary(join(parts));

// ------------------------------------------------------------------------------------------
// Current details, one per workflow

export function datasetDetails(s: { phase: string; signalsDone: number; signalsTotal: number; chunksDone: number; chunksTotal: number }): string {
  return join([
    s.phase,
    `${grouped(s.signalsDone)}/${grouped(s.signalsTotal)} signals${percent(s.signalsDone, s.signalsTotal)}`,
    `${grouped(s.chunksDone)}/${grouped(s.chunksTotal)} chunks`,
  ]);
}

export function trainingDetails(s: { phase: string; epochsDone: number; epochsTotal: number; latest?: EpochMetrics }): string {
  const m = s.latest;
  return join([
    s.phase,
    `epoch ${s.epochsDone}/${s.epochsTotal}`,
    m && `val acc ${compact(m.valAccuracy)}`,
    m && `val loss ${compact(m.valLoss)}`,
    m && `acc ${compact(m.accuracy)}`,
  ]);
}

export function hpoDetails(s: {
  phase: string;
  finished: number;
  maxTrials: number;
  running: number;
  pruned: number;
  failed: number;
  metric: string;
  best: { trial: number; value: number } | null;
}): string {
  return join([
    s.phase,
    `${grouped(s.finished)}/${grouped(s.maxTrials)} trials`,
    s.best && `best ${s.metric} ${compact(s.best.value)} (trial ${s.best.trial})`,
    ...counted([
      [s.running, 'running'],
      [s.pruned, 'pruned'],
      [s.failed, 'failed'],
    ]),
  ]);
}

export function nasDetails(s: {
  phase: string;
  finished: number;
  maxCandidates: number;
  running: number;
  failed: number;
  rejected: number;
  duplicates: number;
  /** Optional: computing the front on every refresh would cost O(n²) per finished candidate. */
  frontSize?: number;
  best: { candidate: number; score: number; valAccuracy: number } | null;
}): string {
  return join([
    s.phase,
    `${grouped(s.finished)}/${grouped(s.maxCandidates)} candidates`,
    s.best && `best score ${compact(s.best.score)} (candidate ${s.best.candidate}, val acc ${compact(s.best.valAccuracy)})`,
    s.frontSize !== undefined && s.frontSize > 0 && `front ${s.frontSize}`,
    ...counted([
      [s.running, 'running'],
      [s.rejected, 'rejected'],
      [s.duplicates, 'duplicates'],
      [s.failed, 'failed'],
    ]),
  ]);
}

export function xaiDetails(s: { phase: string; done: number; total: number; running: number; failed: number; reused: number }): string {
  return join([
    s.phase,
    `${grouped(s.done)}/${grouped(s.total)} signals${percent(s.done, s.total)}`,
    ...counted([
      [s.running, 'running'],
      [s.reused, 'reused'],
      [s.failed, 'failed'],
    ]),
  ]);
}

export function importDetails(s: { phase: string; done: number; total: number; running: number; failed: number; duplicates: number; signals: number }): string {
  return join([
    s.phase,
    `${grouped(s.done)}/${grouped(s.total)} files`,
    `${grouped(s.signals)} signals`,
    ...counted([
      [s.running, 'running'],
      [s.duplicates, 'duplicates'],
      [s.failed, 'failed'],
    ]),
  ]);
}

export function evaluationDetails(s: { phase: string; predicted: number; experiments: number; running: number; reused: number }): string {
  return join([
    s.phase,
    `${grouped(s.predicted)}/${grouped(s.experiments)} predictions`,
    ...counted([
      [s.running, 'running'],
      [s.reused, 'reused'],
    ]),
  ]);
}

// ------------------------------------------------------------------------------------------
// Static summaries (set at start)

export function datasetSummary(input: Pick<GenerateDatasetInput, 'datasetId' | 'config'>): string {
  const c = input.config;
  return summaryLine([
    `dataset ${input.datasetId}`,
    `${c.classes.length} classes × ${grouped(c.signalsPerClass)} signals`,
    `${grouped(c.signalLength)} samples @ ${compact(c.samplingRateHz / 1000)} kHz`,
    `seed ${c.seed}`,
  ]);
}

function architectureText(a: Architecture): string {
  return `${a.blocks.length} conv block${a.blocks.length === 1 ? '' : 's'} (${a.blocks.map((b) => b.filters).join('-')} filters)`;
}

/** The hyperparameters a run trains with: "lr 1e-3 · batch 32 · adam · window 2048 · 15 epochs". */
export function hyperparameterText(
  h: Pick<TrainHyperparameters, 'learningRate' | 'batchSize' | 'optimizer' | 'windowLength' | 'epochs' | 'architecture'>,
): string {
  return join([
    `lr ${compact(h.learningRate)}`,
    `batch ${h.batchSize}`,
    h.optimizer,
    `window ${h.windowLength}`,
    h.architecture && architectureText(h.architecture),
    `${h.epochs} epoch${h.epochs === 1 ? '' : 's'}`,
  ]);
}

export function trainingSummary(input: { experimentId: string; datasetId: string; hyperparameters: TrainHyperparameters }): string {
  return summaryLine([`train ${input.experimentId} on ${input.datasetId}`, hyperparameterText(input.hyperparameters)]);
}

/** A campaign's child: "trial 12 · rung 1 · lr 3e-4 · batch 64 · adam · window 2048 · 3 epochs". */
export function hpoTrialSummary(trial: number, rung: number, h: TrainHyperparameters, attempt = 1): string {
  return summaryLine([`trial ${trial}`, rung > 0 && `rung ${rung}`, attempt > 1 && `attempt ${attempt}`, hyperparameterText(h)]);
}

export function nasCandidateSummary(candidate: number, h: TrainHyperparameters, attempt = 1): string {
  return summaryLine([`candidate ${candidate}`, attempt > 1 && `attempt ${attempt}`, hyperparameterText(h)]);
}

export function hpoSummary(input: HpoCampaignInput): string {
  const objective = `${input.objective.direction ?? (input.objective.metric === 'valLoss' ? 'minimize' : 'maximize')} ${input.objective.metric}`;
  return summaryLine([
    `HPO ${input.campaignId} on ${input.datasetId}`,
    input.evaluator.kind === 'synthetic' ? `synthetic ${input.evaluator.function}` : undefined,
    `${input.sampler.kind} + ${input.pruner.kind}`,
    `${grouped(input.maxTrials)} trials, ${input.maxConcurrentTrials} at once`,
    objective,
  ]);
}

export function nasSummary(input: NasCampaignInput): string {
  const s = input.strategy;
  return summaryLine([
    `NAS ${input.campaignId} on ${input.datasetId}`,
    s.kind === 'aging-evolution' ? `aging evolution P=${s.populationSize} S=${s.sampleSize}` : 'random search',
    `${grouped(input.maxCandidates)} candidates, ${input.maxConcurrentCandidates} at once`,
    `${input.epochs} epochs each`,
    `≤ ${grouped(input.limits.maxParams)} params`,
  ]);
}

export function xaiSummary(input: ExplainSignalsInput): string {
  const sel = input.selection;
  const what =
    sel.kind === 'ids'
      ? `${grouped(sel.ids.length)} signal${sel.ids.length === 1 ? '' : 's'}`
      : join([`dataset ${sel.datasetId}`, sel.labels && sel.labels.join(','), sel.limit !== undefined && `≤ ${grouped(sel.limit)} signals`]);
  return summaryLine([`XAI ${input.batchId}`, `model ${input.modelId}`, what, Object.keys(input.methods).join(', ')]);
}

export function importSummary(input: ImportMatDatasetInput): string {
  const files = input.files ? `${grouped(input.files.length)} file${input.files.length === 1 ? '' : 's'}` : `files ${input.glob ?? ''}`;
  return summaryLine([
    `import ${input.datasetId}`,
    `${input.root}: ${files}`,
    input.scheme,
    `${grouped(input.signalLength)} samples @ ${compact(input.samplingRateHz / 1000)} kHz`,
  ]);
}

const onDataset = (datasetId: string | undefined, split: string) => `on ${datasetId ?? 'its own dataset'}${split === 'test' ? '' : ` (${split})`}`;

export function rocSummary(input: Pick<EvaluateRocInput, 'experimentId' | 'datasetId' | 'split' | 'bootstrap'>): string {
  return summaryLine([
    `ROC ${input.experimentId}`,
    onDataset(input.datasetId, input.split),
    input.bootstrap.replicates > 0 && `${grouped(input.bootstrap.replicates)} bootstrap resamples`,
  ]);
}

export function errorsSummary(input: Pick<EvaluateErrorsInput, 'experimentId' | 'datasetId' | 'split'>): string {
  return summaryLine([`errors ${input.experimentId}`, onDataset(input.datasetId, input.split)]);
}

export function comparisonSummary(input: Pick<CompareExperimentsInput, 'experimentIds' | 'datasetId' | 'split'>): string {
  return summaryLine([`compare ${grouped(input.experimentIds.length)} experiments`, onDataset(input.datasetId, input.split), input.experimentIds.join(', ')]);
}

// ------------------------------------------------------------------------------------------
// Static details (set at start; the Web UI's "Details" panel, markdown, up to 20 KB)

/** Temporal keeps static details to 20 KB; a huge space is listed in part. */
const MAX_DETAILS_PARAMS = 60;

function paramText(name: string, p: ParamSpec): string {
  const range =
    p.type === 'categorical'
      ? p.choices.map((c) => String(c)).join(', ')
      : `${p.type} ${compact(p.low)}…${compact(p.high)}${p.log ? ' (log)' : ''}${p.step !== undefined && (p.type === 'float' || p.step > 1) ? ` step ${p.step}` : ''}`;
  const when = p.when ? ` — only when ${p.when.param} ∈ {${p.when.in.map((v) => String(v)).join(', ')}}` : '';
  return `- \`${name}\`: ${range}${when}`;
}

/** The campaign's search space and budgets, one markdown line each. */
export function hpoStaticDetails(input: HpoCampaignInput): string {
  const p = input.pruner;
  const names = input.space ? Object.keys(input.space) : [];
  const lines = [
    input.space ? `**search space** (${names.length} parameter${names.length === 1 ? '' : 's'})` : '**search space**: the default 1D-CNN space',
    ...names.slice(0, MAX_DETAILS_PARAMS).map((n) => paramText(n, (input.space as Record<string, ParamSpec>)[n])),
    ...(names.length > MAX_DETAILS_PARAMS ? [`- … and ${names.length - MAX_DETAILS_PARAMS} more`] : []),
    '',
    `**sampler** ${input.sampler.kind}, seed ${input.sampler.seed}${input.sampler.startupTrials ? `, ${input.sampler.startupTrials} startup trials` : ''}${input.sampler.populationSize ? `, population ${input.sampler.populationSize}` : ''}`,
    ...(input.objectives
      ? [
          `**objectives** ${input.objectives.map((o) => `${o.metric} (${(o.direction ?? (o.metric === 'valAccuracy' ? 'maximize' : 'minimize')) === 'maximize' ? 'max' : 'min'})`).join(' vs ')}`,
        ]
      : []),
    `**pruner** ${p.kind}${p.kind === 'none' ? `, ${p.maxEpochs} epochs` : `, epochs ${p.minEpochs}…${p.maxEpochs}${p.kind === 'asha' ? `, η ${p.reductionFactor}` : ''}`}`,
    `**budget** ${grouped(input.maxTrials)} trials, ${input.maxConcurrentTrials} at once, fail past ${input.maxFailedTrials} failed, ${input.trialAttempts} attempts per trial${input.maxDurationMinutes ? `, ${compact(input.maxDurationMinutes)} min` : ''}`,
  ];
  return lines.join('\n');
}

export function nasStaticDetails(input: NasCampaignInput): string {
  const s = input.strategy;
  const l = input.limits;
  return [
    `**strategy** ${s.kind}${s.kind === 'aging-evolution' ? `, population ${s.populationSize}, sample ${s.sampleSize}` : ''}, seed ${s.seed}`,
    `**limits** ≤ ${grouped(l.maxParams)} params${l.maxMacs !== undefined ? `, ≤ ${grouped(l.maxMacs)} MACs` : ''}, output length ≥ ${l.minOutputLength}`,
    `**budget** ${grouped(input.maxCandidates)} candidates, ${input.maxConcurrentCandidates} at once, ${input.epochs} epochs each, fail past ${input.maxFailedCandidates} failed${input.maxDurationMinutes ? `, ${compact(input.maxDurationMinutes)} min` : ''}`,
  ].join('\n');
}

// ------------------------------------------------------------------------------------------
// Activity summaries

export function chunkSummary(index: number, chunks: number, start: number, count: number): string {
  return summaryLine([`chunk ${index + 1}/${chunks}`, count === 1 ? `signal ${start}` : `signals ${start}–${start + count - 1}`]);
}

export function trainActivitySummary(experimentId: string, fromEpoch: number, toEpoch: number): string {
  return summaryLine([fromEpoch + 1 >= toEpoch ? `epoch ${toEpoch}` : `epochs ${fromEpoch + 1}–${toEpoch}`, experimentId]);
}

export function explainActivitySummary(signal: string, methods: readonly string[]): string {
  return summaryLine([`signal ${signal}`, methods.join(', ')]);
}

export function predictActivitySummary(experimentId: string, datasetId: string, split: string, index: number, experiments: number): string {
  return summaryLine([`predict ${experimentId}`, `${datasetId} ${split}`, experiments > 1 && `${index + 1}/${experiments}`]);
}

export function importFileSummary(name: string, index: number, files: number): string {
  return summaryLine([`file ${name}`, `${index + 1}/${files}`]);
}

export function syntheticTrialSummary(trial: number, fn: string, epochs: number): string {
  return summaryLine([`trial ${trial}`, fn, `${epochs} epoch${epochs === 1 ? '' : 's'}`]);
}
