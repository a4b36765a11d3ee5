import { describe, expect, it } from 'vitest';
import { fakeCli as fakeWorkflowCli, startedRun, type FakeWorkflow } from '../support/fake-cli.js';
import type { FaultlineApi, StartDatasetRequest, StartHpoRequest, StartTrainingRequest } from '../../client/api.js';
import { TemporalUnreachableError, WorkflowRunFailedError } from '../../client/errors.js';
import { buildProgram } from '../../client/cli/main.js';
import type { TrainModelResult } from '../../contracts/index.js';

const trained = { phase: 'training', completed: 4, total: 4, fraction: 1, latest: { epoch: 4, loss: 0.1, accuracy: 0.97, valLoss: 0.2, valAccuracy: 0.95 } };
const WORKFLOW: FakeWorkflow = {
  workflowId: 'wf',
  type: 't',
  minutes: 1,
  progress: () => ({ phase: 'training', completed: 2, total: 4, fraction: 0.5 }),
  follow: () => [trained],
  result: () => undefined,
  methods: (record) => ({
    startDatasetGeneration: record('startDatasetGeneration', async (r: StartDatasetRequest) => startedRun(`dataset-${r.datasetId}`, r.datasetId ?? '')),
    startTraining: record('startTraining', async (r: StartTrainingRequest) => startedRun(`train-${r.experimentId}`, r.experimentId ?? '')),
    startHpoCampaign: record('startHpoCampaign', async (r: StartHpoRequest) => startedRun(`hpo-${r.campaignId}`, r.campaignId ?? '')),
    updateCampaign: record('updateCampaign', async () => ({ maxTrials: 20, maxConcurrentTrials: 2 })),
  }),
};

/** Commander parsing and output only: the API is a recording fake, there is no Temporal. */
const fakeCli = (overrides?: Partial<FaultlineApi>) => fakeWorkflowCli(WORKFLOW, overrides);

const trainResult: TrainModelResult = {
  experimentId: 'exp-1',
  status: 'COMPLETED',
  testAccuracy: 0.9731,
  testLoss: 0.08,
  bestValAccuracy: 0.96,
  bestValLoss: 0.1,
  confusionMatrix: [
    [50, 0],
    [3, 47],
  ],
  classes: ['normal', 'inner_race'],
  modelUri: 'file:///m',
  checkpointUri: 'file:///c',
  epochsCompleted: 7,
  bestEpoch: 5,
  stoppedEarly: true,
  backend: 'cpu',
  parameterCount: 12345,
  classBalance: { train: {}, validation: {}, test: {} },
  trainSamplesPerSec: 880.4,
  inferenceMsPerWindow: 1.2,
};

describe('faultline dataset start', () => {
  it('turns flags into a validated request with a derived id and defaults from the contract', async () => {
    const cli = fakeCli();
    const code = await cli.run([
      'dataset',
      'start',
      '--seed',
      '7',
      '--classes',
      'normal,ball',
      '--snr',
      '0,20',
      '--signals-per-class',
      '3',
      '--loads',
      '0,2',
      '--chunk-size',
      '2',
    ]);
    expect(code).toBe(0);
    const [input] = cli.argsOf('startDatasetGeneration') as [Record<string, unknown>];
    expect(input).toMatchObject({
      datasetId: expect.stringMatching(/^ds-[0-9a-f]{12}$/),
      chunkSize: 2,
      maxInFlight: 4,
      config: { seed: 7, classes: ['normal', 'ball'], snrDb: [0, 20], signalsPerClass: 3, loadsHp: [0, 2], samplingRateHz: 12000 },
    });
    expect(cli.stdout()).toContain('Started: dataset-ds-');
    expect(cli.stdout()).toContain('http://127.0.0.1:8233/namespaces/default/workflows/dataset-ds-');
  });

  it('a single --snr value means a fixed SNR; --id is used as given', async () => {
    const cli = fakeCli();
    expect(await cli.run(['dataset', 'start', '--id', 'bench-1', '--snr', '5'])).toBe(0);
    expect(cli.argsOf('startDatasetGeneration')?.[0]).toMatchObject({ datasetId: 'bench-1', config: { snrDb: [5, 5] } });
  });
});

describe('faultline train start', () => {
  it('maps every flag onto the TrainModelRequest', async () => {
    const cli = fakeCli();
    const argv = ['train', 'start', '--dataset', 'ds-1', '--epochs', '5', '--batch-size', '16', '--lr', '0.01', '--optimizer', 'sgd', '--patience', '0'];
    argv.push('--window', '1024', '--hop', '512', '--max-windows', '8', '--seed', '3', '--max-minutes', '30', '--id', 'exp-x');
    expect(await cli.run(argv)).toBe(0);
    expect(cli.argsOf('startTraining')?.[0]).toMatchObject({
      experimentId: 'exp-x',
      datasetId: 'ds-1',
      maxTrainingMinutes: 30,
      hyperparameters: {
        epochs: 5,
        batchSize: 16,
        learningRate: 0.01,
        optimizer: 'sgd',
        patience: 0,
        windowLength: 1024,
        windowHop: 512,
        maxWindowsPerSignal: 8,
        seed: 3,
      },
    });
  });

  it('--split takes signal, time, or a JSON split; a bad one is refused naming the field and flag', async () => {
    const time = fakeCli();
    expect(await time.run(['train', 'start', '--dataset', 'ds-1', '--split', 'time'])).toBe(0);
    expect(time.argsOf('startTraining')?.[0]).toMatchObject({ hyperparameters: { split: { kind: 'time', gapSignals: 1 } } });
    const cond = fakeCli();
    expect(await cond.run(['train', 'start', '--dataset', 'ds-1', '--split', '{"kind":"condition","holdOut":{"loadHp":[1,2,3]},"within":"time"}'])).toBe(0);
    expect(cond.argsOf('startTraining')?.[0]).toMatchObject({
      hyperparameters: { split: { kind: 'condition', holdOut: { loadHp: [1, 2, 3] }, within: 'time', gapSignals: 1 } },
    });
    const none = fakeCli();
    expect(await none.run(['train', 'start', '--dataset', 'ds-1'])).toBe(0);
    expect((none.argsOf('startTraining')?.[0] as { hyperparameters: object }).hyperparameters).not.toHaveProperty('split');
    const bad = fakeCli();
    expect(await bad.run(['train', 'start', '--dataset', 'ds-1', '--split', '{"kind":"condition","holdOut":{}}'])).toBe(2);
    expect(bad.stderr()).toMatch(/hyperparameters\.split\.holdOut \(--split\): give exactly one of loadHp and rpmRange/);
    expect(bad.sessions()).toBe(0);
  });

  it('--normalization, --augment and --adabn set the robustness options; a bad one is refused naming the flag', async () => {
    const cli = fakeCli();
    const argv = ['train', 'start', '--dataset', 'ds-1', '--normalization', 'recording', '--augment', '{"speedStretch":0.04,"noise":0.1}', '--adabn'];
    expect(await cli.run(argv)).toBe(0);
    expect(cli.argsOf('startTraining')?.[0]).toMatchObject({
      hyperparameters: { normalization: 'recording', augmentation: { speedStretch: 0.04, amplitudeScale: 0, noise: 0.1 }, adaBN: true },
    });
    const bad = fakeCli();
    expect(await bad.run(['train', 'start', '--dataset', 'ds-1', '--augment', '{"speedStretch":0.5}'])).toBe(2);
    expect(bad.stderr()).toMatch(/hyperparameters\.augmentation\.speedStretch \(--augment\): .*\(got 0\.5\)/);
    const norm = fakeCli();
    expect(await norm.run(['train', 'start', '--dataset', 'ds-1', '--normalization', 'file'])).toBe(2);
    expect(norm.stderr()).toMatch(/hyperparameters\.normalization \(--normalization\): .*"file"/);
  });

  it('--json prints exactly one JSON document on stdout and nothing on stderr', async () => {
    const cli = fakeCli();
    expect(await cli.run(['--json', 'train', 'start', '--dataset', 'ds-1'])).toBe(0);
    const doc = JSON.parse(cli.stdout()) as Record<string, unknown>;
    expect(doc).toEqual({
      kind: 'train',
      workflowId: expect.stringMatching(/^train-exp-[0-9a-f]{12}$/),
      runId: 'run-1',
      entityId: expect.stringMatching(/^exp-/),
      alreadyExisted: false,
      webUiUrl: expect.stringContaining('/workflows/train-exp-'),
    });
    expect(cli.stderr()).toBe('');
  });

  it('--wait follows progress and prints test accuracy and a labelled confusion matrix', async () => {
    const cli = fakeCli({ getResult: (async () => trainResult) as FaultlineApi['getResult'] });
    expect(await cli.run(['train', 'start', '--dataset', 'ds-1', '--wait'])).toBe(0);
    expect(cli.stderr()).toContain('[progress] training  100.0%  4/4  loss 0.1000  acc 97.0%');
    const out = cli.stdout();
    expect(out).toContain('Experiment exp-1  COMPLETED');
    expect(out).toContain('test accuracy  97.31%');
    expect(out).toMatch(/true \\ pred\s+normal\s+inner_race/);
    expect(out).toMatch(/inner_race\s+3\s+47/);
  });

  it('--json --wait returns the started run and the result in one document', async () => {
    const json = fakeCli({ getResult: (async () => trainResult) as FaultlineApi['getResult'] });
    expect(await json.run(['--json', 'train', 'start', '--dataset', 'ds-1', '--wait'])).toBe(0);
    expect(JSON.parse(json.stdout())).toMatchObject({ kind: 'train', status: 'COMPLETED', result: { testAccuracy: 0.9731 } });
    expect(json.stderr()).toBe('');
  });
});

describe('invalid input exits 2 naming the field and value, before connecting', () => {
  it('a contract violation names the field, the flag and the value', async () => {
    const cli = fakeCli();
    expect(await cli.run(['train', 'start', '--dataset', 'ds-1', '--epochs', '0'])).toBe(2);
    expect(cli.stderr()).toMatch(/hyperparameters\.epochs \(--epochs\): .* \(got 0\)/);
    expect(cli.sessions()).toBe(0);
  });

  it('an unknown enum value in a list names the flag', async () => {
    const cli = fakeCli();
    expect(await cli.run(['dataset', 'start', '--classes', 'normal,cracked'])).toBe(2);
    expect(cli.stderr()).toMatch(/config\.classes\.1 \(--classes\): .*"cracked"/);
    expect(cli.sessions()).toBe(0);
  });

  it('a missing --dataset is reported like any invalid field', async () => {
    const cli = fakeCli();
    expect(await cli.run(['train', 'start'])).toBe(2);
    expect(cli.stderr()).toContain('datasetId (--dataset)');
  });

  it('a non-number in JSON mode gives a JSON error document naming the option and value', async () => {
    const cli = fakeCli();
    expect(await cli.run(['--json', 'train', 'start', '--dataset', 'ds-1', '--lr', 'fast'])).toBe(2);
    const doc = JSON.parse(cli.stdout()) as { error: { exitCode: number; message: string } };
    expect(doc.error.exitCode).toBe(2);
    expect(doc.error.message).toContain("--lr <rate>' argument 'fast'");
    expect(cli.stderr()).toBe('');
  });

  it('JSON mode reports validation issues structurally', async () => {
    const cli = fakeCli();
    expect(await cli.run(['--json', 'dataset', 'start', '--signals-per-class', '-3'])).toBe(2);
    const doc = JSON.parse(cli.stdout()) as { error: { type: string; issues: { path: string; value: unknown }[] } };
    expect(doc.error.type).toBe('invalid-input');
    expect(doc.error.issues).toEqual([expect.objectContaining({ path: 'config.signalsPerClass', value: -3 })]);
  });
});

describe('run commands and exit codes', () => {
  it('accepts an entity id or a full workflow id', async () => {
    const cli = fakeCli();
    expect(await cli.run(['train', 'cancel', 'exp-1'])).toBe(0);
    expect(await cli.run(['train', 'cancel', 'train-exp-2'])).toBe(0);
    const cancelled = cli.calls.filter((c) => c.method === 'cancelRun').map((c) => c.args[0]);
    expect(cancelled).toEqual(['train-exp-1', 'train-exp-2']);
  });

  it('progress prints status and progress; --json gives the run description', async () => {
    const cli = fakeCli();
    expect(await cli.run(['--json', 'dataset', 'progress', 'ds-1'])).toBe(0);
    expect(JSON.parse(cli.stdout())).toMatchObject({ status: 'RUNNING', progress: { fraction: 0.5 }, startTime: '2026-01-01T00:00:00.000Z' });
  });

  it('a failed workflow exits 1 with the failure type and message', async () => {
    const failure = new WorkflowRunFailedError('dataset-ds-1', 'FAILED', 'NotFound', 'dataset-ds-1 failed: no such thing');
    const cli = fakeCli({ getResult: (async () => Promise.reject(failure)) as FaultlineApi['getResult'] });
    expect(await cli.run(['--json', 'dataset', 'result', 'ds-1'])).toBe(1);
    expect(JSON.parse(cli.stdout())).toEqual({
      error: expect.objectContaining({ exitCode: 1, type: 'workflow-failed', status: 'FAILED', failureType: 'NotFound', workflowId: 'dataset-ds-1' }),
    });
  });

  it('cannot reach Temporal exits 3', async () => {
    const cli = fakeCli();
    cli.deps.openSession = async () => {
      throw new TemporalUnreachableError('127.0.0.1:7233', { cause: new Error('Failed to connect before the deadline') });
    };
    expect(await cli.run(['dataset', 'progress', 'ds-1'])).toBe(3);
    expect(cli.stderr()).toContain('cannot reach Temporal at 127.0.0.1:7233');
  });

  it('buildProgram exposes the command groups for help and tests', () => {
    const program = buildProgram(fakeCli().deps);
    expect(program.commands.map((c) => c.name())).toEqual([
      'dataset',
      'import',
      'train',
      'hpo',
      'nas',
      'xai',
      'eval',
      'replay',
      'artifact',
      'retention',
      'features',
      'deploy',
      'verify',
    ]);
    const train = program.commands.find((c) => c.name() === 'train');
    expect(train?.commands.map((c) => c.name())).toEqual(['start', 'progress', 'cancel', 'result']);
    const imports = program.commands.find((c) => c.name() === 'import');
    expect(imports?.commands.map((c) => c.name())).toEqual(['start', 'progress', 'cancel', 'result', 'stop']);
  });
});
