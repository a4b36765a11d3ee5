import { InputValidationError, type FieldIssue, type GenerateDatasetResult, type Progress, type TrainModelResult } from '../../contracts/index.js';
import type { RunDescription, StartedRun } from '../api.js';

/** Where the CLI writes. Injected so tests capture output instead of touching the terminal. */
export interface TextSink {
  write(text: string): unknown;
  isTTY?: boolean;
}
export interface CliIO {
  stdout: TextSink;
  stderr: TextSink;
}

/**
 * Human vs machine output. With `--json` stdout carries exactly one JSON document (the result
 * or the error) and nothing else; without it, humans get text and stderr gets diagnostics.
 */
export class Output {
  constructor(
    readonly io: CliIO,
    readonly json: boolean,
  ) {}

  /** A line for humans only (suppressed in JSON mode so stdout stays one document). */
  line(text = ''): void {
    if (!this.json) this.io.stdout.write(`${text}\n`);
  }

  /** The command's final answer: `doc` in JSON mode, `human()` otherwise. */
  result(doc: unknown, human: () => string): void {
    if (this.json) this.io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    else this.io.stdout.write(`${human()}\n`);
  }
}

// --------------------------------------------------------------------------------------------
// Formatting helpers (pure: unit-testable without a terminal)

export function percent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}

const num = new Intl.NumberFormat('en-US');
export function count(n: number): string {
  return num.format(n);
}

export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Render issues as "path (--flag): message (got value)" so the user sees what to change. */
export function formatValidationError(err: InputValidationError, flagByPath: Readonly<Record<string, string>> = {}): string {
  const lines = err.issues.map((i: FieldIssue) => {
    const flag = flagFor(i.path, flagByPath);
    const got = i.value === undefined ? '' : ` (got ${JSON.stringify(i.value)})`;
    // zod's "expected string, received undefined" is about the request object, not the user:
    // on the command line a missing required field is a flag to add.
    const message = i.value === undefined && flag && /received undefined$/.test(i.message) ? `required: give ${flag.split(' | ').join(' or ')}` : i.message;
    return `  ${i.path || '(input)'}${flag ? ` (${flag})` : ''}: ${message}${got}`;
  });
  return [err.message.split(':')[0] + ':', ...lines].join('\n');
}

/** The flag of the field itself or of the nearest enclosing one (`config.classes.1` → --classes). */
function flagFor(path: string, flagByPath: Readonly<Record<string, string>>): string | undefined {
  for (let p = path; p; p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '') {
    if (flagByPath[p]) return flagByPath[p];
  }
  return undefined;
}

/** A labelled table: rows = true class, columns = predicted class. */
export function confusionTable(classes: readonly string[], matrix: readonly (readonly number[])[]): string {
  const corner = 'true \\ pred';
  const cells = matrix.map((row) => row.map((v) => count(v)));
  const width = Math.max(...classes.map((c) => c.length), ...cells.flat().map((c) => c.length), 4);
  const labelWidth = Math.max(corner.length, ...classes.map((c) => c.length));
  const header = [corner.padEnd(labelWidth), ...classes.map((c) => c.padStart(width))].join('  ');
  const body = classes.map((c, i) => [c.padEnd(labelWidth), ...(cells[i] ?? []).map((v) => v.padStart(width))].join('  '));
  return [header, ...body].join('\n');
}

interface EpochLike {
  epoch?: number;
  loss?: number;
  accuracy?: number;
  valLoss?: number;
  valAccuracy?: number;
}

function isEpochLike(v: unknown): v is EpochLike {
  if (v === null || typeof v !== 'object') return false;
  const o = v as Record<string, unknown>;
  return typeof o.loss === 'number' || typeof o.valAccuracy === 'number' || typeof o.valLoss === 'number';
}

/**
 * The latest training metrics inside a progress object. The progress contract fixes only
 * phase/completed/total/fraction; workflows add details, so look for an EpochMetrics-shaped
 * value at the top level or one level down (e.g. `latest`, `lastEpoch`, `metrics`).
 */
export function latestMetrics(progress: Progress): EpochLike | undefined {
  if (isEpochLike(progress)) return progress;
  for (const key of ['latest', 'lastEpoch', 'metrics', 'epochMetrics', 'last']) {
    const v = progress[key];
    if (isEpochLike(v)) return v;
    if (Array.isArray(v) && isEpochLike(v[v.length - 1])) return v[v.length - 1] as EpochLike;
  }
  return Object.values(progress).find(isEpochLike);
}

export function formatMetrics(m: EpochLike | undefined): string {
  if (!m) return '';
  const parts: string[] = [];
  if (typeof m.loss === 'number') parts.push(`loss ${m.loss.toFixed(4)}`);
  if (typeof m.accuracy === 'number') parts.push(`acc ${percent(m.accuracy)}`);
  if (typeof m.valLoss === 'number') parts.push(`val_loss ${m.valLoss.toFixed(4)}`);
  if (typeof m.valAccuracy === 'number') parts.push(`val_acc ${percent(m.valAccuracy)}`);
  return parts.join('  ');
}

/** Kind-specific words after the counts (a campaign's running trials and best value, ...). */
export type ProgressDetails = (progress: Progress) => string;

/** The default details: the latest training metrics found in the progress, if any. */
export const metricDetails: ProgressDetails = (p) => formatMetrics(latestMetrics(p));

export function formatProgressLine(p: Progress, details: ProgressDetails = metricDetails): string {
  const extra = details(p);
  return `${p.phase}  ${percent(p.fraction)}  ${p.completed}/${p.total}${extra ? `  ${extra}` : ''}`;
}

export function formatStarted(kind: string, started: StartedRun, webUiUrl: string | undefined): string {
  const verb = started.alreadyExisted ? 'Already started' : 'Started';
  const label = `${kind} id`;
  const width = Math.max(label.length, 'Web UI'.length) + 2;
  return [
    `${verb}: ${started.workflowId} (run ${started.runId})`,
    `  ${label.padEnd(width)}${started.entityId}`,
    ...(webUiUrl ? [`  ${'Web UI'.padEnd(width)}${webUiUrl}`] : []),
  ].join('\n');
}

export function formatRun(run: RunDescription, webUiUrl: string | undefined, details?: ProgressDetails): string {
  const lines = [`${run.workflowId}  ${run.status}  (${run.type}, run ${run.runId})`];
  const end = run.closeTime ?? new Date();
  lines.push(`  started    ${run.startTime.toISOString()}  (${duration(end.getTime() - run.startTime.getTime())}${run.closeTime ? '' : ' so far'})`);
  if (run.closeTime) lines.push(`  closed     ${run.closeTime.toISOString()}`);
  if (run.summary) lines.push(`  summary    ${run.summary}`);
  if (run.progress) lines.push(`  progress   ${formatProgressLine(run.progress, details)}`);
  // Without a worker the query has no answer, but the server still has the last memo.
  else if (run.progressMemo) lines.push(`  progress   ${run.progressMemo.details}  (stored; no worker answered the progress query)`);
  else lines.push('  progress   (no worker answered the progress query)');
  if (webUiUrl) lines.push(`  Web UI     ${webUiUrl}`);
  return lines.join('\n');
}

export function formatDatasetResult(r: GenerateDatasetResult, webUiUrl: string | undefined): string {
  const seconds = r.signalLength / r.samplingRateHz;
  return [
    `Dataset ${r.datasetId}  READY`,
    `  signals        ${count(r.numSignals)}  (${count(r.signalLength)} samples at ${count(r.samplingRateHz)} Hz = ${seconds.toFixed(2)} s each)`,
    `  per class      ${Object.entries(r.classCounts)
      .map(([c, n]) => `${c} ${count(n)}`)
      .join(', ')}`,
    ...(webUiUrl ? [`  Web UI         ${webUiUrl}`] : []),
    '',
    `Next: faultline train start --dataset ${r.datasetId} --wait`,
  ].join('\n');
}

export function formatTrainingResult(r: TrainModelResult, webUiUrl: string | undefined): string {
  return [
    `Experiment ${r.experimentId}  ${r.status}`,
    `  test accuracy  ${percent(r.testAccuracy, 2)}  (test loss ${r.testLoss.toFixed(4)})`,
    `  best val acc   ${percent(r.bestValAccuracy, 2)} at epoch ${r.bestEpoch} of ${r.epochsCompleted}${r.stoppedEarly ? ' (stopped early)' : ''}`,
    `  model          ${r.modelUri}`,
    `  backend        ${r.backendVersion ?? r.backend}, ${count(r.parameterCount)} parameters, ${count(Math.round(r.trainSamplesPerSec))} samples/s`,
    ...(webUiUrl ? [`  Web UI         ${webUiUrl}`] : []),
    '',
    'Confusion matrix (test set; rows: true class, columns: predicted)',
    confusionTable(r.classes, r.confusionMatrix)
      .split('\n')
      .map((l) => `  ${l}`)
      .join('\n'),
  ].join('\n');
}
