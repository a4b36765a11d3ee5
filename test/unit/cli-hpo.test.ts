import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApplicationFailure, WorkflowUpdateFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { fakeCli as fakeWorkflowCli, startedRun, type ArtifactPath, type FakeWorkflow } from '../support/fake-cli.js';
import { prepareHpoInput, type FaultlineApi, type StartHpoRequest } from '../../client/api.js';
import { UpdateRejectedError } from '../../client/errors.js';
import { formatHpoResult, hpoProgressDetails } from '../../client/cli/hpo.js';
import { HpoCampaignInputSchema, type HpoCampaignResult, type Progress } from '../../contracts/index.js';
import { parseSearchSpace } from '../../workflows/search/index.js';

const REPORT_HEX = 'cd'.padEnd(64, '7');
const REPORT_URI = `artifact:sha256/${REPORT_HEX}`;

const hpoProgress = (completed: number, best: { trial: number; value: number; params: Record<string, unknown> } | null): Progress => ({
  phase: 'searching',
  completed,
  total: 20,
  fraction: completed / 20,
  running: 2,
  failed: 1,
  pruned: 3,
  best,
  trialsPerRung: [12, 4, 1],
  maxConcurrentTrials: 4,
});

const hpoResult: HpoCampaignResult = {
  campaignId: 'c-1',
  status: 'COMPLETED',
  direction: 'maximize',
  metric: 'valAccuracy',
  trials: { total: 20, completed: 9, pruned: 10, failed: 1, stopped: 0 },
  best: { trial: 7, value: 0.931249, params: { learningRate: 0.003123456, optimizer: 'adam', blocks: 2 }, experimentId: 'c-1-t7-r2' },
  reportUri: REPORT_URI,
};

const runningBest = { trial: 7, value: 0.93125, params: { learningRate: 0.0031 } };
const HPO_WORKFLOW: FakeWorkflow = {
  workflowId: 'hpo-c-1',
  type: 'hpoCampaignWorkflow',
  minutes: 10,
  progress: () => hpoProgress(5, runningBest),
  follow: () => [hpoProgress(0, null), hpoProgress(20, runningBest)],
  result: () => hpoResult,
  methods: (record) => ({
    // The fake runs the same preparation the real API does, so ids are the real derived ones.
    startHpoCampaign: record('startHpoCampaign', async (r: StartHpoRequest) => {
      const id = prepareHpoInput(r).campaignId;
      return startedRun(`hpo-${id}`, id);
    }),
    updateCampaign: record('updateCampaign', async (_id: string, u: { maxTrials?: number; maxConcurrentTrials?: number }) => ({
      maxTrials: u.maxTrials ?? 20,
      maxConcurrentTrials: u.maxConcurrentTrials ?? 2,
    })),
  }),
};

/** The CLI over a recording fake API: no Temporal, no terminal. */
const fakeCli = (overrides?: Partial<FaultlineApi>, artifactPath?: ArtifactPath) => fakeWorkflowCli(HPO_WORKFLOW, overrides, artifactPath);

function tempJson(name: string, value: unknown): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'faultline-cli-hpo-'));
  const file = path.join(dir, name);
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
}

const SPACE = { learningRate: { type: 'float', low: 1e-4, high: 1e-1, log: true }, optimizer: { type: 'categorical', choices: ['adam', 'sgd'] } };

describe('faultline hpo start', () => {
  it('maps every flag onto the HpoCampaignRequest; the space comes from a file, base from inline JSON', async () => {
    const cli = fakeCli();
    const spaceFile = tempJson('space.json', SPACE);
    const argv = ['hpo', 'start', '--dataset', 'ds-1', '--id', 'sweep-1', '--space', spaceFile, '--sampler', 'gp', '--seed', '7', '--startup-trials', '5'];
    argv.push('--pruner', 'median', '--min-epochs', '2', '--max-epochs', '18', '--eta', '3', '--metric', 'valLoss', '--direction', 'minimize');
    argv.push('--max-trials', '40', '--concurrency', '4', '--max-failed', '2', '--max-minutes', '90', '--trial-attempts', '3', '--trial-minutes', '15');
    argv.push('--base', '{"patience": 0}');
    expect(await cli.run(argv)).toBe(0);
    // The API receives the prepared input: validated, defaults applied, space normalised.
    expect(cli.argsOf('startHpoCampaign')?.[0]).toEqual({
      campaignId: 'sweep-1',
      datasetId: 'ds-1',
      space: parseSearchSpace(SPACE),
      sampler: { kind: 'gp', seed: 7, startupTrials: 5 },
      pruner: { kind: 'median', minEpochs: 2, maxEpochs: 18, reductionFactor: 3 },
      objective: { metric: 'valLoss', direction: 'minimize' },
      maxTrials: 40,
      maxConcurrentTrials: 4,
      maxFailedTrials: 2,
      maxDurationMinutes: 90,
      trialAttempts: 3,
      trialTimeoutMinutes: 15,
      base: { patience: 0 },
      evaluator: { kind: 'training' },
    });
    expect(cli.stdout()).toContain('Started: hpo-sweep-1');
    expect(cli.stdout()).toContain('campaign id');
    expect(cli.stdout()).toContain('Follow: faultline hpo progress sweep-1 --follow');
  });

  it('--sampler nsga2 --objectives maps onto a multi-objective request; a bad objective names the flag', async () => {
    const cli = fakeCli();
    const argv = ['hpo', 'start', '--dataset', 'ds-1', '--id', 'mo-1', '--sampler', 'nsga2', '--population-size', '12', '--pruner', 'none'];
    expect(await cli.run([...argv, '--objectives', 'valAccuracy,inferenceMsPerWindow:min,parameterCount'])).toBe(0);
    const sent = cli.argsOf('startHpoCampaign')?.[0] as Record<string, unknown>;
    expect(sent.sampler).toEqual({ kind: 'nsga2', seed: 0, populationSize: 12 });
    expect(sent.objectives).toEqual([{ metric: 'valAccuracy' }, { metric: 'inferenceMsPerWindow', direction: 'minimize' }, { metric: 'parameterCount' }]);
    const bad = fakeCli();
    expect(await bad.run([...argv, '--objectives', 'valAccuracy:up,parameterCount'])).not.toBe(0);
    expect(bad.stderr()).toContain('each objective is metric or metric:max or metric:min (got "valAccuracy:up")');
    const unknown = fakeCli();
    expect(await unknown.run([...argv, '--objectives', 'valAccuracy,flops'])).not.toBe(0);
    expect(unknown.stderr()).toMatch(/objectives\.1\.metric/);
  });

  it('with only --dataset the id is derived (c-<hash>) and the defaults stay the contract’s', async () => {
    const cli = fakeCli();
    expect(await cli.run(['--json', 'hpo', 'start', '--dataset', 'ds-1', '--synthetic', 'branin'])).toBe(0);
    const sent = cli.argsOf('startHpoCampaign')?.[0] as { campaignId: string };
    expect(sent.campaignId).toMatch(/^c-[0-9a-f]{12}$/);
    expect(sent).toEqual(
      HpoCampaignInputSchema.parse({ campaignId: sent.campaignId, datasetId: 'ds-1', evaluator: { kind: 'synthetic', function: 'branin' } }),
    );
    const doc = JSON.parse(cli.stdout()) as Record<string, unknown>;
    expect(doc).toMatchObject({ kind: 'hpo', workflowId: expect.stringMatching(/^hpo-c-[0-9a-f]{12}$/), entityId: expect.stringMatching(/^c-[0-9a-f]{12}$/) });
    expect(cli.stderr()).toBe('');
  });

  it('--wait shows trials, running and best value, then the result with a parameter table', async () => {
    const cli = fakeCli({}, (uri) => (uri === REPORT_URI ? `/data/artifacts/sha256/cd/${REPORT_HEX}` : undefined));
    expect(await cli.run(['hpo', 'start', '--dataset', 'ds-1', '--wait'])).toBe(0);
    expect(cli.stderr()).toContain('[progress] searching  0.0%  0/20  running 2/4  pruned 3  failed 1  best -  rungs 12/4/1');
    expect(cli.stderr()).toContain('[progress] searching  100.0%  20/20  running 2/4  pruned 3  failed 1  best 0.9313 (trial 7)');
    const out = cli.stdout();
    expect(out).toContain('Campaign c-1  COMPLETED  (maximize valAccuracy)');
    expect(out).toContain('20: 9 completed, 10 pruned, 1 failed, 0 stopped');
    expect(out).toMatch(/learningRate\s+0\.003123/);
    expect(out).toContain(`report   /data/artifacts/sha256/cd/${REPORT_HEX}`);
  });
});

describe('faultline hpo start: bad values exit 2 naming the flag, before connecting', () => {
  const cases: [string, string[], RegExp][] = [
    ['unknown sampler', ['--sampler', 'bayes'], /sampler\.kind \(--sampler\): .*"bayes"/],
    ['unknown pruner', ['--pruner', 'hyperband'], /pruner\.kind \(--pruner\)/],
    ['eta below 2', ['--eta', '1'], /pruner\.reductionFactor \(--eta\): .*\(got 1\)/],
    ['min above max epochs', ['--min-epochs', '10', '--max-epochs', '3'], /pruner\.minEpochs \(--min-epochs\)/],
    ['unknown metric', ['--metric', 'f1'], /objective\.metric \(--metric\)/],
    ['bad direction', ['--direction', 'up'], /objective\.direction \(--direction\)/],
    ['zero trials', ['--max-trials', '0'], /maxTrials \(--max-trials\)/],
    ['fractional concurrency (refused by the flag parser)', ['--concurrency', '1.5'], /--concurrency <n>' argument '1\.5' is invalid/],
    ['negative minutes', ['--max-minutes', '-5'], /maxDurationMinutes \(--max-minutes\)/],
    ['unknown synthetic function', ['--synthetic', 'rosenbrock'], /evaluator\.function \(--synthetic\)/],
    ['bad space bound', ['--space', '{"lr": {"type": "float", "low": 1, "high": 0}}'], /space\.lr\.low \(--space\): must be < high \(got 1\)/],
  ];
  for (const [what, flags, message] of cases) {
    it(what, async () => {
      const cli = fakeCli();
      expect(await cli.run(['hpo', 'start', '--dataset', 'ds-1', ...flags])).toBe(2);
      expect(cli.stderr()).toMatch(message);
      expect(cli.sessions()).toBe(0);
    });
  }

  it('a bad space in a file names the parameter path in JSON mode too', async () => {
    const cli = fakeCli();
    const file = tempJson('space.json', { ...SPACE, momentum: { type: 'float', low: 0.5, high: 0.9, when: { param: 'optimiser', in: ['sgd'] } } });
    expect(await cli.run(['--json', 'hpo', 'start', '--dataset', 'ds-1', '--space', file])).toBe(2);
    const doc = JSON.parse(cli.stdout()) as { error: { type: string; issues: { path: string; value: unknown }[]; message: string } };
    expect(doc.error.type).toBe('invalid-input');
    expect(doc.error.issues).toEqual([expect.objectContaining({ path: 'space.momentum.when.param', value: 'optimiser' })]);
    expect(doc.error.message).toContain('(--space)');
    expect(cli.sessions()).toBe(0);
  });

  it('a missing --dataset is reported like any invalid field', async () => {
    const cli = fakeCli();
    expect(await cli.run(['hpo', 'start'])).toBe(2);
    expect(cli.stderr()).toContain('datasetId (--dataset)');
  });

  it('unreadable or non-object JSON is rejected by the flag parser', async () => {
    const missing = fakeCli();
    expect(await missing.run(['hpo', 'start', '--dataset', 'ds-1', '--space', '/no/such/space.json'])).toBe(2);
    expect(missing.stderr()).toContain("option '--space <file.json>' argument '/no/such/space.json' is invalid");
    const array = fakeCli();
    expect(await array.run(['hpo', 'start', '--dataset', 'ds-1', '--base', tempJson('base.json', [1, 2])])).toBe(2);
    expect(array.stderr()).toMatch(/--base <json>.*must be a JSON object .*an array/);
    const broken = fakeCli();
    expect(await broken.run(['--json', 'hpo', 'start', '--dataset', 'ds-1', '--base', '{"epochs": }'])).toBe(2);
    expect((JSON.parse(broken.stdout()) as { error: { message: string } }).error.message).toMatch(/--base <json>.*is not valid JSON/);
    expect(broken.sessions()).toBe(0);
  });

  it('a non-number names the option', async () => {
    const cli = fakeCli();
    expect(await cli.run(['hpo', 'start', '--dataset', 'ds-1', '--max-trials', 'many'])).toBe(2);
    expect(cli.stderr()).toContain("option '--max-trials <n>' argument 'many' is invalid");
  });
});

describe('faultline hpo progress | stop | cancel | update | result', () => {
  it('progress shows completed/total, running and the best value; --json gives the run with its progress', async () => {
    const cli = fakeCli();
    expect(await cli.run(['hpo', 'progress', 'c-1'])).toBe(0);
    expect(cli.argsOf('locateWorkflowId')).toEqual(['hpo', 'c-1']);
    expect(cli.stdout()).toContain('progress   searching  25.0%  5/20  running 2/4  pruned 3  failed 1  best 0.9313 (trial 7)  rungs 12/4/1');
    const json = fakeCli();
    expect(await json.run(['--json', 'hpo', 'progress', 'hpo-c-1'])).toBe(0);
    expect(JSON.parse(json.stdout())).toMatchObject({ workflowId: 'hpo-c-1', status: 'RUNNING', progress: { running: 2, best: { trial: 7 } } });
  });

  it('progress --follow ends with the summary', async () => {
    const cli = fakeCli();
    expect(await cli.run(['hpo', 'progress', 'c-1', '--follow'])).toBe(0);
    expect(cli.stderr()).toContain('20/20');
    expect(cli.stdout()).toContain('Campaign c-1  COMPLETED');
  });

  it('stop sends the stop signal with the reason; cancel requests cancellation', async () => {
    const cli = fakeCli();
    expect(await cli.run(['hpo', 'stop', 'c-1', '--reason', 'good enough'])).toBe(0);
    expect(cli.argsOf('stopRun')).toEqual(['hpo-c-1', 'good enough']);
    expect(cli.stdout()).toContain('Stop requested for hpo-c-1');
    expect(await cli.run(['hpo', 'cancel', 'hpo-c-1'])).toBe(0);
    expect(cli.argsOf('cancelRun')).toEqual(['hpo-c-1']);
    const json = fakeCli();
    expect(await json.run(['--json', 'hpo', 'stop', 'c-2'])).toBe(0);
    expect(JSON.parse(json.stdout())).toEqual({ workflowId: 'hpo-c-2', stopRequested: true });
  });

  it('update sends only the limits given and prints the limits in force', async () => {
    const cli = fakeCli();
    expect(await cli.run(['--json', 'hpo', 'update', 'c-1', '--max-trials', '30'])).toBe(0);
    expect(cli.argsOf('updateCampaign')).toEqual(['hpo-c-1', { maxTrials: 30 }]);
    expect(JSON.parse(cli.stdout())).toEqual({ workflowId: 'hpo-c-1', maxTrials: 30, maxConcurrentTrials: 2 });
    const both = fakeCli();
    expect(await both.run(['hpo', 'update', 'c-1', '--max-trials', '30', '--concurrency', '6'])).toBe(0);
    expect(both.argsOf('updateCampaign')).toEqual(['hpo-c-1', { maxTrials: 30, maxConcurrentTrials: 6 }]);
    expect(both.stdout()).toContain('maxTrials 30, maxConcurrentTrials 6');
  });

  it('update with nothing to change, or a bad value, exits 2 naming the flag, before connecting', async () => {
    const none = fakeCli();
    expect(await none.run(['hpo', 'update', 'c-1'])).toBe(2);
    expect(none.stderr()).toContain('give maxTrials and/or maxConcurrentTrials');
    const bad = fakeCli();
    expect(await bad.run(['hpo', 'update', 'c-1', '--concurrency', '0'])).toBe(2);
    expect(bad.stderr()).toMatch(/maxConcurrentTrials \(--concurrency\): .*\(got 0\)/);
    expect(none.sessions() + bad.sessions()).toBe(0);
  });

  it("an update the workflow rejects exits 2 with the workflow's reason", async () => {
    const rejected = UpdateRejectedError.from(
      'hpo-c-1',
      'updateCampaign',
      new WorkflowUpdateFailedError(
        'Workflow Update failed',
        ApplicationFailure.create({ message: 'maxTrials 3 is below the 5 trials already started', type: 'Error' }),
      ),
    );
    const cli = fakeCli({ updateCampaign: async () => Promise.reject(rejected) });
    expect(await cli.run(['--json', 'hpo', 'update', 'c-1', '--max-trials', '3'])).toBe(2);
    expect(JSON.parse(cli.stdout())).toEqual({
      error: expect.objectContaining({
        exitCode: 2,
        type: 'update-rejected',
        workflowId: 'hpo-c-1',
        message: expect.stringContaining('below the 5 trials already started'),
      }),
    });
  });

  it('result prints counts, best value and parameters, the report file when local, and the Web UI link', async () => {
    const local = `/data/artifacts/sha256/cd/${REPORT_HEX}`;
    const cli = fakeCli({}, (uri) => (uri === REPORT_URI ? local : undefined));
    expect(await cli.run(['hpo', 'result', 'c-1'])).toBe(0);
    const out = cli.stdout();
    expect(out).toContain('best     valAccuracy 0.9312  (trial 7, experiment c-1-t7-r2)');
    expect(out).toMatch(/parameter\s+value\n\s+learningRate\s+0\.003123\n\s+optimizer\s+adam\n\s+blocks\s+2/);
    expect(out).toContain(`report   ${local}`);
    expect(out).toContain('Web UI   http://127.0.0.1:8233/namespaces/default/workflows/hpo-c-1');
    const json = fakeCli({}, () => local);
    expect(await json.run(['--json', 'hpo', 'result', 'c-1'])).toBe(0);
    expect(JSON.parse(json.stdout())).toMatchObject({ workflowId: 'hpo-c-1', result: { best: { trial: 7 } }, reportUri: REPORT_URI, reportPath: local });
  });

  it('result names the report URI when this machine does not hold the file', async () => {
    const cli = fakeCli();
    expect(await cli.run(['hpo', 'result', 'c-1'])).toBe(0);
    expect(cli.stdout()).toContain(`report   ${REPORT_URI}  (not in this machine's artifact store; ARTIFACT_DIR)`);
  });
});

describe('hpo formatting', () => {
  it('a campaign with no finished trial and no report', () => {
    const text = formatHpoResult({ ...hpoResult, status: 'STOPPED', best: null, reportUri: undefined }, undefined);
    expect(text).toContain('Campaign c-1  STOPPED');
    expect(text).toContain('(no trial finished)');
    expect(text).not.toContain('report');
  });

  it('progress details are empty for a progress without campaign fields', () => {
    expect(hpoProgressDetails({ phase: 'registering', completed: 0, total: 20, fraction: 0 })).toBe('');
  });
});
