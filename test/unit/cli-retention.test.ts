import { describe, expect, it } from 'vitest';
import { formatRetentionResult } from '../../client/cli/retention.js';
import type { Progress, RetentionResult } from '../../contracts/index.js';
import { fakeCli, type FakeWorkflow } from '../support/fake-cli.js';

const done: Progress = { phase: 'completed', completed: 2, total: 2, fraction: 1 };
const cut = '2026-09-01T00:00:00.000Z';
const result: RetentionResult = {
  status: 'COMPLETED',
  dryRun: false,
  now: '2026-12-01T00:00:00.000Z',
  rows: {
    dryRun: false,
    rows: {
      datasets: { cutoff: cut, deleted: 1, ids: ['ds-old'] },
      experiments: { cutoff: cut, deleted: 2, ids: ['e1', 'e2'] },
      campaigns: { cutoff: cut, deleted: 0, ids: [] },
      xai: { cutoff: cut, deleted: 0, ids: [] },
      evaluations: { cutoff: cut, deleted: 0, ids: [] },
      notifications: { cutoff: cut, deleted: 4, ids: ['n1'] },
    },
    keptAsCampaignBest: ['c-1-t3'],
    dependents: { epoch_metrics: 40, signals: 0 },
  },
  artifacts: { dryRun: false, scanned: 10, referenced: 6, newlyMarked: 2, unmarked: 0, waiting: 1, deleted: 1, deletedBytes: 2048 },
};
const wf: FakeWorkflow = { workflowId: 'retention-x', type: 'retentionWorkflow', minutes: 1, progress: () => done, follow: () => [done], result: () => result };

describe('faultline retention', () => {
  it('run passes the policy flags as the workflow input', async () => {
    const cli = fakeCli(wf);
    expect(
      await cli.run(['retention', 'run', '--dry-run', '--keep', 'experiments=30', '--keep', 'notifications=7', '--grace-hours', '2', '--id', 'nightly']),
    ).toBe(0);
    expect(cli.argsOf('startRetention')).toEqual([{ dryRun: true, days: { experiments: 30, notifications: 7 }, artifactGraceHours: 2 }, 'nightly']);
  });

  it('refuses a bad --keep naming the value', async () => {
    const cli = fakeCli(wf);
    expect(await cli.run(['retention', 'run', '--keep', 'forever=3'])).toBe(2);
    expect(cli.stderr()).toContain(
      'expected <kind>=<days> with kind one of datasets, experiments, campaigns, xai, evaluations, notifications, got "forever=3"',
    );
  });

  it('schedule creates or updates the schedule and says so; --delete removes it', async () => {
    const cli = fakeCli(wf);
    expect(await cli.run(['retention', 'schedule', '--every', '6h', '--pause'])).toBe(0);
    expect(cli.argsOf('scheduleRetention')).toEqual([{ every: '6h', input: {}, paused: true }]);
    expect(cli.stdout()).toContain('Created schedule faultline-retention: every 24h');
    const del = fakeCli(wf);
    expect(await del.run(['retention', 'schedule', '--delete'])).toBe(0);
    expect(del.stdout()).toContain('Deleted the faultline-retention schedule.');
  });

  it('result prints the report by kind, what stayed and the artifact sweep', async () => {
    const cli = fakeCli(wf);
    expect(await cli.run(['retention', 'result', 'x'])).toBe(0);
    expect(cli.argsOf('getResult')).toEqual(['retention-x']);
    const text = formatRetentionResult(result);
    expect(text).toMatch(/experiments\s+2 {3}2026-09-01T00:00:00.000Z {3}e\.g\. e1, e2/);
    expect(text).toContain('with them: 40 epoch_metrics');
    expect(text).toContain("kept as a campaign's best model: c-1-t3");
    expect(text).toContain('deleted 1 artifacts (2048 bytes)');
  });
});
