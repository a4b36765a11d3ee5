import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDatasetResult, startDatasetGeneration } from '../../client/api.js';
import { SEARCH_ATTRIBUTES, type GenerateDatasetResult, type Progress } from '../../contracts/index.js';
import { startWorkingStack, type TestStack } from '../support/stack.js';

const exec = promisify(execFile);
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const PYTHON = path.join(REPO_ROOT, '.venv', 'bin', 'python');
const DASHBOARD = path.join(REPO_ROOT, 'examples', 'python', 'dashboard.py');

interface DashboardEvent {
  event: string;
  workflowId?: string;
  progress?: Progress;
  result?: unknown;
  failure?: { type: string; message: string };
  message?: string;
  type?: string;
  status?: string;
  searchAttributes?: Record<string, unknown>;
}

/**
 * The Python dashboard example (examples/python/dashboard.py, the official `temporalio` SDK
 * installed by `npm run setup`) against a real dev server and real workers: it starts by type
 * name with the typed search attributes, follows progress, attaches to a run the TypeScript
 * client started, reads results, and refuses bad requests before anything is sent.
 */
describe('Python dashboard example', () => {
  let stack: TestStack;

  beforeAll(async () => {
    if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: run \`npm run setup\` (installs examples/python/requirements.txt into .venv)`);
    stack = await startWorkingStack();
  }, 300_000);
  afterAll(async () => {
    await stack?.stop();
  });

  /** Run the example; every stdout line is one JSON event. */
  async function dashboard(...args: string[]): Promise<{ code: number; events: DashboardEvent[]; stderr: string }> {
    const argv = [DASHBOARD, '--address', stack.temporal.address, '--namespace', stack.temporal.namespace, ...args];
    const done = await exec(PYTHON, argv, { cwd: REPO_ROOT, timeout: 180_000 }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }),
    );
    const events = done.stdout
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as DashboardEvent);
    return { code: done.code, events, stderr: done.stderr };
  }

  function expectSaneProgress(events: DashboardEvent[]): Progress[] {
    const reports = events.filter((e) => e.event === 'progress').map((e) => e.progress as Progress);
    expect(reports.length).toBeGreaterThan(0);
    for (const p of reports) {
      expect(p.fraction).toBeGreaterThanOrEqual(0);
      expect(p.fraction).toBeLessThanOrEqual(1);
    }
    const fractions = reports.map((p) => p.fraction);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    return reports;
  }

  it('starts a dataset by type name with typed search attributes, follows progress 0..1 and prints the result', async () => {
    const request = { datasetId: 'py-ds', config: { seed: 3, signalsPerClass: 4, signalLength: 1_024 }, chunkSize: 1, maxInFlight: 1 };
    const run = await dashboard('start', 'generateDatasetWorkflow', JSON.stringify(request), '--watch');
    expect(run.code, run.stderr).toBe(0);
    expect(run.events[0]).toMatchObject({ event: 'started', workflowId: 'dataset-py-ds', alreadyExisted: false });
    const reports = expectSaneProgress(run.events);
    // The last report is read after the run closed: all 16 chunks' signals done.
    expect(reports.at(-1)).toMatchObject({ fraction: 1, completed: 16, total: 16 });
    const result = run.events.at(-1) as DashboardEvent;
    expect(result.event).toBe('result');
    expect(result.result).toMatchObject({ datasetId: 'py-ds', numSignals: 16, signalLength: 1_024 });

    // Visible to the same Web UI filters as a TypeScript-started run; the status is final.
    const described = await stack.client.workflow.getHandle('dataset-py-ds').describe();
    expect(described.typedSearchAttributes.get(SEARCH_ATTRIBUTES.kind)).toBe('dataset');
    expect(described.typedSearchAttributes.get(SEARCH_ATTRIBUTES.datasetId)).toBe('py-ds');
    expect(described.typedSearchAttributes.get(SEARCH_ATTRIBUTES.status)).toBe('COMPLETED');
    expect(await getDatasetResult(stack.client, 'dataset-py-ds')).toEqual(result.result);

    // Starting the same request again attaches to the completed run (ALLOW_DUPLICATE_FAILED_ONLY): no second run.
    const again = await dashboard('start', 'generateDatasetWorkflow', JSON.stringify(request));
    expect(again.code, again.stderr).toBe(0);
    expect(again.events).toEqual([{ event: 'started', workflowId: 'dataset-py-ds', runId: described.runId, alreadyExisted: true }]);
  });

  it('attaches by workflow id to a run the TypeScript client started, and reads progress and result', async () => {
    const started = await startDatasetGeneration(stack.client, {
      datasetId: 'ts-ds',
      config: { seed: 4, signalsPerClass: 3, signalLength: 1_024 },
      chunkSize: 1,
      maxInFlight: 1,
    });
    const attached = await dashboard('attach', started.workflowId);
    expect(attached.code, attached.stderr).toBe(0);
    expect(attached.events[0]).toMatchObject({
      event: 'attached',
      workflowId: 'dataset-ts-ds',
      runId: started.runId,
      type: 'generateDatasetWorkflow',
      searchAttributes: { FaultlineKind: 'dataset', FaultlineDatasetId: 'ts-ds' },
    });
    expectSaneProgress(attached.events);
    const tsResult: GenerateDatasetResult = await getDatasetResult(stack.client, started.workflowId);
    expect(attached.events.at(-1)).toEqual({ event: 'result', workflowId: 'dataset-ts-ds', result: tsResult });

    const once = await dashboard('progress', started.workflowId);
    expect(once.events).toEqual([
      { event: 'progress', workflowId: 'dataset-ts-ds', progress: expect.objectContaining({ fraction: 1, completed: 12, total: 12 }) },
    ]);
    const result = await dashboard('result', started.workflowId);
    expect(result.events).toEqual([{ event: 'result', workflowId: 'dataset-ts-ds', result: tsResult }]);
  });

  it('refuses NaN and schema violations before starting, naming the field (exit 2, no run exists)', async () => {
    const nan = await dashboard('start', 'generateDatasetWorkflow', '{"datasetId": "py-nan", "config": {"signalsPerClass": 2, "snrDb": [NaN, 10]}}');
    expect(nan.code).toBe(2);
    expect(nan.events).toEqual([{ event: 'refused', message: 'config.snrDb.0: must be a finite number (got nan)' }]);

    const bad = await dashboard(
      'start',
      'hpoCampaignWorkflow',
      JSON.stringify({ campaignId: 'py-bad', datasetId: 'ds', space: { lr: { type: 'float', low: 'x', high: 1 } } }),
    );
    expect(bad.code).toBe(2);
    expect(bad.events[0].message).toContain("space.lr.low: 'x' is not of type 'number'");

    for (const workflowId of ['dataset-py-nan', 'hpo-py-bad']) {
      await expect(stack.client.workflow.getHandle(workflowId).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    }
  });

  it('reports a run the workflow refuses (a rule JSON Schema cannot say) as failed with InvalidInput naming the field', async () => {
    // rigResonanceHz × (1 + jitter) must stay below 0.45 × samplingRateHz: a cross-field rule only zod checks.
    const request = { datasetId: 'py-resonance', config: { signalsPerClass: 1, samplingRateHz: 12_000, rigResonanceHz: 9_000 } };
    const run = await dashboard('start', 'generateDatasetWorkflow', JSON.stringify(request), '--watch');
    expect(run.code).toBe(1);
    const failed = run.events.at(-1) as DashboardEvent;
    expect(failed).toMatchObject({ event: 'failed', workflowId: 'dataset-py-resonance', failure: { type: 'InvalidInput' } });
    expect(failed.failure?.message).toContain('config.rigResonanceHz');
    const described = await stack.client.workflow.getHandle('dataset-py-resonance').describe();
    expect(described.status.name).toBe('FAILED');
    expect(described.typedSearchAttributes.get(SEARCH_ATTRIBUTES.status)).toBe('FAILED');
  });
});
