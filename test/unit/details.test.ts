import { describe, expect, it } from 'vitest';
import { prepareDatasetInput, prepareHpoInput, prepareNasInput, prepareTrainingInput, prepareXaiInput } from '../../client/api.js';
import { prepareImportInput } from '../../client/import.js';
import {
  TrainHyperparametersSchema,
  chunkSummary,
  compact,
  datasetDetails,
  datasetSummary,
  MAX_SUMMARY_BYTES,
  explainActivitySummary,
  fitSummary,
  grouped,
  hpoDetails,
  hpoStaticDetails,
  hpoSummary,
  hpoTrialSummary,
  importDetails,
  importFileSummary,
  importSummary,
  nasCandidateSummary,
  nasDetails,
  nasStaticDetails,
  nasSummary,
  trainActivitySummary,
  trainingDetails,
  trainingSummary,
  xaiDetails,
  xaiSummary,
} from '../../contracts/index.js';

describe('numbers in summary lines', () => {
  it('compact: small floats in exponent form, others to 3 significant digits, integers as they are', () => {
    expect(compact(0.0003)).toBe('3e-4');
    expect(compact(0.00031622776)).toBe('3.16e-4');
    expect(compact(0.001)).toBe('1e-3');
    expect(compact(0.93127)).toBe('0.931');
    expect(compact(0.5)).toBe('0.5');
    expect(compact(64)).toBe('64');
    expect(compact(200_000)).toBe('200,000');
    expect(compact(12.5)).toBe('12.5');
    expect(compact(-0.25)).toBe('-0.25');
    expect(compact(2.5e7)).toBe('25,000,000');
    expect(compact(1234567.5)).toBe('1.23e6');
  });

  it('grouped: thousands separators without Intl', () => {
    expect(grouped(0)).toBe('0');
    expect(grouped(999)).toBe('999');
    expect(grouped(1000)).toBe('1,000');
    expect(grouped(1234567)).toBe('1,234,567');
    expect(grouped(-50000)).toBe('-50,000');
  });
});

describe('current details', () => {
  it('one line per workflow, zero counts left out', () => {
    expect(datasetDetails({ phase: 'generating', signalsDone: 4000, signalsTotal: 50_000, chunksDone: 250, chunksTotal: 3125 })).toBe(
      'generating · 4,000/50,000 signals (8%) · 250/3,125 chunks',
    );
    expect(trainingDetails({ phase: 'registering', epochsDone: 0, epochsTotal: 15 })).toBe('registering · epoch 0/15');
    const latest = { epoch: 4, loss: 0.2, accuracy: 0.9512, valLoss: 0.1234, valAccuracy: 0.93, durationMs: 1, samplesPerSec: 1 };
    expect(trainingDetails({ phase: 'training', epochsDone: 4, epochsTotal: 15, latest })).toBe(
      'training · epoch 4/15 · val acc 0.93 · val loss 0.123 · acc 0.951',
    );
    expect(
      hpoDetails({ phase: 'searching', finished: 12, maxTrials: 40, running: 4, pruned: 0, failed: 0, metric: 'valAccuracy', best: { trial: 7, value: 0.93 } }),
    ).toBe('searching · 12/40 trials · best valAccuracy 0.93 (trial 7) · 4 running');
    expect(hpoDetails({ phase: 'searching', finished: 0, maxTrials: 40, running: 0, pruned: 0, failed: 0, metric: 'valLoss', best: null })).toBe(
      'searching · 0/40 trials',
    );
    expect(
      hpoDetails({ phase: 'searching', finished: 9, maxTrials: 9, running: 0, pruned: 5, failed: 1, metric: 'valLoss', best: { trial: 2, value: 0.051 } }),
    ).toBe('searching · 9/9 trials · best valLoss 0.051 (trial 2) · 5 pruned · 1 failed');
    expect(
      nasDetails({
        phase: 'searching',
        finished: 5,
        maxCandidates: 20,
        running: 2,
        failed: 0,
        rejected: 1,
        duplicates: 0,
        best: { candidate: 3, score: 0.8123, valAccuracy: 0.95 },
      }),
    ).toBe('searching · 5/20 candidates · best score 0.812 (candidate 3, val acc 0.95) · 2 running · 1 rejected');
    expect(xaiDetails({ phase: 'explaining', done: 30, total: 120, running: 4, failed: 2, reused: 0 })).toBe(
      'explaining · 30/120 signals (25%) · 4 running · 2 failed',
    );
    expect(importDetails({ phase: 'importing', done: 3, total: 10, running: 2, failed: 0, duplicates: 1, signals: 1234 })).toBe(
      'importing · 3/10 files · 1,234 signals · 2 running · 1 duplicates',
    );
  });
});

describe('static summaries', () => {
  it('describe each kind of run from its (defaults-applied) input', () => {
    expect(datasetSummary(prepareDatasetInput({ datasetId: 'ds-1', config: { signalsPerClass: 20 } }))).toBe(
      'dataset ds-1 · 4 classes × 20 signals · 102,400 samples @ 12 kHz · seed 42',
    );
    expect(
      trainingSummary(prepareTrainingInput({ datasetId: 'ds-1', experimentId: 'exp-1', hyperparameters: { learningRate: 3e-4, batchSize: 64, epochs: 1 } })),
    ).toBe('train exp-1 on ds-1 · lr 3e-4 · batch 64 · adam · window 2048 · 1 epoch');
    expect(hpoSummary(prepareHpoInput({ campaignId: 'c-1', datasetId: 'ds-1', maxTrials: 40, maxConcurrentTrials: 4 }))).toBe(
      'HPO c-1 on ds-1 · tpe + asha · 40 trials, 4 at once · maximize valAccuracy',
    );
    expect(
      hpoSummary(
        prepareHpoInput({ campaignId: 'c-2', datasetId: 'synthetic', evaluator: { kind: 'synthetic', function: 'branin' }, objective: { metric: 'valLoss' } }),
      ),
    ).toBe('HPO c-2 on synthetic · synthetic branin · tpe + asha · 20 trials, 2 at once · minimize valLoss');
    expect(nasSummary(prepareNasInput({ campaignId: 'n-1', datasetId: 'ds-1' }))).toMatch(
      /^NAS n-1 on ds-1 · aging evolution P=10 S=3 · \d+ candidates, \d+ at once · \d+ epochs each · ≤ 200,000 params$/,
    );
    expect(
      xaiSummary(
        prepareXaiInput({
          batchId: 'x-1',
          modelId: 'exp-1',
          selection: { kind: 'ids', ids: ['ds-1:3', 'ds-1:17'] },
          methods: { 'integrated-gradients': {}, 'grad-cam': {} },
        }),
      ),
    ).toBe('XAI x-1 · model exp-1 · 2 signals · integrated-gradients, grad-cam');
    expect(importSummary(prepareImportInput({ datasetId: 'cwru10', root: 'cwru', glob: '*.mat', scheme: 'fault-type-size', signalLength: 4096 }))).toBe(
      'import cwru10 · cwru: files *.mat · fault-type-size · 4,096 samples @ 12 kHz',
    );
  });

  it('a trial or candidate says the hyperparameters it trains with', () => {
    const h = TrainHyperparametersSchema.parse({
      learningRate: 0.0003,
      batchSize: 64,
      epochs: 3,
      architecture: {
        blocks: [
          { filters: 16, kernelSize: 64 },
          { filters: 32, kernelSize: 3 },
        ],
      },
    });
    expect(hpoTrialSummary(12, 0, h)).toBe('trial 12 · lr 3e-4 · batch 64 · adam · window 2048 · 2 conv blocks (16-32 filters) · 3 epochs');
    expect(hpoTrialSummary(12, 2, h, 2)).toBe(
      'trial 12 · rung 2 · attempt 2 · lr 3e-4 · batch 64 · adam · window 2048 · 2 conv blocks (16-32 filters) · 3 epochs',
    );
    expect(nasCandidateSummary(7, h)).toBe('candidate 7 · lr 3e-4 · batch 64 · adam · window 2048 · 2 conv blocks (16-32 filters) · 3 epochs');
  });
});

describe('static details of campaigns', () => {
  it('list the search space and the budgets as markdown', () => {
    const input = prepareHpoInput({
      campaignId: 'c-1',
      datasetId: 'ds-1',
      space: {
        learningRate: { type: 'float', low: 1e-4, high: 0.1, log: true },
        optimizer: { type: 'categorical', choices: ['adam', 'sgd'] },
        dropout: { type: 'float', low: 0.1, high: 0.5, when: { param: 'optimizer', in: ['sgd'] } },
        windowLength: { type: 'int', low: 1024, high: 4096, step: 1024 },
      },
      pruner: { kind: 'asha', minEpochs: 1, maxEpochs: 27, reductionFactor: 3 },
      maxTrials: 30,
      maxConcurrentTrials: 4,
    });
    expect(hpoStaticDetails(input)).toBe(
      [
        '**search space** (4 parameters)',
        '- `learningRate`: float 1e-4…0.1 (log)',
        '- `optimizer`: adam, sgd',
        '- `dropout`: float 0.1…0.5 — only when optimizer ∈ {sgd}',
        '- `windowLength`: int 1024…4096 step 1024',
        '',
        '**sampler** tpe, seed 0',
        '**pruner** asha, epochs 1…27, η 3',
        '**budget** 30 trials, 4 at once, fail past 3 failed, 2 attempts per trial',
      ].join('\n'),
    );
    expect(hpoStaticDetails(prepareHpoInput({ campaignId: 'c-2', datasetId: 'ds-1' }))).toMatch(/^\*\*search space\*\*: the default 1D-CNN space\n/);
    expect(nasStaticDetails(prepareNasInput({ campaignId: 'n-1', datasetId: 'ds-1' }))).toMatch(
      /^\*\*strategy\*\* aging-evolution, population 10, sample 3, seed 0\n\*\*limits\*\* ≤ 200,000 params, output length ≥ 1\n\*\*budget\*\* \d+ candidates/,
    );
  });
});

describe("summaries fit Temporal's 200-byte limit", () => {
  const bytes = (t: string) => Buffer.byteLength(t, 'utf8');

  it('long text is cut at a character boundary with an ellipsis; short text is untouched', () => {
    expect(fitSummary('short · line')).toBe('short · line');
    const long = Array.from({ length: 100 }, (_, i) => `part${i}`).join(' · ');
    const cut = fitSummary(long);
    expect(bytes(cut)).toBeLessThanOrEqual(MAX_SUMMARY_BYTES);
    expect(cut.endsWith('…')).toBe(true);
    expect(long.startsWith(cut.slice(0, -1))).toBe(true);
    // Multi-byte characters are never split.
    const wide = fitSummary('×'.repeat(200));
    expect(bytes(wide)).toBeLessThanOrEqual(MAX_SUMMARY_BYTES);
    expect(wide).toMatch(/^×+…$/);
  });

  it('a 12-block candidate and a hostile-length id still give a valid summary', () => {
    const blocks = Array.from({ length: 12 }, () => ({ filters: 128, kernelSize: 3, pool: 'none' as const }));
    const h = TrainHyperparametersSchema.parse({ architecture: { blocks } });
    const summary = nasCandidateSummary(123_456, h, 3);
    expect(bytes(summary)).toBeLessThanOrEqual(MAX_SUMMARY_BYTES);
    expect(summary.startsWith('candidate 123456 · attempt 3 · lr ')).toBe(true);
    const ids = Array.from({ length: 40 }, (_, i) => `a-very-long-dataset-identifier-${i}:${i}`);
    expect(
      bytes(xaiSummary(prepareXaiInput({ batchId: 'x'.repeat(60), modelId: 'm'.repeat(60), selection: { kind: 'ids', ids }, methods: { occlusion: {} } }))),
    ).toBeLessThanOrEqual(MAX_SUMMARY_BYTES);
  });
});

describe('activity summaries', () => {
  it('say which part of the work an activity is', () => {
    expect(chunkSummary(2, 16, 40, 20)).toBe('chunk 3/16 · signals 40–59');
    expect(chunkSummary(0, 32, 0, 1)).toBe('chunk 1/32 · signal 0');
    expect(trainActivitySummary('exp-1', 0, 15)).toBe('epochs 1–15 · exp-1');
    expect(trainActivitySummary('exp-1', 2, 3)).toBe('epoch 3 · exp-1');
    expect(explainActivitySummary('ds-1:17', ['integrated-gradients', 'occlusion'])).toBe('signal ds-1:17 · integrated-gradients, occlusion');
    expect(importFileSummary('97.mat', 0, 10)).toBe('file 97.mat · 1/10');
  });
});

describe('faultline progress shows the summary, and the stored progress when no worker answers', () => {
  it('falls back to the memo, saying it is stored', async () => {
    const { formatRun } = await import('../../client/cli/output.js');
    const run = {
      workflowId: 'dataset-ds-1',
      runId: 'r',
      type: 'generateDatasetWorkflow',
      status: 'RUNNING' as const,
      startTime: new Date('2026-01-01T00:00:00Z'),
      summary: 'dataset ds-1 · 4 classes × 20 signals · 102,400 samples @ 12 kHz · seed 42',
      progressMemo: { phase: 'generating', completed: 40, total: 80, fraction: 0.5, details: 'generating · 40/80 signals (50%) · 8/16 chunks' },
    };
    const text = formatRun(run, undefined);
    expect(text).toContain('  summary    dataset ds-1 · 4 classes × 20 signals');
    expect(text).toContain('  progress   generating · 40/80 signals (50%) · 8/16 chunks  (stored; no worker answered the progress query)');
    expect(formatRun({ ...run, progressMemo: undefined }, undefined)).toContain('(no worker answered the progress query)');
  });
});
