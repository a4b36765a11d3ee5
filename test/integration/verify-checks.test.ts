import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openArtifactStore } from '../../artifacts/index.js';
import { getBenchmarksResult, getProgress, getQualityChecksResult, startBenchmarks, startQualityChecks } from '../../client/api.js';
import { WorkflowRunFailedError } from '../../client/errors.js';
import { VERIFY_WORKFLOW_IDS, type RunBenchmarksResult, type RunQualityChecksResult } from '../../contracts/index.js';
import { notifications, verifyFindings, verifyRuns } from '../../db/schema.js';
import { PROJECT_ROOT } from '../../activities/lib/sandbox/index.js';
import { recordReplayHistory } from '../support/history.js';
import { startTestStack, waitFor, type TestStack } from '../support/stack.js';

const FIXTURE = 'test/fixtures/verify-quality';

/** Processes (pid, process group) whose arguments mention `needle`, other than this one. */
function processesWith(needle: string): { pid: number; pgid: number }[] {
  const out = execFileSync('ps', ['-ww', '-eo', 'pid=,pgid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => l.includes(needle) && !l.includes('ps -ww'))
    .map((l) => l.trim().split(/\s+/))
    .map(([pid, pgid]) => ({ pid: Number(pid), pgid: Number(pgid) }))
    .filter((p) => p.pid !== process.pid);
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

async function notificationOf(stack: TestStack, workflowId: string) {
  return stack.db
    .select()
    .from(notifications)
    .where(and(eq(notifications.entityKind, 'verify-run'), eq(notifications.entityId, workflowId)));
}

describe('quality checks and benchmarks (sandboxed) on a real stack', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
    await stack.startInProcessWorkers(['control', 'cpu', 'train']);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('checks the fixture folder: exact findings of tsc, eslint and prettier, counts by rule, rows, notification', async () => {
    const started = await startQualityChecks(stack.client, { runId: 'fixture-quality', path: FIXTURE });
    expect(started.workflowId).toBe(VERIFY_WORKFLOW_IDS.quality('fixture-quality'));
    expect((await startQualityChecks(stack.client, { runId: 'fixture-quality', path: FIXTURE })).alreadyExisted).toBe(true);
    const r: RunQualityChecksResult = await getQualityChecksResult(stack.client, started.workflowId);
    expect(r.status).toBe('FAILED');
    expect(r.path).toBe(FIXTURE);
    expect(r.tools.map((t) => [t.tool, t.config, t.findings, t.errors, t.warnings, t.passed, t.error])).toEqual([
      ['tsc', `${FIXTURE}/tsconfig.json`, 2, 2, 0, false, undefined],
      ['eslint', `${FIXTURE}/eslint.config.js`, 4, 3, 1, false, undefined],
      ['prettier', `${FIXTURE}/.prettierignore`, 1, 1, 0, false, undefined],
    ]);
    expect(r.totals).toEqual({ findings: 7, errors: 6, warnings: 1 });
    expect(r.countsByRule).toEqual({
      'eslint:@typescript-eslint/no-explicit-any': 1,
      'eslint:@typescript-eslint/no-unused-vars': 1,
      'eslint:no-console': 1,
      'eslint:prefer-const': 1,
      'prettier:prettier/format': 1,
      'tsc:TS2322': 1,
      'tsc:TS2339': 1,
    });
    const rows = await stack.db.select().from(verifyFindings).where(eq(verifyFindings.runId, started.workflowId));
    expect(rows.map((f) => [f.tool, f.file, f.line, f.column, f.rule, f.severity])).toEqual([
      ['tsc', `${FIXTURE}/types.ts`, 2, 14, 'TS2322', 'error'],
      ['tsc', `${FIXTURE}/types.ts`, 5, 13, 'TS2339', 'error'],
      ['eslint', `${FIXTURE}/lint.ts`, 3, 39, '@typescript-eslint/no-explicit-any', 'error'],
      ['eslint', `${FIXTURE}/lint.ts`, 5, 9, '@typescript-eslint/no-unused-vars', 'error'],
      ['eslint', `${FIXTURE}/lint.ts`, 6, 7, 'prefer-const', 'error'],
      ['eslint', `${FIXTURE}/lint.ts`, 8, 3, 'no-console', 'warning'],
      ['prettier', `${FIXTURE}/unformatted.ts`, 1, 1, 'prettier/format', 'error'],
    ]);
    expect(rows[0].message).toBe("Type 'string' is not assignable to type 'number'.");
    const [row] = await stack.db.select().from(verifyRuns).where(eq(verifyRuns.id, started.workflowId));
    expect(row).toMatchObject({ kind: 'quality', status: 'FAILED' });
    const [note] = await notificationOf(stack, started.workflowId);
    expect(note).toMatchObject({ eventType: 'VERIFY_FAILED', url: `http://dashboard.test/verify/${started.workflowId}` });
    await recordReplayHistory(stack.temporal, started.workflowId, 'runQualityChecksWorkflow');
  });

  it('one tool over one clean file passes', async () => {
    const started = await startQualityChecks(stack.client, { runId: 'clean-file', path: 'contracts/verify.ts', tools: ['eslint', 'prettier'] });
    const r = await getQualityChecksResult(stack.client, started.workflowId);
    expect(r.tools.map((t) => [t.tool, t.config, t.findings])).toEqual([
      ['eslint', 'eslint.config.js', 0],
      ['prettier', '.prettierignore', 0],
    ]);
    expect(r.status).toBe('PASSED');
    expect((await notificationOf(stack, started.workflowId)).map((n) => n.eventType)).toEqual(['VERIFY_PASSED']);
  });

  it('refuses hostile paths at the start and in the worker, naming the field; nothing runs', async () => {
    for (const p of ['../etc', '/etc', 'src; touch /tmp/faultline-canary', '$(id)', 'a\nb']) {
      await expect(startQualityChecks(stack.client, { runId: 'hostile', path: p })).rejects.toThrow(/path/);
    }
    // Text the contract allows, refused by the worker's checks on disk.
    for (const [runId, p] of [
      ['missing', 'no/such/folder'],
      ['modules', 'node_modules/typescript'],
    ] as const) {
      const started = await startQualityChecks(stack.client, { runId, path: p });
      const err = await getQualityChecksResult(stack.client, started.workflowId).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WorkflowRunFailedError);
      expect(String((err as Error).message)).toMatch(/path: /);
    }
    expect(existsSync('/tmp/faultline-canary')).toBe(false);
  });

  it('a cancel mid-run kills the tool (its process group is gone) and marks the row CANCELLED', async () => {
    // tsc over the whole project is caught running; eslint and prettier over the whole project
    // follow it, so the run is still going when the cancel arrives even if tsc was quick.
    const started = await startQualityChecks(stack.client, { runId: 'cancel-tsc', tools: ['tsc', 'eslint', 'prettier'] });
    const tsc = await waitFor(
      'tsc running',
      async () => {
        const p = await getProgress(stack.client, started.workflowId);
        const procs = processesWith('typescript/bin/tsc').filter(() => p.current === 'tsc');
        return procs.length > 0 ? procs : undefined;
      },
      60_000,
    );
    const pgid = tsc[0].pgid;
    await stack.client.workflow.getHandle(started.workflowId).cancel();
    const err = await getQualityChecksResult(stack.client, started.workflowId).catch((e: unknown) => e);
    expect((err as WorkflowRunFailedError).status).toBe('CANCELLED');
    expect(groupAlive(pgid)).toBe(false);
    const [row] = await stack.db.select().from(verifyRuns).where(eq(verifyRuns.id, started.workflowId));
    expect(row.status).toBe('CANCELLED');
    expect((await notificationOf(stack, started.workflowId)).map((n) => n.eventType)).toEqual(['VERIFY_CANCELLED']);
  });

  it('runs a real benchmark twice on faultline-train: the summary stored, the second compared with the first', async () => {
    const recorded = path.join(PROJECT_ROOT, 'bench/results/summary.quick.json');
    const before = existsSync(recorded) ? statSync(recorded).mtimeMs : null;
    const first = await startBenchmarks(stack.client, { runId: 'sim-1', benches: ['simulator'], quick: true, regressionThreshold: 10 });
    expect(first.workflowId).toBe(VERIFY_WORKFLOW_IDS.bench('sim-1'));
    const r1: RunBenchmarksResult = await getBenchmarksResult(stack.client, first.workflowId);
    expect(r1.status).toBe('PASSED');
    expect(r1.benches).toHaveLength(1);
    expect(r1.benches[0]).toMatchObject({ name: 'simulator', status: 'ok', comparisons: [], regressions: 0 });
    expect(r1.benches[0].baselineRunId).toBeUndefined();
    const store = openArtifactStore(stack.config.artifacts);
    const summary = JSON.parse(new TextDecoder().decode(await store.get(r1.summaryUri!))) as {
      machine: { quick: boolean };
      benches: { name: string; figures: { signalsPerSec: number } }[];
    };
    expect(summary.machine.quick).toBe(true);
    expect(summary.benches.map((b) => b.name)).toEqual(['simulator']);
    expect(summary.benches[0].figures.signalsPerSec).toBeGreaterThan(0);

    const second = await startBenchmarks(stack.client, { runId: 'sim-2', benches: ['simulator'], quick: true, regressionThreshold: 10 });
    const r2 = await getBenchmarksResult(stack.client, second.workflowId);
    expect(r2.benches[0].baselineRunId).toBe(first.workflowId);
    const rate = r2.benches[0].comparisons.find((c) => c.figure === 'signalsPerSec');
    expect(rate).toMatchObject({ baseline: summary.benches[0].figures.signalsPerSec, direction: 'higher', regression: false });
    expect(rate?.ratio).toBeCloseTo((rate?.current ?? 0) / (rate?.baseline ?? 1), 3);
    expect(r2.benches[0].comparisons.find((c) => c.figure === 'msPerSignalWall')?.direction).toBe('lower');
    const [row] = await stack.db.select().from(verifyRuns).where(eq(verifyRuns.id, second.workflowId));
    expect(row).toMatchObject({ kind: 'bench', status: 'PASSED', reportUri: r2.summaryUri });
    expect((await notificationOf(stack, second.workflowId)).map((n) => n.eventType)).toEqual(['VERIFY_PASSED']);
    // The recorded figures of bench/results/ are not touched by a verification run.
    expect(existsSync(recorded) ? statSync(recorded).mtimeMs : null).toBe(before);
    await recordReplayHistory(stack.temporal, second.workflowId, 'runBenchmarksWorkflow');
  });

  it('refuses unknown benchmark names before anything starts', async () => {
    await expect(startBenchmarks(stack.client, { benches: ['nope'] as unknown as ['simulator'] })).rejects.toThrow(/benches\.0/);
    const handle = await stack.client.workflow.start('runBenchmarksWorkflow', {
      taskQueue: 'faultline-control',
      workflowId: VERIFY_WORKFLOW_IDS.bench('raw-bad'),
      args: [{ runId: 'raw-bad', benches: ['simulator; touch /tmp/faultline-canary'] }],
    });
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(String((err as WorkflowFailedError).cause?.message)).toMatch(/benches\.0/);
    expect(existsSync('/tmp/faultline-canary')).toBe(false);
  });
});
