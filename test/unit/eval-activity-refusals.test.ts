import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { ActivityDeps } from '../../activities/deps.js';
import { createEvalActivities } from '../../activities/eval.js';
import { rejectionOf } from '../support/errors.js';

/**
 * The evaluation activities refuse malformed input before they touch anything (the deps below
 * throw if reached): a non-retryable InvalidInput naming the field.
 */
describe('the evaluation activities refuse bad input non-retryably', () => {
  // Any use of a dependency (a property read or a call on db, artifacts, the pool…) throws.
  const poison: object = new Proxy(() => undefined, {
    get: () => {
      throw new Error('the activity reached its dependencies');
    },
    apply: () => {
      throw new Error('the activity reached its dependencies');
    },
  });
  const unreachable = new Proxy({}, { get: () => poison }) as ActivityDeps;
  const acts = createEvalActivities(unreachable);
  const ref = (extra: Record<string, unknown> = {}) => ({
    experimentId: 'e',
    datasetId: 'ds',
    split: 'test',
    probabilitiesUri: `artifact:sha256/${'a'.repeat(64)}`,
    indexUri: `artifact:sha256/${'b'.repeat(64)}`,
    windows: 4,
    signals: 1,
    classes: ['a', 'b'],
    windowLength: 256,
    backend: 'wasm',
    computed: true,
    ...extra,
  });

  it.each(['../../etc/passwd', 'file:///etc/passwd', 'artifact:md5/00'])('a predictions URI %s', async (uri) => {
    const err = await rejectionOf(
      acts.analyzeRoc({ evaluationId: 'x', predictions: ref({ probabilitiesUri: uri }), bootstrap: { replicates: 0, seed: 0 } }),
      ApplicationFailure,
    );
    expect(err).toMatchObject({ type: 'InvalidInput', nonRetryable: true });
    expect(err.message).toContain('predictions.probabilitiesUri');
  });

  it('a split that does not exist, and a comparison of one experiment', async () => {
    const split = await rejectionOf(acts.predictSplit({ experimentId: 'e', datasetId: 'ds', split: 'train' as never }), ApplicationFailure);
    expect(split).toMatchObject({ type: 'InvalidInput', nonRetryable: true });
    expect(split.message).toContain('split');
    const one = await rejectionOf(acts.analyzeComparison({ evaluationId: 'c', predictions: [ref()], alpha: 0.05 }), ApplicationFailure);
    expect(one.message).toContain('predictions');
  });
});
