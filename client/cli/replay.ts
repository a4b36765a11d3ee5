import type { ReplayOutcome } from '../../workers/replay.js';
import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import type { CliDeps, CommandGroup } from './context.js';
import { outputOf } from './context.js';

/** The replay outcome the CLI reports (workers/replay.ts computes it). */
export type ReplayReport = ReplayOutcome;

/** Thrown when a history does not replay: exit code 1, after every file was reported. */
export class ReplayFailedError extends Error {
  readonly failed: number;
  constructor(readonly histories: ReplayReport[]) {
    const failed = histories.filter((h) => !h.ok).length;
    super(`${failed} histor${failed === 1 ? 'y does' : 'ies do'} not replay against the current workflow code`);
    this.name = 'ReplayFailedError';
    this.failed = failed;
  }
}

/**
 * `faultline replay <history.json>…`: replay histories downloaded with `temporal workflow show
 * --output json` against this checkout's workflow code. No server, no database: what a reviewer
 * runs before deploying a workflow change, on the histories of runs that are still open.
 */
export const replayCommands: CommandGroup = {
  name: 'replay',
  register(program: Command, deps: CliDeps) {
    program
      .command('replay')
      .description('replay downloaded histories (temporal workflow show --output json) against the current workflow code')
      .argument('<history...>', 'history files')
      .action(async (files: string[], _opts: unknown, cmd: Command) => {
        const out = outputOf(cmd, deps);
        const replay: NonNullable<CliDeps['replay']> =
          deps.replay ??
          (await Promise.all([import('../../workers/replay.js'), import('../../temporal-config/data-converter.js')]).then(([m, dc]) => {
            m.quietReplayLogs();
            // Histories of encrypted runs (PAYLOAD_KEYS) replay with the same keys.
            const dataConverter = dc.dataConverterFor(loadConfig(process.env));
            return (histories: readonly string[]) => m.replayHistoryFiles(histories, { dataConverter });
          }));
        const reports: ReplayReport[] = await replay(files);
        const failed = reports.some((r) => !r.ok);
        // In JSON mode a failure is the one document (the error, with every outcome).
        if (failed && out.json) throw new ReplayFailedError(reports);
        out.result({ ok: true, histories: reports }, () =>
          reports
            .map((r) =>
              r.ok
                ? `OK    ${r.file} (${r.workflowType ?? '?'}, ${r.events ?? 0} events)`
                : `FAIL  ${r.file}${r.workflowType ? ` (${r.workflowType})` : ''}: ${r.errorType ? `${r.errorType}: ` : ''}${r.error ?? 'unknown error'}`,
            )
            .join('\n'),
        );
        if (failed) throw new ReplayFailedError(reports);
      });
  },
};
