import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, RawValue, type SearchAttributePair } from '@temporalio/common';
import { Option } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  prepareDatasetInput,
  prepareHpoInput,
  prepareNasInput,
  prepareTrainingInput,
  prepareXaiInput,
  startDatasetGeneration,
  startHpoCampaign,
  startNasCampaign,
  startTraining,
  startXaiBatch,
  type FaultlineApi,
  type TemporalClientLike,
} from '../../client/api.js';
import { DATASET_FIELDS } from '../../client/cli/dataset.js';
import { decimal, decimalList, integer, integerList, jsonObject, list, range, type FieldFlag } from '../../client/cli/fields.js';
import { HPO_FIELDS } from '../../client/cli/hpo.js';
import { IMPORT_FIELDS } from '../../client/cli/import.js';
import { NAS_FIELDS } from '../../client/cli/nas.js';
import { TRAIN_FIELDS } from '../../client/cli/train.js';
import { XAI_FIELDS } from '../../client/cli/xai.js';
import { prepareImportInput, startMatImport } from '../../client/import.js';
import {
  ERROR_TYPES,
  InputValidationError,
  SEARCH_ATTRIBUTES,
  SlugSchema,
  WORKFLOW_TASK_QUEUE,
  workflowIds,
  type WorkflowKind,
} from '../../contracts/index.js';
import { cliHarness } from '../support/fake-cli.js';
import { baseRequest, CORPUS_KINDS, corpusCounts, ENTITY_FIELD, hostileCorpus, type CorpusKind, type HostileCase } from '../support/hostile-corpus.js';
import { startTestStack, type TestStack, type WorkerProcess } from '../support/stack.js';

/**
 * The hostile-input corpus (issue 16, deliverable 8): every case through the TypeScript client
 * (refused before anything is sent, naming the field), the CLI where a flag can carry it (exit 2,
 * no connection opened, naming the flag or field), and a raw start by type name on a real dev
 * server with a worker in its own process (the run ends FAILED with a non-retryable InvalidInput
 * naming the field, no workflow task ever failed, FaultlineStatus=FAILED, the worker alive).
 */
const CASES = hostileCorpus();
const WORKFLOW_TYPES: Record<CorpusKind, string> = {
  dataset: 'generateDatasetWorkflow',
  train: 'trainModelWorkflow',
  hpo: 'hpoCampaignWorkflow',
  nas: 'nasCampaignWorkflow',
  xai: 'explainSignalsWorkflow',
  import: 'importMatDatasetWorkflow',
};
const WORKFLOW_ID: Record<CorpusKind, (id: string) => string> = { ...workflowIds };
/** Raw starts in flight at once: enough to finish in minutes, few enough for a 2-core machine. */
const BATCH = 16;
/** A run that has not closed by then is stuck (or was accepted and is doing work): a failure. */
const CLOSE_DEADLINE_MS = 60_000;

type Stage = 'client' | 'cli' | 'raw';
interface Outcome {
  stage: Stage;
  name: string;
  ok: boolean;
  /** Not applicable: the stage cannot carry the case (no flag for the field, a rawOnly case). */
  na?: boolean;
  why?: string;
}
const outcomes: Outcome[] = [];

function record(stage: Stage, c: HostileCase, ok: boolean, why?: string): void {
  outcomes.push({ stage, name: c.name, ok, why: ok ? undefined : `${why}${c.dependsOn ? ` [needs issue-${c.dependsOn}]` : ''}` });
}

/** Does `text` name the case's field (and what it must mention)? */
function namesField(c: HostileCase, text: string, alsoAccept: string[] = []): boolean {
  const named = text.includes(c.field) || alsoAccept.some((a) => text.includes(a));
  return named && (c.mentions === undefined || text.includes(c.mentions));
}

// ---------------------------------------------------------------------------------------------
// Stage 1: the TypeScript client, against a client that must never be reached

function unreachableClient(): { client: TemporalClientLike; calls: () => number } {
  let calls = 0;
  const workflow = new Proxy(
    {},
    {
      get: (_t, prop) => () => {
        calls++;
        throw new Error(`the client reached Temporal (workflow.${String(prop)}) with input it should have refused`);
      },
    },
  );
  return { client: { workflow } as unknown as TemporalClientLike, calls: () => calls };
}

async function clientStart(kind: CorpusKind, client: TemporalClientLike, request: unknown): Promise<unknown> {
  // The corpus is hostile by construction: the request types are what it breaks.
  const r = request as never;
  switch (kind) {
    case 'dataset':
      return startDatasetGeneration(client, r);
    case 'train':
      return startTraining(client, r);
    case 'hpo':
      return startHpoCampaign(client, r);
    case 'nas':
      return startNasCampaign(client, r);
    case 'xai':
      return startXaiBatch(client, r);
    case 'import':
      return startMatImport(client, r);
  }
}

async function throughClient(c: HostileCase): Promise<void> {
  if (c.rawOnly) return void outcomes.push({ stage: 'client', name: c.name, ok: true, na: true });
  const { client, calls } = unreachableClient();
  const err = await clientStart(c.kind, client, c.request).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (calls() > 0) return record('client', c, false, 'reached Temporal');
  if (!(err instanceof InputValidationError)) return record('client', c, false, `not refused as invalid input: ${String(err)}`);
  record('client', c, namesField(c, err.message), `message does not name ${c.field}: ${err.message.slice(0, 300)}`);
}

// ---------------------------------------------------------------------------------------------
// Stage 2: the CLI (commander parsing and the same validation, in process; nothing may connect)

const CLI_FIELDS: Partial<Record<CorpusKind, readonly FieldFlag[]>> = {
  dataset: DATASET_FIELDS,
  train: TRAIN_FIELDS,
  hpo: HPO_FIELDS,
  nas: NAS_FIELDS,
  xai: XAI_FIELDS,
  import: IMPORT_FIELDS,
};

function valueAt(root: unknown, path: readonly string[]): unknown {
  let cur = root;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/** Can JSON text carry `v` exactly (no NaN / ±Infinity anywhere)? */
function isJsonSafe(v: unknown): boolean {
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(isJsonSafe);
  if (v !== null && typeof v === 'object') return Object.values(v).every(isJsonSafe);
  return true;
}

/** Text any number flag reads as the number it spells (so it carries no hostile value). */
const isDecimal = (text: string): boolean => /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text) && Number.isFinite(Number(text));

/**
 * The text a flag would be given for `value`, or undefined when no text means that value (a
 * boolean for a number flag; "7" for a number flag means 7, which is fine).
 */
function flagText(f: FieldFlag, value: unknown): string | undefined {
  const primitive = (v: unknown) => typeof v === 'string' || typeof v === 'number';
  if (f.parse === undefined) return typeof value === 'string' ? value : undefined;
  if (f.parse === integer || f.parse === decimal) {
    if (typeof value === 'number') return String(value);
    // A number flag is text: only text that is no plain decimal number is hostile there.
    return typeof value === 'string' && !isDecimal(value) ? value : undefined;
  }
  if (f.parse === list || f.parse === integerList || f.parse === decimalList || f.parse === range) {
    if (!Array.isArray(value)) return typeof value === 'string' && (f.parse === list || !isDecimal(value)) ? value : undefined;
    if (!value.every(primitive) || value.some((v) => String(v).includes(','))) return undefined;
    // A number list is text too: "-20,20" means [-20, 20], whatever the JSON had.
    if (f.parse !== list && value.some((v) => typeof v === 'string' && isDecimal(v))) return undefined;
    return value.map(String).join(',');
  }
  if (f.parse === jsonObject) return isJsonSafe(value) && value !== undefined ? JSON.stringify(value) : undefined;
  return undefined; // custom parsers (--synthetic, --methods) build structure from a name
}

const longName = (f: FieldFlag): string => new Option(f.flags).long ?? f.flags;
const isPrefix = (prefix: readonly string[], path: readonly string[]) => prefix.every((k, i) => path[i] === k);

/** `[kind, 'start', ...flags]` for the case, or undefined when no flag can carry its field. */
function cliArgv(c: HostileCase): { argv: string[]; flag: string } | undefined {
  const fields = CLI_FIELDS[c.kind];
  if (!fields || c.rawOnly || Array.isArray(c.request)) return undefined;
  const fieldPath = c.field.split('.');
  const own = fields.find((f) => isPrefix(f.path, fieldPath) && flagText(f, valueAt(c.request, f.path)) !== undefined);
  if (c.kind === 'xai') {
    // The whole request as JSON, plus the case's own flag when JSON cannot carry its value.
    if (isJsonSafe(c.request)) return { argv: ['xai', 'start', `--request=${JSON.stringify(c.request)}`], flag: '--request' };
    if (!own) return undefined;
    const rest = JSON.parse(JSON.stringify(c.request, (k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? undefined : v))) as unknown;
    return {
      argv: ['xai', 'start', `--request=${JSON.stringify(rest)}`, `${longName(own)}=${flagText(own, valueAt(c.request, own.path))}`],
      flag: longName(own),
    };
  }
  if (!own) return undefined;
  const argv = [c.kind, 'start'];
  for (const f of fields) {
    const value = valueAt(c.request, f.path);
    const text = value === undefined ? undefined : flagText(f, value);
    if (text !== undefined) argv.push(`${longName(f)}=${text}`);
  }
  return { argv, flag: longName(own) };
}

async function throughCli(c: HostileCase): Promise<void> {
  const spec = cliArgv(c);
  if (!spec) return void outcomes.push({ stage: 'cli', name: c.name, ok: true, na: true });
  const api = new Proxy({} as FaultlineApi, {
    get: (_t, prop) => () => {
      throw new Error(`the CLI called ${String(prop)} with input it should have refused`);
    },
  });
  const cli = cliHarness(() => api);
  const code = await cli.run(spec.argv);
  const stderr = cli.stderr();
  if (code !== 2 || cli.sessions() > 0) return record('cli', c, false, `exit ${code}, ${cli.sessions()} session(s): ${stderr.slice(0, 300)}`);
  record('cli', c, namesField(c, stderr, [spec.flag]), `stderr names neither ${c.field} nor ${spec.flag}: ${stderr.slice(0, 300)}`);
}

// ---------------------------------------------------------------------------------------------
// Stage 3: raw starts by type name on the real dev server

function rawWorkflowId(c: HostileCase, index: number): string {
  if (c.workflowId) return c.workflowId;
  const id = Array.isArray(c.request) ? undefined : c.request[ENTITY_FIELD[c.kind]];
  return SlugSchema.safeParse(id).success ? WORKFLOW_ID[c.kind](id as string) : WORKFLOW_ID[c.kind](`corpus-raw-${index}`);
}

function rawArg(c: HostileCase): unknown {
  if (c.rawJson === undefined) return c.request;
  // Bytes exactly as Python's json.dumps writes them (bare NaN / Infinity), past our encoder.
  return RawValue.fromPayload({ metadata: { encoding: new TextEncoder().encode('json/plain') }, data: new TextEncoder().encode(c.rawJson) });
}

/** Workflow task failures other than the server asking for a redo (UNHANDLED_COMMAND): a wedged run. */
async function taskFailures(handle: WorkflowHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? [])
    .map((e) => e.workflowTaskFailedEventAttributes)
    .filter((a) => a && a.cause !== 1 && String(a.cause) !== 'WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND')
    .map((a) => a?.failure?.message ?? 'workflow task failed');
}

async function throughRawStart(stack: TestStack, c: HostileCase, index: number): Promise<void> {
  const workflowId = rawWorkflowId(c, index);
  const attributes: SearchAttributePair[] = [
    { key: SEARCH_ATTRIBUTES.kind, value: c.kind satisfies WorkflowKind },
    { key: SEARCH_ATTRIBUTES.status, value: 'RUNNING' },
  ];
  let handle: WorkflowHandle;
  try {
    handle = await stack.client.workflow.start(WORKFLOW_TYPES[c.kind], {
      args: [rawArg(c)],
      taskQueue: WORKFLOW_TASK_QUEUE,
      workflowId,
      typedSearchAttributes: attributes,
    });
  } catch (err) {
    return record('raw', c, false, `start rejected by the server: ${String(err)}`);
  }
  let timer: NodeJS.Timeout | undefined;
  const closed = await Promise.race([
    handle.result().then(
      () => ({ error: undefined as unknown, completed: true }),
      (error: unknown) => ({ error, completed: false }),
    ),
    new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), CLOSE_DEADLINE_MS))),
  ]);
  clearTimeout(timer);
  const failures = await taskFailures(handle);
  if (closed === undefined) {
    const d = await handle.describe();
    await handle.terminate('hostile corpus: did not close in time').catch(() => undefined);
    return record(
      'raw',
      c,
      false,
      `still ${d.status.name} after ${CLOSE_DEADLINE_MS / 1000} s, ${failures.length} workflow task failure(s): ${failures[0] ?? ''}`,
    );
  }
  if (failures.length > 0) return record('raw', c, false, `workflow task failed ${failures.length}×: ${failures[0]}`);
  if (closed.completed) return record('raw', c, false, 'accepted: the run COMPLETED');
  // The refusal may come from the workflow itself or from a step that checks what only a worker
  // can (free space: an ActivityFailure caused by the InvalidInput): read down the chain.
  const chain: unknown[] = [];
  for (let e: unknown = closed.error; e instanceof Error && chain.length < 8; e = e.cause) chain.push(e);
  const cause = chain.find((e): e is ApplicationFailure => e instanceof ApplicationFailure && e.type === ERROR_TYPES.invalidInput);
  if (!(closed.error instanceof WorkflowFailedError) || !cause?.nonRetryable) {
    const root = chain.at(-1) as Error | undefined;
    const type = root instanceof ApplicationFailure ? root.type : root?.name;
    return record('raw', c, false, `failed, but not with a non-retryable InvalidInput: ${type}: ${root?.message?.slice(0, 200)}`);
  }
  const described = await handle.describe();
  if (described.typedSearchAttributes.get(SEARCH_ATTRIBUTES.status) !== 'FAILED') {
    return record('raw', c, false, `FaultlineStatus is ${described.typedSearchAttributes.get(SEARCH_ATTRIBUTES.status)} after the run failed`);
  }
  record('raw', c, namesField(c, cause.message), `InvalidInput does not name ${c.field}: ${cause.message.slice(0, 300)}`);
}

// ---------------------------------------------------------------------------------------------

function failuresOf(stage: Stage, kind?: CorpusKind): string[] {
  return outcomes.filter((o) => o.stage === stage && !o.ok && (kind === undefined || o.name.startsWith(`${kind}/`))).map((o) => `${o.name}: ${o.why}`);
}

function report(): string {
  const counts = corpusCounts(CASES);
  const lines = [`hostile corpus: ${counts.total} cases`, `  by kind: ${JSON.stringify(counts.byKind)}`, `  by category: ${JSON.stringify(counts.byCategory)}`];
  for (const stage of ['client', 'cli', 'raw'] as const) {
    const of = outcomes.filter((o) => o.stage === stage);
    const na = of.filter((o) => o.na).length;
    const failed = of.filter((o) => !o.ok).length;
    lines.push(`  ${stage}: ${of.length - na} run, ${of.length - na - failed} refused as required, ${failed} failed, ${na} not applicable`);
  }
  return lines.join('\n');
}

describe('hostile-input corpus', () => {
  let stack: TestStack;
  let host: WorkerProcess;

  beforeAll(async () => {
    stack = await startTestStack();
    host = await stack.spawnWorkerProcess(['control', 'cpu']);
  }, 300_000);
  afterAll(async () => {
    console.log(report());
    await stack?.stop();
  });

  it('has at least 150 cases beyond the issue’s own, for every workflow kind and every category', () => {
    const counts = corpusCounts(CASES);
    expect(counts.total - (counts.byCategory['issue-16'] ?? 0)).toBeGreaterThanOrEqual(150);
    for (const kind of CORPUS_KINDS) expect(counts.byKind[kind], kind).toBeGreaterThanOrEqual(40);
    for (const category of [
      'wrong-type',
      'out-of-range',
      'non-finite',
      'huge-string',
      'unicode',
      'shell',
      'traversal',
      'unknown-enum',
      'extra-field',
      'missing-field',
      'hostile-space',
      'hostile-genome',
      'issue-16',
    ]) {
      expect(counts.byCategory[category], category).toBeGreaterThan(0);
    }
  });

  it('every case is a valid request but for its mutation: the bases pass the client, raw JSON holds bare tokens', () => {
    const prepare: Record<CorpusKind, (r: never) => unknown> = {
      dataset: prepareDatasetInput,
      train: prepareTrainingInput,
      hpo: prepareHpoInput,
      nas: prepareNasInput,
      xai: prepareXaiInput,
      import: prepareImportInput,
    };
    for (const kind of CORPUS_KINDS) expect(() => prepare[kind](baseRequest(kind) as never), kind).not.toThrow();
    for (const c of CASES.filter((x) => x.rawJson !== undefined)) {
      expect(c.rawJson, c.name).toMatch(/[:[,](NaN|-?Infinity)[,}\]]/);
      expect(() => JSON.parse(c.rawJson as string), c.name).toThrow(SyntaxError);
    }
  });

  it('the TypeScript client refuses every case before sending anything, naming the field', async () => {
    for (const c of CASES) await throughClient(c);
    expect(failuresOf('client')).toEqual([]);
  });

  it('the CLI refuses every case a flag can carry (exit 2, no connection), naming the flag or field', async () => {
    for (const c of CASES) await throughCli(c);
    expect(outcomes.filter((o) => o.stage === 'cli' && !o.na).length).toBeGreaterThan(150);
    expect(failuresOf('cli')).toEqual([]);
  });

  for (const kind of CORPUS_KINDS) {
    it(`raw starts of ${WORKFLOW_TYPES[kind]} by type name: every run FAILED with InvalidInput naming the field, none stuck, worker alive`, async () => {
      const cases = CASES.map((c, index) => ({ c, index })).filter(({ c }) => c.kind === kind);
      for (let i = 0; i < cases.length; i += BATCH) {
        await Promise.all(cases.slice(i, i + BATCH).map(({ c, index }) => throughRawStart(stack, c, index)));
      }
      expect(host.child.exitCode === null && host.child.signalCode === null, `worker died:\n${host.output().slice(-3_000)}`).toBe(true);
      expect(failuresOf('raw', kind)).toEqual([]);
    }, 900_000);
  }
});
