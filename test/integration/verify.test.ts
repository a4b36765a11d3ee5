import { execFileSync, spawnSync } from 'node:child_process';
import { eq } from 'drizzle-orm';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openArtifactStore } from '../../artifacts/index.js';
import { getProgress, getTestSuiteResult, startTestSuite } from '../../client/api.js';
import { WorkflowRunFailedError } from '../../client/errors.js';
import { VERIFY_WORKFLOW_IDS, type RunTestSuiteResult } from '../../contracts/index.js';
import { verifyCoverageFiles, verifyRuns, verifyTestResults } from '../../db/schema.js';
import { recordReplayHistory } from '../support/history.js';
import { startTestStack, waitFor, type TestStack } from '../support/stack.js';

const FIXTURE = 'fixtures/verify-suite';

/** Processes (pid, process group) of a sandboxed vitest whose arguments mention `marker`. */
function vitestProcesses(marker: string): { pid: number; pgid: number }[] {
  const out = execFileSync('ps', ['-ww', '-eo', 'pid=,pgid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => l.includes('vitest.verify.config.ts') && l.includes(marker))
    .map((l) => l.trim().split(/\s+/))
    .map(([pid, pgid]) => ({ pid: Number(pid), pgid: Number(pgid) }));
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The runner's own summary, run directly (not sandboxed) over the same files: the reference figures. */
function runnerCoverageSummary(): Record<string, { covered: number; total: number }> {
  const r = spawnSync(
    process.execPath,
    [
      'node_modules/vitest/vitest.mjs',
      'run',
      '--config',
      'vitest.verify.config.ts',
      '--coverage.enabled',
      '--coverage.provider=v8',
      '--coverage.reportOnFailure',
      '--coverage.reporter=text-summary',
      '--coverage.reportsDirectory=/tmp/faultline-verify-reference',
      `test/${FIXTURE}/passing.test.ts`,
      `test/${FIXTURE}/failing.test.ts`,
      `test/${FIXTURE}/skipped.test.ts`,
    ],
    { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
  );
  const figures: Record<string, { covered: number; total: number }> = {};
  for (const m of r.stdout.matchAll(/^(Statements|Branches|Functions|Lines)\s*:\s*[\d.]+% \( (\d+)\/(\d+) \)/gm)) {
    figures[m[1].toLowerCase()] = { covered: Number(m[2]), total: Number(m[3]) };
  }
  return figures;
}

describe('runTestSuiteWorkflow (sandboxed vitest) on a real stack', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
    await stack.startInProcessWorkers(['control', 'cpu']);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('runs the fixture suite with coverage: exact counts, messages, coverage equal to the runner summary, rows and artifacts', async () => {
    const started = await startTestSuite(stack.client, {
      runId: 'fixture-coverage',
      files: [`${FIXTURE}/passing.test.ts`, `${FIXTURE}/failing.test.ts`, `${FIXTURE}/skipped.test.ts`],
      coverage: true,
      coverageThreshold: { lines: 80, branches: 80, functions: 80, statements: 0 },
    });
    expect(started.workflowId).toBe(VERIFY_WORKFLOW_IDS.tests('fixture-coverage'));
    const again = await startTestSuite(stack.client, {
      runId: 'fixture-coverage',
      files: [`${FIXTURE}/passing.test.ts`, `${FIXTURE}/failing.test.ts`, `${FIXTURE}/skipped.test.ts`],
      coverage: true,
      coverageThreshold: { lines: 80, branches: 80, functions: 80, statements: 0 },
    });
    expect(again.alreadyExisted).toBe(true);
    const r: RunTestSuiteResult = await getTestSuiteResult(stack.client, started.workflowId);
    expect(r.status).toBe('FAILED');
    expect(r.totals).toMatchObject({ files: 3, tests: 9, passed: 5, failed: 2, skipped: 1, todo: 1, errors: 0 });
    expect(r.failures.map((f) => [f.file, f.name, f.failureMessage])).toEqual([
      [`test/${FIXTURE}/failing.test.ts`, 'failing > expects the wrong class', "expected 'loud' to be 'quiet' // Object.is equality"],
      [`test/${FIXTURE}/failing.test.ts`, 'failing > throws on purpose', 'fixture failure: bearing overheated'],
    ]);
    // Coverage: the figures of the runner's own summary, and the threshold verdict (functions 2/3 < 80 %).
    const reference = runnerCoverageSummary();
    expect(Object.keys(reference).sort()).toEqual(['branches', 'functions', 'lines', 'statements']);
    for (const [k, v] of Object.entries(reference)) expect(r.coverage?.totals[k as 'lines']).toMatchObject(v);
    expect(r.coverage?.totals.functions).toEqual({ covered: 2, total: 3, pct: 66.66 });
    expect(r.coverage?.meetsThreshold).toBe(false);
    expect(r.coverage?.below).toEqual(['functions']);

    const [row] = await stack.db.select().from(verifyRuns).where(eq(verifyRuns.id, started.workflowId));
    expect(row).toMatchObject({ kind: 'tests', status: 'FAILED', junitUri: r.junitUri, coverageHtmlUri: r.coverageHtmlUri });
    const tests = await stack.db.select().from(verifyTestResults).where(eq(verifyTestResults.runId, started.workflowId));
    expect(tests).toHaveLength(9);
    expect(tests.filter((t) => t.status === 'failed')).toHaveLength(2);
    const files = await stack.db.select().from(verifyCoverageFiles).where(eq(verifyCoverageFiles.runId, started.workflowId));
    expect(files.map((f) => [f.file, f.functionsPct])).toEqual([[`test/${FIXTURE}/lib/shapes.ts`, 66.66]]);

    const store = openArtifactStore(stack.config.artifacts);
    const junit = new TextDecoder().decode(await store.get(r.junitUri!));
    expect(junit).toMatch(/<testsuites name="vitest tests" tests="9" failures="2"/);
    const html = JSON.parse(new TextDecoder().decode(await store.get(r.coverageHtmlUri!))) as { files: Record<string, { data: string }> };
    expect(html.files['index.html'].data).toContain('shapes.ts');
    expect(vitestProcesses(FIXTURE)).toEqual([]);
    await recordReplayHistory(stack.temporal, started.workflowId, 'runTestSuiteWorkflow');
  });

  it('selects by name pattern; passes without failures', async () => {
    const started = await startTestSuite(stack.client, { runId: 'fixture-pattern', files: [`${FIXTURE}/*.test.ts`], namePattern: 'classifies' });
    const r = await getTestSuiteResult(stack.client, started.workflowId);
    expect(r.status).toBe('PASSED');
    expect(r.totals.passed).toBe(2);
    expect(r.totals.failed).toBe(0);
  });

  it('refuses hostile input at the start, naming the field; nothing runs', async () => {
    for (const files of [['../etc/passwd'], ['/etc'], ['unit; touch /tmp/faultline-canary'], ['$(id)']]) {
      await expect(startTestSuite(stack.client, { runId: 'hostile', files })).rejects.toThrow(/files\.0/);
    }
    // Sent raw (a backend that skips the client): the workflow refuses it, and so would the sandbox.
    const handle = await stack.client.workflow.start('runTestSuiteWorkflow', {
      taskQueue: 'faultline-control',
      workflowId: VERIFY_WORKFLOW_IDS.tests('hostile-raw'),
      args: [{ runId: 'hostile-raw', files: ['unit/../../etc'] }],
    });
    const err = await handle.result().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(String((err as WorkflowFailedError).cause?.message)).toMatch(/files\.0/);
    expect(vitestProcesses('hostile')).toEqual([]);
  });

  it('reports progress while it runs, and a cancel mid-run leaves no process of its group', async () => {
    const started = await startTestSuite(stack.client, { runId: 'fixture-cancel', files: [`${FIXTURE}/slow.test.ts`, `${FIXTURE}/passing.test.ts`] });
    // Progress parsed from the runner: both files known and the fast one's tests done.
    await waitFor(
      'progress from the runner',
      async () => {
        const p = await getProgress(stack.client, started.workflowId);
        return p.filesTotal === 2 && p.completed >= 3 ? p : undefined;
      },
      180_000,
    );
    const procs = vitestProcesses('slow.test.ts');
    expect(procs.length).toBeGreaterThan(0);
    const pgid = procs[0].pgid;
    expect(groupAlive(pgid)).toBe(true);
    await stack.client.workflow.getHandle(started.workflowId).cancel();
    const err = await getTestSuiteResult(stack.client, started.workflowId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowRunFailedError);
    expect((err as WorkflowRunFailedError).status).toBe('CANCELLED');
    expect(groupAlive(pgid)).toBe(false);
    expect(vitestProcesses('slow.test.ts')).toEqual([]);
    const [row] = await stack.db.select().from(verifyRuns).where(eq(verifyRuns.id, started.workflowId));
    expect(row.status).toBe('CANCELLED');
  });
});
