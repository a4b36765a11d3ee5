import { describe, expect, it } from 'vitest';
import { fakeClient } from '../support/fake-client.js';
import { fakeCli as fakeWorkflowCli, type FakeWorkflow } from '../support/fake-cli.js';
import { deriveComparisonId, prepareComparisonInput, prepareRocInput, startComparison, startRocEvaluation } from '../../client/eval.js';
import { evaluationKindOf, formatComparisonResult, formatErrorsResult, formatRocResult } from '../../client/cli/eval.js';
import {
  InputValidationError,
  type CompareExperimentsResult,
  type EvaluateErrorsResult,
  type EvaluateRocResult,
  type Progress,
} from '../../contracts/index.js';

const URI = (c: string) => `artifact:sha256/${c.repeat(64)}`;
const roc: EvaluateRocResult = {
  evaluationId: 'evaluate-roc-exp-1-ds-1',
  kind: 'roc',
  experimentId: 'exp-1',
  datasetId: 'ds-1',
  split: 'test',
  status: 'COMPLETED',
  samples: 96,
  pictureUri: URI('a'),
  resultUri: URI('b'),
  accuracy: 0.9375,
  aucMacro: 0.98,
  aucMicro: 0.97,
  apMacro: 0.95,
  apMicro: 0.94,
  ci: { aucMacro: { low: 0.96, high: 0.995 }, aucMicro: null, accuracy: { low: 0.88, high: 0.97 } },
  perClass: [
    { class: 'normal', positives: 24, auc: 1, averagePrecision: 1 },
    { class: 'ball', positives: 24, auc: null, averagePrecision: null },
  ],
};
const errors: EvaluateErrorsResult = {
  evaluationId: 'evaluate-errors-exp-1-ds-1',
  kind: 'errors',
  experimentId: 'exp-1',
  datasetId: 'ds-1',
  split: 'test',
  status: 'COMPLETED',
  samples: 96,
  pictureUri: URI('a'),
  resultUri: URI('b'),
  accuracy: 0.9375,
  macroF1: 0.93,
  ece: 0.041,
  errors: 6,
  perClass: [{ class: 'normal', precision: 1, recall: 0.9, f1: 0.947, support: 24 }],
  worst: [{ signal: 'ds-1:17', windowStart: 2048, trueClass: 'ball', predictedClass: 'outer_race', confidence: 0.91, xaiPictureUri: URI('c') }],
  worstByCondition: { load: { value: '3 hp', errorRate: 0.25, count: 24 } },
};
const compare: CompareExperimentsResult = {
  evaluationId: 'compare-0123456789ab',
  kind: 'compare',
  experimentIds: ['exp-1', 'exp-2'],
  datasetId: 'ds-1',
  split: 'test',
  status: 'COMPLETED',
  samples: 96,
  pictureUri: URI('a'),
  resultUri: URI('b'),
  pairing: 'window',
  rows: [
    { experimentId: 'exp-1', accuracy: 0.9375, ci: { low: 0.87, high: 0.97 }, parameters: 12000, latencyMs: 1.2, trainingSeconds: 30, epochs: 8, pareto: true },
    { experimentId: 'exp-2', accuracy: 0.8, ci: { low: 0.71, high: 0.87 }, parameters: 50000, latencyMs: 2.5, trainingSeconds: 40, epochs: 8, pareto: false },
  ],
  pairs: [{ first: 'exp-1', second: 'exp-2', b: 14, c: 1, method: 'exact', pValue: 0.000977, adjustedP: 0.000977, significant: true }],
};

const progress = (completed: number): Progress => ({ phase: 'predicting', completed, total: 4, fraction: completed / 4, predictionsRunning: 1 });
const ROC_WORKFLOW: FakeWorkflow = {
  workflowId: roc.evaluationId,
  type: 'evaluateRocWorkflow',
  minutes: 1,
  progress: () => progress(1),
  follow: () => [progress(1), progress(4)],
  result: () => structuredClone(roc),
};

describe('evaluation client', () => {
  it('the comparison id is the same for the same experiments in any order, and differs for another dataset or split', () => {
    const a = deriveComparisonId({ experimentIds: ['exp-2', 'exp-1'], datasetId: 'ds', split: 'test' });
    expect(a).toMatch(/^[0-9a-f]{12}$/);
    expect(deriveComparisonId({ experimentIds: ['exp-1', 'exp-2'], datasetId: 'ds', split: 'test' })).toBe(a);
    expect(deriveComparisonId({ experimentIds: ['exp-1', 'exp-2'], datasetId: 'other', split: 'test' })).not.toBe(a);
    expect(deriveComparisonId({ experimentIds: ['exp-1', 'exp-2'], datasetId: 'ds', split: 'all' })).not.toBe(a);
    expect(prepareComparisonInput({ experimentIds: ['exp-2', 'exp-1'], datasetId: 'ds' }).comparisonId).toBe(a);
  });

  it('refuses bad input before sending, naming the field and the value', () => {
    expect(() => prepareRocInput({ experimentId: 'exp-1', split: 'train' as never })).toThrow(InputValidationError);
    expect(() => prepareRocInput({ experimentId: 'exp-1', bootstrap: { replicates: -1 } })).toThrow(/bootstrap\.replicates/);
    expect(() => prepareComparisonInput({ experimentIds: ['exp-1', 'exp-1'] })).toThrow(/experimentIds.*must not repeat an experiment/s);
    expect(() => prepareComparisonInput({ experimentIds: Array.from({ length: 21 }, (_, i) => `e${i}`) })).toThrow(/experimentIds/);
  });

  it('starts by type name with the evaluation id as workflow id, the search attributes and a static summary', async () => {
    const { client, starts } = fakeClient();
    const run = await startRocEvaluation(client, { experimentId: 'exp-1', datasetId: 'cwru4', split: 'all' });
    expect(run).toMatchObject({ workflowId: 'evaluate-roc-exp-1-cwru4-all', entityId: 'exp-1-cwru4-all' });
    const [start] = starts;
    expect(start.workflowType).toBe('evaluateRocWorkflow');
    expect(start.options.args[0]).toMatchObject({ experimentId: 'exp-1', datasetId: 'cwru4', split: 'all', bootstrap: { replicates: 1000, seed: 0 } });
    expect(Object.fromEntries(start.options.typedSearchAttributes.map((p) => [p.key.name, p.value]))).toEqual({
      FaultlineKind: 'evaluate-roc',
      FaultlineExperimentId: 'exp-1',
      FaultlineDatasetId: 'cwru4',
      FaultlineStatus: 'RUNNING',
    });
    expect(start.options.staticSummary).toBe('ROC exp-1 · on cwru4 (all) · 1,000 bootstrap resamples');
    const cmp = await startComparison(client, { experimentIds: ['exp-2', 'exp-1'], datasetId: 'ds' });
    expect(cmp.workflowId).toBe(`compare-${deriveComparisonId({ experimentIds: ['exp-1', 'exp-2'], datasetId: 'ds', split: 'test' })}`);
  });
});

describe('faultline eval', () => {
  const fakeCli = () => fakeWorkflowCli(ROC_WORKFLOW, {}, (uri) => (uri === URI('a') ? '/data/artifacts/roc.svg' : undefined));

  it('eval roc <id> --dataset --replicates starts with those fields and prints how to follow', async () => {
    const cli = fakeCli();
    expect(await cli.run(['eval', 'roc', 'exp-1', '--dataset', 'cwru4', '--split', 'all', '--replicates', '200', '--seed', '3'])).toBe(0);
    expect(cli.argsOf('startRocEvaluation')).toEqual([{ experimentId: 'exp-1', datasetId: 'cwru4', split: 'all', bootstrap: { replicates: 200, seed: 3 } }]);
    expect(cli.stdout()).toContain('faultline eval progress evaluate-roc-x-d --follow');
  });

  it('eval compare takes the experiments as arguments; one experiment is refused naming the argument (exit 2)', async () => {
    const cli = fakeCli();
    expect(await cli.run(['eval', 'compare', 'exp-1', 'exp-2', '--max-in-flight', '2', '--alpha', '0.01'])).toBe(0);
    expect(cli.argsOf('startComparison')).toEqual([{ experimentIds: ['exp-1', 'exp-2'], maxInFlight: 2, alpha: 0.01 }]);
    const bad = fakeCli();
    expect(await bad.run(['eval', 'compare', 'exp-1'])).toBe(2);
    expect(bad.stderr()).toMatch(/experimentIds \(<experimentIds\.\.\.>\)/);
    expect(bad.sessions()).toBe(0);
    expect(await bad.run(['eval', 'roc', 'exp-1', '--replicates', 'lots'])).toBe(2);
  });

  it('eval roc --wait --json follows to the result: one JSON document with the picture file', async () => {
    const cli = fakeCli();
    expect(await cli.run(['--json', 'eval', 'roc', 'exp-1', '--wait'])).toBe(0);
    const doc = JSON.parse(cli.stdout()) as { status: string; result: EvaluateRocResult; pictureFile: string };
    expect(doc).toMatchObject({ status: 'COMPLETED', pictureFile: '/data/artifacts/roc.svg' });
    expect(doc.result).toEqual(roc);
  });

  it('eval result recognises the kind from the id', async () => {
    expect(evaluationKindOf('evaluate-roc-exp-1-ds')).toMatchObject({ kind: 'roc' });
    expect(evaluationKindOf('evaluate-errors-exp-1-ds')).toMatchObject({ kind: 'errors' });
    expect(evaluationKindOf('compare-0123456789ab')).toMatchObject({ kind: 'compare' });
    expect(evaluationKindOf('0123456789ab')).toMatchObject({ kind: 'compare' });
    const cli = fakeCli();
    expect(await cli.run(['eval', 'result', 'evaluate-roc-exp-1-ds-1'])).toBe(0);
    expect(cli.argsOf('locateWorkflowId')).toEqual(['roc', 'evaluate-roc-exp-1-ds-1']);
    expect(cli.stdout()).toContain('AUC macro      0.980 [0.960, 0.995]');
  });

  it('formats each kind for people: intervals, undefined AUCs, mistakes with XAI links, McNemar', () => {
    const r = formatRocResult(roc);
    expect(r).toContain('ROC evaluate-roc-exp-1-ds-1: exp-1 on ds-1 (test split, 96 windows)');
    expect(r).toMatch(/ball\s+24\s+–\s+–/);
    const e = formatErrorsResult(errors);
    expect(e).toContain('ds-1:17@2048  ball → outer_race (91.0%)  xai artifact:sha256/');
    expect(e).toContain('load         3 hp (25.0% of 24)');
    expect(formatRocResult({ ...roc, pageUris: { 'exp-1': URI('d') } })).toContain(`  page of exp-1: ${URI('d')}`);
    const c = formatComparisonResult(compare);
    expect(c).toContain('96 paired windows');
    expect(c).toContain('exp-1 vs exp-2: b 14, c 1, exact p 0.000977, adjusted 0.000977  significant');
    expect(c).toMatch(/exp-1\s+0\.938\s+\[0\.870, 0\.970\]\s+12,000\s+1\.20\s+8\s+yes/);
  });
});
