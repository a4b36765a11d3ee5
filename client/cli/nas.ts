import type { Command } from 'commander';
import { z } from 'zod';
import type { NasCampaignResult, NasCampaignUpdate, NasPoint, Progress } from '../../contracts/index.js';
import { architectureLines, compactNumber as compact } from '../../contracts/text.js';
import { prepareNasCampaignUpdate, prepareNasInput, type FaultlineApi, type StartNasRequest } from '../api.js';
import { outputOf, prepareOrExplain, withSession, type CliDeps, type CommandGroup } from './context.js';
import { addFieldFlags, flagsByPath, decimal, integer, jsonObject, requestFromFlags, type FieldFlag } from './fields.js';
import { formatValue, reportLocation, type ReportLocation } from './hpo.js';
import { count } from './output.js';
import { addRunCommands, addStartCommand, addStopCommand, type RunKind } from './run-commands.js';
import type { CliSession } from './session.js';

/** `faultline nas start` flags → NasCampaignRequest fields. Defaults live in the contract. */
export const NAS_FIELDS: readonly FieldFlag[] = [
  { flags: '--dataset <datasetId>', description: 'dataset every candidate trains on (required)', path: ['datasetId'] },
  { flags: '--id <campaignId>', description: 'campaign id (default: derived from the whole request, n-<hash>)', path: ['campaignId'] },
  { flags: '--strategy <kind>', description: 'aging-evolution | random', path: ['strategy', 'kind'] },
  { flags: '--seed <n>', description: 'strategy seed (same seed, same candidates)', path: ['strategy', 'seed'], parse: integer },
  {
    flags: '--population <n>',
    description: 'aging evolution: population size P (also the initial random candidates)',
    path: ['strategy', 'populationSize'],
    parse: integer,
  },
  { flags: '--sample <n>', description: 'aging evolution: tournament size S', path: ['strategy', 'sampleSize'], parse: integer },
  { flags: '--epochs <n>', description: 'the fixed training budget of every candidate', path: ['epochs'], parse: integer },
  { flags: '--max-params <n>', description: 'reject (before training) architectures with more parameters', path: ['limits', 'maxParams'], parse: integer },
  {
    flags: '--max-macs <n>',
    description: 'reject (before training) architectures with more multiply-accumulates per window',
    path: ['limits', 'maxMacs'],
    parse: integer,
  },
  { flags: '--max-candidates <n>', description: 'candidate budget', path: ['maxCandidates'], parse: integer },
  { flags: '--concurrency <n>', description: 'candidates training at once at most', path: ['maxConcurrentCandidates'], parse: integer },
  { flags: '--max-failed <n>', description: 'the campaign fails when more candidates than this fail', path: ['maxFailedCandidates'], parse: integer },
  { flags: '--max-minutes <n>', description: 'wall-time budget: no candidate starts after it', path: ['maxDurationMinutes'], parse: decimal },
  {
    flags: '--training <json>',
    description: 'training settings every candidate shares (no architecture), inline JSON or a JSON file',
    path: ['training'],
    parse: jsonObject,
  },
  {
    flags: '--params-exponent <w>',
    description: 'scalarisation: exponent (<= 0) of params/target-params',
    path: ['scalarization', 'paramsExponent'],
    parse: decimal,
  },
  {
    flags: '--latency-exponent <w>',
    description: 'scalarisation: exponent (<= 0) of latency/target-latency-ms',
    path: ['scalarization', 'latencyExponent'],
    parse: decimal,
  },
  {
    flags: '--target-params <n>',
    description: 'scalarisation: parameter count where the params factor is 1',
    path: ['scalarization', 'targetParams'],
    parse: decimal,
  },
  {
    flags: '--target-latency-ms <ms>',
    description: 'scalarisation: latency where the latency factor is 1',
    path: ['scalarization', 'targetLatencyMs'],
    parse: decimal,
  },
];

/** `faultline nas update` flags → NasCampaignUpdate fields. */
export const NAS_UPDATE_FIELDS: readonly FieldFlag[] = [
  { flags: '--max-candidates <n>', description: 'new candidate budget (not below the candidates already started)', path: ['maxCandidates'], parse: integer },
  { flags: '--concurrency <n>', description: 'new number of candidates training at once at most', path: ['maxConcurrentCandidates'], parse: integer },
];

// --------------------------------------------------------------------------------------------
// Formatting (pure)

const PointSchema = z.object({ candidate: z.number(), valAccuracy: z.number(), params: z.number(), latencyMs: z.number(), score: z.number() });

/** What nasCampaignWorkflow adds to the progress; read leniently (an older run may lack some). */
const NasProgressDetailsSchema = z.object({
  running: z.number().optional(),
  failed: z.number().optional(),
  rejected: z.number().optional(),
  duplicates: z.number().optional(),
  population: z.number().optional(),
  best: PointSchema.nullable().optional(),
  frontSize: z.number().optional(),
  maxConcurrentCandidates: z.number().optional(),
});

/** `running 2/4  rejected 3  duplicates 1  failed 1  population 10  front 4  best 0.9313 (#7, 12.3k params, 0.41 ms)`. */
export function nasProgressDetails(p: Progress): string {
  const r = NasProgressDetailsSchema.safeParse(p);
  if (!r.success) return '';
  const d = r.data;
  const parts: string[] = [];
  if (d.running !== undefined) parts.push(`running ${d.running}${d.maxConcurrentCandidates !== undefined ? `/${d.maxConcurrentCandidates}` : ''}`);
  if (d.rejected) parts.push(`rejected ${d.rejected}`);
  if (d.duplicates) parts.push(`duplicates ${d.duplicates}`);
  if (d.failed) parts.push(`failed ${d.failed}`);
  if (d.population !== undefined) parts.push(`population ${d.population}`);
  if (d.frontSize !== undefined) parts.push(`front ${d.frontSize}`);
  if (d.best)
    parts.push(`best ${formatValue(d.best.valAccuracy)} (#${d.best.candidate}, ${compact(d.best.params)} params, ${formatValue(d.best.latencyMs)} ms)`);
  else if (d.best === null) parts.push('best -');
  return parts.join('  ');
}

/** The Pareto front as a table, best accuracy first; the scalarised best is starred. */
export function frontTable(front: readonly NasPoint[], best: NasPoint | null): string {
  if (front.length === 0) return '  (empty: no candidate trained)';
  const header = ['#', 'accuracy', 'params', 'latency ms', 'score'];
  const rows = front.map((p) => [
    `${p.candidate}${best && p.candidate === best.candidate ? '*' : ''}`,
    formatValue(p.valAccuracy),
    count(p.params),
    formatValue(p.latencyMs),
    formatValue(p.score),
  ]);
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (cells: string[]) => `  ${cells.map((c, k) => (k === 0 ? c.padEnd(widths[k]) : c.padStart(widths[k]))).join('  ')}`;
  return [line(header), ...rows.map(line)].join('\n');
}

export interface NasResultExtras extends ReportLocation {
  /** The best candidate's architecture, when known (from the result or its training run). */
  bestArchitecture?: unknown;
}

export function formatNasResult(r: NasCampaignResult, webUiUrl: string | undefined, extras: NasResultExtras = {}): string {
  const c = r.candidates;
  const lines = [
    `NAS campaign ${r.campaignId}  ${r.status}`,
    `  candidates  ${count(c.total)}: ${count(c.completed)} trained, ${count(c.duplicates)} duplicates, ${count(c.rejected)} rejected, ${count(c.failed)} failed`,
  ];
  if (r.best) {
    const b = r.best;
    lines.push(
      `  best        #${b.candidate}: accuracy ${formatValue(b.valAccuracy)}, ${count(b.params)} params, ${formatValue(b.latencyMs)} ms/window, score ${formatValue(b.score)}${b.experimentId ? `  (experiment ${b.experimentId})` : ''}`,
    );
  } else {
    lines.push('  best        (no candidate trained)');
  }
  if (extras.reportPath) lines.push(`  report      ${extras.reportPath}`);
  else if (extras.reportUri) lines.push(`  report      ${extras.reportUri}  (not in this machine's artifact store; ARTIFACT_DIR)`);
  if (webUiUrl) lines.push(`  Web UI      ${webUiUrl}`);
  lines.push(
    '',
    `Pareto front (accuracy up; params and latency down; ${r.front.length} candidate${r.front.length === 1 ? '' : 's'}, * = best)`,
    frontTable(r.front, r.best),
  );
  if (r.best) {
    const layers = extras.bestArchitecture === undefined ? undefined : architectureLines(extras.bestArchitecture);
    lines.push('', `Best architecture (candidate #${r.best.candidate})`);
    lines.push(layers ? layers.map((l) => `  ${l}`).join('\n') : '  (not available: see the report)');
  }
  return lines.join('\n');
}

/**
 * The best candidate's architecture: from the result itself when the workflow adds it to `best`
 * (`genome` or `architecture`), else from the input of the candidate's training run. Best effort:
 * the result is printed without it when neither is there.
 */
export async function bestArchitectureOf(r: NasCampaignResult, api: FaultlineApi): Promise<unknown> {
  if (!r.best) return undefined;
  const extra = r.best as NasPoint & { genome?: unknown; architecture?: unknown };
  const inline = extra.genome ?? extra.architecture;
  if (inline !== undefined) return inline;
  try {
    return await api.getNasCandidateArchitecture(r.campaignId, r.best.candidate, r.best.experimentId);
  } catch {
    return undefined;
  }
}

// --------------------------------------------------------------------------------------------

/**
 * The summary needs the best architecture, which may take one more call; `summarize` is sync,
 * so the result is looked up once, right after it is fetched, and remembered here by result.
 */
const architectures = new WeakMap<NasCampaignResult, unknown>();

const NAS_KIND: RunKind<NasCampaignResult> = {
  kind: 'nas',
  idLabel: 'campaign id',
  summarize: (r, url, session) => formatNasResult(r, url, { ...reportLocation(r, session), bestArchitecture: architectures.get(r) }),
  annotate: (r, session) => {
    const arch = architectures.get(r);
    return { ...reportLocation(r, session), ...(arch === undefined ? {} : { bestArchitecture: arch }) };
  },
  files: (r) => (r.reportUri ? [{ name: 'report.html', uri: r.reportUri }] : []),
  progressDetails: nasProgressDetails,
};

/** The session with getResult wrapped so every NAS result arrives with its best architecture looked up. */
function withArchitecture(session: CliSession): CliSession {
  const api: FaultlineApi = {
    ...session.api,
    getResult: async <T>(workflowId: string): Promise<T> => {
      const result = await session.api.getResult<NasCampaignResult>(workflowId);
      if (result !== null && typeof result === 'object') architectures.set(result, await bestArchitectureOf(result, session.api));
      return result as T;
    },
  };
  return { ...session, api };
}

/** Deps whose sessions look up the best architecture with the result. */
function nasDeps(deps: CliDeps): CliDeps {
  return { ...deps, openSession: async (options) => withArchitecture(await deps.openSession(options)) };
}

export const nasCommands: CommandGroup = {
  name: 'nas',
  register(program, rawDeps) {
    const deps = nasDeps(rawDeps);
    const group = program
      .command('nas')
      .description('neural architecture search: aging evolution / random over 1D CNNs, every candidate trained (nasCampaignWorkflow)');
    addStartCommand(group, deps, {
      ...NAS_KIND,
      entityLabel: 'campaign',
      description: 'start a campaign; the same request twice runs once',
      waitDescription: 'show live progress (candidates, best, front size) and print the result',
      fields: NAS_FIELDS,
      prepare: (request: StartNasRequest) => prepareNasInput(request),
      start: (api, input) => api.startNasCampaign(input),
    });
    addRunCommands(group, deps, NAS_KIND);
    addStopCommand(group, deps, { ...NAS_KIND, entityLabel: 'campaign', finishing: 'candidates in training' });
    addUpdateCommand(group, deps);
  },
};

function addUpdateCommand(group: Command, deps: CliDeps): void {
  const update = group
    .command('update')
    .description('change the candidate budget and/or the concurrency of a running campaign (validated by the workflow)')
    .argument('<id>', 'campaign id or full workflow id');
  addFieldFlags(update, NAS_UPDATE_FIELDS).action(async (id: string, opts: Record<string, unknown>, cmd: Command) => {
    const out = outputOf(cmd, deps);
    const request = requestFromFlags(NAS_UPDATE_FIELDS, opts) as NasCampaignUpdate;
    const checked = prepareOrExplain(() => prepareNasCampaignUpdate(request), flagsByPath(NAS_UPDATE_FIELDS));
    await withSession(cmd, deps, async (session) => {
      const workflowId = await session.api.locateWorkflowId('nas', id);
      const limits = await session.api.updateNasCampaign(workflowId, checked);
      out.result(
        { workflowId, ...limits },
        () => `${workflowId} now runs with maxCandidates ${limits.maxCandidates}, maxConcurrentCandidates ${limits.maxConcurrentCandidates}.`,
      );
    });
  });
}
