import { describe, expect, it } from 'vitest';
import type { ExtractFeaturesResult, FeatureAnalysisResult, Progress } from '../../contracts/index.js';
import { fakeCli, type FakeWorkflow } from '../support/fake-cli.js';

const done: Progress = { phase: 'completed', completed: 3, total: 3, fraction: 1 };
const extracted: ExtractFeaturesResult = {
  featureSetId: 'ds-1-0123456789ab',
  datasetId: 'ds-1',
  version: 1,
  rows: 128,
  signals: 32,
  columns: 40,
  featureNames: ['mean'],
  matrixUri: 'artifact:sha256/aa',
  indexUri: 'artifact:sha256/bb',
  catalogUri: 'artifact:sha256/cc',
  computed: true,
};
const analysed: FeatureAnalysisResult = {
  analysisId: 'select-0123456789ab',
  featureSetId: 'ds-1-0123456789ab',
  datasetId: 'ds-1',
  mode: 'select',
  summary: { method: 'mrmr', selected: 2, cvAccuracySelected: 0.9, cvAccuracyAll: 0.92 },
  features: ['env_bpfi_1x', 'kurtosis'],
  resultUri: 'artifact:sha256/dd',
  pictureUri: 'artifact:sha256/ee',
};
const wf = (result: unknown): FakeWorkflow => ({
  workflowId: 'features-x',
  type: 'extractFeaturesWorkflow',
  minutes: 1,
  progress: () => done,
  follow: () => [done],
  result: () => result,
});

describe('faultline features', () => {
  it('extract passes the flags as the request and --wait prints the matrix', async () => {
    const cli = fakeCli(wf(extracted));
    expect(await cli.run(['features', 'extract', 'ds-1', '--domains', 'time,envelope', '--window', '4096', '--chunk', '8', '--wait'])).toBe(0);
    expect(cli.argsOf('startFeatureExtraction')).toEqual([
      { datasetId: 'ds-1', settings: { domains: ['time', 'envelope'] }, window: { length: 4096 }, signalsPerChunk: 8 },
    ]);
    expect(cli.stdout()).toContain('128 rows × 40 features from 32 signals of ds-1');
  });

  it('select --json prints one document with the chosen features', async () => {
    const cli = fakeCli(wf(analysed));
    expect(await cli.run(['--json', 'features', 'select', 'ds-1-0123456789ab', '--method', 'mrmr', '--k', '2', '--wait'])).toBe(0);
    expect(cli.argsOf('startFeatureAnalysis')).toEqual([{ featureSetId: 'ds-1-0123456789ab', mode: 'select', options: { method: 'mrmr', k: 2 } }]);
    expect(JSON.parse(cli.stdout())).toMatchObject({ status: 'COMPLETED', result: { features: ['env_bpfi_1x', 'kurtosis'] } });
  });

  it('refuses a bad option naming the flag and the value', async () => {
    const cli = fakeCli(wf(analysed));
    expect(await cli.run(['features', 'importance', 'ds-1-0123456789ab', '--rank-by', 'vibes'])).toBe(2);
    expect(cli.stderr()).toContain('--rank-by');
  });

  it('baseline passes the experiment and the features as options.baseline and prints the forest next to the CNN', async () => {
    const baseline: FeatureAnalysisResult = {
      ...analysed,
      analysisId: 'baseline-0123456789ab',
      mode: 'baseline',
      summary: { testAccuracy: 0.97, cnnTestAccuracy: 0.93, experimentId: 'exp-1', features: 2 },
    };
    const cli = fakeCli(wf(baseline));
    expect(await cli.run(['features', 'baseline', 'ds-1-0123456789ab', '--experiment', 'exp-1', '--mrmr-k', '2', '--trees', '50', '--wait'])).toBe(0);
    expect(cli.argsOf('startFeatureAnalysis')).toEqual([
      { featureSetId: 'ds-1-0123456789ab', mode: 'baseline', options: { baseline: { experimentId: 'exp-1', mrmrK: 2 }, forest: { trees: 50 } } },
    ]);
    expect(cli.stdout()).toMatch(/testAccuracy\s+0\.9700/);
    expect(cli.stdout()).toMatch(/cnnTestAccuracy\s+0\.9300/);
  });

  it('baseline refuses split settings beside --experiment, naming the flag', async () => {
    const cli = fakeCli(wf(analysed));
    expect(await cli.run(['features', 'baseline', 'ds-1-0123456789ab', '--experiment', 'exp-1', '--split', 'time'])).toBe(2);
    expect(cli.stderr()).toContain('--split');
  });

  it('result of a stopped extraction says so instead of printing a matrix', async () => {
    const stopped = { featureSetId: 'ds-1-0123456789ab', datasetId: 'ds-1', status: 'STOPPED', reason: 'enough', signals: 32, signalsDone: 8 };
    const cli = fakeCli(wf(stopped));
    expect(await cli.run(['features', 'result', 'features-x'])).toBe(0);
    expect(cli.stdout()).toContain('8/32 signals featurised, stopped (enough): no result stored');
  });
});
