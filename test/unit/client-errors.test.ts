import { ActivityFailure, ApplicationFailure, CancelledFailure, WorkflowFailedError } from '@temporalio/client';
import { RetryState } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { isUnreachableError, TemporalUnreachableError, WorkflowRunFailedError } from '../../client/errors.js';
import { resolveWorkflowId, workflowIdCandidates } from '../../client/workflow-kinds.js';

describe('WorkflowRunFailedError.from', () => {
  it('unwraps the activity failure chain to the root ApplicationFailure type and message', () => {
    const root = ApplicationFailure.nonRetryable('dataset ds-1 not found', 'NotFound');
    const activity = new ActivityFailure('Activity task failed', 'loadDataset', '1', RetryState.NON_RETRYABLE_FAILURE, 'w', root);
    const err = WorkflowRunFailedError.from('train-exp-1', new WorkflowFailedError('Workflow execution failed', activity, RetryState.NON_RETRYABLE_FAILURE));
    expect(err).toMatchObject({ workflowId: 'train-exp-1', status: 'FAILED', failureType: 'NotFound' });
    expect(err.message).toBe('train-exp-1 failed: Activity task failed: dataset ds-1 not found');
  });

  it('reports cancellation as CANCELLED', () => {
    const err = WorkflowRunFailedError.from(
      'train-exp-1',
      new WorkflowFailedError('Workflow execution cancelled', new CancelledFailure('Workflow canceled'), RetryState.NON_RETRYABLE_FAILURE),
    );
    expect(err.status).toBe('CANCELLED');
    expect(err.failureType).toBeUndefined();
  });
});

describe('isUnreachableError', () => {
  it('recognises a failed connect and gRPC UNAVAILABLE, not other errors', () => {
    expect(isUnreachableError(new TemporalUnreachableError('x:1'))).toBe(true);
    expect(isUnreachableError(new Error('Failed to connect before the deadline'))).toBe(true);
    expect(isUnreachableError(new Error('outer', { cause: Object.assign(new Error('14 UNAVAILABLE'), { code: 14 }) }))).toBe(true);
    expect(isUnreachableError(new Error('workflow not found'))).toBe(false);
  });
});

describe('resolveWorkflowId', () => {
  it('accepts an entity id or a full workflow id', () => {
    expect(resolveWorkflowId('dataset', 'ds-abc')).toBe('dataset-ds-abc');
    expect(resolveWorkflowId('dataset', 'dataset-ds-abc')).toBe('dataset-ds-abc');
    expect(resolveWorkflowId('train', 'exp-1')).toBe('train-exp-1');
    // An entity id that itself starts with the prefix: both readings are tried by locateWorkflowId.
    expect(workflowIdCandidates('train', 'train-a')).toEqual(['train-a', 'train-train-a']);
  });
});
