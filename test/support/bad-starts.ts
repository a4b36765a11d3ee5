/**
 * Starts that used to wedge a run (its workflow task failing forever), be retried, or be
 * accepted and do the wrong thing (issue 16), as raw JSON a dashboard in another language
 * would send by workflow type name. Shared by the client test (the TypeScript client refuses
 * them before sending) and the integration test (the workflow refuses them at its top).
 */
import { workflowIds } from '../../contracts/index.js';

export type WorkflowTypeName =
  'generateDatasetWorkflow' | 'trainModelWorkflow' | 'hpoCampaignWorkflow' | 'nasCampaignWorkflow' | 'explainSignalsWorkflow' | 'importMatDatasetWorkflow';

export interface BadStart {
  name: string;
  workflowType: WorkflowTypeName;
  workflowId: string;
  input: Record<string, unknown>;
  /** The field path the refusal must name. */
  field: string;
  /** More text the refusal must contain (the value, the valid names). */
  mentions?: RegExp;
  /** False when the client cannot see the problem (it derives ids itself): workflow-only. */
  clientChecks: boolean;
}

/** A dataset id that need not exist: every case is refused before anything reads it. */
const DS = 'ds-none';
const block = (extra: Record<string, unknown> = {}) => ({ filters: 8, kernelSize: 3, ...extra });

export const BAD_STARTS: BadStart[] = [
  {
    name: 'HPO grid sampler over a float without a grid count',
    workflowType: 'hpoCampaignWorkflow',
    workflowId: workflowIds.hpo('grid-float'),
    input: { campaignId: 'grid-float', datasetId: DS, sampler: { kind: 'grid' }, space: { learningRate: { type: 'float', low: 1e-4, high: 1e-2 } } },
    field: 'space.learningRate.grid',
    clientChecks: true,
  },
  {
    name: 'HPO grid sampler over a synthetic function whose default space has no grid',
    workflowType: 'hpoCampaignWorkflow',
    workflowId: workflowIds.hpo('grid-branin'),
    input: { campaignId: 'grid-branin', datasetId: DS, sampler: { kind: 'grid' }, evaluator: { kind: 'synthetic', function: 'branin' } },
    field: 'sampler.kind',
    mentions: /x1\.grid/,
    clientChecks: true,
  },
  {
    name: 'HPO space parameter that is no training setting',
    workflowType: 'hpoCampaignWorkflow',
    workflowId: workflowIds.hpo('warp'),
    input: { campaignId: 'warp', datasetId: DS, space: { warpFactor: { type: 'float', low: 1, high: 9 } } },
    field: 'space.warpFactor',
    mentions: /valid names: learningRate, batchSize/,
    clientChecks: true,
  },
  {
    name: 'HPO space parameter with a typo',
    workflowType: 'hpoCampaignWorkflow',
    workflowId: workflowIds.hpo('typo'),
    input: { campaignId: 'typo', datasetId: DS, space: { learningrate: { type: 'float', low: 1e-4, high: 1e-2, log: true } } },
    field: 'space.learningrate',
    mentions: /learningRate/,
    clientChecks: true,
  },
  {
    name: 'HPO synthetic campaign whose space does not match the function',
    workflowType: 'hpoCampaignWorkflow',
    workflowId: workflowIds.hpo('branin-y'),
    input: {
      campaignId: 'branin-y',
      datasetId: DS,
      evaluator: { kind: 'synthetic', function: 'branin' },
      space: { x1: { type: 'float', low: -5, high: 10 }, y: { type: 'float', low: 0, high: 1 } },
    },
    field: 'space.y',
    mentions: /branin takes only x1, x2/,
    clientChecks: true,
  },
  {
    name: 'HPO base architecture that collapses at the shortest sampled window',
    workflowType: 'hpoCampaignWorkflow',
    workflowId: workflowIds.hpo('collapse'),
    input: {
      campaignId: 'collapse',
      datasetId: DS,
      space: { windowLength: { type: 'categorical', choices: [64, 2048] } },
      base: { architecture: { blocks: [block({ poolSize: 16 }), block({ poolSize: 16 })] } },
    },
    field: 'base.architecture.blocks.1.poolSize',
    mentions: /collapsed/,
    clientChecks: true,
  },
  {
    name: 'training architecture whose pooling collapses the sequence',
    workflowType: 'trainModelWorkflow',
    workflowId: workflowIds.train('collapse'),
    input: {
      experimentId: 'collapse',
      datasetId: DS,
      hyperparameters: { windowLength: 256, architecture: { blocks: [block({ poolSize: 16 }), block({ poolSize: 16 }), block({ poolSize: 16 })] } },
    },
    field: 'hyperparameters.architecture.blocks.2.poolSize',
    mentions: /sequence collapsed/,
    clientChecks: true,
  },
  {
    name: 'training architecture over the parameter cap',
    workflowType: 'trainModelWorkflow',
    workflowId: workflowIds.train('huge'),
    input: {
      experimentId: 'huge',
      datasetId: DS,
      hyperparameters: { windowLength: 65_536, architecture: { blocks: [{ filters: 512, kernelSize: 512, pool: 'none' }], head: 'flatten', denseUnits: 1024 } },
    },
    field: 'hyperparameters.architecture.params',
    mentions: /exceed maxParams 5,000,000/,
    clientChecks: true,
  },
  {
    name: 'training with the default architecture on windows it collapses',
    workflowType: 'trainModelWorkflow',
    workflowId: workflowIds.train('short-window'),
    input: { experimentId: 'short-window', datasetId: DS, hyperparameters: { windowLength: 64, windowHop: 64 } },
    field: 'hyperparameters.windowLength',
    mentions: /default architecture/,
    clientChecks: true,
  },
  {
    name: 'NAS limits no architecture can meet',
    workflowType: 'nasCampaignWorkflow',
    workflowId: workflowIds.nas('tight'),
    input: { campaignId: 'tight', datasetId: DS, limits: { maxParams: 10 } },
    field: 'limits.maxParams',
    clientChecks: true,
  },
  ...(['../../etc/passwd', 'file:///etc/passwd', 's3://bucket/ckpt'] as const).map((uri, i): BadStart => ({
    name: `checkpoint URI ${uri}`,
    workflowType: 'trainModelWorkflow',
    workflowId: workflowIds.train(`uri-${i}`),
    input: { experimentId: `uri-${i}`, datasetId: DS, resumeFrom: { checkpointUri: uri, epoch: 1 } },
    field: 'resumeFrom.checkpointUri',
    mentions: /artifact:sha256/,
    clientChecks: true,
  })),
  {
    name: 'a forged campaign link on a standalone training run',
    workflowType: 'trainModelWorkflow',
    workflowId: workflowIds.hpoTrial('victim', 0),
    input: { experimentId: 'victim-t0', datasetId: DS, campaign: { campaignId: 'victim', kind: 'hpo', index: 0 } },
    field: 'campaign',
    mentions: /campaign/,
    clientChecks: true,
  },
  // Workflow ids that break the convention: the client derives ids itself, so only the workflow sees these.
  {
    name: 'dataset-x for datasetId y',
    workflowType: 'generateDatasetWorkflow',
    workflowId: 'dataset-x',
    input: { datasetId: 'y', config: { signalsPerClass: 1, signalLength: 1024 } },
    field: 'datasetId',
    mentions: /dataset-y/,
    clientChecks: false,
  },
  {
    name: 'a training run under another experiment id',
    workflowType: 'trainModelWorkflow',
    workflowId: 'train-x',
    input: { experimentId: 'y', datasetId: DS },
    field: 'experimentId',
    mentions: /train-y/,
    clientChecks: false,
  },
  {
    name: 'an HPO campaign under another id',
    workflowType: 'hpoCampaignWorkflow',
    workflowId: 'hpo-x',
    input: { campaignId: 'y', datasetId: DS },
    field: 'campaignId',
    mentions: /hpo-y/,
    clientChecks: false,
  },
  {
    name: 'a NAS campaign under another id',
    workflowType: 'nasCampaignWorkflow',
    workflowId: 'my-nas',
    input: { campaignId: 'y', datasetId: DS },
    field: 'campaignId',
    mentions: /nas-y/,
    clientChecks: false,
  },
  {
    name: 'an XAI batch under another id',
    workflowType: 'explainSignalsWorkflow',
    workflowId: 'xai-x',
    input: { batchId: 'y', modelId: 'exp-none', selection: { kind: 'ids', ids: ['ds-none:0'] }, methods: { occlusion: {} } },
    field: 'batchId',
    mentions: /xai-y/,
    clientChecks: false,
  },
  {
    name: 'an import under another id',
    workflowType: 'importMatDatasetWorkflow',
    workflowId: 'import-x',
    input: { datasetId: 'y', files: ['a.mat'] },
    field: 'datasetId',
    mentions: /import-y/,
    clientChecks: false,
  },
  {
    name: 'a standalone run under a trial id',
    workflowType: 'trainModelWorkflow',
    workflowId: workflowIds.hpoTrial('victim', 3),
    input: { experimentId: 'victim-t3', datasetId: DS },
    field: 'experimentId',
    mentions: /train-victim-t3/,
    clientChecks: false,
  },
];
