import { InvalidArgumentError, type Command } from 'commander';
import { z } from 'zod';
import type { HpoCampaignResult, HpoCampaignUpdate, Progress } from '../../contracts/index.js';
import { prepareCampaignUpdate, prepareHpoInput, type StartHpoRequest } from '../api.js';
import { outputOf, prepareOrExplain, withSession, type CliDeps, type CommandGroup } from './context.js';
import { addFieldFlags, flagsByPath, decimal, integer, jsonObject, list, requestFromFlags, type FieldFlag } from './fields.js';
import { count } from './output.js';
import { addRunCommands, addStartCommand, addStopCommand, type RunKind } from './run-commands.js';
import type { CliSession } from './session.js';

/** `faultline hpo start` flags → HpoCampaignRequest fields. Defaults live in the contract. */
export const HPO_FIELDS: readonly FieldFlag[] = [
  { flags: '--dataset <datasetId>', description: 'dataset every trial trains on (required)', path: ['datasetId'] },
  { flags: '--id <campaignId>', description: 'campaign id (default: derived from the whole request, c-<hash>)', path: ['campaignId'] },
  { flags: '--space <file.json>', description: 'search space as a JSON file or inline JSON (default: the 1D-CNN space)', path: ['space'], parse: jsonObject },
  { flags: '--sampler <kind>', description: 'tpe | gp | random | grid | nsga2 (multi-objective, with --objectives)', path: ['sampler', 'kind'] },
  { flags: '--seed <n>', description: 'sampler seed (same seed, same suggestions)', path: ['sampler', 'seed'], parse: integer },
  { flags: '--startup-trials <n>', description: 'TPE, GP: random trials before the model is used', path: ['sampler', 'startupTrials'], parse: integer },
  { flags: '--population-size <n>', description: 'NSGA-II: trials per generation (default 50)', path: ['sampler', 'populationSize'], parse: integer },
  {
    flags: '--objectives <list>',
    description: 'multi-objective (nsga2): metric[:max|min],… of valAccuracy, valLoss, parameterCount, inferenceMsPerWindow',
    path: ['objectives'],
    parse: objectiveList,
  },
  { flags: '--pruner <kind>', description: 'asha | median | none', path: ['pruner', 'kind'] },
  { flags: '--min-epochs <n>', description: 'epochs of the first rung', path: ['pruner', 'minEpochs'], parse: integer },
  { flags: '--max-epochs <n>', description: 'epochs of a trial that is never stopped', path: ['pruner', 'maxEpochs'], parse: integer },
  { flags: '--eta <n>', description: 'ASHA reduction factor (rungs at min-epochs × eta^k)', path: ['pruner', 'reductionFactor'], parse: integer },
  { flags: '--metric <name>', description: 'objective: valAccuracy | valLoss', path: ['objective', 'metric'] },
  { flags: '--direction <dir>', description: 'maximize | minimize (default: from the metric)', path: ['objective', 'direction'] },
  { flags: '--max-trials <n>', description: 'trial budget', path: ['maxTrials'], parse: integer },
  { flags: '--concurrency <n>', description: 'trials in flight at most', path: ['maxConcurrentTrials'], parse: integer },
  { flags: '--max-failed <n>', description: 'the campaign fails when more trials than this fail', path: ['maxFailedTrials'], parse: integer },
  { flags: '--max-minutes <n>', description: 'wall-time budget: no trial starts after it', path: ['maxDurationMinutes'], parse: decimal },
  { flags: '--trial-attempts <n>', description: 'attempts per trial before it is recorded FAILED', path: ['trialAttempts'], parse: integer },
  { flags: '--trial-minutes <n>', description: 'deadline of one trial run, minutes', path: ['trialTimeoutMinutes'], parse: decimal },
  { flags: '--base <json>', description: 'training settings every trial shares, inline JSON or a JSON file', path: ['base'], parse: jsonObject },
  {
    flags: '--synthetic <function>',
    description: 'evaluate trials with an instant synthetic function (branin | hartmann6) instead of training',
    path: ['evaluator'],
    parse: (raw: string) => ({ kind: 'synthetic', function: raw }),
  },
];

/** `valAccuracy,inferenceMsPerWindow:min` → [{ metric: 'valAccuracy' }, { metric: 'inferenceMsPerWindow', direction: 'minimize' }]; the contract checks the names. */
export function objectiveList(raw: string): { metric: string; direction?: 'maximize' | 'minimize' }[] {
  return list(raw).map((item) => {
    const [metric, dir, ...rest] = item.split(':');
    if (rest.length > 0 || metric === '' || (dir !== undefined && dir !== 'max' && dir !== 'min')) {
      throw new InvalidArgumentError(`each objective is metric or metric:max or metric:min (got ${JSON.stringify(item)})`);
    }
    return dir === undefined ? { metric } : { metric, direction: dir === 'max' ? 'maximize' : 'minimize' };
  });
}

/** `faultline hpo update` flags → HpoCampaignUpdate fields. */
export const HPO_UPDATE_FIELDS: readonly FieldFlag[] = [
  { flags: '--max-trials <n>', description: 'new trial budget (not below the trials already started)', path: ['maxTrials'], parse: integer },
  { flags: '--concurrency <n>', description: 'new number of trials in flight at most', path: ['maxConcurrentTrials'], parse: integer },
];

// --------------------------------------------------------------------------------------------
// Formatting (pure)

/** What hpoCampaignWorkflow adds to the progress; read leniently (an older run may lack some). */
const HpoProgressDetailsSchema = z.object({
  running: z.number().optional(),
  failed: z.number().optional(),
  pruned: z.number().optional(),
  best: z
    .object({ trial: z.number(), value: z.number(), params: z.record(z.string(), z.unknown()).optional() })
    .nullable()
    .optional(),
  trialsPerRung: z.array(z.number()).optional(),
  maxConcurrentTrials: z.number().optional(),
});

/** 4 significant digits, without trailing zeros: 0.93125 → 0.9313, 0.000312 → 0.000312. */
export function formatValue(v: unknown): string {
  if (typeof v !== 'number') return String(v);
  if (!Number.isFinite(v) || Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(4)));
}

/** `running 2/4  pruned 3  failed 1  best 0.9313 (trial 7)  rungs 12/4/1`. */
export function hpoProgressDetails(p: Progress): string {
  const r = HpoProgressDetailsSchema.safeParse(p);
  if (!r.success) return '';
  const d = r.data;
  const parts: string[] = [];
  if (d.running !== undefined) parts.push(`running ${d.running}${d.maxConcurrentTrials !== undefined ? `/${d.maxConcurrentTrials}` : ''}`);
  if (d.pruned) parts.push(`pruned ${d.pruned}`);
  if (d.failed) parts.push(`failed ${d.failed}`);
  if (d.best) parts.push(`best ${formatValue(d.best.value)} (trial ${d.best.trial})`);
  else if (d.best === null) parts.push('best -');
  if (d.trialsPerRung && d.trialsPerRung.length > 1) parts.push(`rungs ${d.trialsPerRung.join('/')}`);
  return parts.join('  ');
}

/** A two-column table, names padded to one width. */
export function paramTable(params: Readonly<Record<string, unknown>>): string {
  const entries = Object.entries(params);
  if (entries.length === 0) return '  (no parameters)';
  const width = Math.max('parameter'.length, ...entries.map(([k]) => k.length));
  return [`  ${'parameter'.padEnd(width)}  value`, ...entries.map(([k, v]) => `  ${k.padEnd(width)}  ${formatValue(v)}`)].join('\n');
}

export interface ReportLocation {
  reportUri?: string;
  /** Local file of the report when this machine's artifact store holds it. */
  reportPath?: string;
}

export function reportLocation(r: { reportUri?: string }, session: Pick<CliSession, 'artifactPath'>): ReportLocation {
  if (!r.reportUri) return {};
  const reportPath = session.artifactPath?.(r.reportUri);
  return reportPath === undefined ? { reportUri: r.reportUri } : { reportUri: r.reportUri, reportPath };
}

export function formatHpoResult(r: HpoCampaignResult, webUiUrl: string | undefined, report: ReportLocation = {}): string {
  const t = r.trials;
  const lines = [
    `Campaign ${r.campaignId}  ${r.status}  (${r.direction} ${r.metric})`,
    `  trials   ${count(t.total)}: ${count(t.completed)} completed, ${count(t.pruned)} pruned, ${count(t.failed)} failed, ${count(t.stopped)} stopped`,
  ];
  if (r.best) {
    lines.push(
      `  best     ${r.metric} ${formatValue(r.best.value)}  (trial ${r.best.trial}${r.best.experimentId ? `, experiment ${r.best.experimentId}` : ''})`,
    );
  } else {
    lines.push('  best     (no trial finished)');
  }
  if (report.reportPath) lines.push(`  report   ${report.reportPath}`);
  else if (report.reportUri) lines.push(`  report   ${report.reportUri}  (not in this machine's artifact store; ARTIFACT_DIR)`);
  if (webUiUrl) lines.push(`  Web UI   ${webUiUrl}`);
  if (r.best) lines.push('', 'Best parameters', paramTable(r.best.params));
  if (r.pareto) {
    const names = r.pareto.objectives.map((o) => `${o.metric} (${o.direction === 'maximize' ? 'max' : 'min'})`);
    lines.push('', `Pareto front (${r.pareto.front.length} trial${r.pareto.front.length === 1 ? '' : 's'}): ${names.join(' vs ')}`);
    for (const t of r.pareto.front) lines.push(`  trial ${String(t.trial).padEnd(5)} ${t.values.map((v) => formatValue(v)).join('  ')}`);
  }
  return lines.join('\n');
}

// --------------------------------------------------------------------------------------------

const HPO_KIND: RunKind<HpoCampaignResult> = {
  kind: 'hpo',
  idLabel: 'campaign id',
  summarize: (r, url, session) => formatHpoResult(r, url, reportLocation(r, session)),
  annotate: (r, session) => ({ ...reportLocation(r, session) }),
  files: (r) => (r.reportUri ? [{ name: 'report.html', uri: r.reportUri }] : []),
  progressDetails: hpoProgressDetails,
};

export const hpoCommands: CommandGroup = {
  name: 'hpo',
  register(program, deps) {
    const group = program.command('hpo').description('hyperparameter search: TPE/random/grid with ASHA pruning over real training (hpoCampaignWorkflow)');
    addStartCommand(group, deps, {
      ...HPO_KIND,
      entityLabel: 'campaign',
      description: 'start a campaign; the same request twice runs once',
      waitDescription: 'show live progress (trials, best value) and print the result',
      fields: HPO_FIELDS,
      prepare: (request: StartHpoRequest) => prepareHpoInput(request),
      start: (api, input) => api.startHpoCampaign(input),
    });
    addRunCommands(group, deps, HPO_KIND);
    addStopCommand(group, deps, { ...HPO_KIND, entityLabel: 'campaign', finishing: 'running trials' });
    addUpdateCommand(group, deps);
  },
};

function addUpdateCommand(group: Command, deps: CliDeps): void {
  const update = group
    .command('update')
    .description('change the trial budget and/or the concurrency of a running campaign (validated by the workflow)')
    .argument('<id>', 'campaign id or full workflow id');
  addFieldFlags(update, HPO_UPDATE_FIELDS).action(async (id: string, opts: Record<string, unknown>, cmd: Command) => {
    const out = outputOf(cmd, deps);
    const request = requestFromFlags(HPO_UPDATE_FIELDS, opts) as HpoCampaignUpdate;
    const checked = prepareOrExplain(() => prepareCampaignUpdate(request), flagsByPath(HPO_UPDATE_FIELDS));
    await withSession(cmd, deps, async (session) => {
      const workflowId = await session.api.locateWorkflowId('hpo', id);
      const limits = await session.api.updateCampaign(workflowId, checked);
      out.result(
        { workflowId, ...limits },
        () => `${workflowId} now runs with maxTrials ${limits.maxTrials}, maxConcurrentTrials ${limits.maxConcurrentTrials}.`,
      );
    });
  });
}
