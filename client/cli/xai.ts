import { InvalidArgumentError, type Command } from 'commander';
import { z } from 'zod';
import { InputValidationError, XAI_METHODS, type ExplainSignalsResult, type FieldIssue, type Progress, type XaiMethod } from '../../contracts/index.js';
import { prepareXaiInput, type RunDescription, type StartXaiRequest } from '../api.js';
import { WORKFLOW_KINDS } from '../workflow-kinds.js';
import { CliInputError, outputOf, prepareOrExplain, withSession, type CliDeps, type CommandGroup } from './context.js';
import { addFieldFlags, flagsByPath, integer, jsonObject, list, requestFromFlags, type FieldFlag } from './fields.js';
import { formatValue } from './hpo.js';
import { count, formatRun, formatStarted } from './output.js';
import { addRunCommands, addStopCommand, followToResult, type RunKind } from './run-commands.js';
import type { CliSession } from './session.js';

// --------------------------------------------------------------------------------------------
// Methods and their short names

/** Every spelling `--methods` accepts, lower case, → the contract's method name. */
export const XAI_METHOD_ALIASES: Readonly<Record<string, XaiMethod>> = {
  'integrated-gradients': 'integrated-gradients',
  ig: 'integrated-gradients',
  'grad-cam': 'grad-cam',
  gradcam: 'grad-cam',
  occlusion: 'occlusion',
  'kernel-shap': 'kernel-shap',
  kernelshap: 'kernel-shap',
  shap: 'kernel-shap',
};

const METHOD_NAMES_HELP = 'integrated-gradients (ig), grad-cam (gradcam), occlusion, kernel-shap (shap)';

/** `ig,gradcam` → ['integrated-gradients', 'grad-cam'] (repeats dropped); an unknown name is refused, named. */
export function parseMethods(raw: string): XaiMethod[] {
  const methods: XaiMethod[] = [];
  for (const name of list(raw)) {
    const method = XAI_METHOD_ALIASES[name.toLowerCase()];
    if (method === undefined) throw new InvalidArgumentError(`unknown method "${name}" (known: ${METHOD_NAMES_HELP})`);
    if (!methods.includes(method)) methods.push(method);
  }
  return methods;
}

// --------------------------------------------------------------------------------------------
// Flags → ExplainSignalsRequest

const SELECTION_IDS_FIELD: FieldFlag = {
  flags: '--signals <refs>',
  description: 'explain these signals: comma-separated "<datasetId>:<index>" (e.g. cwru-demo:3,cwru-demo:17)',
  path: ['selection', 'ids'],
  parse: list,
};

/** Flags that select by dataset (they imply `selection.kind = "dataset"`). */
const SELECTION_DATASET_FIELDS: readonly FieldFlag[] = [
  { flags: '--dataset <datasetId>', description: 'or explain the signals of this dataset (filtered by the flags below)', path: ['selection', 'datasetId'] },
  { flags: '--labels <labels>', description: 'dataset selection: only signals of these labels (e.g. normal,ball)', path: ['selection', 'labels'], parse: list },
  { flags: '--from <n>', description: 'dataset selection: first signal index (inclusive)', path: ['selection', 'fromIndex'], parse: integer },
  { flags: '--to <n>', description: 'dataset selection: signal index to stop before (exclusive)', path: ['selection', 'toIndex'], parse: integer },
  {
    flags: '--limit <n>',
    description: 'dataset selection: at most this many signals (the lowest matching indices)',
    path: ['selection', 'limit'],
    parse: integer,
  },
];

/** Per-method options; each needs its method in `--methods` (or in the `--request` file). */
const METHOD_OPTION_FIELDS: readonly FieldFlag[] = [
  {
    flags: '--ig-steps <n>',
    description: 'integrated gradients: Riemann steps along the path',
    path: ['methods', 'integrated-gradients', 'steps'],
    parse: integer,
  },
  { flags: '--ig-baseline <kind>', description: 'integrated gradients: reference input, zeros | mean', path: ['methods', 'integrated-gradients', 'baseline'] },
  {
    flags: '--gradcam-layer <name>',
    description: 'Grad-CAM: layer whose activations are weighted (default: the last Conv1D)',
    path: ['methods', 'grad-cam', 'layer'],
  },
  { flags: '--occlusion-window <n>', description: 'occlusion: samples hidden at once', path: ['methods', 'occlusion', 'window'], parse: integer },
  { flags: '--occlusion-stride <n>', description: 'occlusion: step between hidden windows', path: ['methods', 'occlusion', 'stride'], parse: integer },
  {
    flags: '--shap-segments <n>',
    description: 'KernelSHAP: segments (players) a window is cut into',
    path: ['methods', 'kernel-shap', 'segments'],
    parse: integer,
  },
  {
    flags: '--shap-samples <n>',
    description: 'KernelSHAP: coalitions evaluated besides the empty and the full one',
    path: ['methods', 'kernel-shap', 'samples'],
    parse: integer,
  },
  {
    flags: '--shap-background-size <n>',
    description: 'KernelSHAP: background windows (each coalition costs one prediction per window)',
    path: ['methods', 'kernel-shap', 'background', 'size'],
    parse: integer,
  },
  {
    flags: '--shap-background-dataset <datasetId>',
    description: 'KernelSHAP: dataset the background is drawn from (default: that of the first signal)',
    path: ['methods', 'kernel-shap', 'background', 'datasetId'],
  },
  {
    flags: '--shap-background-labels <labels>',
    description: 'KernelSHAP: background only from these labels (e.g. normal)',
    path: ['methods', 'kernel-shap', 'background', 'labels'],
    parse: list,
  },
];

/**
 * `faultline xai start` flags → ExplainSignalsRequest fields. Defaults live in the contract.
 * `--methods` comes before the per-method options, whose values land inside its object.
 */
export const XAI_FIELDS: readonly FieldFlag[] = [
  { flags: '--model <modelId>', description: 'trained model (experiment id) whose predictions are explained (required)', path: ['modelId'] },
  { flags: '--batch-id <batchId>', description: 'batch id (default: derived from the whole request, x-<hash>)', path: ['batchId'] },
  SELECTION_IDS_FIELD,
  ...SELECTION_DATASET_FIELDS,
  {
    flags: '--methods <list>',
    description: `methods to run, comma-separated: ${METHOD_NAMES_HELP}`,
    path: ['methods'],
    parse: (raw: string) => Object.fromEntries(parseMethods(raw).map((m) => [m, {}])),
  },
  ...METHOD_OPTION_FIELDS,
  {
    flags: '--windows-per-signal <n>',
    description: 'model-length windows explained per signal, spread over the recording',
    path: ['windowsPerSignal'],
    parse: integer,
  },
  { flags: '--target <which>', description: 'class explained: predicted (the model’s prediction) | label (the signal’s own label)', path: ['target'] },
  { flags: '--max-in-flight <n>', description: 'signals explained at once (sliding window)', path: ['maxInFlight'], parse: integer },
  {
    flags: '--max-failed <n>',
    description: 'the batch fails when more signals than this fail (default: 10 % of the selection, at least 1)',
    path: ['maxFailedSignals'],
    parse: integer,
  },
  { flags: '--seed <n>', description: 'seeds KernelSHAP coalitions, the background draw and the random deletion orders', path: ['seed'], parse: integer },
];

/** Contract field → flag, for error messages; `selection` itself is either selection flag. */
export const XAI_FLAGS_BY_PATH: Readonly<Record<string, string>> = { selection: '--signals | --dataset', ...flagsByPath(XAI_FIELDS) };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `b` laid over `a`, objects merged key by key (the flags over a `--request` file). */
function deepMerge(a: unknown, b: unknown): unknown {
  if (!isObject(a) || !isObject(b)) return b === undefined ? a : b;
  const out: Json = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = deepMerge(a[k], v);
  return out;
}

/**
 * The request the flags describe, laid over the `--request` file when one is given: a selection
 * flag replaces the file's selection, `--methods` replaces its methods (the per-method options
 * then fill those), other flags replace the file's field. What the flags cannot mean at all
 * (both selections, an option of a method that is not run) is refused here, naming the flags;
 * everything else is the contract's job (prepareXaiInput).
 */
export function xaiRequestFromOptions(opts: Json): StartXaiRequest {
  const base = isObject(opts.request) ? opts.request : {};
  // Read before requestFromFlags, which fills the per-method options into this same object.
  const methodsFlag = isObject(opts.methods) ? Object.keys(opts.methods) : undefined;
  const flagged = requestFromFlags(XAI_FIELDS, opts);
  const issues: FieldIssue[] = [];

  const { selection: flaggedSelection, methods: flaggedMethods, ...rest } = flagged;
  const request: Json = { ...base, ...rest };

  if (isObject(flaggedSelection)) {
    const { ids, ...byDataset } = flaggedSelection;
    if (ids !== undefined && Object.keys(byDataset).length > 0) {
      issues.push({ path: 'selection', message: 'give either --signals or --dataset (with --labels / --from / --to / --limit), not both' });
    }
    request.selection = ids !== undefined ? { kind: 'ids', ids } : { kind: 'dataset', ...byDataset };
  }

  if (isObject(flaggedMethods)) {
    const selected = methodsFlag ?? (isObject(base.methods) ? Object.keys(base.methods) : []);
    for (const [method, options] of Object.entries(flaggedMethods)) {
      if (selected.includes(method) || !isObject(options)) continue;
      for (const f of METHOD_OPTION_FIELDS.filter((field) => field.path[1] === method)) {
        const value = f.path.slice(2).reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), options);
        if (value !== undefined) {
          issues.push({ path: f.path.join('.'), message: `${method} is not among the methods run (add it to --methods)`, value });
        }
      }
    }
    request.methods = methodsFlag ? flaggedMethods : deepMerge(base.methods, flaggedMethods);
  }

  if (issues.length > 0) throw new CliInputError(new InputValidationError(`${WORKFLOW_KINDS.xai.workflowType} input`, issues), XAI_FLAGS_BY_PATH);
  return request as StartXaiRequest;
}

// --------------------------------------------------------------------------------------------
// Formatting (pure)

const FailureSchema = z.object({ signal: z.string(), reason: z.string() });

/** What explainSignalsWorkflow adds to the progress; read leniently (an older run may lack some). */
const XaiProgressDetailsSchema = z.object({
  running: z.number().optional(),
  succeeded: z.number().optional(),
  failed: z.number().optional(),
  reused: z.number().optional(),
  maxInFlight: z.number().optional(),
  maxFailedSignals: z.number().optional(),
  failures: z.array(FailureSchema).optional(),
});

/** `running 3/8  succeeded 40  failed 2 (max 12)  reused 5`. */
export function xaiProgressDetails(p: Progress): string {
  const r = XaiProgressDetailsSchema.safeParse(p);
  if (!r.success) return '';
  const d = r.data;
  const parts: string[] = [];
  if (d.running !== undefined) parts.push(`running ${d.running}${d.maxInFlight !== undefined ? `/${d.maxInFlight}` : ''}`);
  if (d.succeeded !== undefined) parts.push(`succeeded ${d.succeeded}`);
  if (d.failed !== undefined) parts.push(`failed ${d.failed}${d.maxFailedSignals !== undefined ? ` (max ${d.maxFailedSignals})` : ''}`);
  if (d.reused) parts.push(`reused ${d.reused}`);
  return parts.join('  ');
}

/** The last failures the progress carries, one `signal: reason` a line (empty without any). */
export function xaiProgressFailures(p: Progress | undefined): string[] {
  const r = XaiProgressDetailsSchema.safeParse(p ?? {});
  return r.success ? (r.data.failures ?? []).map((f) => `${f.signal}: ${f.reason}`) : [];
}

export function formatXaiRun(run: RunDescription, webUiUrl: string | undefined): string {
  const lines = [formatRun(run, webUiUrl, xaiProgressDetails)];
  const failures = xaiProgressFailures(run.progress);
  if (failures.length > 0) lines.push('  last failures', ...failures.map((f) => `    ${f}`));
  return lines.join('\n');
}

export interface XaiSummaryLocation {
  summaryUri?: string;
  /** Local file of the per-class summary SVG when this machine's artifact store holds it. */
  summaryPath?: string;
  summaryJsonUri?: string;
  summaryJsonPath?: string;
}

export function summaryLocation(r: Pick<ExplainSignalsResult, 'summaryUri' | 'summaryJsonUri'>, session: Pick<CliSession, 'artifactPath'>): XaiSummaryLocation {
  const out: XaiSummaryLocation = {};
  if (r.summaryUri) {
    out.summaryUri = r.summaryUri;
    const file = session.artifactPath?.(r.summaryUri);
    if (file !== undefined) out.summaryPath = file;
  }
  if (r.summaryJsonUri) {
    out.summaryJsonUri = r.summaryJsonUri;
    const file = session.artifactPath?.(r.summaryJsonUri);
    if (file !== undefined) out.summaryJsonPath = file;
  }
  return out;
}

const NOT_LOCAL = "(not in this machine's artifact store; ARTIFACT_DIR)";

export function formatXaiResult(r: ExplainSignalsResult, webUiUrl: string | undefined, where: XaiSummaryLocation = {}): string {
  const notStarted = r.total - r.completed - r.failed;
  const label = (s: string) => `  ${s.padEnd(14)}`;
  const lines = [
    `XAI batch ${r.batchId}  ${r.status}`,
    `${label('signals')}${count(r.total)}: ${count(r.completed)} explained, ${count(r.failed)} failed${notStarted > 0 ? `, ${count(notStarted)} not started` : ''}`,
  ];
  if (where.summaryPath) lines.push(`${label('summary')}${where.summaryPath}`);
  else if (where.summaryUri) lines.push(`${label('summary')}${where.summaryUri}  ${NOT_LOCAL}`);
  else lines.push(`${label('summary')}(none: no signal explained)`);
  if (where.summaryJsonPath) lines.push(`${label('summary data')}${where.summaryJsonPath}`);
  else if (where.summaryJsonUri) lines.push(`${label('summary data')}${where.summaryJsonUri}  ${NOT_LOCAL}`);
  if (webUiUrl) lines.push(`${label('Web UI')}${webUiUrl}`);

  const faith = XAI_METHODS.filter((m) => r.faithfulnessByMethod[m] !== undefined);
  if (faith.length > 0) {
    const width = Math.max(...faith.map((m) => m.length));
    lines.push('', 'Mean faithfulness per method (deletion curve: random AUC − method AUC; > 0 beats chance)');
    for (const m of faith) lines.push(`  ${m.padEnd(width)}  ${formatValue(r.faithfulnessByMethod[m])}`);
  }
  if (r.failures.length > 0) {
    const of = r.failed > r.failures.length ? `first ${r.failures.length} of ${count(r.failed)}; all are rows of xai_explanations` : String(r.failures.length);
    lines.push('', `Failures (${of})`, ...r.failures.map((f) => `  ${f.signal}: ${f.reason}`));
  }
  return lines.join('\n');
}

// --------------------------------------------------------------------------------------------

const XAI_KIND: RunKind<ExplainSignalsResult> = {
  kind: 'xai',
  idLabel: 'batch id',
  summarize: (r, url, session) => formatXaiResult(r, url, summaryLocation(r, session)),
  annotate: (r, session) => ({ ...summaryLocation(r, session) }),
  files: (r) => [
    ...(r.summaryUri ? [{ name: 'summary.svg', uri: r.summaryUri }] : []),
    ...(r.summaryJsonUri ? [{ name: 'summary.json', uri: r.summaryJsonUri }] : []),
  ],
  progressDetails: xaiProgressDetails,
  formatRun: formatXaiRun,
  help: {
    progress: 'show status and progress: succeeded, failed, running and the last failures (--follow: live bar until it ends)',
    follow: 'keep polling with a live progress bar until the batch ends',
    cancel: 'cancel the batch now (Temporal cancellation: running explanations are killed; the batch is marked CANCELLED)',
    result: 'wait for the batch to finish and print counts, failures, mean faithfulness per method and the summary picture',
  },
};

export const xaiCommands: CommandGroup = {
  name: 'xai',
  register(program, deps) {
    const group = program
      .command('xai')
      .description('batch explanations: integrated gradients, Grad-CAM, occlusion, KernelSHAP over many signals, with faithfulness (explainSignalsWorkflow)');
    addStartCommand(group, deps);
    addRunCommands(group, deps, XAI_KIND);
    addStopCommand(group, deps, { ...XAI_KIND, entityLabel: 'batch', finishing: 'signals being explained' });
  },
};

function addStartCommand(group: Command, deps: CliDeps): void {
  const start = group
    .command('start')
    .description('explain signals with a trained model; the same request twice runs once')
    .option('--request <file.json>', 'the whole request as a JSON file or inline JSON (flags given as well override its fields)', jsonObject)
    .option('--wait', 'show live progress (succeeded, failed, running) and print the result');
  addFieldFlags(start, XAI_FIELDS).action(async (opts: Json, cmd: Command) => {
    const out = outputOf(cmd, deps);
    // Validate before connecting: a typo never needs a server to be reported.
    const request = xaiRequestFromOptions(opts);
    const input = prepareOrExplain(() => prepareXaiInput(request), XAI_FLAGS_BY_PATH);
    await withSession(cmd, deps, async (session) => {
      const started = await session.api.startXaiBatch(input);
      const webUiUrl = session.webUiUrl(started.workflowId);
      const doc = { kind: 'xai', ...started, webUiUrl };
      const followCommand = `faultline xai progress ${started.entityId} --follow`;
      if (opts.wait !== true) {
        out.result(doc, () => `${formatStarted('batch', started, webUiUrl)}\nFollow: ${followCommand}`);
        return;
      }
      out.line(formatStarted('batch', started, webUiUrl));
      const result = await followToResult<ExplainSignalsResult>(session, out, deps, started.workflowId, followCommand, xaiProgressDetails);
      const where = summaryLocation(result, session);
      out.result({ ...doc, status: 'COMPLETED', result, ...where }, () => `\n${formatXaiResult(result, webUiUrl, where)}`);
    });
  });
}
