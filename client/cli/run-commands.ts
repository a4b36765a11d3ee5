import type { Command } from 'commander';
import type { FaultlineApi, RunDescription, StartedRun } from '../api.js';
import type { ClientWorkflowKind } from '../workflow-kinds.js';
import { InterruptedError, outputOf, prepareOrExplain, unlessInterrupted, withSession, type CliDeps } from './context.js';
import { addFieldFlags, flagsByPath, requestFromFlags, type FieldFlag } from './fields.js';
import { formatRun, formatStarted, type Output, type ProgressDetails } from './output.js';
import { createProgressView } from './progress-bar.js';
import { addOutFolderOptions, writeOutFolder, type OutFolderOptions } from './out-folder.js';
import type { ResultFile } from './result-files.js';
import type { CliSession } from './session.js';

/** What differs between kinds for the commands every long-running kind has. */
export interface RunKind<R> {
  kind: ClientWorkflowKind;
  /** Shown in help: "dataset id", "experiment id". */
  idLabel: string;
  /** Human summary of a result; `session` lets a kind look things up (e.g. a local artifact). */
  summarize(result: R, webUiUrl: string | undefined, session: CliSession): string;
  /** Extra top-level fields of the JSON document next to `result` (e.g. a report's file path). */
  annotate?(result: R, session: CliSession): Record<string, unknown>;
  /** What the progress line shows after the counts; default: the latest training metrics. */
  progressDetails?: ProgressDetails;
  /** The status block `progress` prints; default: formatRun with progressDetails. */
  formatRun?(run: RunDescription, webUiUrl: string | undefined): string;
  /** Help text of `progress`, its `--follow`, `cancel` and `result` when a kind says more than the default. */
  help?: Partial<Record<'progress' | 'follow' | 'cancel' | 'result', string>>;
  /** The result's pictures and reports under proper file names, which `result --out <folder>` writes. */
  files?(result: R): ResultFile[];
}

/** What `stop` needs: what finishes and what `--reason` is recorded with. */
export interface StopKind {
  kind: ClientWorkflowKind;
  idLabel: string;
  /** What `--reason` is recorded with: "campaign", "batch". */
  entityLabel: string;
  /** What a stop lets finish (no new ones start): "running trials", "signals being explained". */
  finishing: string;
}

/** What `start` needs beyond RunKind: the flags, how to validate them, how to start. */
export interface StartKind<Req, I, R> extends RunKind<R> {
  /** Names the entity id in output: "dataset", "experiment". */
  entityLabel: string;
  description: string;
  waitDescription: string;
  /** Flags → request fields. Defaults live in the contract. */
  fields: readonly FieldFlag[];
  /** Contract field → flag for errors, when it is more than the fields' own paths. */
  flagsByPath?: Readonly<Record<string, string>>;
  /**
   * Local work the request needs before it can be validated (e.g. uploading local files, whose
   * artifact URIs then are part of the request); before any session is opened.
   */
  resolve?(request: Req, deps: CliDeps): Promise<Req>;
  /** Validate the request and fill in its id; throws InputValidationError naming the field. */
  prepare(request: Req): I;
  start(api: FaultlineApi, input: I): Promise<StartedRun>;
}

/** `start [flags] [--wait]` for one kind. */
export function addStartCommand<Req, I, R>(group: Command, deps: CliDeps, spec: StartKind<Req, I, R>): void {
  const start = group.command('start').description(spec.description).option('--wait', spec.waitDescription);
  addFieldFlags(start, spec.fields).action(async (opts: Record<string, unknown>, cmd: Command) => {
    const out = outputOf(cmd, deps);
    // Validate before connecting: a typo never needs a server to be reported. Required fields
    // are required by the contract, not by commander, so a missing one is reported like every
    // other invalid field (exit 2, flag named), in JSON mode too.
    const flagged = requestFromFlags(spec.fields, opts) as Req;
    const request = spec.resolve ? await spec.resolve(flagged, deps) : flagged;
    const input = prepareOrExplain(() => spec.prepare(request), spec.flagsByPath ?? flagsByPath(spec.fields));
    await withSession(cmd, deps, async (session) => {
      const started = await spec.start(session.api, input);
      const webUiUrl = session.webUiUrl(started.workflowId);
      const doc = { kind: spec.kind, ...started, webUiUrl };
      const followCommand = `faultline ${spec.kind} progress ${started.entityId} --follow`;
      if (opts.wait !== true) {
        out.result(doc, () => `${formatStarted(spec.entityLabel, started, webUiUrl)}\nFollow: ${followCommand}`);
        return;
      }
      out.line(formatStarted(spec.entityLabel, started, webUiUrl));
      const result = await followToResult<R>(session, out, deps, started.workflowId, followCommand, spec.progressDetails);
      out.result({ ...doc, status: 'COMPLETED', result, ...spec.annotate?.(result, session) }, () => `\n${spec.summarize(result, webUiUrl, session)}`);
    });
  });
}

/** `progress <id> [--follow]`, `cancel <id>`, `result <id>` for one kind. */
export function addRunCommands<R>(group: Command, deps: CliDeps, spec: RunKind<R>): void {
  const idArg = `<id>`;
  const idHelp = `${spec.idLabel} or full workflow id`;
  const showRun = (run: RunDescription, webUiUrl: string | undefined) => spec.formatRun?.(run, webUiUrl) ?? formatRun(run, webUiUrl, spec.progressDetails);

  group
    .command('progress')
    .description(spec.help?.progress ?? 'show status and progress (--follow: live bar until it ends)')
    .argument(idArg, idHelp)
    .option('--follow', spec.help?.follow ?? 'keep polling with a live progress bar until the run ends')
    .action(async (id: string, opts: { follow?: boolean }, cmd: Command) => {
      const out = outputOf(cmd, deps);
      await withSession(cmd, deps, async (session) => {
        const workflowId = await session.api.locateWorkflowId(spec.kind, id);
        const webUiUrl = session.webUiUrl(workflowId);
        if (!opts.follow) {
          const run = await session.api.describeRun(workflowId);
          out.result({ ...run, webUiUrl }, () => showRun(run, webUiUrl));
          return;
        }
        const result = await followToResult<R>(session, out, deps, workflowId, `faultline ${spec.kind} progress ${id} --follow`, spec.progressDetails);
        const run = await session.api.describeRun(workflowId);
        out.result(
          { ...run, webUiUrl, result, ...spec.annotate?.(result, session) },
          () => `${showRun(run, webUiUrl)}\n\n${spec.summarize(result, webUiUrl, session)}`,
        );
      });
    });

  group
    .command('cancel')
    .description(spec.help?.cancel ?? 'cancel the run now (Temporal cancellation; cleanup still runs)')
    .argument(idArg, idHelp)
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const out = outputOf(cmd, deps);
      await withSession(cmd, deps, async (session) => {
        const workflowId = await session.api.locateWorkflowId(spec.kind, id);
        await session.api.cancelRun(workflowId);
        out.result({ workflowId, cancelRequested: true }, () => `Cancellation requested for ${workflowId}; its final status will be CANCELLED.`);
      });
    });

  const resultCmd = group
    .command('result')
    .description(spec.help?.result ?? 'wait for the run to finish and print its result')
    .argument(idArg, idHelp);
  if (spec.files) addOutFolderOptions(resultCmd);
  resultCmd.action(async (id: string, opts: OutFolderOptions, cmd: Command) => {
    const out = outputOf(cmd, deps);
    await withSession(cmd, deps, async (session) => {
      const workflowId = await session.api.locateWorkflowId(spec.kind, id);
      const webUiUrl = session.webUiUrl(workflowId);
      const run = await session.api.describeRun(workflowId, { progress: false });
      if (run.status === 'RUNNING' && !out.json) deps.io.stderr.write(`${workflowId} is still running; waiting for its result (Ctrl-C stops waiting)...\n`);
      const result = await unlessInterrupted(
        session.api.getResult<R>(workflowId),
        deps.interrupt,
        () => new InterruptedError(workflowId, `faultline ${spec.kind} result ${id}`),
      );
      const written = spec.files ? await writeOutFolder(session, opts, spec.files(result)) : undefined;
      out.result(
        {
          workflowId,
          runId: run.runId,
          status: 'COMPLETED',
          webUiUrl,
          result,
          ...spec.annotate?.(result, session),
          ...(written ? { files: written.files } : {}),
        },
        () => spec.summarize(result, webUiUrl, session) + (written ? `\n\n${written.text}` : ''),
      );
    });
  });
}

/** `stop <id> [--reason]`: the `stop` signal; what is running finishes, nothing new starts, the result says STOPPED. */
export function addStopCommand(group: Command, deps: CliDeps, spec: StopKind): void {
  group
    .command('stop')
    .description(`finish the ${spec.finishing}, start no new ones (the \`stop\` signal); the result says STOPPED`)
    .argument('<id>', `${spec.idLabel} or full workflow id`)
    .option('--reason <text>', `recorded with the ${spec.entityLabel}`)
    .action(async (id: string, opts: { reason?: string }, cmd: Command) => {
      const out = outputOf(cmd, deps);
      await withSession(cmd, deps, async (session) => {
        const workflowId = await session.api.locateWorkflowId(spec.kind, id);
        await session.api.stopRun(workflowId, opts.reason);
        out.result(
          { workflowId, stopRequested: true, ...(opts.reason === undefined ? {} : { reason: opts.reason }) },
          () => `Stop requested for ${workflowId}: ${spec.finishing} finish, no new ones start.\nFollow: faultline ${spec.kind} progress ${id} --follow`,
        );
      });
    });
}

/**
 * Show live progress until the run closes, then fetch its result. A failed or cancelled run
 * makes getResult throw WorkflowRunFailedError (exit 1) with the failure's type and message.
 */
export async function followToResult<R>(
  session: CliSession,
  out: Output,
  deps: CliDeps,
  workflowId: string,
  followCommand: string,
  details?: ProgressDetails,
): Promise<R> {
  const view = out.json ? undefined : createProgressView(deps.io.stderr, details);
  let final;
  try {
    final = await session.api.watchProgress(workflowId, (p) => view?.update(p), { intervalMs: deps.pollIntervalMs, signal: deps.interrupt });
  } finally {
    view?.stop();
  }
  if (final.status === 'RUNNING') throw new InterruptedError(workflowId, followCommand);
  return session.api.getResult<R>(workflowId);
}
