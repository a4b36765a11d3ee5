import { describe, expect, it } from 'vitest';
import { fakeCli as fakeWorkflowCli, startedRun, type ArtifactPath, type FakeWorkflow } from '../support/fake-cli.js';
import { prepareNasInput, type FaultlineApi, type StartNasRequest } from '../../client/api.js';
import { formatNasResult, frontTable, nasProgressDetails } from '../../client/cli/nas.js';
import { NasCampaignInputSchema, type NasCampaignResult, type NasCampaignUpdate, type NasPoint, type Progress } from '../../contracts/index.js';

const REPORT_HEX = 'ef'.padEnd(64, '3');
const REPORT_URI = `artifact:sha256/${REPORT_HEX}`;
const ARCH = {
  blocks: [
    { filters: 16, kernelSize: 7, stride: 2, batchNorm: true, pool: 'max', poolSize: 2 },
    { filters: 32, kernelSize: 5, dilation: 2, pool: 'none', residual: true },
  ],
  head: 'global-avg',
  denseUnits: 64,
  dropout: 0.25,
};

const best: NasPoint = { candidate: 7, valAccuracy: 0.931249, params: 12_345, latencyMs: 0.4123, score: 0.9, experimentId: 'n-1-cand-7' };
const small: NasPoint = { candidate: 3, valAccuracy: 0.88, params: 2_100, latencyMs: 0.2, score: 0.85 };
const nasProgress = (completed: number, b: NasPoint | null): Progress => ({
  phase: 'searching',
  completed,
  total: 20,
  fraction: completed / 20,
  running: 2,
  failed: 1,
  rejected: 3,
  duplicates: 1,
  population: 10,
  best: b,
  frontSize: 2,
  maxConcurrentCandidates: 4,
});
const nasResult: NasCampaignResult = {
  campaignId: 'n-1',
  status: 'COMPLETED',
  candidates: { total: 20, completed: 15, failed: 1, rejected: 3, duplicates: 1 },
  best,
  front: [best, small],
  reportUri: REPORT_URI,
};

const NAS_WORKFLOW: FakeWorkflow = {
  workflowId: 'nas-n-1',
  type: 'nasCampaignWorkflow',
  minutes: 10,
  progress: () => nasProgress(5, best),
  follow: () => [nasProgress(0, null), nasProgress(20, best)],
  result: () => structuredClone(nasResult),
  methods: (record) => ({
    // The fake runs the same preparation the real API does, so ids are the real derived ones.
    startNasCampaign: record('startNasCampaign', async (r: StartNasRequest) => {
      const id = prepareNasInput(r).campaignId;
      return startedRun(`nas-${id}`, id);
    }),
    updateNasCampaign: record('updateNasCampaign', async (_id: string, u: NasCampaignUpdate) => ({
      maxCandidates: u.maxCandidates ?? 20,
      maxConcurrentCandidates: u.maxConcurrentCandidates ?? 2,
    })),
    getNasCandidateArchitecture: record('getNasCandidateArchitecture', async () => ARCH),
  }),
};

/** The CLI over a recording fake API: no Temporal, no terminal. */
const fakeCli = (overrides?: Partial<FaultlineApi>, artifactPath?: ArtifactPath) => fakeWorkflowCli(NAS_WORKFLOW, overrides, artifactPath);

describe('faultline nas start', () => {
  it('maps every flag onto the NasCampaignRequest', async () => {
    const cli = fakeCli();
    const argv = ['nas', 'start', '--dataset', 'ds-1', '--id', 'evo-1', '--strategy', 'random', '--seed', '7', '--population', '12', '--sample', '4'];
    argv.push('--epochs', '2', '--max-params', '50000', '--max-macs', '900000', '--max-candidates', '40', '--concurrency', '3', '--max-failed', '5');
    argv.push('--max-minutes', '90', '--training', '{"learningRate": 0.002, "windowLength": 1024}');
    argv.push('--params-exponent', '-0.07', '--latency-exponent', '-0.1', '--target-params', '20000', '--target-latency-ms', '0.5');
    expect(await cli.run(argv)).toBe(0);
    // The API receives the prepared input: validated, defaults applied.
    expect(cli.argsOf('startNasCampaign')?.[0]).toEqual({
      campaignId: 'evo-1',
      datasetId: 'ds-1',
      strategy: { kind: 'random', seed: 7, populationSize: 12, sampleSize: 4 },
      limits: { maxParams: 50_000, maxMacs: 900_000, minOutputLength: 1 },
      epochs: 2,
      training: { learningRate: 0.002, windowLength: 1024 },
      scalarization: { targetParams: 20_000, paramsExponent: -0.07, targetLatencyMs: 0.5, latencyExponent: -0.1 },
      maxCandidates: 40,
      maxConcurrentCandidates: 3,
      maxFailedCandidates: 5,
      maxDurationMinutes: 90,
      candidateAttempts: 1,
      trialTimeoutMinutes: 60,
    });
    expect(cli.stdout()).toContain('Started: nas-evo-1');
    expect(cli.stdout()).toContain('Follow: faultline nas progress evo-1 --follow');
  });

  it('with only --dataset the id is derived (n-<hash>) and the defaults stay the contract’s', async () => {
    const cli = fakeCli();
    expect(await cli.run(['--json', 'nas', 'start', '--dataset', 'ds-1'])).toBe(0);
    const sent = cli.argsOf('startNasCampaign')?.[0] as { campaignId: string };
    expect(sent.campaignId).toMatch(/^n-[0-9a-f]{12}$/);
    expect(sent).toEqual(NasCampaignInputSchema.parse({ campaignId: sent.campaignId, datasetId: 'ds-1' }));
    expect(JSON.parse(cli.stdout())).toMatchObject({ kind: 'nas', workflowId: `nas-${sent.campaignId}`, entityId: sent.campaignId });
    expect(cli.stderr()).toBe('');
  });

  it('--wait shows candidates, rejections and the best, then the result with the front and the architecture', async () => {
    const cli = fakeCli({}, (uri) => (uri === REPORT_URI ? `/data/artifacts/sha256/ef/${REPORT_HEX}` : undefined));
    expect(await cli.run(['nas', 'start', '--dataset', 'ds-1', '--wait'])).toBe(0);
    expect(cli.stderr()).toContain('[progress] searching  0.0%  0/20  running 2/4  rejected 3  duplicates 1  failed 1  population 10  front 2  best -');
    expect(cli.stderr()).toContain('best 0.9312 (#7, 12.3k params, 0.4123 ms)');
    const out = cli.stdout();
    expect(out).toContain('NAS campaign n-1  COMPLETED');
    expect(out).toContain('block 1  conv 16×7  /2');
    expect(out).toContain(`report      /data/artifacts/sha256/ef/${REPORT_HEX}`);
  });
});

describe('faultline nas start: bad values exit 2 naming the flag, before connecting', () => {
  const cases: [string, string[], RegExp][] = [
    ['unknown strategy', ['--strategy', 'darts'], /strategy\.kind \(--strategy\): .*"darts"/],
    ['zero population', ['--population', '0'], /strategy\.populationSize \(--population\): .*\(got 0\)/],
    ['negative seed', ['--seed', '-1'], /strategy\.seed \(--seed\)/],
    ['fractional epochs (refused by the flag parser)', ['--epochs', '1.5'], /--epochs <n>' argument '1\.5' is invalid/],
    ['zero params cap', ['--max-params', '0'], /limits\.maxParams \(--max-params\)/],
    ['zero macs cap', ['--max-macs', '0'], /limits\.maxMacs \(--max-macs\)/],
    ['zero candidates', ['--max-candidates', '0'], /maxCandidates \(--max-candidates\)/],
    ['too much concurrency', ['--concurrency', '500'], /maxConcurrentCandidates \(--concurrency\)/],
    ['negative failures', ['--max-failed', '-1'], /maxFailedCandidates \(--max-failed\)/],
    ['negative minutes', ['--max-minutes', '-5'], /maxDurationMinutes \(--max-minutes\)/],
    ['positive params exponent', ['--params-exponent', '0.5'], /scalarization\.paramsExponent \(--params-exponent\)/],
    ['positive latency exponent', ['--latency-exponent', '1'], /scalarization\.latencyExponent \(--latency-exponent\)/],
    ['zero target params', ['--target-params', '0'], /scalarization\.targetParams \(--target-params\)/],
    ['zero target latency', ['--target-latency-ms', '0'], /scalarization\.targetLatencyMs \(--target-latency-ms\)/],
    ['bad training field', ['--training', '{"patience": -1}'], /training\.patience \(--training\)/],
    [
      'architecture in training',
      ['--training', '{"architecture": {"blocks": []}}'],
      /training\.architecture \(--training\): the architecture comes from the search/,
    ],
  ];
  for (const [what, flags, message] of cases) {
    it(what, async () => {
      const cli = fakeCli();
      expect(await cli.run(['nas', 'start', '--dataset', 'ds-1', ...flags])).toBe(2);
      expect(cli.stderr()).toMatch(message);
      expect(cli.sessions()).toBe(0);
    });
  }

  it('a missing --dataset is reported like any invalid field, in JSON mode too', async () => {
    const cli = fakeCli();
    expect(await cli.run(['--json', 'nas', 'start'])).toBe(2);
    const doc = JSON.parse(cli.stdout()) as { error: { type: string; message: string } };
    expect(doc.error.type).toBe('invalid-input');
    expect(doc.error.message).toContain('datasetId (--dataset)');
    expect(cli.sessions()).toBe(0);
  });

  it('a non-number or unreadable JSON names the option', async () => {
    const cli = fakeCli();
    expect(await cli.run(['nas', 'start', '--dataset', 'ds-1', '--max-candidates', 'many'])).toBe(2);
    expect(cli.stderr()).toContain("option '--max-candidates <n>' argument 'many' is invalid");
    const file = fakeCli();
    expect(await file.run(['nas', 'start', '--dataset', 'ds-1', '--training', '/no/such/training.json'])).toBe(2);
    expect(file.stderr()).toContain("option '--training <json>' argument '/no/such/training.json' is invalid");
  });
});

describe('faultline nas progress | stop | cancel | update | result', () => {
  it('progress shows running, rejected, population, front and best; --json gives the run', async () => {
    const cli = fakeCli();
    expect(await cli.run(['nas', 'progress', 'n-1'])).toBe(0);
    expect(cli.argsOf('locateWorkflowId')).toEqual(['nas', 'n-1']);
    expect(cli.stdout()).toContain(
      'progress   searching  25.0%  5/20  running 2/4  rejected 3  duplicates 1  failed 1  population 10  front 2  best 0.9312 (#7',
    );
    const json = fakeCli();
    expect(await json.run(['--json', 'nas', 'progress', 'nas-n-1'])).toBe(0);
    expect(JSON.parse(json.stdout())).toMatchObject({ workflowId: 'nas-n-1', status: 'RUNNING', progress: { population: 10, best: { candidate: 7 } } });
  });

  it('stop sends the stop signal with the reason; cancel requests cancellation', async () => {
    const cli = fakeCli();
    expect(await cli.run(['nas', 'stop', 'n-1', '--reason', 'good enough'])).toBe(0);
    expect(cli.argsOf('stopRun')).toEqual(['nas-n-1', 'good enough']);
    expect(cli.stdout()).toContain('Stop requested for nas-n-1');
    expect(await cli.run(['nas', 'cancel', 'nas-n-1'])).toBe(0);
    expect(cli.argsOf('cancelRun')).toEqual(['nas-n-1']);
  });

  it('update sends only the limits given and prints the limits in force', async () => {
    const cli = fakeCli();
    expect(await cli.run(['--json', 'nas', 'update', 'n-1', '--max-candidates', '30'])).toBe(0);
    expect(cli.argsOf('updateNasCampaign')).toEqual(['nas-n-1', { maxCandidates: 30 }]);
    expect(JSON.parse(cli.stdout())).toEqual({ workflowId: 'nas-n-1', maxCandidates: 30, maxConcurrentCandidates: 2 });
    const both = fakeCli();
    expect(await both.run(['nas', 'update', 'n-1', '--max-candidates', '30', '--concurrency', '6'])).toBe(0);
    expect(both.stdout()).toContain('maxCandidates 30, maxConcurrentCandidates 6');
  });

  it('update with nothing to change, or a bad value, exits 2 naming the flag, before connecting', async () => {
    const none = fakeCli();
    expect(await none.run(['nas', 'update', 'n-1'])).toBe(2);
    expect(none.stderr()).toContain('give maxCandidates and/or maxConcurrentCandidates');
    const bad = fakeCli();
    expect(await bad.run(['nas', 'update', 'n-1', '--concurrency', '0'])).toBe(2);
    expect(bad.stderr()).toMatch(/maxConcurrentCandidates \(--concurrency\)/);
    expect(bad.sessions()).toBe(0);
  });

  it('result prints counts, the best, the front as a table, the architecture as a layer list, report and Web UI', async () => {
    const local = `/data/artifacts/sha256/ef/${REPORT_HEX}`;
    const cli = fakeCli({}, (uri) => (uri === REPORT_URI ? local : undefined));
    expect(await cli.run(['nas', 'result', 'n-1'])).toBe(0);
    expect(cli.argsOf('getNasCandidateArchitecture')).toEqual(['n-1', 7, 'n-1-cand-7']);
    const out = cli.stdout();
    expect(out).toContain('candidates  20: 15 trained, 1 duplicates, 3 rejected, 1 failed');
    expect(out).toContain('best        #7: accuracy 0.9312, 12,345 params, 0.4123 ms/window, score 0.9  (experiment n-1-cand-7)');
    expect(out).toMatch(/#\s+accuracy\s+params\s+latency ms\s+score\n\s+7\*\s+0\.9312\s+12,345\s+0\.4123\s+0\.9\n\s+3\s+0\.88\s+2,100\s+0\.2\s+0\.85/);
    expect(out).toContain('Best architecture (candidate #7)');
    expect(out).toMatch(/block 1 {2}conv 16×7 {2}\/2 {2}dilation 1 {2}BN {2}max-pool 2\n/);
    expect(out).toMatch(/block 2 {2}conv 32×5 {2}\/1 {2}dilation 2 {2}-- {2}no pool {5}residual\n/);
    expect(out).toContain('head     global-avg → dense 64 → dropout 0.25 → softmax');
    expect(out).toContain(`report      ${local}`);
    expect(out).toContain('Web UI      http://127.0.0.1:8233/namespaces/default/workflows/nas-n-1');
    const json = fakeCli({}, () => local);
    expect(await json.run(['--json', 'nas', 'result', 'n-1'])).toBe(0);
    expect(JSON.parse(json.stdout())).toMatchObject({ workflowId: 'nas-n-1', result: { best: { candidate: 7 } }, reportPath: local, bestArchitecture: ARCH });
  });

  it('result uses an architecture carried by the result itself, and still prints when none can be found', async () => {
    const inline = fakeCli({ getResult: (async () => ({ ...nasResult, best: { ...best, genome: ARCH } })) as FaultlineApi['getResult'] });
    expect(await inline.run(['nas', 'result', 'n-1'])).toBe(0);
    expect(inline.argsOf('getNasCandidateArchitecture')).toBeUndefined();
    expect(inline.stdout()).toContain('block 2  conv 32×5');
    const gone = fakeCli({
      getNasCandidateArchitecture: async () => {
        throw new Error('history gone');
      },
    });
    expect(await gone.run(['nas', 'result', 'n-1'])).toBe(0);
    expect(gone.stdout()).toContain('(not available: see the report)');
  });
});

describe('nas formatting', () => {
  it('a campaign with no trained candidate and no report', () => {
    const text = formatNasResult({ ...nasResult, status: 'STOPPED', best: null, front: [], reportUri: undefined }, undefined);
    expect(text).toContain('NAS campaign n-1  STOPPED');
    expect(text).toContain('(no candidate trained)');
    expect(text).toContain('(empty: no candidate trained)');
    expect(text).not.toContain('report');
    expect(text).not.toContain('Best architecture');
  });

  it('front table stars the best; progress details are empty without campaign fields', () => {
    expect(frontTable([small], best)).not.toContain('*');
    expect(nasProgressDetails({ phase: 'registering', completed: 0, total: 20, fraction: 0 })).toBe('');
  });
});
