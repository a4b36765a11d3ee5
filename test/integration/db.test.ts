/**
 * The database layer against real Postgres and real PGlite (never mocks): the same repository
 * suite runs on both, then the pool-specific guarantees run on Postgres.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { count, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainModelResult } from '../../contracts/training.js';
import {
  classCounts,
  completeExperiment,
  connect,
  countSignals,
  failExperiment,
  getDataset,
  getExperiment,
  insertNotification,
  listEpochs,
  listSignals,
  listTrials,
  MIGRATIONS_FOLDER,
  poolStats,
  recordEpoch,
  registerArtifact,
  setCampaignBest,
  setCampaignStatus,
  setDatasetStatus,
  setExperimentStatus,
  upsertCampaign,
  upsertDataset,
  upsertExperiment,
  upsertModel,
  upsertSignals,
  upsertTrial,
  upsertXaiBatch,
  upsertXaiExplanations,
  recordXaiFailure,
  listXaiExplanations,
  countXaiSignals,
  setXaiBatchStatus,
  withTransaction,
  type Database,
  type DbHandle,
  type SignalInput,
} from '../../db/index.js';
import { datasets, ENTITY_KINDS, experiments, signals } from '../../db/schema.js';
import { EVENT_TYPES } from '../../contracts/notifications.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

const RESULT: TrainModelResult = {
  experimentId: 'exp-1',
  status: 'COMPLETED',
  testAccuracy: 0.97,
  testLoss: 0.08,
  bestValAccuracy: 0.96,
  bestValLoss: 0.1,
  confusionMatrix: [
    [10, 0],
    [1, 9],
  ],
  classes: ['normal', 'ball'],
  modelUri: `artifact:sha256/${'a'.repeat(64)}`,
  checkpointUri: `artifact:sha256/${'b'.repeat(64)}`,
  epochsCompleted: 5,
  bestEpoch: 4,
  stoppedEarly: true,
  backend: 'wasm',
  parameterCount: 13_600,
  classBalance: { train: { normal: 7, ball: 7 }, validation: { normal: 1, ball: 1 }, test: { normal: 2, ball: 2 } },
  trainSamplesPerSec: 500,
  inferenceMsPerWindow: 1.5,
};

const LABELS = ['normal', 'inner_race', 'outer_race', 'ball'];
function signalRows(n: number, uriChar = 'c'): SignalInput[] {
  return Array.from({ length: n }, (_, i) => ({
    idx: i,
    label: LABELS[i % 4],
    severityIn: i % 4 === 0 ? 0 : 0.007,
    loadHp: i % 4,
    shaftHz: 29.95,
    snrDb: 10,
    seed: 1000 + i,
    artifactUri: `artifact:sha256/${uriChar.repeat(64)}`,
    length: 2048,
    samplingRateHz: 12_000,
    rms: 0.5,
    kurtosis: 3.1,
  }));
}

async function rowCount(db: Database, table: typeof datasets | typeof signals | typeof experiments): Promise<number> {
  const [r] = await db.select({ n: count() }).from(table);
  return r.n;
}

async function journalLength(): Promise<number> {
  const journal = JSON.parse(await readFile(path.join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] };
  return journal.entries.length;
}

/** Rows of a raw `execute` (node-postgres and PGlite both answer `{ rows }`). */
async function rawRows<T>(db: Database, query: ReturnType<typeof sql>): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

async function appliedMigrations(db: Database): Promise<number> {
  const [r] = await rawRows<{ n: number }>(db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
  return Number(r.n);
}

interface Backend {
  kind: 'pg' | 'pglite';
  open(): Promise<{ handle: DbHandle; cleanup(): Promise<void> }>;
}

const BACKENDS: Backend[] = [
  {
    kind: 'pg',
    async open() {
      const testDb = await createTestDatabase();
      const handle = await connect({ kind: 'pg', url: testDb.url, poolMax: 4 });
      return { handle, cleanup: () => testDb.drop() };
    },
  },
  {
    kind: 'pglite',
    async open() {
      const dir = await mkdtemp(path.join(tmpdir(), 'faultline-pglite-'));
      // A nested, not-yet-existing folder: connect() must create it.
      const handle = await connect({ kind: 'pglite', dir: path.join(dir, 'nested', 'db') });
      return { handle, cleanup: () => rm(dir, { recursive: true, force: true }) };
    },
  },
];

describe.each(BACKENDS)('repositories on $kind', (backend) => {
  let handle: DbHandle;
  let cleanup: () => Promise<void>;
  let db: Database;

  beforeAll(async () => {
    ({ handle, cleanup } = await backend.open());
    db = handle.db;
  });
  afterAll(async () => {
    await handle?.close();
    await cleanup?.();
  });

  it('applies every migration once', async () => {
    expect(handle.kind).toBe(backend.kind);
    expect(await appliedMigrations(db)).toBe(await journalLength());
    const tables = await rawRows<{ table_name: string }>(
      db,
      sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
    );
    expect(tables.map((r) => r.table_name)).toEqual([
      'artifact_marks',
      'artifacts',
      'campaigns',
      'dataset_files',
      'datasets',
      'epoch_metrics',
      'evaluation_predictions',
      'evaluations',
      'experiments',
      'feature_analyses',
      'feature_sets',
      'model_versions',
      'models',
      'notifications',
      'signals',
      'trials',
      'verify_coverage_files',
      'verify_findings',
      'verify_runs',
      'verify_test_results',
      'xai_batches',
      'xai_explanations',
    ]);
  });

  it('accepts a notification of every event type and entity kind (the checks of 0012 list them all)', async () => {
    for (const [i, eventType] of EVENT_TYPES.entries()) {
      const entityKind = ENTITY_KINDS[i % ENTITY_KINDS.length];
      await db.execute(
        sql`insert into notifications (id, event_type, entity_kind, entity_id, title, message, url) values (${`ev-${i}`}, ${eventType}, ${entityKind}, ${`check-${i}`}, 't', 'm', '/x')`,
      );
    }
    for (const kind of ENTITY_KINDS) {
      await db.execute(
        sql`insert into notifications (id, event_type, entity_kind, entity_id, title, message, url) values (${`kind-${kind}`}, 'TRAINING_COMPLETED', ${kind}, 'kinds', 't', 'm', '/x')`,
      );
    }
    await expect(
      db.execute(
        sql`insert into notifications (id, event_type, entity_kind, entity_id, title, message, url) values ('bad-event', 'NO_SUCH_EVENT', 'dataset', 'x', 't', 'm', '/x')`,
      ),
    ).rejects.toThrow();
  });

  it('rejects a status outside contracts/status.ts (CHECK constraint)', async () => {
    await expect(db.execute(sql`insert into datasets (id, name, source, status, config) values ('bad', 'bad', 'synthetic', 'DONE', '{}')`)).rejects.toThrow();
  });

  it('upserts datasets idempotently and keeps terminal statuses', async () => {
    const input = { id: 'ds-1', name: 'first', source: 'synthetic' as const, config: { seed: 42 }, samplingRateHz: 12_000, signalLength: 2048 };
    await upsertDataset(db, input);
    const again = await upsertDataset(db, { ...input, name: 'renamed' });
    expect(await rowCount(db, datasets)).toBe(1);
    expect(again).toMatchObject({ id: 'ds-1', name: 'renamed', status: 'PENDING', numSignals: 0, classCounts: {} });

    expect((await setDatasetStatus(db, 'ds-1', 'GENERATING'))?.status).toBe('GENERATING');
    // A retried "create" must not move the dataset back to PENDING.
    expect((await upsertDataset(db, input)).status).toBe('GENERATING');

    const ready = await setDatasetStatus(db, 'ds-1', 'READY', { numSignals: 8, classCounts: { normal: 4, ball: 4 } });
    expect(ready).toMatchObject({ status: 'READY', numSignals: 8, classCounts: { normal: 4, ball: 4 }, error: null });
    expect(ready?.completedAt).toBeInstanceOf(Date);
    // Retrying READY keeps the first completion time; late GENERATING / FAILED do not overwrite READY.
    expect((await setDatasetStatus(db, 'ds-1', 'READY'))?.completedAt).toEqual(ready?.completedAt);
    expect((await setDatasetStatus(db, 'ds-1', 'GENERATING'))?.status).toBe('READY');
    expect((await setDatasetStatus(db, 'ds-1', 'FAILED', { error: 'late' }))?.status).toBe('READY');
    expect((await upsertDataset(db, { ...input, status: 'GENERATING' })).status).toBe('READY');
    expect((await getDataset(db, 'ds-1'))?.error).toBeNull();
    expect(await setDatasetStatus(db, 'missing', 'READY')).toBeUndefined();
  });

  it('reopens a failed dataset only when asked', async () => {
    await upsertDataset(db, { id: 'ds-fail', name: 'f', source: 'mat', config: {} });
    const failed = await setDatasetStatus(db, 'ds-fail', 'FAILED', { error: 'file missing: 97.mat' });
    expect(failed).toMatchObject({ status: 'FAILED', error: 'file missing: 97.mat' });
    expect((await setDatasetStatus(db, 'ds-fail', 'GENERATING'))?.status).toBe('FAILED');
    const reopened = await setDatasetStatus(db, 'ds-fail', 'GENERATING', { reopen: true });
    expect(reopened).toMatchObject({ status: 'GENERATING', error: null, completedAt: null });
  });

  it('batch-inserts ~1,000 signals idempotently and counts them by class', async () => {
    await upsertDataset(db, { id: 'ds-big', name: 'big', source: 'synthetic', config: {} });
    const rows = signalRows(1_000);
    expect(await upsertSignals(db, 'ds-big', rows)).toBe(1_000);
    expect(await upsertSignals(db, 'ds-big', signalRows(1_000, 'd'))).toBe(1_000);
    expect(await countSignals(db, 'ds-big')).toBe(1_000);
    expect(await classCounts(db, 'ds-big')).toEqual({ ball: 250, inner_race: 250, normal: 250, outer_race: 250 });
    // The second write refreshed the rows rather than duplicating them.
    const page = await listSignals(db, 'ds-big', { limit: 10, offset: 995 });
    expect(page.map((s) => s.idx)).toEqual([995, 996, 997, 998, 999]);
    expect(page[0]).toMatchObject({ datasetId: 'ds-big', artifactUri: `artifact:sha256/${'d'.repeat(64)}`, seed: 1995, length: 2048 });
    expect(await listSignals(db, 'ds-big')).toHaveLength(1_000);
    expect(await upsertSignals(db, 'ds-big', [])).toBe(0);
    expect(await countSignals(db, 'nothing')).toBe(0);
  });

  it('refuses signals of an unknown dataset (foreign key)', async () => {
    await expect(upsertSignals(db, 'no-such-dataset', signalRows(2))).rejects.toThrow();
  });

  it('keeps a COMPLETED experiment when a retried start upserts RUNNING', async () => {
    const input = { id: 'exp-1', datasetId: 'ds-1', hyperparameters: { epochs: 5 }, workflowId: 'train-exp-1' };
    const first = await upsertExperiment(db, input);
    await upsertExperiment(db, input);
    expect(await rowCount(db, experiments)).toBe(1);
    expect(first).toMatchObject({ status: 'PENDING', kind: 'train', epochsCompleted: 0, startedAt: null });

    const running = await upsertExperiment(db, { ...input, status: 'RUNNING', backend: 'wasm' });
    expect(running.status).toBe('RUNNING');
    expect(running.startedAt).toBeInstanceOf(Date);
    expect((await setExperimentStatus(db, 'exp-1', 'PENDING'))?.status).toBe('RUNNING');

    const done = await completeExperiment(db, 'exp-1', RESULT);
    expect(done).toMatchObject({
      status: 'COMPLETED',
      testAccuracy: 0.97,
      bestValAccuracy: 0.96,
      bestValLoss: 0.1,
      confusionMatrix: RESULT.confusionMatrix,
      classBalance: RESULT.classBalance,
      stoppedEarly: true,
      parameterCount: 13_600,
    });
    expect(done?.startedAt).toEqual(running.startedAt);

    const retried = await upsertExperiment(db, { ...input, status: 'RUNNING', hyperparameters: { epochs: 99 } });
    expect(retried.status).toBe('COMPLETED');
    expect(retried.hyperparameters).toEqual({ epochs: 5 });
    expect((await setExperimentStatus(db, 'exp-1', 'RUNNING'))?.status).toBe('COMPLETED');
    expect((await failExperiment(db, 'exp-1', 'late failure'))?.status).toBe('COMPLETED');
    expect((await setExperimentStatus(db, 'exp-1', 'RUNNING', { reopen: true }))?.status).toBe('COMPLETED');
    // Completing again (a retried activity) rewrites the same values and keeps completed_at.
    expect((await completeExperiment(db, 'exp-1', RESULT))?.completedAt).toEqual(done?.completedAt);
  });

  it('records failures, lets a later success win, and reopens on request', async () => {
    await upsertExperiment(db, { id: 'exp-2', datasetId: 'ds-1', status: 'RUNNING' });
    const failed = await failExperiment(db, 'exp-2', 'worker lost');
    expect(failed).toMatchObject({ status: 'FAILED', error: 'worker lost' });
    expect((await upsertExperiment(db, { id: 'exp-2', datasetId: 'ds-1', status: 'RUNNING' })).status).toBe('FAILED');
    const rerun = await upsertExperiment(db, { id: 'exp-2', datasetId: 'ds-1', status: 'RUNNING' }, { reopen: true });
    expect(rerun).toMatchObject({ status: 'RUNNING', error: null, completedAt: null });
    expect((await completeExperiment(db, 'exp-2', RESULT))?.status).toBe('COMPLETED');
    expect((await setExperimentStatus(db, 'exp-2', 'CANCELLED'))?.status).toBe('COMPLETED');
    expect(await getExperiment(db, 'missing')).toBeUndefined();
    expect(await completeExperiment(db, 'missing', RESULT)).toBeUndefined();
  });

  it('upserts epoch metrics by (experiment, epoch)', async () => {
    await upsertExperiment(db, { id: 'exp-3', datasetId: 'ds-1', status: 'RUNNING' });
    const epoch = (n: number, loss: number) => ({ epoch: n, loss, accuracy: 0.5, valLoss: loss, valAccuracy: 0.5, durationMs: 1000, samplesPerSec: 480 });
    await recordEpoch(db, 'exp-3', epoch(2, 0.9));
    await recordEpoch(db, 'exp-3', epoch(1, 1.2));
    await recordEpoch(db, 'exp-3', { ...epoch(2, 0.8), checkpointUri: `artifact:sha256/${'e'.repeat(64)}` });
    const rows = await listEpochs(db, 'exp-3');
    expect(rows.map((r) => [r.epoch, r.loss])).toEqual([
      [1, 1.2],
      [2, 0.8],
    ]);
    expect(rows[1].checkpointUri).toBe(`artifact:sha256/${'e'.repeat(64)}`);
    await expect(recordEpoch(db, 'no-such-experiment', epoch(1, 1))).rejects.toThrow();
  });

  it('upserts models and registers artifacts once', async () => {
    const model = {
      id: 'exp-1',
      experimentId: 'exp-1',
      artifactUri: RESULT.modelUri,
      backend: 'wasm',
      parameterCount: 13_600,
      inputLength: 2048,
      classes: ['normal', 'ball'],
    };
    await upsertModel(db, model);
    const again = await upsertModel(db, { ...model, backend: 'cpu' });
    expect(again).toMatchObject({ id: 'exp-1', backend: 'cpu', classes: ['normal', 'ball'] });

    const artifact = { uri: RESULT.modelUri, sha256: 'a'.repeat(64), bytes: 54_321, kind: 'model', mediaType: 'application/x-faultline-model' };
    expect(await registerArtifact(db, artifact)).toBe(true);
    expect(await registerArtifact(db, artifact)).toBe(false);
  });

  it('keeps campaign bests in the campaign direction and trial statuses forward-only', async () => {
    const base = { datasetId: 'ds-1', objective: 'val_accuracy', config: { trials: 4 } };
    await upsertCampaign(db, { ...base, id: 'hpo-max', kind: 'hpo', direction: 'maximize', workflowId: 'hpo-hpo-max' });
    await upsertCampaign(db, { ...base, id: 'hpo-max', kind: 'hpo', direction: 'maximize' });
    await upsertCampaign(db, { ...base, id: 'nas-min', kind: 'nas', objective: 'val_loss', direction: 'minimize' });

    expect(await setCampaignBest(db, 'hpo-max', { trial: 0, value: 0.8, params: { lr: 0.01 } })).toBe(true);
    expect(await setCampaignBest(db, 'hpo-max', { trial: 1, value: 0.7, params: { lr: 0.1 } })).toBe(false);
    expect(await setCampaignBest(db, 'hpo-max', { trial: 2, value: 0.9, params: { lr: 0.001 } })).toBe(true);
    expect(await setCampaignBest(db, 'hpo-max', { trial: 2, value: 0.9, params: { lr: 0.001 } })).toBe(true);
    expect(await setCampaignBest(db, 'nas-min', { trial: 0, value: 0.5, params: {} })).toBe(true);
    expect(await setCampaignBest(db, 'nas-min', { trial: 1, value: 0.6, params: {} })).toBe(false);
    expect(await setCampaignBest(db, 'nas-min', { trial: 2, value: 0.4, params: {} })).toBe(true);

    const trial = await upsertTrial(db, { campaignId: 'hpo-max', number: 0, params: { lr: 0.01 }, experimentId: 'hpo-max-t0', status: 'RUNNING' });
    expect(trial.startedAt).toBeInstanceOf(Date);
    await upsertTrial(db, { campaignId: 'hpo-max', number: 0, intermediate: { '1': 0.6, '2': 0.7 }, rung: 1 });
    const done = await upsertTrial(db, { campaignId: 'hpo-max', number: 0, status: 'COMPLETED', value: 0.8 });
    expect(done).toMatchObject({ status: 'COMPLETED', value: 0.8, rung: 1, params: { lr: 0.01 }, intermediate: { '1': 0.6, '2': 0.7 } });
    const late = await upsertTrial(db, { campaignId: 'hpo-max', number: 0, status: 'RUNNING', value: 0.1 });
    expect(late).toMatchObject({ status: 'COMPLETED', value: 0.8 });
    await upsertTrial(db, { campaignId: 'hpo-max', number: 1, params: { lr: 0.1 } });
    expect((await listTrials(db, 'hpo-max')).map((t) => [t.number, t.status])).toEqual([
      [0, 'COMPLETED'],
      [1, 'PENDING'],
    ]);

    const stopped = await setCampaignStatus(db, 'hpo-max', 'STOPPED', { reportUri: `artifact:sha256/${'f'.repeat(64)}` });
    expect(stopped).toMatchObject({ status: 'STOPPED', bestTrial: 2, bestValue: 0.9, bestParams: { lr: 0.001 } });
    expect((await upsertCampaign(db, { ...base, id: 'hpo-max', kind: 'hpo', direction: 'maximize', status: 'RUNNING' })).status).toBe('STOPPED');
  });

  it('keeps one XAI row per (batch, signal, method): a recompute replaces it, a late failure never overwrites it', async () => {
    await upsertXaiBatch(db, { id: 'xb-1', modelId: 'm-1', config: { seed: 1 }, methods: ['grad-cam', 'occlusion'], totalSignals: 3 });
    const row = (idx: number, method: string, faithfulness: number) => ({
      batchId: 'xb-1',
      datasetId: 'ds-x',
      signalIdx: idx,
      method,
      status: 'COMPLETED' as const,
      label: 'ball',
      faithfulness,
      segmentShares: [0.5, 0.5],
    });
    await upsertXaiExplanations(db, [row(0, 'grad-cam', 0.1), row(0, 'occlusion', 0.2)]);
    await upsertXaiExplanations(db, [row(0, 'grad-cam', 0.3)]);
    await recordXaiFailure(db, { batchId: 'xb-1', datasetId: 'ds-x', signalIdx: 0, methods: ['grad-cam', 'occlusion'], error: 'late' });
    await recordXaiFailure(db, { batchId: 'xb-1', datasetId: 'ds-x', signalIdx: 7, methods: ['grad-cam', 'occlusion'], error: 'signal ds-x:7 not found' });
    await recordXaiFailure(db, { batchId: 'xb-1', datasetId: 'ds-x', signalIdx: 7, methods: ['grad-cam', 'occlusion'], error: 'again' });
    const rows = await listXaiExplanations(db, 'xb-1');
    expect(rows.map((r) => [r.signalIdx, r.method, r.status, r.faithfulness, r.error])).toEqual([
      [0, 'grad-cam', 'COMPLETED', 0.3, null],
      [0, 'occlusion', 'COMPLETED', 0.2, null],
      [7, 'grad-cam', 'FAILED', null, 'signal ds-x:7 not found'],
      [7, 'occlusion', 'FAILED', null, 'signal ds-x:7 not found'],
    ]);
    expect(await countXaiSignals(db, 'xb-1')).toEqual({ signals: 2, failed: 1, rows: 4 });
    const done = await setXaiBatchStatus(db, 'xb-1', 'COMPLETED', { completedSignals: 1, failedSignals: 1 });
    expect(done).toMatchObject({ status: 'COMPLETED', completedSignals: 1, failedSignals: 1 });
    expect(done?.completedAt).toBeInstanceOf(Date);
    // A late failure record does not overwrite the outcome; a re-run of the same batch reopens it.
    expect((await setXaiBatchStatus(db, 'xb-1', 'FAILED', { error: 'late' }))?.status).toBe('COMPLETED');
    expect((await upsertXaiBatch(db, { id: 'xb-1', modelId: 'm-1', config: {}, methods: ['grad-cam'], totalSignals: 3 })).status).toBe('RUNNING');
  });

  it('stores a notification once per idempotency key', async () => {
    const record = {
      id: 'DATASET_GENERATED:dataset:ds-1',
      eventType: 'DATASET_GENERATED' as const,
      entityKind: 'dataset' as const,
      entityId: 'ds-1',
      title: 'Dataset ready',
      message: '8 signals',
      url: 'http://dash/datasets/ds-1',
    };
    expect((await insertNotification(db, record)).inserted).toBe(true);
    const second = await insertNotification(db, { ...record, message: 'changed' });
    expect(second).toMatchObject({ inserted: false, row: { message: '8 signals', deliveryAttempts: 0 } });
  });

  it('commits, rolls back and nests transactions', async () => {
    await withTransaction(db, async (tx) => {
      await upsertDataset(tx, { id: 'tx-commit', name: 'c', source: 'synthetic', config: {} });
    });
    expect(await getDataset(db, 'tx-commit')).toBeDefined();

    await expect(
      withTransaction(db, async (tx) => {
        await upsertDataset(tx, { id: 'tx-rollback', name: 'r', source: 'synthetic', config: {} });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await getDataset(db, 'tx-rollback')).toBeUndefined();

    const value = await withTransaction(db, async (tx) => {
      await upsertDataset(tx, { id: 'tx-outer', name: 'o', source: 'synthetic', config: {} });
      await expect(
        withTransaction(tx, async (inner) => {
          await upsertDataset(inner, { id: 'tx-inner', name: 'i', source: 'synthetic', config: {} });
          throw new Error('inner');
        }),
      ).rejects.toThrow('inner');
      return 42;
    });
    expect(value).toBe(42);
    expect(await getDataset(db, 'tx-outer')).toBeDefined();
    expect(await getDataset(db, 'tx-inner')).toBeUndefined();
    expect(await db.select().from(datasets).where(eq(datasets.id, 'tx-inner'))).toEqual([]);
  });
});

describe('connection handling on Postgres', () => {
  let testDb: TestDatabase;
  let handle: DbHandle;
  const POOL_MAX = 3;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    handle = await connect({ kind: 'pg', url: testDb.url, poolMax: POOL_MAX });
  });
  afterAll(async () => {
    await handle?.close();
    await testDb?.drop();
  });

  function expectPoolSettled() {
    const stats = poolStats(handle.db);
    expect(stats).toBeDefined();
    expect(stats?.waiting).toBe(0);
    expect(stats?.idle).toBe(stats?.total);
    expect(stats?.total).toBeLessThanOrEqual(POOL_MAX);
  }

  it('returns every connection after errors inside withTransaction, many times over', async () => {
    for (let i = 0; i < 60; i++) {
      await expect(
        withTransaction(handle.db, async (tx) => {
          await upsertDataset(tx, { id: `leak-${i}`, name: 'x', source: 'synthetic', config: {} });
          if (i % 2 === 0) throw new Error(`thrown ${i}`);
          // A failing statement leaves the transaction aborted: ROLLBACK must still clean up.
          await tx.execute(sql`select * from no_such_table`);
        }),
      ).rejects.toThrow();
    }
    expectPoolSettled();
    // More concurrent failures than connections: none may wait forever or leak.
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        withTransaction(handle.db, async (tx) => {
          await tx.execute(sql`select pg_sleep(0.01)`);
          throw new Error(`parallel ${i}`);
        }),
      ),
    );
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expectPoolSettled();
    expect(await rowCount(handle.db, datasets)).toBe(0);
  });

  it('destroys a connection whose ROLLBACK failed instead of returning it to the pool', async () => {
    const err = await withTransaction(handle.db, async (tx) => {
      // Kill our own backend: the caller's error surfaces and ROLLBACK fails underneath.
      await tx.execute(sql`select pg_terminate_backend(pg_backend_pid())`);
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expectPoolSettled();
    // The pool still serves queries (the dead connection was discarded, not reused).
    for (let i = 0; i < POOL_MAX + 1; i++) {
      const [r] = await rawRows<{ one: number }>(handle.db, sql`select 1 as one`);
      expect(r.one).toBe(1);
    }
    await withTransaction(handle.db, async (tx) => {
      await upsertDataset(tx, { id: 'after-kill', name: 'x', source: 'synthetic', config: {} });
    });
    expect(await getDataset(handle.db, 'after-kill')).toBeDefined();
    expectPoolSettled();
  });

  it('lets several processes migrate one database at once', async () => {
    const fresh = await createTestDatabase();
    try {
      const handles = await Promise.all(Array.from({ length: 6 }, () => connect({ kind: 'pg', url: fresh.url, poolMax: 2 })));
      try {
        expect(await appliedMigrations(handles[0].db)).toBe(await journalLength());
        // And a later start finds nothing to do.
        const later = await connect({ kind: 'pg', url: fresh.url, poolMax: 1 });
        expect(await appliedMigrations(later.db)).toBe(await journalLength());
        await later.close();
      } finally {
        await Promise.all(handles.map((h) => h.close()));
      }
    } finally {
      await fresh.drop();
    }
  });

  it('fails fast with a clear message when Postgres is unreachable, naming the URL without its password', async () => {
    await expect(connect({ kind: 'pg', url: 'postgres://postgres:secret@127.0.0.1:1/nowhere', poolMax: 1 })).rejects.toThrow(
      /cannot open Postgres database postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/nowhere/,
    );
  });

  it('close() is idempotent', async () => {
    const extra = await connect({ kind: 'pg', url: testDb.url, poolMax: 1 });
    await extra.close();
    await extra.close();
  });
});
