import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { DefaultLogger, Runtime, Worker, type ReplayWorkerOptions } from '@temporalio/worker';
import { parseJsonQuietly } from '../contracts/json-syntax.js';
import { bundleWorkflows } from './bundle.js';

type History = ReturnType<typeof historyFromJSON>;

/** What replaying one downloaded history against the current workflow code found. */
export interface ReplayOutcome {
  file: string;
  /** From the history's first event; absent when the file is not a history. */
  workflowType?: string;
  events?: number;
  ok: boolean;
  /** e.g. DeterminismViolationError, ReplayError, InvalidHistory. */
  errorType?: string;
  /** The SDK's message, which names the event that no longer matches (TMPRL1100 …). */
  error?: string;
}

/**
 * Read a history as `temporal workflow show --output json` writes it ({"events": [...]}), or as
 * a bare event array. Throws a message that names the file when it is neither.
 */
export function readHistoryFile(file: string): History {
  let text: string;
  let regular: boolean;
  try {
    regular = statSync(file).isFile();
    text = regular ? readFileSync(file, 'utf8') : '';
  } catch (err) {
    throw new Error(`${file}: cannot read it (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!regular) throw new Error(`${file}: not a regular file`);
  // The parse error says where, never what: the file given may be anything (a secret included).
  const parsed = parseJsonQuietly(text);
  if (!parsed.ok) throw new Error(`${file}: not a JSON history (${parsed.message})`);
  const json = parsed.value;
  const doc = Array.isArray(json) ? { events: json } : json;
  if (doc === null || typeof doc !== 'object' || !Array.isArray((doc as { events?: unknown }).events)) {
    throw new Error(`${file}: not a history: expected {"events": [...]} as written by \`temporal workflow show --output json\``);
  }
  let history: History;
  try {
    history = historyFromJSON(doc);
  } catch (err) {
    throw new Error(`${file}: not a history (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!workflowTypeOf(history)) throw new Error(`${file}: not a history: its first event is not WorkflowExecutionStarted`);
  return history;
}

function workflowTypeOf(history: History): string | undefined {
  return history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? undefined;
}

/** For the CLI: the replay worker's state changes at INFO are noise there; warnings still show. */
export function quietReplayLogs(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Already installed by the embedding process: keep its logger.
  }
}

/**
 * Replay downloaded histories against the current workflow code, with no database and no
 * server: one replay worker over one bundle. Every file gets an outcome; a bad file does not stop
 * the others.
 */
export async function replayHistoryFiles(files: readonly string[], options: Partial<ReplayWorkerOptions> = {}): Promise<ReplayOutcome[]> {
  const outcomes: ReplayOutcome[] = [];
  const readable: { file: string; history: History; outcome: ReplayOutcome }[] = [];
  for (const file of files) {
    try {
      const history = readHistoryFile(file);
      const outcome: ReplayOutcome = { file, workflowType: workflowTypeOf(history), events: history.events?.length ?? 0, ok: false };
      outcomes.push(outcome);
      readable.push({ file, history, outcome });
    } catch (err) {
      outcomes.push({ file, ok: false, errorType: 'InvalidHistory', error: err instanceof Error ? err.message : String(err) });
    }
  }
  if (readable.length === 0) return outcomes;
  const workflowBundle = options.workflowBundle ?? (await bundleWorkflows());
  // Workflows check their own id against their input, so each history replays under the id it
  // was recorded with. The replayer keys results by id: histories sharing one go in separate rounds.
  const rounds: { workflowId: string; history: History; outcome: ReplayOutcome }[][] = [];
  readable.forEach((r, i) => {
    const workflowId = r.history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowId || `replay-${i}-${path.basename(r.file)}`;
    let round = rounds.find((rs) => !rs.some((x) => x.workflowId === workflowId));
    if (!round) rounds.push((round = []));
    round.push({ workflowId, history: r.history, outcome: r.outcome });
  });
  for (const round of rounds) {
    const byId = new Map(round.map((r) => [r.workflowId, r.outcome]));
    for await (const result of Worker.runReplayHistories({ ...options, workflowBundle }, round)) {
      const outcome = byId.get(result.workflowId);
      if (!outcome) continue;
      outcome.ok = result.error === undefined;
      if (result.error) {
        outcome.errorType = result.error.name;
        outcome.error = result.error.message;
      }
    }
  }
  return outcomes;
}
