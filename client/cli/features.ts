import type { Command } from 'commander';
import type {
  ExtractFeaturesResult,
  ExtractFeaturesStopped,
  FeatureAnalysisMode,
  FeatureAnalysisResult,
  FeatureAnalysisStopped,
  Progress,
} from '../../contracts/index.js';
import { prepareFeatureAnalysisInput, prepareFeaturesInput, type StartFeatureAnalysisRequest, type StartFeaturesRequest } from '../features.js';
import { InterruptedError, outputOf, prepareOrExplain, unlessInterrupted, withSession, type CommandGroup } from './context.js';
import { addFieldFlags, decimal, flagsByPath, integer, list, requestFromFlags, type FieldFlag } from './fields.js';
import { parseSplit } from './train.js';
import { count, formatStarted } from './output.js';
import { followToResult } from './run-commands.js';
import type { CliSession } from './session.js';

/**
 * `faultline features extract|importance|select|correlation|baseline|result`: featurise a dataset
 * into a stored matrix, then rank, select and correlate its features, and score a random forest on
 * a CNN experiment's split (extractFeaturesWorkflow, analyzeFeaturesWorkflow).
 */

export const EXTRACT_FIELDS: readonly FieldFlag[] = [
  { flags: '--domains <list>', description: 'comma list of time, frequency, envelope, wavelet (default: all)', path: ['settings', 'domains'], parse: list },
  { flags: '--window <samples>', description: 'rows are windows of this many samples (default: whole signals)', path: ['window', 'length'], parse: integer },
  { flags: '--hop <samples>', description: 'window hop (default: the window length)', path: ['window', 'hop'], parse: integer },
  { flags: '--max-windows <n>', description: 'at most this many windows per signal', path: ['window', 'maxPerSignal'], parse: integer },
  { flags: '--wavelet <name>', description: 'Daubechies wavelet of the packet bands (db1 … db10)', path: ['settings', 'wavelet'] },
  { flags: '--wavelet-level <n>', description: 'packet depth (2^level bands)', path: ['settings', 'waveletLevel'], parse: integer },
  { flags: '--chunk <n>', description: 'signals per activity', path: ['signalsPerChunk'], parse: integer },
  { flags: '--max-in-flight <n>', description: 'chunk activities at once', path: ['maxInFlight'], parse: integer },
];

export const ANALYSIS_FIELDS: readonly FieldFlag[] = [
  { flags: '--trees <n>', description: 'random-forest trees', path: ['options', 'forest', 'trees'], parse: integer },
  { flags: '--repeats <n>', description: 'importance: forests (and permutations) for the spread', path: ['options', 'repeats'], parse: integer },
  { flags: '--rank-by <measure>', description: 'permutation | impurity | mutual-information | anova-f', path: ['options', 'rankBy'] },
  { flags: '--method <method>', description: 'select: top-k | mrmr | correlation', path: ['options', 'method'] },
  { flags: '--k <n>', description: 'select: features to keep (top-k, mrmr)', path: ['options', 'k'], parse: integer },
  {
    flags: '--threshold <r>',
    description: '|r| above which features count as redundant (correlation filter and pairs)',
    path: ['options', 'threshold'],
    parse: decimal,
  },
  { flags: '--folds <n>', description: 'select: cross-validation folds (grouped by signal)', path: ['options', 'folds'], parse: integer },
  { flags: '--seed <n>', description: 'split and permutation seed', path: ['options', 'seed'], parse: integer },
];

/** `faultline features baseline`: the forest's flags, then the split (an experiment's, or stated) and the features. */
export const BASELINE_FIELDS: readonly FieldFlag[] = [
  {
    flags: '--experiment <experimentId>',
    description: "use this CNN experiment's split (its dataset must be the feature set's)",
    path: ['options', 'baseline', 'experimentId'],
  },
  {
    flags: '--split <signal|time|json>',
    description: 'without --experiment: signal (default) | time | JSON, as `faultline train start --split`',
    path: ['options', 'baseline', 'split'],
    parse: parseSplit,
  },
  {
    flags: '--validation-fraction <f>',
    description: 'without --experiment: validation share',
    path: ['options', 'baseline', 'validationFraction'],
    parse: decimal,
  },
  { flags: '--test-fraction <f>', description: 'without --experiment: test share', path: ['options', 'baseline', 'testFraction'], parse: decimal },
  {
    flags: '--split-seed <n>',
    description: "without --experiment: the split's seed (the trainer's default 1)",
    path: ['options', 'baseline', 'splitSeed'],
    parse: integer,
  },
  { flags: '--selection <analysisId>', description: 'the features a completed select analysis chose (select-…)', path: ['options', 'baseline', 'selectionId'] },
  { flags: '--features <list>', description: 'comma list of feature names', path: ['options', 'baseline', 'features'], parse: list },
  { flags: '--mrmr-k <n>', description: "mRMR's k best, chosen on the training rows only", path: ['options', 'baseline', 'mrmrK'], parse: integer },
  { flags: '--trees <n>', description: 'random-forest trees', path: ['options', 'forest', 'trees'], parse: integer },
  { flags: '--max-depth <n>', description: 'random-forest depth', path: ['options', 'forest', 'maxDepth'], parse: integer },
  { flags: '--seed <n>', description: 'forest seed', path: ['options', 'forest', 'seed'], parse: integer },
];

const fmt = (v: unknown): string =>
  typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(4)) : v === null || v === undefined ? '–' : String(v);
const file = (session: CliSession | undefined, uri: string) => session?.artifactPath?.(uri) ?? uri;

export function formatExtractResult(r: ExtractFeaturesResult, session?: CliSession): string {
  return [
    `Feature set ${r.featureSetId}: ${count(r.rows)} rows × ${r.columns} features from ${count(r.signals)} signals of ${r.datasetId}${r.computed ? '' : ' (stored set reused)'}`,
    `  matrix   ${file(session, r.matrixUri)}  (float32, rows × columns)`,
    `  index    ${file(session, r.indexUri)}`,
    `  catalog  ${file(session, r.catalogUri)}`,
    `  next     faultline features importance ${r.featureSetId} --wait`,
  ].join('\n');
}

export function formatAnalysisResult(r: FeatureAnalysisResult, session?: CliSession): string {
  const label = r.mode === 'correlation' ? 'clustering order' : r.mode === 'select' ? 'selected' : r.mode === 'baseline' ? 'features used' : 'ranked';
  return [
    `Feature ${r.mode} ${r.analysisId} of ${r.featureSetId}`,
    ...Object.entries(r.summary).map(([k, v]) => `  ${k.padEnd(20)} ${fmt(v)}`),
    `  picture              ${file(session, r.pictureUri)}`,
    `  result               ${file(session, r.resultUri)}`,
    '',
    `  ${label}:`,
    ...r.features.slice(0, 20).map((f, i) => `  ${String(i + 1).padStart(3)}. ${f}`),
    ...(r.features.length > 20 ? [`  … ${r.features.length - 20} more in the result`] : []),
  ].join('\n');
}

const details = (p: Progress): string =>
  typeof p.signals === 'number' && typeof p.signalsDone === 'number'
    ? `${p.signalsDone}/${p.signals} signals, ${String(p.chunksRunning ?? 0)} chunk(s) running`
    : '';

type AnyFeaturesResult = ExtractFeaturesResult | FeatureAnalysisResult | ExtractFeaturesStopped | FeatureAnalysisStopped;

function isStopped(r: AnyFeaturesResult): r is ExtractFeaturesStopped | FeatureAnalysisStopped {
  return 'status' in r && r.status === 'STOPPED';
}

function isAnalysis(r: ExtractFeaturesResult | FeatureAnalysisResult): r is FeatureAnalysisResult {
  return 'analysisId' in r;
}

export function formatStopped(r: ExtractFeaturesStopped | FeatureAnalysisStopped): string {
  const what =
    'analysisId' in r
      ? `Feature ${r.mode} ${r.analysisId} of ${r.featureSetId}`
      : `Feature set ${r.featureSetId}: ${r.signalsDone}/${r.signals} signals featurised,`;
  return `${what} stopped${r.reason ? ` (${r.reason})` : ''}: no result stored (the same request attaches to this stopped run while Temporal keeps it)`;
}

function formatAny(r: AnyFeaturesResult, session?: CliSession): string {
  if (isStopped(r)) return formatStopped(r);
  return isAnalysis(r) ? formatAnalysisResult(r, session) : formatExtractResult(r, session);
}

export const featureCommands: CommandGroup = {
  name: 'features',
  register(program, deps) {
    const group = program
      .command('features')
      .description('classical features of a dataset: extract, importance, select, correlation, baseline (extractFeaturesWorkflow, analyzeFeaturesWorkflow)');

    const extract = group
      .command('extract')
      .description('time, frequency, envelope and wavelet-packet features of every signal (or window) into a stored float32 matrix')
      .argument('<datasetId>')
      .option('--wait', 'show live progress and print the result');
    addFieldFlags(extract, EXTRACT_FIELDS).action(async (datasetId: string, opts: Record<string, unknown>, command: Command) => {
      const out = outputOf(command, deps);
      const request = { ...requestFromFlags(EXTRACT_FIELDS, opts), datasetId } as StartFeaturesRequest;
      prepareOrExplain(() => prepareFeaturesInput(request), { ...flagsByPath(EXTRACT_FIELDS), datasetId: '<datasetId>' });
      await withSession(command, deps, async (session) => {
        const started = await session.api.startFeatureExtraction(request);
        const webUiUrl = session.webUiUrl(started.workflowId);
        const doc = { kind: 'features-extract', ...started, webUiUrl };
        if (opts.wait !== true) {
          out.result(doc, () => `${formatStarted('feature set', started, webUiUrl)}\nResult: faultline features result ${started.workflowId}`);
          return;
        }
        out.line(formatStarted('feature set', started, webUiUrl));
        const result = await followToResult<ExtractFeaturesResult | ExtractFeaturesStopped>(
          session,
          out,
          deps,
          started.workflowId,
          `faultline features result ${started.workflowId}`,
          details,
        );
        out.result({ ...doc, status: isStopped(result) ? 'STOPPED' : 'COMPLETED', result }, () => `\n${formatAny(result, session)}`);
      });
    });

    const describe: Record<FeatureAnalysisMode, string> = {
      importance: 'random-forest impurity and held-out permutation importance, mutual information, ANOVA F: one ranked table and a bar chart',
      select: 'top-k, mRMR or a correlation filter, with the cross-validated accuracy of a forest on the chosen vs all features',
      correlation: 'Pearson and Spearman matrices, the pairs above a threshold, and a clustered heatmap',
      baseline: "a random forest trained and tested on a CNN experiment's split: accuracy and confusion matrix next to the CNN's",
    };
    for (const mode of ['importance', 'select', 'correlation', 'baseline'] as const) {
      const fields = mode === 'baseline' ? BASELINE_FIELDS : ANALYSIS_FIELDS;
      const cmd = group.command(mode).description(describe[mode]).argument('<featureSetId>').option('--wait', 'show live progress and print the result');
      addFieldFlags(cmd, fields).action(async (featureSetId: string, opts: Record<string, unknown>, command: Command) => {
        const out = outputOf(command, deps);
        const request = { ...requestFromFlags(fields, opts), featureSetId, mode } as StartFeatureAnalysisRequest;
        prepareOrExplain(() => prepareFeatureAnalysisInput(request), { ...flagsByPath(fields), featureSetId: '<featureSetId>' });
        await withSession(command, deps, async (session) => {
          const started = await session.api.startFeatureAnalysis(request);
          const webUiUrl = session.webUiUrl(started.workflowId);
          const doc = { kind: `features-${mode}`, ...started, webUiUrl };
          if (opts.wait !== true) {
            out.result(doc, () => `${formatStarted('feature analysis', started, webUiUrl)}\nResult: faultline features result ${started.workflowId}`);
            return;
          }
          out.line(formatStarted('feature analysis', started, webUiUrl));
          const result = await followToResult<FeatureAnalysisResult | FeatureAnalysisStopped>(
            session,
            out,
            deps,
            started.workflowId,
            `faultline features result ${started.workflowId}`,
          );
          if (isStopped(result)) {
            out.result({ ...doc, status: 'STOPPED', result }, () => `\n${formatStopped(result)}`);
            return;
          }
          out.result(
            { ...doc, status: 'COMPLETED', result, pictureFile: session.artifactPath?.(result.pictureUri) },
            () => `\n${formatAnalysisResult(result, session)}`,
          );
        });
      });
    }

    group
      .command('result')
      .description('wait for an extraction or analysis to finish and print its result')
      .argument('<workflowId>', 'features-… or feature-analysis-…')
      .action(async (workflowId: string, _opts: unknown, cmd: Command) => {
        const out = outputOf(cmd, deps);
        await withSession(cmd, deps, async (session) => {
          const result = await unlessInterrupted(
            session.api.getResult<AnyFeaturesResult>(workflowId),
            deps.interrupt,
            () => new InterruptedError(workflowId, `faultline features result ${workflowId}`),
          );
          out.result({ workflowId, status: isStopped(result) ? 'STOPPED' : 'COMPLETED', webUiUrl: session.webUiUrl(workflowId), result }, () =>
            formatAny(result, session),
          );
        });
      });
  },
};
