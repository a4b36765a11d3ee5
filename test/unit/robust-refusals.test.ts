import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityDeps } from '../../activities/deps.js';
import { createEvalActivities } from '../../activities/eval.js';
import { loadXaiModel } from '../../activities/xai/model.js';
import { connect, type DbHandle } from '../../db/connect.js';
import { upsertDataset } from '../../db/repos/datasets.js';
import { upsertExperiment } from '../../db/repos/experiments.js';
import { upsertModel } from '../../db/repos/models.js';
import { rejectionOf } from '../support/errors.js';

/**
 * Evaluations and XAI z-score each window alone; a model trained on windows scaled by their
 * recording (normalization: recording) would be judged on inputs it never saw, so both refuse it
 * by name, non-retryably, before any prediction. Plain models pass the same checks.
 */
describe('models trained with normalization "recording" are refused by evaluations and XAI', () => {
  let dir: string;
  let handle: DbHandle;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'faultline-robust-refusals-'));
    handle = await connect({ kind: 'pglite', dir });
    const db = handle.db;
    await upsertDataset(db, { id: 'ds', name: 'ds', source: 'synthetic', config: {}, status: 'READY' });
    for (const [id, hyperparameters] of [
      ['rec', { normalization: 'recording' }],
      ['plain', {}],
    ] as const) {
      await upsertExperiment(db, { id, datasetId: 'ds', hyperparameters, status: 'COMPLETED' });
      await upsertModel(db, { id, experimentId: id, artifactUri: `artifact:sha256/${'c'.repeat(64)}`, inputLength: 2048, classes: ['ball', 'normal'] });
    }
  }, 60_000);

  afterAll(async () => {
    await handle?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('XAI: loadXaiModel refuses it naming the model; a plain model loads', async () => {
    const err = await rejectionOf(loadXaiModel(handle.db, 'rec'), ApplicationFailure);
    expect(err).toMatchObject({ type: 'InvalidInput', nonRetryable: true });
    expect(err.message).toMatch(/modelId: model "rec" was trained with normalization "recording"/);
    expect(await loadXaiModel(handle.db, 'plain')).toMatchObject({ classes: ['ball', 'normal'], inputLength: 2048 });
  });

  it('evaluation: registration refuses it naming the experiment', async () => {
    const acts = createEvalActivities({ db: handle.db } as unknown as ActivityDeps);
    const register = (id: string) =>
      acts.registerEvaluation({ evaluationId: `ev-${id}`, kind: 'roc', experimentIds: [id], split: 'test', config: {}, workflowId: `evaluate-roc-${id}` });
    const err = await rejectionOf(register('rec'), ApplicationFailure);
    expect(err).toMatchObject({ type: 'InvalidInput', nonRetryable: true });
    expect(err.message).toMatch(/experimentId: experiment "rec" was trained with normalization "recording"/);
    // The plain experiment gets past this check (it fails later, on the dataset it has no signals of, for another reason).
    const plain = await register('plain').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(String(plain)).not.toContain('normalization');
  });
});
