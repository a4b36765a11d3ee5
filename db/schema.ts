/**
 * The Faultline schema (drizzle pg-core). Shared verbatim by Postgres and PGlite: the same
 * migrations in db/migrations/ build both.
 *
 * Design choices, and why:
 * - Primary keys are natural keys (text ids chosen by the caller or derived from content, and
 *   composite keys for child rows), so every write is an idempotent INSERT ... ON CONFLICT and a
 *   retried activity lands on the same rows (the Celery system inserted duplicates on retry).
 * - Status columns are `text` + CHECK rather than pgEnum: adding a value to a Postgres enum is an
 *   `ALTER TYPE ... ADD VALUE` that cannot be used in the transaction that adds it, while a CHECK
 *   is dropped and re-added in one ordinary migration. The column is still typed from the
 *   contracts' tuple (`text({ enum })`), so TypeScript sees the same union as contracts/status.ts.
 * - Arrays never live here: signals, weights and reports are artifact URIs (DESIGN "Data").
 * - Timestamps are `timestamptz`, set by the database (`now()`), so clocks of workers don't matter.
 */
import { sql } from 'drizzle-orm';
import { bigint, boolean, check, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { DATASET_STATUSES, RUN_STATUSES } from '../contracts/status.js';
import { EVENT_TYPES } from '../contracts/notifications.js';
import type { ClassBalance } from '../contracts/training.js';
import { EVALUATION_KINDS, EVAL_SPLITS } from '../contracts/eval.js';
import { FEATURE_ANALYSIS_MODES } from '../contracts/features.js';
import { MODEL_VERSION_KINDS, MODEL_VERSION_STATUSES } from '../contracts/deploy.js';
import { FINDING_SEVERITIES, TEST_CASE_STATUSES, VERIFY_KINDS, VERIFY_ROW_STATUSES } from '../contracts/verify.js';

export const DATASET_SOURCES = ['synthetic', 'mat'] as const;
export const EXPERIMENT_KINDS = ['train', 'hpo-trial', 'nas-candidate'] as const;
export const CAMPAIGN_KINDS = ['hpo', 'nas'] as const;
export const OPTIMIZATION_DIRECTIONS = ['maximize', 'minimize'] as const;
export const ENTITY_KINDS = [
  'dataset',
  'experiment',
  'campaign',
  'xai-batch',
  'evaluation',
  'feature-set',
  'feature-analysis',
  'deployment',
  'verify-run',
] as const;

/** `column IN ('a', 'b')` for a CHECK; values are our own constants, never user input. */
function oneOf(column: string, values: readonly string[]) {
  return sql.raw(`"${column}" IN (${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ')})`);
}

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const tz = (name: string) => timestamp(name, { withTimezone: true });

export const datasets = pgTable(
  'datasets',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    source: text('source', { enum: DATASET_SOURCES }).notNull(),
    status: text('status', { enum: DATASET_STATUSES }).notNull().default('PENDING'),
    /** The full request (simulator config or import spec): the dataset is reproducible from it. */
    config: jsonb('config').$type<Record<string, unknown>>().notNull(),
    samplingRateHz: integer('sampling_rate_hz'),
    signalLength: integer('signal_length'),
    numSignals: integer('num_signals').notNull().default(0),
    classCounts: jsonb('class_counts').$type<Record<string, number>>().notNull().default({}),
    workflowId: text('workflow_id'),
    error: text('error'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    completedAt: tz('completed_at'),
  },
  () => [check('datasets_status_check', oneOf('status', DATASET_STATUSES)), check('datasets_source_check', oneOf('source', DATASET_SOURCES))],
);

export const signals = pgTable(
  'signals',
  {
    datasetId: text('dataset_id')
      .notNull()
      .references(() => datasets.id, { onDelete: 'cascade' }),
    idx: integer('idx').notNull(),
    label: text('label').notNull(),
    severityIn: doublePrecision('severity_in').notNull().default(0),
    loadHp: doublePrecision('load_hp'),
    shaftHz: doublePrecision('shaft_hz'),
    snrDb: doublePrecision('snr_db'),
    seed: bigint('seed', { mode: 'number' }),
    artifactUri: text('artifact_uri').notNull(),
    length: integer('length').notNull(),
    samplingRateHz: integer('sampling_rate_hz').notNull(),
    rms: doublePrecision('rms'),
    kurtosis: doublePrecision('kurtosis'),
    /** Imported signals: the recording they were cut from and where (null for simulated ones). */
    faultType: text('fault_type'),
    sourceFile: text('source_file'),
    fileHash: text('file_hash'),
    channel: text('channel'),
    rpm: doublePrecision('rpm'),
    /** First sample of this signal in its recording, at the dataset's sampling rate. */
    offsetSamples: integer('offset_samples'),
  },
  (t) => [primaryKey({ columns: [t.datasetId, t.idx] }), index('signals_dataset_label_idx').on(t.datasetId, t.label)],
);

export const experiments = pgTable(
  'experiments',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: EXPERIMENT_KINDS }).notNull().default('train'),
    // No FK to datasets/campaigns: a trial's experiment row may be written by its child workflow
    // before or independently of the campaign's bookkeeping; the ids are validated upstream.
    datasetId: text('dataset_id').notNull(),
    campaignId: text('campaign_id'),
    hyperparameters: jsonb('hyperparameters').$type<Record<string, unknown>>().notNull().default({}),
    status: text('status', { enum: RUN_STATUSES }).notNull().default('PENDING'),
    /** tfjs backend actually used (DESIGN: recorded with every experiment). */
    backend: text('backend'),
    /** Its package and library versions, e.g. `tfjs-node 4.22.0, TensorFlow 2.18.1`. */
    backendVersion: text('backend_version'),
    workflowId: text('workflow_id'),
    epochsCompleted: integer('epochs_completed').notNull().default(0),
    bestEpoch: integer('best_epoch'),
    testAccuracy: doublePrecision('test_accuracy'),
    testLoss: doublePrecision('test_loss'),
    bestValAccuracy: doublePrecision('best_val_accuracy'),
    bestValLoss: doublePrecision('best_val_loss'),
    confusionMatrix: jsonb('confusion_matrix').$type<number[][]>(),
    classes: jsonb('classes').$type<string[]>(),
    classBalance: jsonb('class_balance').$type<ClassBalance>(),
    modelUri: text('model_uri'),
    checkpointUri: text('checkpoint_uri'),
    parameterCount: integer('parameter_count'),
    trainSamplesPerSec: doublePrecision('train_samples_per_sec'),
    /** Median single-window inference latency of the final model, ms (a NAS objective). */
    inferenceMsPerWindow: doublePrecision('inference_ms_per_window'),
    /** The experiment's HTML page (training curves and every evaluation of it), refreshed by each evaluation. */
    reportUri: text('report_uri'),
    stoppedEarly: boolean('stopped_early'),
    error: text('error'),
    createdAt: createdAt(),
    startedAt: tz('started_at'),
    completedAt: tz('completed_at'),
  },
  (t) => [
    check('experiments_status_check', oneOf('status', RUN_STATUSES)),
    check('experiments_kind_check', oneOf('kind', EXPERIMENT_KINDS)),
    index('experiments_dataset_idx').on(t.datasetId),
    index('experiments_campaign_idx').on(t.campaignId),
  ],
);

export const epochMetrics = pgTable(
  'epoch_metrics',
  {
    experimentId: text('experiment_id')
      .notNull()
      .references(() => experiments.id, { onDelete: 'cascade' }),
    epoch: integer('epoch').notNull(),
    loss: doublePrecision('loss').notNull(),
    accuracy: doublePrecision('accuracy').notNull(),
    valLoss: doublePrecision('val_loss'),
    valAccuracy: doublePrecision('val_accuracy'),
    durationMs: doublePrecision('duration_ms'),
    samplesPerSec: doublePrecision('samples_per_sec'),
    checkpointUri: text('checkpoint_uri'),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.experimentId, t.epoch] })],
);

export const models = pgTable(
  'models',
  {
    /** The experiment id, or a content-based id for models not born of an experiment (e.g. quantized). */
    id: text('id').primaryKey(),
    experimentId: text('experiment_id'),
    artifactUri: text('artifact_uri').notNull(),
    backend: text('backend'),
    parameterCount: integer('parameter_count'),
    inputLength: integer('input_length'),
    classes: jsonb('classes').$type<string[]>(),
    createdAt: createdAt(),
  },
  (t) => [index('models_experiment_idx').on(t.experimentId)],
);

export const artifacts = pgTable('artifacts', {
  uri: text('uri').primaryKey(),
  sha256: text('sha256').notNull(),
  kind: text('kind').notNull(),
  mediaType: text('media_type').notNull(),
  bytes: bigint('bytes', { mode: 'number' }).notNull(),
  createdAt: createdAt(),
});

export const campaigns = pgTable(
  'campaigns',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: CAMPAIGN_KINDS }).notNull(),
    datasetId: text('dataset_id').notNull(),
    status: text('status', { enum: RUN_STATUSES }).notNull().default('PENDING'),
    config: jsonb('config').$type<Record<string, unknown>>().notNull().default({}),
    /** Metric name the campaign optimises, e.g. 'val_accuracy'. */
    objective: text('objective').notNull(),
    direction: text('direction', { enum: OPTIMIZATION_DIRECTIONS }).notNull(),
    bestTrial: integer('best_trial'),
    bestValue: doublePrecision('best_value'),
    bestParams: jsonb('best_params').$type<Record<string, unknown>>(),
    reportUri: text('report_uri'),
    workflowId: text('workflow_id'),
    error: text('error'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    completedAt: tz('completed_at'),
  },
  () => [
    check('campaigns_status_check', oneOf('status', RUN_STATUSES)),
    check('campaigns_kind_check', oneOf('kind', CAMPAIGN_KINDS)),
    check('campaigns_direction_check', oneOf('direction', OPTIMIZATION_DIRECTIONS)),
  ],
);

export const trials = pgTable(
  'trials',
  {
    campaignId: text('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    experimentId: text('experiment_id'),
    params: jsonb('params').$type<Record<string, unknown>>().notNull().default({}),
    status: text('status', { enum: RUN_STATUSES }).notNull().default('PENDING'),
    value: doublePrecision('value'),
    /** Successive-halving rung the trial reached (0 = first rung). */
    rung: integer('rung').notNull().default(0),
    /** Intermediate objective values by step (epoch), as the pruner saw them: { "3": 0.81 }. */
    intermediate: jsonb('intermediate').$type<Record<string, number>>().notNull().default({}),
    /** Objectives of a multi-objective trial (NAS: valAccuracy, params, latencyMs, score). */
    metrics: jsonb('metrics').$type<Record<string, number>>().notNull().default({}),
    error: text('error'),
    startedAt: tz('started_at'),
    completedAt: tz('completed_at'),
  },
  (t) => [
    primaryKey({ columns: [t.campaignId, t.number] }),
    check('trials_status_check', oneOf('status', RUN_STATUSES)),
    index('trials_experiment_idx').on(t.experimentId),
  ],
);

export const notifications = pgTable(
  'notifications',
  {
    /** Idempotency key `${eventType}:${entityKind}:${entityId}`: one notification per outcome. */
    id: text('id').primaryKey(),
    eventType: text('event_type', { enum: EVENT_TYPES }).notNull(),
    entityKind: text('entity_kind', { enum: ENTITY_KINDS }).notNull(),
    entityId: text('entity_id').notNull(),
    title: text('title').notNull(),
    message: text('message').notNull(),
    url: text('url').notNull(),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
    deliveredAt: tz('delivered_at'),
    deliveryError: text('delivery_error'),
    deliveryAttempts: integer('delivery_attempts').notNull().default(0),
  },
  (t) => [
    check('notifications_event_type_check', oneOf('event_type', EVENT_TYPES)),
    check('notifications_entity_kind_check', oneOf('entity_kind', ENTITY_KINDS)),
    index('notifications_entity_idx').on(t.entityKind, t.entityId),
    index('notifications_created_idx').on(t.createdAt),
  ],
);

export const XAI_ROW_STATUSES = ['COMPLETED', 'FAILED'] as const;

/** One batch XAI run (explainSignalsWorkflow): the request, its counts and the summary picture. */
export const xaiBatches = pgTable(
  'xai_batches',
  {
    id: text('id').primaryKey(),
    modelId: text('model_id').notNull(),
    status: text('status', { enum: RUN_STATUSES }).notNull().default('PENDING'),
    /** The full request: the batch is reproducible from it. */
    config: jsonb('config').$type<Record<string, unknown>>().notNull().default({}),
    methods: jsonb('methods').$type<string[]>().notNull().default([]),
    totalSignals: integer('total_signals').notNull().default(0),
    completedSignals: integer('completed_signals').notNull().default(0),
    failedSignals: integer('failed_signals').notNull().default(0),
    /** KernelSHAP background windows (float32, size × window length), when requested. */
    backgroundUri: text('background_uri'),
    summaryUri: text('summary_uri'),
    summaryJsonUri: text('summary_json_uri'),
    workflowId: text('workflow_id'),
    error: text('error'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    completedAt: tz('completed_at'),
  },
  () => [check('xai_batches_status_check', oneOf('status', RUN_STATUSES))],
);

/**
 * One row per (batch, signal, method): keyed so that a retried activity or a re-run of the same
 * request lands on the same rows. A signal that could not be explained (missing, corrupt) has one
 * FAILED row per method with the reason, so the batch's outcome is complete in SQL alone.
 */
export const xaiExplanations = pgTable(
  'xai_explanations',
  {
    batchId: text('batch_id')
      .notNull()
      .references(() => xaiBatches.id, { onDelete: 'cascade' }),
    datasetId: text('dataset_id').notNull(),
    signalIdx: integer('signal_idx').notNull(),
    method: text('method').notNull(),
    status: text('status', { enum: XAI_ROW_STATUSES }).notNull(),
    label: text('label'),
    /** Class explained (name) and the model's prediction / probability, mean over windows. */
    targetLabel: text('target_label'),
    predictedLabel: text('predicted_label'),
    probability: doublePrecision('probability'),
    /** Window offsets in the recording (samples). */
    windowStarts: jsonb('window_starts').$type<number[]>(),
    /** float32, windows × window length, row-major. */
    attributionUri: text('attribution_uri'),
    pictureUri: text('picture_uri'),
    topSegments: jsonb('top_segments').$type<{ start: number; end: number; share: number; sum: number }[]>(),
    /** Share of |attribution| per segment in position order (mean over windows). */
    segmentShares: jsonb('segment_shares').$type<number[]>(),
    /** Share of the attribution-weighted spectrum per band (mean over windows). */
    bandShares: jsonb('band_shares').$type<number[]>(),
    dominantBandLowHz: doublePrecision('dominant_band_low_hz'),
    dominantBandHighHz: doublePrecision('dominant_band_high_hz'),
    peakHz: doublePrecision('peak_hz'),
    /** Deletion faithfulness: random-order AUC − method AUC (mean over windows). */
    faithfulness: doublePrecision('faithfulness'),
    aucMethod: doublePrecision('auc_method'),
    aucRandom: doublePrecision('auc_random'),
    /** Integrated Gradients only: |Σattr − (f(x) − f(baseline))| / |f(x) − f(baseline)|, worst window. */
    completenessError: doublePrecision('completeness_error'),
    durationMs: doublePrecision('duration_ms'),
    error: text('error'),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.batchId, t.datasetId, t.signalIdx, t.method] }),
    check('xai_explanations_status_check', oneOf('status', XAI_ROW_STATUSES)),
    index('xai_explanations_batch_label_idx').on(t.batchId, t.label),
  ],
);

export const DATASET_FILE_OUTCOMES = ['IMPORTING', 'IMPORTED', 'DUPLICATE', 'FAILED'] as const;

/**
 * One row per file of an import. Idempotency by content: a file whose bytes were imported into
 * the dataset before (under any name) adds no signals; the partial unique index makes "imported
 * twice" impossible even for two attempts racing. Signals of a file occupy
 * [first_idx, first_idx + segments) of the dataset's indices, allocated when the file is claimed.
 */
export const datasetFiles = pgTable(
  'dataset_files',
  {
    datasetId: text('dataset_id')
      .notNull()
      .references(() => datasets.id, { onDelete: 'cascade' }),
    fileName: text('file_name').notNull(),
    status: text('status', { enum: DATASET_FILE_OUTCOMES }).notNull(),
    contentHash: text('content_hash'),
    duplicateOf: text('duplicate_of'),
    source: text('source'),
    bytes: bigint('bytes', { mode: 'number' }),
    label: text('label'),
    faultType: text('fault_type'),
    faultSizeIn: doublePrecision('fault_size_in'),
    loadHp: doublePrecision('load_hp'),
    rpm: doublePrecision('rpm'),
    channel: text('channel'),
    variable: text('variable'),
    sourceRateHz: integer('source_rate_hz'),
    sourceSamples: integer('source_samples'),
    firstIdx: integer('first_idx'),
    segments: integer('segments'),
    error: text('error'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.datasetId, t.fileName] }),
    check('dataset_files_status_check', oneOf('status', DATASET_FILE_OUTCOMES)),
    uniqueIndex('dataset_files_content_idx')
      .on(t.datasetId, t.contentHash)
      .where(sql`"status" IN ('IMPORTING', 'IMPORTED')`),
  ],
);

/**
 * Class probabilities of one model over one dataset's split, computed once and reused by every
 * analysis (ROC, errors, comparisons). Keyed by (model, dataset, split): a retried or repeated
 * prediction lands on the same row, and the arrays are content-addressed artifacts.
 */
export const evaluationPredictions = pgTable(
  'evaluation_predictions',
  {
    modelId: text('model_id').notNull(),
    datasetId: text('dataset_id')
      .notNull()
      .references(() => datasets.id, { onDelete: 'cascade' }),
    split: text('split', { enum: EVAL_SPLITS }).notNull(),
    /** float32, windows × classes, row-major. */
    probabilitiesUri: text('probabilities_uri').notNull(),
    /** JSON: per window its signal ref, start and true label; per signal its conditions. */
    indexUri: text('index_uri').notNull(),
    windows: integer('windows').notNull(),
    signals: integer('signals').notNull(),
    classes: jsonb('classes').$type<string[]>().notNull(),
    windowLength: integer('window_length').notNull(),
    backend: text('backend'),
    windowsPerSec: doublePrecision('windows_per_sec'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.modelId, t.datasetId, t.split] }), check('evaluation_predictions_split_check', oneOf('split', EVAL_SPLITS))],
);

/** One evaluation (ROC, errors, comparison): its request, status, headline numbers and pictures. Keyed by its workflow id. */
export const evaluations = pgTable(
  'evaluations',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: EVALUATION_KINDS }).notNull(),
    experimentIds: jsonb('experiment_ids').$type<string[]>().notNull(),
    datasetId: text('dataset_id'),
    split: text('split', { enum: EVAL_SPLITS }).notNull(),
    status: text('status', { enum: RUN_STATUSES }).notNull().default('PENDING'),
    config: jsonb('config').$type<Record<string, unknown>>().notNull().default({}),
    /** The headline numbers (AUCs, accuracy, ECE, pairwise p-values): small; the full result is `result_uri`. */
    summary: jsonb('summary').$type<Record<string, unknown>>(),
    resultUri: text('result_uri'),
    pictureUri: text('picture_uri'),
    workflowId: text('workflow_id'),
    error: text('error'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    completedAt: tz('completed_at'),
  },
  () => [
    check('evaluations_status_check', oneOf('status', RUN_STATUSES)),
    check('evaluations_kind_check', oneOf('kind', EVALUATION_KINDS)),
    check('evaluations_split_check', oneOf('split', EVAL_SPLITS)),
  ],
);

/**
 * Artifacts the retention sweep found unreferenced (mark), and when. One is deleted only when a
 * later sweep, at least the grace period after the mark, still finds no row referring to it and
 * its bytes older than the grace period (a writer that re-put them refreshed their time): a
 * writer that stored bytes and is about to insert the row that refers to them is never raced.
 */
export const artifactMarks = pgTable('artifact_marks', {
  uri: text('uri').primaryKey(),
  markedAt: timestamp('marked_at', { withTimezone: true }).notNull(),
  bytes: bigint('bytes', { mode: 'number' }).notNull(),
});

/**
 * A dataset's feature matrix for one (feature-set version, settings, windowing): id = the
 * workflow's entity id `<datasetId>-<hash>`, so the same request lands on the same row. The
 * matrix (float32, rows × columns), its row index (signal, window start, label) and the column
 * catalog are artifacts.
 */
export const featureSets = pgTable(
  'feature_sets',
  {
    id: text('id').primaryKey(),
    datasetId: text('dataset_id')
      .notNull()
      .references(() => datasets.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    /** The normalised FeatureSettings and the windowing: what the columns and rows are. */
    settings: jsonb('settings').$type<Record<string, unknown>>().notNull(),
    status: text('status', { enum: RUN_STATUSES }).notNull().default('PENDING'),
    workflowId: text('workflow_id'),
    numRows: integer('num_rows'),
    numFeatures: integer('num_features'),
    featureNames: jsonb('feature_names').$type<string[]>(),
    matrixUri: text('matrix_uri'),
    indexUri: text('index_uri'),
    catalogUri: text('catalog_uri'),
    rowsPerSec: doublePrecision('rows_per_sec'),
    error: text('error'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    completedAt: tz('completed_at'),
  },
  (t) => [check('feature_sets_status_check', oneOf('status', RUN_STATUSES)), index('feature_sets_dataset_idx').on(t.datasetId)],
);

/** One analysis (importance, selection, correlation) of a feature set: id = `<mode>-<hash>`. */
export const featureAnalyses = pgTable(
  'feature_analyses',
  {
    id: text('id').primaryKey(),
    featureSetId: text('feature_set_id')
      .notNull()
      .references(() => featureSets.id, { onDelete: 'cascade' }),
    mode: text('mode', { enum: FEATURE_ANALYSIS_MODES }).notNull(),
    options: jsonb('options').$type<Record<string, unknown>>().notNull(),
    status: text('status', { enum: RUN_STATUSES }).notNull().default('PENDING'),
    summary: jsonb('summary').$type<Record<string, unknown>>(),
    features: jsonb('features').$type<string[]>(),
    resultUri: text('result_uri'),
    pictureUri: text('picture_uri'),
    workflowId: text('workflow_id'),
    error: text('error'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    completedAt: tz('completed_at'),
  },
  () => [check('feature_analyses_status_check', oneOf('status', RUN_STATUSES)), check('feature_analyses_mode_check', oneOf('mode', FEATURE_ANALYSIS_MODES))],
);

/**
 * Deployable models (ONNX) made by deployModelWorkflow, each with its parent (the tfjs model of
 * the experiment, or the version it was derived from). A partial unique index keeps at most one
 * published version per experiment: publishing is one transaction that retires the previous one.
 */
export const modelVersions = pgTable(
  'model_versions',
  {
    /** `<deploymentId>.<kind>` (modelVersionId): deterministic, so compensations know it up front. */
    id: text('id').primaryKey(),
    experimentId: text('experiment_id').notNull(),
    deploymentId: text('deployment_id').notNull(),
    /** Version this one was derived from; null for the export of the tfjs model itself. */
    parentId: text('parent_id'),
    /** The tfjs model (models.id) the lineage starts from. */
    sourceModelId: text('source_model_id').notNull(),
    kind: text('kind', { enum: MODEL_VERSION_KINDS }).notNull(),
    status: text('status', { enum: MODEL_VERSION_STATUSES }).notNull(),
    published: boolean('published').notNull().default(false),
    /** The version that was published when this one was (restored if this deployment rolls back). */
    replacesId: text('replaces_id'),
    artifactUri: text('artifact_uri').notNull(),
    bytes: bigint('bytes', { mode: 'number' }).notNull(),
    /** Parity, accuracy and benchmark figures (small numbers only). */
    metrics: jsonb('metrics').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
    publishedAt: tz('published_at'),
  },
  (t) => [
    check('model_versions_kind_check', oneOf('kind', MODEL_VERSION_KINDS)),
    check('model_versions_status_check', oneOf('status', MODEL_VERSION_STATUSES)),
    index('model_versions_experiment_idx').on(t.experimentId),
    index('model_versions_deployment_idx').on(t.deploymentId),
    uniqueIndex('model_versions_published_idx')
      .on(t.experimentId)
      .where(sql`${t.published}`),
  ],
);

/**
 * Verification runs (issue 13): one row per run (id = workflow id), its tests, its per-file
 * coverage and its quality findings as child rows keyed by position, so a retried activity
 * replaces them whole. Reports (JUnit XML, coverage HTML, benchmark summaries) are artifacts.
 */
export const verifyRuns = pgTable(
  'verify_runs',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: VERIFY_KINDS }).notNull(),
    status: text('status', { enum: VERIFY_ROW_STATUSES }).notNull().default('RUNNING'),
    request: jsonb('request').$type<Record<string, unknown>>().notNull(),
    /** Totals, coverage totals, counts by rule, benchmark comparison: small. */
    summary: jsonb('summary').$type<Record<string, unknown>>(),
    junitUri: text('junit_uri'),
    coverageHtmlUri: text('coverage_html_uri'),
    /** The full JSON result (benchmark summary, quality findings) as an artifact. */
    reportUri: text('report_uri'),
    workflowId: text('workflow_id'),
    error: text('error'),
    createdAt: createdAt(),
    completedAt: tz('completed_at'),
  },
  () => [check('verify_runs_kind_check', oneOf('kind', VERIFY_KINDS)), check('verify_runs_status_check', oneOf('status', VERIFY_ROW_STATUSES))],
);

export const verifyTestResults = pgTable(
  'verify_test_results',
  {
    runId: text('run_id')
      .notNull()
      .references(() => verifyRuns.id, { onDelete: 'cascade' }),
    idx: integer('idx').notNull(),
    file: text('file').notNull(),
    name: text('name').notNull(),
    status: text('status', { enum: TEST_CASE_STATUSES }).notNull(),
    durationMs: integer('duration_ms').notNull(),
    failureMessage: text('failure_message'),
  },
  (t) => [primaryKey({ columns: [t.runId, t.idx] }), check('verify_test_results_status_check', oneOf('status', TEST_CASE_STATUSES))],
);

export const verifyCoverageFiles = pgTable(
  'verify_coverage_files',
  {
    runId: text('run_id')
      .notNull()
      .references(() => verifyRuns.id, { onDelete: 'cascade' }),
    file: text('file').notNull(),
    linesPct: doublePrecision('lines_pct').notNull(),
    branchesPct: doublePrecision('branches_pct').notNull(),
    functionsPct: doublePrecision('functions_pct').notNull(),
    statementsPct: doublePrecision('statements_pct').notNull(),
    /** covered / total per metric. */
    figures: jsonb('figures').$type<Record<string, { covered: number; total: number }>>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.file] })],
);

export const verifyFindings = pgTable(
  'verify_findings',
  {
    runId: text('run_id')
      .notNull()
      .references(() => verifyRuns.id, { onDelete: 'cascade' }),
    idx: integer('idx').notNull(),
    tool: text('tool').notNull(),
    file: text('file').notNull(),
    line: integer('line').notNull(),
    column: integer('column').notNull(),
    rule: text('rule').notNull(),
    severity: text('severity', { enum: FINDING_SEVERITIES }).notNull(),
    message: text('message').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.idx] }), check('verify_findings_severity_check', oneOf('severity', FINDING_SEVERITIES))],
);

export type DatasetRow = typeof datasets.$inferSelect;
export type DatasetFileRow = typeof datasetFiles.$inferSelect;
export type NewDataset = typeof datasets.$inferInsert;
export type SignalRow = typeof signals.$inferSelect;
export type NewSignal = typeof signals.$inferInsert;
export type ExperimentRow = typeof experiments.$inferSelect;
export type NewExperiment = typeof experiments.$inferInsert;
export type EpochMetricsRow = typeof epochMetrics.$inferSelect;
export type NewEpochMetrics = typeof epochMetrics.$inferInsert;
export type ModelRow = typeof models.$inferSelect;
export type NewModel = typeof models.$inferInsert;
export type ArtifactRow = typeof artifacts.$inferSelect;
export type NewArtifact = typeof artifacts.$inferInsert;
export type CampaignRow = typeof campaigns.$inferSelect;
export type NewCampaign = typeof campaigns.$inferInsert;
export type TrialRow = typeof trials.$inferSelect;
export type NewTrial = typeof trials.$inferInsert;
export type NotificationRow = typeof notifications.$inferSelect;
export type NewNotification = typeof notifications.$inferInsert;
export type XaiBatchRow = typeof xaiBatches.$inferSelect;
export type NewXaiBatch = typeof xaiBatches.$inferInsert;
export type XaiExplanationRow = typeof xaiExplanations.$inferSelect;
export type NewXaiExplanation = typeof xaiExplanations.$inferInsert;
export type EvaluationPredictionsRow = typeof evaluationPredictions.$inferSelect;
export type NewEvaluationPredictions = typeof evaluationPredictions.$inferInsert;
export type EvaluationRow = typeof evaluations.$inferSelect;
export type NewEvaluation = typeof evaluations.$inferInsert;
export type FeatureSetRow = typeof featureSets.$inferSelect;
export type NewFeatureSet = typeof featureSets.$inferInsert;
export type FeatureAnalysisRow = typeof featureAnalyses.$inferSelect;
export type ModelVersionRow = typeof modelVersions.$inferSelect;
export type NewModelVersion = typeof modelVersions.$inferInsert;
export type VerifyRunRow = typeof verifyRuns.$inferSelect;
