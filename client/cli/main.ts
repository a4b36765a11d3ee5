import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { WorkflowNotFoundError } from '@temporalio/client';
import { Command, CommanderError } from 'commander';
import { isArtifactError } from '../../artifacts/errors.js';
import { ConfigError } from '../../config/index.js';
import { InputValidationError, type FieldIssue } from '../../contracts/index.js';
import { isUnreachableError, ProgressUnavailableError, UpdateRejectedError, WorkflowRunFailedError } from '../errors.js';
import { OutputExistsError } from './result-files.js';
import { CliInputError, InterruptedError, type CliDeps, type CommandGroup } from './context.js';
import { artifactCommands } from './artifact.js';
import { datasetCommands } from './dataset.js';
import { evalCommands } from './eval.js';
import { featureCommands } from './features.js';
import { hpoCommands } from './hpo.js';
import { importCommands } from './import.js';
import { nasCommands } from './nas.js';
import { ReplayFailedError, replayCommands } from './replay.js';
import { retentionCommands } from './retention.js';
import { deployCommands } from './deploy.js';
import { verifyCommands } from './verify.js';
import type { CliIO } from './output.js';
import { trainCommands } from './train.js';
import { xaiCommands } from './xai.js';

/** The command groups. A new group (hpo, nas, xai) is one module plus one entry here. */
export const COMMAND_GROUPS: readonly CommandGroup[] = [
  datasetCommands,
  importCommands,
  trainCommands,
  hpoCommands,
  nasCommands,
  xaiCommands,
  evalCommands,
  replayCommands,
  artifactCommands,
  retentionCommands,
  featureCommands,
  deployCommands,
  verifyCommands,
];

export const EXIT = { ok: 0, workflowFailed: 1, invalid: 2, unreachable: 3, interrupted: 130 } as const;

/** The commander program, with all I/O injected. Errors propagate (see runCli). */
export function buildProgram(deps: CliDeps, groups: readonly CommandGroup[] = COMMAND_GROUPS): Command {
  const program = new Command('faultline')
    .description('Start and follow Faultline workflows (vibration fault diagnosis on Temporal)')
    .option('--json', 'machine output: exactly one JSON document on stdout')
    .option('--address <host:port>', 'Temporal frontend (overrides TEMPORAL_ADDRESS / the dev server)')
    .option('--namespace <ns>', 'Temporal namespace (overrides TEMPORAL_NAMESPACE)')
    // Inherited by every subcommand added below: throw instead of process.exit, write to deps.io.
    .exitOverride()
    .configureOutput({
      writeOut: (s) => deps.io.stdout.write(s),
      writeErr: (s) => deps.io.stderr.write(s),
    })
    .showHelpAfterError('(add --help for usage)');
  for (const group of groups) group.register(program, deps);
  return program;
}

interface ErrorDoc {
  exitCode: number;
  type: string;
  message: string;
  issues?: FieldIssue[];
  workflowId?: string;
  status?: string;
  failureType?: string;
  /** replay: the outcome of every history. */
  histories?: ReplayFailedError['histories'];
}

/** Map an error to an exit code and a description (the one place exit codes are decided). */
export function classifyError(err: unknown): ErrorDoc {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof CommanderError) return { exitCode: err.exitCode === 0 ? EXIT.ok : EXIT.invalid, type: 'usage', message };
  if (err instanceof CliInputError) return { exitCode: EXIT.invalid, type: 'invalid-input', message, issues: err.validation.issues };
  if (err instanceof InputValidationError) return { exitCode: EXIT.invalid, type: 'invalid-input', message, issues: err.issues };
  if (err instanceof ConfigError) return { exitCode: EXIT.invalid, type: 'invalid-configuration', message };
  if (err instanceof OutputExistsError) return { exitCode: EXIT.invalid, type: 'output-exists', message };
  if (isArtifactError(err, 'ARTIFACT_INVALID_URI')) return { exitCode: EXIT.invalid, type: 'invalid-input', message };
  if (isArtifactError(err, 'ARTIFACT_NOT_FOUND')) return { exitCode: EXIT.invalid, type: 'not-found', message };
  if (isArtifactError(err, 'ARTIFACT_CORRUPT')) return { exitCode: EXIT.workflowFailed, type: 'artifact-corrupt', message };
  if (err instanceof WorkflowNotFoundError) return { exitCode: EXIT.invalid, type: 'not-found', message, workflowId: err.workflowId };
  // The workflow refused the change (its validator knows the campaign's state); nothing changed.
  if (err instanceof UpdateRejectedError)
    return { exitCode: EXIT.invalid, type: 'update-rejected', message, workflowId: err.workflowId, failureType: err.failureType };
  if (err instanceof WorkflowRunFailedError) {
    return { exitCode: EXIT.workflowFailed, type: 'workflow-failed', message, workflowId: err.workflowId, status: err.status, failureType: err.failureType };
  }
  if (err instanceof ReplayFailedError) return { exitCode: EXIT.workflowFailed, type: 'replay-failed', message, histories: err.histories };
  if (err instanceof InterruptedError) return { exitCode: EXIT.interrupted, type: 'interrupted', message, workflowId: err.workflowId };
  if (isUnreachableError(err)) {
    return {
      exitCode: EXIT.unreachable,
      type: 'temporal-unreachable',
      message: `${message}\n(start the dev server with \`npm start\`, or set TEMPORAL_ADDRESS / --address)`,
    };
  }
  if (err instanceof ProgressUnavailableError) return { exitCode: EXIT.workflowFailed, type: 'progress-unavailable', message, workflowId: err.workflowId };
  return { exitCode: EXIT.workflowFailed, type: 'error', message: err instanceof Error && err.stack && process.env.FAULTLINE_DEBUG ? err.stack : message };
}

/** Parse and run `argv` (user args, without node and script); returns the exit code. */
export async function runCli(argv: readonly string[], deps: CliDeps): Promise<number> {
  // Decided before parsing, because a parse error must already come out as JSON.
  const json = argv.includes('--json');
  const program = buildProgram(json ? { ...deps, io: quietStderrFor(deps.io) } : deps);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT.ok;
  } catch (err) {
    const doc = classifyError(err);
    if (doc.exitCode === EXIT.ok) return EXIT.ok;
    if (json) deps.io.stdout.write(`${JSON.stringify({ error: doc }, null, 2)}\n`);
    // Commander has already printed its own usage errors.
    else if (!(err instanceof CommanderError)) deps.io.stderr.write(`error: ${doc.message}\n`);
    return doc.exitCode;
  }
}

/** In JSON mode nothing but the document is written; stderr chatter is dropped too. */
function quietStderrFor(io: CliIO): CliIO {
  return { stdout: io.stdout, stderr: { write: () => true, isTTY: false } };
}

/** Process entry: real terminal, real Temporal, Ctrl-C stops waiting (not the workflow). */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const interrupt = new AbortController();
  // `once`: a second Ctrl-C falls back to Node's default and kills the process.
  process.once('SIGINT', () => interrupt.abort());
  const code = await runCli(argv, {
    io: { stdout: process.stdout, stderr: process.stderr },
    // Loaded on first use: the connection module pulls in the Temporal native bridge, which
    // `--help` and input errors should not wait for.
    openSession: async (options) => (await import('./session.js')).temporalSessionOpener(process.env)(options),
    interrupt: interrupt.signal,
  });
  process.exitCode = code;
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

// `npm run faultline` runs this file directly; bin/faultline.mjs imports it and calls main().
if (isEntryPoint()) await main();
