import type { Command } from 'commander';
import type { ExtractFeaturesResult, FeatureAnalysisMode, FeatureAnalysisResult, Progress } from '../../contracts/index.js';
import { prepareFeatureAnalysisInput, prepareFeaturesInput, type StartFeatureAnalysisRequest, type StartFeaturesRequest } from '../features.js';
import { InterruptedError, outputOf, prepareOrExplain, unlessInterrupted, withSession, type CommandGroup } from './context.js';
import { addFieldFlags, decimal, flagsByPath, integer, list, requestFromFlags, type FieldFlag } from './fields.js';
import { count, formatStarted } from './output.js';
import { followToResult } from './run-commands.js';
import type { CliSession } from './session.js';

/**
 * `faultline features extract|importance|select|correlation|result`: featurise a dataset into a
 * stored matrix, then rank, select and correlate its features (extractFeaturesWorkflow,
 * analyzeFeaturesWorkflow).
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
  const label = r.mode === 'correlation' ? 'clustering order' : r.mode === 'select' ? 'selected' : 'ranked';
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

function isAnalysis(r: ExtractFeaturesResult | FeatureAnalysisResult): r is FeatureAnalysisResult {
  return 'analysisId' in r;
}

export const featureCommands: CommandGroup = {
  name: 'features',
  register(program, deps) {
    const group = program
      .command('features')
      .description('classical features of a dataset: extract, importance, select, correlation (extractFeaturesWorkflow, analyzeFeaturesWorkflow)');

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
        const result = await followToResult<ExtractFeaturesResult>(
          session,
          out,
          deps,
          started.workflowId,
          `faultline features result ${started.workflowId}`,
          details,
        );
        out.result({ ...doc, status: 'COMPLETED', result }, () => `\n${formatExtractResult(result, session)}`);
      });
    });

    const describe: Record<FeatureAnalysisMode, string> = {
      importance: 'random-forest impurity and held-out permutation importance, mutual information, ANOVA F: one ranked table and a bar chart',
      select: 'top-k, mRMR or a correlation filter, with the cross-validated accuracy of a forest on the chosen vs all features',
      correlation: 'Pearson and Spearman matrices, the pairs above a threshold, and a clustered heatmap',
    };
    for (const mode of ['importance', 'select', 'correlation'] as const) {
      const cmd = group.command(mode).description(describe[mode]).argument('<featureSetId>').option('--wait', 'show live progress and print the result');
      addFieldFlags(cmd, ANALYSIS_FIELDS).action(async (featureSetId: string, opts: Record<string, unknown>, command: Command) => {
        const out = outputOf(command, deps);
        const request = { ...requestFromFlags(ANALYSIS_FIELDS, opts), featureSetId, mode } as StartFeatureAnalysisRequest;
        prepareOrExplain(() => prepareFeatureAnalysisInput(request), { ...flagsByPath(ANALYSIS_FIELDS), featureSetId: '<featureSetId>' });
        await withSession(command, deps, async (session) => {
          const started = await session.api.startFeatureAnalysis(request);
          const webUiUrl = session.webUiUrl(started.workflowId);
          const doc = { kind: `features-${mode}`, ...started, webUiUrl };
          if (opts.wait !== true) {
            out.result(doc, () => `${formatStarted('feature analysis', started, webUiUrl)}\nResult: faultline features result ${started.workflowId}`);
            return;
          }
          out.line(formatStarted('feature analysis', started, webUiUrl));
          const result = await followToResult<FeatureAnalysisResult>(session, out, deps, started.workflowId, `faultline features result ${started.workflowId}`);
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
            session.api.getResult<ExtractFeaturesResult | FeatureAnalysisResult>(workflowId),
            deps.interrupt,
            () => new InterruptedError(workflowId, `faultline features result ${workflowId}`),
          );
          out.result({ workflowId, status: 'COMPLETED', webUiUrl: session.webUiUrl(workflowId), result }, () =>
            isAnalysis(result) ? formatAnalysisResult(result, session) : formatExtractResult(result, session),
          );
        });
      });
  },
};
