import type { Command } from 'commander';
import type { CompareExperimentsResult, EvaluateErrorsResult, EvaluateRocResult, EvaluationResult, Progress } from '../../contracts/index.js';
import { prepareComparisonInput, prepareErrorsInput, prepareRocInput } from '../eval.js';
import type { FaultlineApi, StartedRun } from '../api.js';
import type { ClientWorkflowKind } from '../workflow-kinds.js';
import { InterruptedError, outputOf, prepareOrExplain, unlessInterrupted, withSession, type CliDeps, type CommandGroup } from './context.js';
import { addFieldFlags, decimal, flagsByPath, integer, requestFromFlags, type FieldFlag } from './fields.js';
import { count, formatRun, formatStarted, percent } from './output.js';
import { followToResult } from './run-commands.js';
import { addOutFolderOptions, writeOutFolder, type OutFolderOptions } from './out-folder.js';
import { fileSafe, type ResultFile } from './result-files.js';
import type { CliSession } from './session.js';

/**
 * `faultline eval roc|errors|compare|result|progress|cancel`: one command each gives an
 * experiment's ROC, its errors, or a fair comparison with others, on its own test set or on any
 * dataset with the same class scheme (`--dataset`).
 */

const COMMON: readonly FieldFlag[] = [
  {
    flags: '--dataset <datasetId>',
    description: 'evaluate on this dataset (same class scheme; default: the one the experiment was trained on)',
    path: ['datasetId'],
  },
  { flags: '--split <split>', description: 'test | validation | all (all: only on another dataset)', path: ['split'] },
];

export const ROC_FIELDS: readonly FieldFlag[] = [
  ...COMMON,
  { flags: '--replicates <n>', description: 'bootstrap resamples for the 95 % intervals (0: none)', path: ['bootstrap', 'replicates'], parse: integer },
  { flags: '--seed <n>', description: 'bootstrap seed (same seed, same intervals)', path: ['bootstrap', 'seed'], parse: integer },
];

export const ERRORS_FIELDS: readonly FieldFlag[] = [
  ...COMMON,
  { flags: '--bins <n>', description: 'reliability-diagram bins', path: ['bins'], parse: integer },
  { flags: '--max-listed <n>', description: 'misclassified windows kept in the result (most confident first)', path: ['maxListed'], parse: integer },
];

export const COMPARE_FIELDS: readonly FieldFlag[] = [
  { flags: '--dataset <datasetId>', description: "the shared test set's dataset (default: the first experiment's)", path: ['datasetId'] },
  { flags: '--split <split>', description: 'test | validation | all', path: ['split'] },
  { flags: '--id <comparisonId>', description: 'comparison id (default: hash of the sorted experiment ids, dataset and split)', path: ['comparisonId'] },
  { flags: '--max-in-flight <n>', description: 'prediction activities at once', path: ['maxInFlight'], parse: integer },
  { flags: '--alpha <p>', description: 'family-wise significance level (Holm)', path: ['alpha'], parse: decimal },
];

/** An evaluation's files: its picture (`roc.svg`, `errors.svg`, `compare.svg`), the full JSON result and each experiment's page. */
export function evaluationFiles(r: EvaluationResult): ResultFile[] {
  return [
    { name: `${r.kind}.svg`, uri: r.pictureUri },
    { name: `${r.kind}.json`, uri: r.resultUri },
    ...Object.entries(r.pageUris ?? {}).map(([experimentId, uri]) => ({ name: `experiment-${fileSafe(experimentId)}.html`, uri })),
  ];
}

/** Where this machine keeps an artifact, when it does (a CLI session, or `npm start` with its own store). */
export type ArtifactFiles = Pick<CliSession, 'artifactPath'>;

const fmt = (v: number | null | undefined, digits = 3): string => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits));
const ci = (c: { low: number; high: number } | null | undefined): string => (c ? ` [${fmt(c.low)}, ${fmt(c.high)}]` : '');

function pictureLine(session: ArtifactFiles | undefined, uri: string, pages?: Record<string, string>): string {
  const file = (u: string) => session?.artifactPath?.(u) ?? u;
  // One page per experiment: its training curves and every evaluation of it.
  const pageLines = Object.entries(pages ?? {}).map(([id, u]) => `  page of ${id}: ${file(u)}`);
  return [`  picture        ${file(uri)}`, ...pageLines].join('\n');
}

export function formatRocResult(r: EvaluateRocResult, session?: ArtifactFiles): string {
  const width = Math.max(5, ...r.perClass.map((c) => c.class.length));
  return [
    `ROC ${r.evaluationId}: ${r.experimentId} on ${r.datasetId} (${r.split} split, ${count(r.samples)} windows)`,
    `  accuracy       ${fmt(r.accuracy)}${ci(r.ci.accuracy)}`,
    `  AUC macro      ${fmt(r.aucMacro)}${ci(r.ci.aucMacro)}`,
    `  AUC micro      ${fmt(r.aucMicro)}${ci(r.ci.aucMicro)}`,
    `  AP macro/micro ${fmt(r.apMacro)} / ${fmt(r.apMicro)}`,
    pictureLine(session, r.pictureUri, r.pageUris),
    '',
    `  ${'class'.padEnd(width)}  windows      AUC       AP`,
    ...r.perClass.map(
      (c) => `  ${c.class.padEnd(width)}  ${String(c.positives).padStart(7)}  ${fmt(c.auc).padStart(7)}  ${fmt(c.averagePrecision).padStart(7)}`,
    ),
  ].join('\n');
}

export function formatErrorsResult(r: EvaluateErrorsResult, session?: ArtifactFiles): string {
  const width = Math.max(5, ...r.perClass.map((c) => c.class.length));
  return [
    `Errors ${r.evaluationId}: ${r.experimentId} on ${r.datasetId} (${r.split} split, ${count(r.samples)} windows)`,
    `  accuracy       ${percent(r.accuracy, 2)}  (${count(r.errors)} errors)  macro F1 ${fmt(r.macroF1)}  ECE ${fmt(r.ece)}`,
    pictureLine(session, r.pictureUri, r.pageUris),
    '',
    `  ${'class'.padEnd(width)}  precision  recall     F1  support`,
    ...r.perClass.map(
      (c) =>
        `  ${c.class.padEnd(width)}  ${fmt(c.precision).padStart(9)}  ${fmt(c.recall).padStart(6)}  ${fmt(c.f1).padStart(5)}  ${String(c.support).padStart(7)}`,
    ),
    ...(Object.keys(r.worstByCondition).length ? ['', '  worst condition by error rate'] : []),
    ...Object.entries(r.worstByCondition).map(([name, w]) => `    ${name.padEnd(12)} ${w.value} (${percent(w.errorRate)} of ${w.count})`),
    ...(r.worst.length ? ['', '  most confident mistakes'] : []),
    ...r.worst
      .slice(0, 10)
      .map(
        (m) =>
          `    ${m.signal}@${m.windowStart}  ${m.trueClass} → ${m.predictedClass} (${percent(m.confidence)})${m.xaiPictureUri ? `  xai ${session?.artifactPath?.(m.xaiPictureUri) ?? m.xaiPictureUri}` : ''}`,
      ),
  ].join('\n');
}

export function formatComparisonResult(r: CompareExperimentsResult, session?: ArtifactFiles): string {
  const width = Math.max(10, ...r.rows.map((x) => x.experimentId.length));
  return [
    `Comparison ${r.evaluationId}: ${r.rows.length} experiments on ${r.datasetId} (${r.split} split, ${count(r.samples)} paired ${r.pairing}s)`,
    pictureLine(session, r.pictureUri, r.pageUris),
    '',
    `  ${'experiment'.padEnd(width)}  accuracy  95 % interval      parameters  latency ms  epochs  Pareto`,
    ...r.rows.map(
      (x) =>
        `  ${x.experimentId.padEnd(width)}  ${fmt(x.accuracy).padStart(8)}  ${`[${fmt(x.ci.low)}, ${fmt(x.ci.high)}]`.padEnd(16)}  ${(x.parameters === null ? '–' : count(x.parameters)).padStart(10)}  ${fmt(x.latencyMs, 2).padStart(10)}  ${String(x.epochs ?? '–').padStart(6)}  ${x.pareto ? 'yes' : ''}`,
    ),
    '',
    '  McNemar (b: only first right, c: only second right; p Holm-adjusted)',
    ...r.pairs.map(
      (p) =>
        `    ${p.first} vs ${p.second}: b ${p.b}, c ${p.c}, ${p.method} p ${p.pValue.toPrecision(3)}, adjusted ${p.adjustedP.toPrecision(3)}${p.significant ? '  significant' : ''}`,
    ),
  ].join('\n');
}

export function formatEvaluationResult(r: EvaluationResult, session?: ArtifactFiles): string {
  if (r.kind === 'roc') return formatRocResult(r, session);
  if (r.kind === 'errors') return formatErrorsResult(r, session);
  return formatComparisonResult(r, session);
}

const evalDetails = (p: Progress): string => {
  const running = typeof p.predictionsRunning === 'number' && p.predictionsRunning > 0 ? `${p.predictionsRunning} predicting` : '';
  const reused = typeof p.predictionsReused === 'number' && p.predictionsReused > 0 ? `${p.predictionsReused} predictions reused` : '';
  return [running, reused].filter(Boolean).join(', ');
};

/** The evaluation kind of a workflow id (its prefix); a bare comparison hash is a comparison. */
export function evaluationKindOf(id: string): { kind: ClientWorkflowKind; id: string } {
  if (id.startsWith('evaluate-roc-')) return { kind: 'roc', id };
  if (id.startsWith('evaluate-errors-')) return { kind: 'errors', id };
  return { kind: 'compare', id };
}

interface EvalStart {
  name: string;
  description: string;
  args: string;
  fields: readonly FieldFlag[];
  toRequest(args: string[], flags: Record<string, unknown>): Record<string, unknown>;
  prepare(request: Record<string, unknown>): unknown;
  start(api: FaultlineApi, input: unknown): Promise<StartedRun>;
}

function addEvalStart(group: Command, deps: CliDeps, spec: EvalStart): void {
  const cmd = group.command(spec.name).description(spec.description).argument(spec.args).option('--wait', 'show live progress and print the result');
  addFieldFlags(cmd, spec.fields).action(async (...received: unknown[]) => {
    const command = received[received.length - 1] as Command;
    const opts = received[received.length - 2] as Record<string, unknown>;
    const positional = received.slice(0, -2).flat() as string[];
    const out = outputOf(command, deps);
    const request = spec.toRequest(positional, requestFromFlags(spec.fields, opts));
    const flags = { ...flagsByPath(spec.fields), experimentId: '<experimentId>', experimentIds: '<experimentIds...>' };
    const input = prepareOrExplain(() => spec.prepare(request), flags);
    await withSession(command, deps, async (session) => {
      const started = await spec.start(session.api, input);
      const webUiUrl = session.webUiUrl(started.workflowId);
      const doc = { kind: `eval-${spec.name}`, ...started, webUiUrl };
      const follow = `faultline eval progress ${started.workflowId} --follow`;
      if (opts.wait !== true) {
        out.result(doc, () => `${formatStarted('evaluation', started, webUiUrl)}\nFollow: ${follow}\nResult: faultline eval result ${started.workflowId}`);
        return;
      }
      out.line(formatStarted('evaluation', started, webUiUrl));
      const result = await followToResult<EvaluationResult>(session, out, deps, started.workflowId, follow, evalDetails);
      out.result(
        { ...doc, status: 'COMPLETED', result, pictureFile: session.artifactPath?.(result.pictureUri) },
        () => `\n${formatEvaluationResult(result, session)}`,
      );
    });
  });
}

export const evalCommands: CommandGroup = {
  name: 'eval',
  register(program, deps) {
    const group = program
      .command('eval')
      .description('evaluate trained models: ROC, errors, comparisons (evaluateRocWorkflow, evaluateErrorsWorkflow, compareExperimentsWorkflow)');
    addEvalStart(group, deps, {
      name: 'roc',
      description: 'one-vs-rest ROC and PR curves, AUC (micro, macro) with bootstrap 95 % intervals, and a picture',
      args: '<experimentId>',
      fields: ROC_FIELDS,
      toRequest: ([experimentId], flags) => ({ ...flags, experimentId }),
      prepare: (r) => prepareRocInput(r as Parameters<typeof prepareRocInput>[0]),
      start: (api, input) => api.startRocEvaluation(input as Parameters<typeof prepareRocInput>[0]),
    });
    addEvalStart(group, deps, {
      name: 'errors',
      description: 'normalised confusion matrix, precision/recall/F1, calibration (ECE), misclassified windows, errors by condition',
      args: '<experimentId>',
      fields: ERRORS_FIELDS,
      toRequest: ([experimentId], flags) => ({ ...flags, experimentId }),
      prepare: (r) => prepareErrorsInput(r as Parameters<typeof prepareErrorsInput>[0]),
      start: (api, input) => api.startErrorsEvaluation(input as Parameters<typeof prepareErrorsInput>[0]),
    });
    addEvalStart(group, deps, {
      name: 'compare',
      description: 'N experiments on one shared test set: accuracy with intervals, pairwise McNemar, Pareto front of accuracy vs size',
      args: '<experimentIds...>',
      fields: COMPARE_FIELDS,
      toRequest: (ids, flags) => ({ ...flags, experimentIds: ids }),
      // The id is derived once the dataset is known (startComparison resolves it); here only the rest is checked.
      prepare: (r) => (prepareComparisonInput({ comparisonId: 'check', ...r } as Parameters<typeof prepareComparisonInput>[0]), r),
      start: (api, input) => api.startComparison(input as Parameters<typeof prepareComparisonInput>[0]),
    });

    const resultCmd = group
      .command('result')
      .description('wait for an evaluation to finish and print its result')
      .argument('<id>', 'evaluation workflow id (evaluate-roc-…, evaluate-errors-…, compare-…) or a comparison id');
    addOutFolderOptions(resultCmd).action(async (raw: string, opts: OutFolderOptions, cmd: Command) => {
      const out = outputOf(cmd, deps);
      await withSession(cmd, deps, async (session) => {
        const { kind, id } = evaluationKindOf(raw);
        const workflowId = await session.api.locateWorkflowId(kind, id);
        const result = await unlessInterrupted(
          session.api.getResult<EvaluationResult>(workflowId),
          deps.interrupt,
          () => new InterruptedError(workflowId, `faultline eval result ${raw}`),
        );
        const written = await writeOutFolder(session, opts, evaluationFiles(result));
        out.result(
          {
            workflowId,
            status: 'COMPLETED',
            webUiUrl: session.webUiUrl(workflowId),
            result,
            pictureFile: session.artifactPath?.(result.pictureUri),
            ...(written ? { files: written.files } : {}),
          },
          () => formatEvaluationResult(result, session) + (written ? `\n\n${written.text}` : ''),
        );
      });
    });

    group
      .command('progress')
      .description('show status and progress (--follow: live bar until it ends)')
      .argument('<id>', 'evaluation workflow id or a comparison id')
      .option('--follow', 'keep polling with a live progress bar until the run ends')
      .action(async (raw: string, opts: { follow?: boolean }, cmd: Command) => {
        const out = outputOf(cmd, deps);
        await withSession(cmd, deps, async (session) => {
          const { kind, id } = evaluationKindOf(raw);
          const workflowId = await session.api.locateWorkflowId(kind, id);
          const webUiUrl = session.webUiUrl(workflowId);
          if (opts.follow) {
            const result = await followToResult<EvaluationResult>(session, out, deps, workflowId, `faultline eval progress ${raw} --follow`, evalDetails);
            out.result({ workflowId, status: 'COMPLETED', result }, () => formatEvaluationResult(result, session));
            return;
          }
          const run = await session.api.describeRun(workflowId);
          out.result({ ...run, webUiUrl }, () => formatRun(run, webUiUrl, evalDetails));
        });
      });

    group
      .command('cancel')
      .description('cancel the evaluation now (Temporal cancellation; the row says CANCELLED)')
      .argument('<id>', 'evaluation workflow id or a comparison id')
      .action(async (raw: string, _opts: unknown, cmd: Command) => {
        const out = outputOf(cmd, deps);
        await withSession(cmd, deps, async (session) => {
          const { kind, id } = evaluationKindOf(raw);
          const workflowId = await session.api.locateWorkflowId(kind, id);
          await session.api.cancelRun(workflowId);
          out.result({ workflowId, cancelRequested: true }, () => `Cancellation requested for ${workflowId}; its final status will be CANCELLED.`);
        });
      });
  },
};
