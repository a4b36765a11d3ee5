import { createHash } from 'node:crypto';
import {
  RunBenchmarksInputSchema,
  RunQualityChecksInputSchema,
  RunTestSuiteInputSchema,
  SEARCH_ATTRIBUTES,
  VERIFY_WORKFLOW_IDS,
  WORKFLOW_TASK_QUEUE,
  canonicalJson,
  parseInput,
  type RunBenchmarksInput,
  type RunBenchmarksResult,
  type RunQualityChecksInput,
  type RunQualityChecksResult,
  type RunTestSuiteInput,
  type RunTestSuiteResult,
  type VerifyKind,
} from '../contracts/index.js';
import { getResult } from './runs.js';
import type { StartedRun, TemporalClientLike } from './types.js';

export const TEST_SUITE_WORKFLOW_TYPE = 'runTestSuiteWorkflow';
export const QUALITY_CHECKS_WORKFLOW_TYPE = 'runQualityChecksWorkflow';
export const BENCHMARKS_WORKFLOW_TYPE = 'runBenchmarksWorkflow';

/**
 * A run id when none is given: the minute and a hash of the request, so the same request sent
 * twice within a minute (a double click, a retried POST) attaches to one run, and a later one runs again.
 */
export function deriveVerifyRunId(request: Record<string, unknown>, now = new Date()): string {
  const minute = now.toISOString().slice(0, 16).replace(/[-:T]/g, '');
  const hash = createHash('sha256').update(canonicalJson(request)).digest('hex').slice(0, 8);
  return `${minute}-${hash}`;
}

/**
 * Start a sandboxed run of the project's tests (`verify-tests-<runId>`). Validated here first,
 * so a bad field is named before anything starts; the worker checks again, on disk.
 */
export type StartTestSuiteRequest = Omit<RunTestSuiteInput, 'runId'> & { runId?: string };

export async function startTestSuite(client: TemporalClientLike, input: StartTestSuiteRequest): Promise<StartedRun> {
  const { runId: given, ...rest } = input;
  const runId = given ?? deriveVerifyRunId(rest);
  const config = parseInput(RunTestSuiteInputSchema, { ...rest, runId }, 'test run request');
  return startVerifyWorkflow(client, 'tests', TEST_SUITE_WORKFLOW_TYPE, runId, config);
}

/** Start the quality checks (`verify-quality-<runId>`): tsc, eslint, prettier --check over a path. */
export type StartQualityChecksRequest = Omit<RunQualityChecksInput, 'runId'> & { runId?: string };

export async function startQualityChecks(client: TemporalClientLike, input: StartQualityChecksRequest): Promise<StartedRun> {
  const { runId: given, ...rest } = input;
  const runId = given ?? deriveVerifyRunId({ kind: 'quality', ...rest });
  const config = parseInput(RunQualityChecksInputSchema, { ...rest, runId }, 'quality check request');
  return startVerifyWorkflow(client, 'quality', QUALITY_CHECKS_WORKFLOW_TYPE, runId, config);
}

/** Start benchmarks (`verify-bench-<runId>`, on faultline-train); names are checked against the registry's list first. */
export type StartBenchmarksRequest = Omit<RunBenchmarksInput, 'runId'> & { runId?: string };

export async function startBenchmarks(client: TemporalClientLike, input: StartBenchmarksRequest): Promise<StartedRun> {
  const { runId: given, ...rest } = input;
  const runId = given ?? deriveVerifyRunId({ kind: 'bench', ...rest });
  const config = parseInput(RunBenchmarksInputSchema, { ...rest, runId }, 'benchmark request');
  return startVerifyWorkflow(client, 'bench', BENCHMARKS_WORKFLOW_TYPE, runId, config);
}

/** One start for the three kinds: the id from the run id, search attributes, and a second start attaching to the first. */
async function startVerifyWorkflow(client: TemporalClientLike, kind: VerifyKind, workflowType: string, runId: string, config: object): Promise<StartedRun> {
  const workflowId = VERIFY_WORKFLOW_IDS[kind](runId);
  try {
    const handle = await client.workflow.start(workflowType, {
      taskQueue: WORKFLOW_TASK_QUEUE,
      workflowId,
      args: [config],
      typedSearchAttributes: [
        { key: SEARCH_ATTRIBUTES.kind, value: `verify-${kind}` },
        { key: SEARCH_ATTRIBUTES.status, value: 'RUNNING' },
      ],
    });
    return { workflowId, runId: handle.firstExecutionRunId, entityId: runId, alreadyExisted: false };
  } catch (err) {
    if ((err as Error).name !== 'WorkflowExecutionAlreadyStartedError') throw err;
    const d = await client.workflow.getHandle(workflowId).describe();
    return { workflowId, runId: d.runId, entityId: runId, alreadyExisted: true };
  }
}

export const getTestSuiteResult = (client: TemporalClientLike, workflowId: string) => getResult<RunTestSuiteResult>(client, workflowId);
export const getQualityChecksResult = (client: TemporalClientLike, workflowId: string) => getResult<RunQualityChecksResult>(client, workflowId);
export const getBenchmarksResult = (client: TemporalClientLike, workflowId: string) => getResult<RunBenchmarksResult>(client, workflowId);
