import { createHash } from 'node:crypto';
import {
  RunTestSuiteInputSchema,
  SEARCH_ATTRIBUTES,
  VERIFY_WORKFLOW_IDS,
  WORKFLOW_TASK_QUEUE,
  canonicalJson,
  parseInput,
  type RunTestSuiteInput,
  type RunTestSuiteResult,
} from '../contracts/index.js';
import { getResult } from './runs.js';
import type { StartedRun, TemporalClientLike } from './types.js';

export const TEST_SUITE_WORKFLOW_TYPE = 'runTestSuiteWorkflow';

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
  const workflowId = VERIFY_WORKFLOW_IDS.tests(runId);
  try {
    const handle = await client.workflow.start(TEST_SUITE_WORKFLOW_TYPE, {
      taskQueue: WORKFLOW_TASK_QUEUE,
      workflowId,
      args: [config],
      typedSearchAttributes: [
        { key: SEARCH_ATTRIBUTES.kind, value: 'verify-tests' },
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
