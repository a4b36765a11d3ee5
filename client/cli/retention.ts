import { InvalidArgumentError, type Command } from 'commander';
import { InputValidationError, RETENTION_KINDS, type RetentionInput, type RetentionKind, type RetentionResult } from '../../contracts/index.js';
import { InterruptedError, outputOf, unlessInterrupted, withSession, type CliDeps, type CommandGroup } from './context.js';
import { formatStarted } from './output.js';
import { followToResult } from './run-commands.js';

/** `--keep experiments=30` (repeatable): days a finished row of that kind is kept. */
function keepDays(value: string, previous: Partial<Record<RetentionKind, number>> = {}): Partial<Record<RetentionKind, number>> {
  const m = /^([a-z]+)=(\d+)$/.exec(value);
  if (!m || !(RETENTION_KINDS as readonly string[]).includes(m[1])) {
    throw new InvalidArgumentError(`expected <kind>=<days> with kind one of ${RETENTION_KINDS.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return { ...previous, [m[1]]: Number(m[2]) };
}

function hours(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(n)) throw new InvalidArgumentError(`expected a number of hours, got ${JSON.stringify(value)}`);
  return n;
}

interface PolicyFlags {
  dryRun?: boolean;
  keep?: Partial<Record<RetentionKind, number>>;
  graceHours?: number;
}

function inputOf(opts: PolicyFlags): RetentionInput {
  return {
    ...(opts.dryRun ? { dryRun: true } : {}),
    ...(opts.keep ? { days: opts.keep as Record<RetentionKind, number> } : {}),
    ...(opts.graceHours !== undefined ? { artifactGraceHours: opts.graceHours } : {}),
  };
}

function policyOptions(cmd: Command): Command {
  return cmd
    .option('--dry-run', 'report what would be deleted; delete and mark nothing')
    .option('--keep <kind=days>', `days a finished row is kept, per kind (${RETENTION_KINDS.join(', ')}); repeatable`, keepDays)
    .option('--grace-hours <h>', 'an unreferenced artifact is deleted only this long after it was marked (default 24)', hours);
}

export function formatRetentionResult(r: RetentionResult): string {
  const verb = r.dryRun ? 'would delete' : 'deleted';
  const lines = [`Retention ${r.dryRun ? '(dry run) ' : ''}at ${r.now}`, '', `  kind            ${verb}   cutoff`];
  for (const k of RETENTION_KINDS) {
    const o = r.rows.rows[k];
    lines.push(`  ${k.padEnd(14)}  ${String(o.deleted).padStart(7)}   ${o.cutoff}${o.ids.length ? `   e.g. ${o.ids.slice(0, 3).join(', ')}` : ''}`);
  }
  const dependents = Object.entries(r.rows.dependents).filter(([, n]) => n > 0);
  if (dependents.length) lines.push(`  with them: ${dependents.map(([t, n]) => `${n} ${t}`).join(', ')}`);
  if (r.rows.keptAsCampaignBest.length) lines.push(`  kept as a campaign's best model: ${r.rows.keptAsCampaignBest.join(', ')}`);
  const a = r.artifacts;
  lines.push(
    '',
    `  artifacts: ${a.scanned} in the store, ${a.referenced} referenced; ${a.newlyMarked} newly marked, ${a.waiting} waiting out the grace period, ${a.unmarked} unmarked (referenced again)`,
    `  ${verb} ${a.deleted} artifacts (${a.deletedBytes} bytes)`,
  );
  return lines.join('\n');
}

const retentionWorkflowId = (id: string) => (id.startsWith('retention-') || id.startsWith('faultline-retention') ? id : `retention-${id}`);

export const retentionCommands: CommandGroup = {
  name: 'retention',
  register(program, deps: CliDeps) {
    const group = program.command('retention').description('expire old rows and unreferenced artifacts (retentionWorkflow, the faultline-retention Schedule)');

    policyOptions(group.command('run').description('one retention run now'))
      .option('--id <id>', 'run id (workflow retention-<id>; default: the current minute)')
      .option('--wait', 'show progress and print the report')
      .action(async (opts: PolicyFlags & { id?: string; wait?: boolean }, cmd: Command) => {
        const out = outputOf(cmd, deps);
        await withSession(cmd, deps, async (session) => {
          const started = await session.api.startRetention(inputOf(opts), opts.id);
          const webUiUrl = session.webUiUrl(started.workflowId);
          if (!opts.wait) {
            out.result(
              { kind: 'retention', ...started, webUiUrl },
              () => `${formatStarted('retention', started, webUiUrl)}\nResult: faultline retention result ${started.workflowId}`,
            );
            return;
          }
          out.line(formatStarted('retention', started, webUiUrl));
          const result = await followToResult<RetentionResult>(session, out, deps, started.workflowId, `faultline retention result ${started.workflowId}`);
          out.result({ kind: 'retention', ...started, status: 'COMPLETED', result }, () => `\n${formatRetentionResult(result)}`);
        });
      });

    policyOptions(group.command('schedule').description('create or update the faultline-retention Schedule (safe to repeat)'))
      .option('--every <duration>', 'interval between runs, e.g. 24h, 6h, 7d', '24h')
      .option('--pause', 'pause the schedule')
      .option('--resume', 'resume a paused schedule')
      .option('--delete', 'delete the schedule (runs already started go on)')
      .action(async (opts: PolicyFlags & { every: string; pause?: boolean; resume?: boolean; delete?: boolean }, cmd: Command) => {
        const out = outputOf(cmd, deps);
        if (opts.pause && opts.resume) {
          throw new InputValidationError('retention schedule', [{ path: '--pause', message: 'cannot be combined with --resume', value: true }]);
        }
        await withSession(cmd, deps, async (session) => {
          if (opts.delete) {
            const deleted = await session.api.deleteRetentionSchedule();
            out.result({ scheduleId: 'faultline-retention', deleted }, () =>
              deleted ? 'Deleted the faultline-retention schedule.' : 'There was no faultline-retention schedule.',
            );
            return;
          }
          const state = await session.api.scheduleRetention({
            every: opts.every,
            input: inputOf(opts),
            ...(opts.pause ? { paused: true } : opts.resume ? { paused: false } : {}),
          });
          out.result(state, () =>
            [
              `${state.created ? 'Created' : 'Updated'} schedule ${state.scheduleId}: every ${state.every}${state.paused ? ' (paused)' : ''}${state.input.dryRun ? ', dry run' : ''}`,
              `  keep (days)  ${RETENTION_KINDS.map((k) => `${k} ${state.input.days[k]}`).join(', ')}; artifact grace ${state.input.artifactGraceHours} h`,
              ...(state.nextRuns.length ? [`  next runs    ${state.nextRuns.join(', ')}`] : []),
            ].join('\n'),
          );
        });
      });

    group
      .command('result')
      .description("wait for a retention run and print its report (a scheduled run's id starts with faultline-retention-)")
      .argument('<id>', 'run id or workflow id')
      .action(async (id: string, _opts: unknown, cmd: Command) => {
        const out = outputOf(cmd, deps);
        await withSession(cmd, deps, async (session) => {
          const workflowId = retentionWorkflowId(id);
          const result = await unlessInterrupted(
            session.api.getResult<RetentionResult>(workflowId),
            deps.interrupt,
            () => new InterruptedError(workflowId, `faultline retention result ${id}`),
          );
          out.result({ workflowId, status: 'COMPLETED', result }, () => formatRetentionResult(result));
        });
      });
  },
};
