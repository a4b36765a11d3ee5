import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { ActivityDeps } from '../../activities/deps.js';
import { createTrainingActivities } from '../../activities/training.js';
import { rejectionOf } from '../support/errors.js';

/**
 * The training activity refuses what can never train before it touches anything (the deps
 * below are never reached): non-retryable InvalidInput naming the field, where it used to throw
 * a plain Error that Temporal retried five times.
 */
describe('the training activity refuses bad input non-retryably', () => {
  const unreachable = new Proxy(
    {},
    {
      get: () => {
        throw new Error('the activity reached its dependencies');
      },
    },
  ) as ActivityDeps;
  const { trainModel } = createTrainingActivities(unreachable);
  const input = (extra: Record<string, unknown>) => ({
    experimentId: 'e',
    datasetId: 'ds',
    workflowId: 'train-e',
    hyperparameters: { windowLength: 2048 },
    ...extra,
  });

  it.each(['../../etc/passwd', 'file:///etc/passwd', 'artifact:md5/00'])('checkpoint URI %s', async (uri) => {
    const err = await rejectionOf(trainModel(input({ resumeFrom: { checkpointUri: uri, epoch: 1 } }) as never), ApplicationFailure);
    expect(err).toMatchObject({ type: 'InvalidInput', nonRetryable: true });
    expect(err.message).toContain('resumeFrom.checkpointUri');
  });

  it('an architecture that collapses the sequence', async () => {
    const blocks = [0, 1, 2].map(() => ({ filters: 8, kernelSize: 3, poolSize: 16 }));
    const err = await rejectionOf(trainModel(input({ hyperparameters: { windowLength: 256, architecture: { blocks } } }) as never), ApplicationFailure);
    expect(err).toMatchObject({ type: 'InvalidInput', nonRetryable: true });
    expect(err.message).toMatch(/hyperparameters\.architecture\.blocks\.2\.poolSize: pool of 16 on length 1 leaves length 0 \(sequence collapsed\)/);
  });
});
