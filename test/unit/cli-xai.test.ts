import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeCli as fakeWorkflowCli, startedRun, type ArtifactPath, type FakeWorkflow } from '../support/fake-cli.js';
import { prepareXaiInput, type FaultlineApi, type StartXaiRequest } from '../../client/api.js';
import { formatXaiResult, parseMethods, xaiProgressDetails } from '../../client/cli/xai.js';
import { ExplainSignalsInputSchema, type ExplainSignalsResult, type Progress } from '../../contracts/index.js';

const SVG_HEX = 'ab'.padEnd(64, '7');
const SVG_URI = `artifact:sha256/${SVG_HEX}`;
const SVG_PATH = `/data/artifacts/sha256/ab/${SVG_HEX}`;
const JSON_URI = `artifact:sha256/${'cd'.padEnd(64, '1')}`;

const failures = [
  { signal: 'cwru-demo:17', reason: 'signal cwru-demo:17 not found' },
  { signal: 'cwru-demo:40', reason: 'corrupt samples: NaN at 512' },
];
const xaiProgress = (completed: number, failed = 0): Progress => ({
  phase: 'explaining',
  completed,
  total: 40,
  fraction: completed / 40,
  batchId: 'x-1',
  modelId: 'exp-1',
  methods: ['integrated-gradients', 'grad-cam'],
  running: 3,
  succeeded: completed - failed,
  failed,
  reused: 1,
  maxInFlight: 8,
  maxFailedSignals: 4,
  failures: failures.slice(0, failed),
});
const xaiResult: ExplainSignalsResult = {
  batchId: 'x-1',
  status: 'COMPLETED',
  total: 40,
  completed: 38,
  failed: 2,
  failures,
  summaryUri: SVG_URI,
  summaryJsonUri: JSON_URI,
  faithfulnessByMethod: { 'integrated-gradients': 0.123456, 'grad-cam': -0.0213 },
};

const XAI_WORKFLOW: FakeWorkflow = {
  workflowId: 'xai-x-1',
  type: 'explainSignalsWorkflow',
  minutes: 3,
  progress: () => xaiProgress(12, 2),
  follow: () => [xaiProgress(0), xaiProgress(40, 2)],
  result: () => structuredClone(xaiResult),
  methods: (record) => ({
    // The fake runs the same preparation the real API does, so ids are the real derived ones.
    startXaiBatch: record('startXaiBatch', async (r: StartXaiRequest) => {
      const id = prepareXaiInput(r).batchId;
      return startedRun(`xai-${id}`, id);
    }),
  }),
};

/** The CLI over a recording fake API: no Temporal, no terminal. */
const fakeCli = (overrides?: Partial<FaultlineApi>, artifactPath?: ArtifactPath) => fakeWorkflowCli(XAI_WORKFLOW, overrides, artifactPath);

const sent = (cli: ReturnType<typeof fakeCli>) => cli.argsOf('startXaiBatch')?.[0] as ReturnType<typeof prepareXaiInput>;

describe('faultline xai start', () => {
  it('maps the selection by ids, the methods with their options and the batch settings onto the request', async () => {
    const cli = fakeCli();
    const argv = [
      'xai',
      'start',
      '--model',
      'exp-1',
      '--signals',
      'cwru-demo:3,cwru-demo:17',
      '--methods',
      'integrated-gradients,grad-cam,occlusion,kernel-shap',
    ];
    argv.push('--ig-steps', '32', '--ig-baseline', 'mean', '--gradcam-layer', 'conv1d_2', '--occlusion-window', '256', '--occlusion-stride', '128');
    argv.push(
      '--shap-segments',
      '8',
      '--shap-samples',
      '200',
      '--shap-background-size',
      '4',
      '--shap-background-dataset',
      'ds-ref',
      '--shap-background-labels',
      'normal',
    );
    argv.push('--windows-per-signal', '3', '--target', 'label', '--max-in-flight', '4', '--max-failed', '1', '--seed', '7', '--batch-id', 'ball-check-1');
    expect(await cli.run(argv)).toBe(0);
    // The API receives the prepared input: validated, defaults applied.
    expect(sent(cli)).toEqual(
      ExplainSignalsInputSchema.parse({
        batchId: 'ball-check-1',
        modelId: 'exp-1',
        selection: { kind: 'ids', ids: ['cwru-demo:3', 'cwru-demo:17'] },
        methods: {
          'integrated-gradients': { steps: 32, baseline: 'mean' },
          'grad-cam': { layer: 'conv1d_2' },
          occlusion: { window: 256, stride: 128 },
          'kernel-shap': { segments: 8, samples: 200, background: { size: 4, datasetId: 'ds-ref', labels: ['normal'] } },
        },
        windowsPerSignal: 3,
        target: 'label',
        maxInFlight: 4,
        maxFailedSignals: 1,
        seed: 7,
      }),
    );
    expect(cli.stdout()).toContain('Started: xai-ball-check-1');
    expect(cli.stdout()).toContain('Follow: faultline xai progress ball-check-1 --follow');
  });

  it('a dataset selection with labels, range and limit; the id is derived (x-<hash>) and the defaults stay the contract’s', async () => {
    const cli = fakeCli();
    const argv = [
      '--json',
      'xai',
      'start',
      '--model',
      'exp-1',
      '--dataset',
      'cwru-demo',
      '--labels',
      'normal,ball',
      '--from',
      '10',
      '--to',
      '90',
      '--limit',
      '25',
      '--methods',
      'ig',
    ];
    expect(await cli.run(argv)).toBe(0);
    const input = sent(cli);
    expect(input.batchId).toMatch(/^x-[0-9a-f]{12}$/);
    expect(input).toEqual(
      ExplainSignalsInputSchema.parse({
        batchId: input.batchId,
        modelId: 'exp-1',
        selection: { kind: 'dataset', datasetId: 'cwru-demo', labels: ['normal', 'ball'], fromIndex: 10, toIndex: 90, limit: 25 },
        methods: { 'integrated-gradients': {} },
      }),
    );
    expect(JSON.parse(cli.stdout())).toMatchObject({ kind: 'xai', workflowId: `xai-${input.batchId}`, entityId: input.batchId });
    expect(cli.stderr()).toBe('');
  });

  it('accepts the short method names in any case, and --json after the subcommand', async () => {
    expect(parseMethods('ig,GradCAM,grad-cam,occlusion,shap,kernel-shap')).toEqual(['integrated-gradients', 'grad-cam', 'occlusion', 'kernel-shap']);
    const cli = fakeCli();
    expect(await cli.run(['xai', 'start', '--model', 'exp-1', '--dataset', 'cwru-demo', '--methods', 'shap,gradcam', '--json'])).toBe(0);
    expect(Object.keys(sent(cli).methods).sort()).toEqual(['grad-cam', 'kernel-shap']);
    expect(JSON.parse(cli.stdout())).toMatchObject({ kind: 'xai' });
  });

  it('takes a whole request from --request (file or inline); flags override its fields', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'xai-cli-')), 'request.json');
    const request = {
      modelId: 'exp-1',
      selection: { kind: 'ids', ids: ['cwru-demo:1'] },
      methods: { occlusion: { window: 64 } },
      faithfulness: { steps: 32 },
      maxInFlight: 2,
    };
    writeFileSync(file, JSON.stringify(request));
    const cli = fakeCli();
    expect(await cli.run(['xai', 'start', '--request', file, '--occlusion-stride', '16', '--max-in-flight', '6'])).toBe(0);
    expect(sent(cli)).toMatchObject({
      modelId: 'exp-1',
      selection: { kind: 'ids', ids: ['cwru-demo:1'] },
      methods: { occlusion: { window: 64, stride: 16, baseline: 'zeros' } },
      faithfulness: { steps: 32, randomOrders: 8 },
      maxInFlight: 6,
    });
    const inline = fakeCli();
    expect(await inline.run(['xai', 'start', '--request', JSON.stringify(request), '--dataset', 'cwru-demo', '--methods', 'ig'])).toBe(0);
    expect(sent(inline)).toMatchObject({ selection: { kind: 'dataset', datasetId: 'cwru-demo' }, methods: { 'integrated-gradients': { steps: 64 } } });
    expect(sent(inline).methods.occlusion).toBeUndefined();
  });

  it('--wait shows succeeded/failed/running live, then the result', async () => {
    const cli = fakeCli({}, (uri) => (uri === SVG_URI ? SVG_PATH : undefined));
    expect(await cli.run(['xai', 'start', '--model', 'exp-1', '--dataset', 'cwru-demo', '--methods', 'ig', '--wait'])).toBe(0);
    expect(cli.stderr()).toContain('[progress] explaining  0.0%  0/40  running 3/8  succeeded 0  failed 0 (max 4)  reused 1');
    expect(cli.stderr()).toContain('explaining  100.0%  40/40  running 3/8  succeeded 38  failed 2 (max 4)');
    const out = cli.stdout();
    expect(out).toContain('XAI batch x-1  COMPLETED');
    expect(out).toContain(`summary       ${SVG_PATH}`);
  });
});

describe('faultline xai start: bad values exit 2 naming the flag and the value, before connecting', () => {
  const start = ['xai', 'start', '--model', 'exp-1'];
  const cases: [string, string[], RegExp][] = [
    ['unknown method', ['--dataset', 'd', '--methods', 'ig,lime'], /option '--methods <list>' argument 'ig,lime' is invalid\. unknown method "lime"/],
    [
      'bad signal reference',
      ['--signals', 'cwru-demo:3,CWRU:x', '--methods', 'ig'],
      /selection\.ids\.1 \(--signals\): must be "<datasetId>:<index>".*\(got "CWRU:x"\)/,
    ],
    [
      'both selections',
      ['--signals', 'a:1', '--labels', 'ball', '--methods', 'ig'],
      /selection \(--signals \| --dataset\): give either --signals or --dataset/,
    ],
    ['no selection', ['--methods', 'ig'], /selection \(--signals \| --dataset\)/],
    ['dataset filter without a dataset', ['--limit', '5', '--methods', 'ig'], /selection\.datasetId \(--dataset\)/],
    ['no method', ['--dataset', 'd'], /methods \(--methods\)/],
    [
      'option of a method not run',
      ['--dataset', 'd', '--methods', 'ig', '--shap-samples', '50'],
      /methods\.kernel-shap\.samples \(--shap-samples\): kernel-shap is not among the methods run.*\(got 50\)/,
    ],
    ['zero max-in-flight', ['--dataset', 'd', '--methods', 'ig', '--max-in-flight', '0'], /maxInFlight \(--max-in-flight\): .*\(got 0\)/],
    [
      'unknown baseline',
      ['--dataset', 'd', '--methods', 'ig', '--ig-baseline', 'noise'],
      /methods\.integrated-gradients\.baseline \(--ig-baseline\): .*"noise"/,
    ],
    ['unknown label', ['--dataset', 'd', '--labels', 'cracked', '--methods', 'ig'], /selection\.labels\.0 \(--labels\): .*"cracked"/],
    ['empty range', ['--dataset', 'd', '--from', '9', '--to', '9', '--methods', 'ig'], /selection\.toIndex \(--to\): fromIndex must be < toIndex/],
    ['unknown target', ['--dataset', 'd', '--methods', 'ig', '--target', 'truth'], /target \(--target\): .*"truth"/],
    ['one SHAP segment', ['--dataset', 'd', '--methods', 'shap', '--shap-segments', '1'], /methods\.kernel-shap\.segments \(--shap-segments\)/],
  ];
  for (const [what, flags, message] of cases) {
    it(what, async () => {
      const cli = fakeCli();
      expect(await cli.run([...start, ...flags])).toBe(2);
      expect(cli.stderr()).toMatch(message);
      expect(cli.sessions()).toBe(0);
    });
  }

  it('in JSON mode the error is one document', async () => {
    const cli = fakeCli();
    expect(await cli.run(['--json', 'xai', 'start', '--model', 'exp-1', '--dataset', 'd', '--methods', 'lime'])).toBe(2);
    const doc = JSON.parse(cli.stdout()) as { error: { type: string; message: string } };
    expect(doc.error.type).toBe('usage');
    expect(doc.error.message).toContain('unknown method "lime"');
    const bad = fakeCli();
    expect(await bad.run(['--json', 'xai', 'start', '--dataset', 'd', '--methods', 'ig'])).toBe(2);
    expect(JSON.parse(bad.stdout())).toMatchObject({ error: { type: 'invalid-input', issues: [{ path: 'modelId' }] } });
  });
});

describe('faultline xai progress | stop | cancel | result', () => {
  it('progress shows succeeded, failed, running and the last failures; --json gives the run', async () => {
    const cli = fakeCli();
    expect(await cli.run(['xai', 'progress', 'x-1'])).toBe(0);
    expect(cli.argsOf('locateWorkflowId')).toEqual(['xai', 'x-1']);
    const out = cli.stdout();
    expect(out).toContain('progress   explaining  30.0%  12/40  running 3/8  succeeded 10  failed 2 (max 4)  reused 1');
    expect(out).toContain('  last failures\n    cwru-demo:17: signal cwru-demo:17 not found\n    cwru-demo:40: corrupt samples: NaN at 512');
    const json = fakeCli();
    expect(await json.run(['--json', 'xai', 'progress', 'xai-x-1'])).toBe(0);
    expect(JSON.parse(json.stdout())).toMatchObject({
      workflowId: 'xai-x-1',
      status: 'RUNNING',
      progress: { succeeded: 10, failed: 2, failures },
      webUiUrl: expect.any(String),
    });
  });

  it('progress --follow shows the bar, then the run and the result', async () => {
    const cli = fakeCli();
    expect(await cli.run(['xai', 'progress', 'x-1', '--follow'])).toBe(0);
    expect(cli.stderr()).toContain('succeeded 38  failed 2 (max 4)');
    expect(cli.stdout()).toContain('XAI batch x-1  COMPLETED');
  });

  it('stop sends the stop signal with the reason; cancel requests cancellation', async () => {
    const cli = fakeCli();
    expect(await cli.run(['xai', 'stop', 'x-1', '--reason', 'enough examples'])).toBe(0);
    expect(cli.argsOf('stopRun')).toEqual(['xai-x-1', 'enough examples']);
    expect(cli.stdout()).toContain('Stop requested for xai-x-1: signals being explained finish, no new ones start.');
    const json = fakeCli();
    expect(await json.run(['--json', 'xai', 'stop', 'x-1'])).toBe(0);
    expect(JSON.parse(json.stdout())).toEqual({ workflowId: 'xai-x-1', stopRequested: true });
    expect(await cli.run(['xai', 'cancel', 'xai-x-1'])).toBe(0);
    expect(cli.argsOf('cancelRun')).toEqual(['xai-x-1']);
    expect(cli.stdout()).toContain('Cancellation requested for xai-x-1');
  });

  it('result prints the counts, each failure as signal: reason, mean faithfulness per method and the summary file', async () => {
    const cli = fakeCli({}, (uri) => (uri === SVG_URI ? SVG_PATH : undefined));
    expect(await cli.run(['xai', 'result', 'x-1'])).toBe(0);
    expect(cli.argsOf('getResult')).toEqual(['xai-x-1']);
    const out = cli.stdout();
    expect(out).toContain('XAI batch x-1  COMPLETED');
    expect(out).toContain('signals       40: 38 explained, 2 failed');
    expect(out).toContain(`summary       ${SVG_PATH}`);
    expect(out).toContain(`summary data  ${JSON_URI}  (not in this machine's artifact store; ARTIFACT_DIR)`);
    expect(out).toContain('Web UI        http://127.0.0.1:8233/namespaces/default/workflows/xai-x-1');
    expect(out).toMatch(/Mean faithfulness per method.*\n {2}integrated-gradients {2}0\.1235\n {2}grad-cam {14}-0\.0213/);
    expect(out).toContain('Failures (2)\n  cwru-demo:17: signal cwru-demo:17 not found\n  cwru-demo:40: corrupt samples: NaN at 512');
  });

  it('result --json prints the raw result with the local summary path', async () => {
    const cli = fakeCli({}, (uri) => (uri === SVG_URI ? SVG_PATH : undefined));
    expect(await cli.run(['--json', 'xai', 'result', 'x-1'])).toBe(0);
    expect(JSON.parse(cli.stdout())).toEqual({
      workflowId: 'xai-x-1',
      runId: 'run-1',
      status: 'COMPLETED',
      webUiUrl: 'http://127.0.0.1:8233/namespaces/default/workflows/xai-x-1',
      result: xaiResult,
      summaryUri: SVG_URI,
      summaryPath: SVG_PATH,
      summaryJsonUri: JSON_URI,
    });
  });
});

describe('xai formatting', () => {
  it('a stopped batch with nothing explained, and more failures than the result keeps', () => {
    const text = formatXaiResult(
      { ...xaiResult, status: 'STOPPED', total: 100, completed: 0, failed: 30, summaryUri: null, summaryJsonUri: null, faithfulnessByMethod: {} },
      undefined,
    );
    expect(text).toContain('XAI batch x-1  STOPPED');
    expect(text).toContain('signals       100: 0 explained, 30 failed, 70 not started');
    expect(text).toContain('summary       (none: no signal explained)');
    expect(text).not.toContain('Mean faithfulness');
    expect(text).toContain('Failures (first 2 of 30; all are rows of xai_explanations)');
  });

  it('progress details are empty without batch fields', () => {
    expect(xaiProgressDetails({ phase: 'registering', completed: 0, total: 0, fraction: 0 })).toBe('');
  });
});
