import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileArtifactStore } from '../../artifacts/index.js';
import { evaluationFiles } from '../../client/cli/eval.js';
import type { EvaluateRocResult, ExplainSignalsResult, HpoCampaignResult, Progress } from '../../contracts/index.js';
import { fakeCli, type FakeWorkflow } from '../support/fake-cli.js';

const done: Progress = { phase: 'completed', completed: 1, total: 1, fraction: 1 };

let dir: string;
let store: FileArtifactStore;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'faultline-cli-artifacts-'));
  store = new FileArtifactStore(path.join(dir, 'store'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** fakeCli whose session has `store` as its artifact store (what `result --out` reads). */
function cliWithStore(workflow: FakeWorkflow) {
  const cli = fakeCli(workflow);
  const open = cli.deps.openSession;
  cli.deps.openSession = async (o) => ({ ...(await open(o)), artifactStore: () => store });
  cli.deps.openArtifactStore = () => ({ store, where: store.dir });
  return cli;
}

const put = async (text: string, mediaType: string) => (await store.put(new TextEncoder().encode(text), { kind: 'report', mediaType })).uri;

describe('result --out <folder>', () => {
  it('hpo: writes the report as report.html and lists it in the JSON document', async () => {
    const reportUri = await put('<html>campaign report</html>', 'text/html');
    const result: HpoCampaignResult = {
      campaignId: 'c-1',
      status: 'COMPLETED',
      direction: 'maximize',
      metric: 'valAccuracy',
      trials: { total: 2, completed: 2, pruned: 0, failed: 0, stopped: 0 },
      best: { trial: 1, value: 0.9, params: { lr: 0.01 } },
      reportUri,
    };
    const workflow: FakeWorkflow = {
      workflowId: 'hpo-c-1',
      type: 'hpoCampaignWorkflow',
      minutes: 1,
      progress: () => done,
      follow: () => [done],
      result: () => result,
    };
    const folder = path.join(dir, 'out', 'c-1');

    const cli = cliWithStore(workflow);
    expect(await cli.run(['hpo', 'result', 'c-1', '--out', folder])).toBe(0);
    expect(readFileSync(path.join(folder, 'report.html'), 'utf8')).toBe('<html>campaign report</html>');
    expect(cli.stdout()).toContain(`Wrote 1 file:\n  ${path.join(folder, 'report.html')}  (28 bytes)`);

    // Again: refused without --force (nothing replaced), done with it.
    const again = cliWithStore(workflow);
    expect(await again.run(['--json', 'hpo', 'result', 'c-1', '--out', folder])).toBe(2);
    expect(JSON.parse(again.stdout())).toMatchObject({ error: { type: 'output-exists', message: expect.stringContaining('report.html already exists') } });
    const forced = cliWithStore(workflow);
    expect(await forced.run(['--json', 'hpo', 'result', 'c-1', '--out', folder, '--force'])).toBe(0);
    expect(JSON.parse(forced.stdout()).files).toEqual([{ name: 'report.html', uri: reportUri, path: path.join(folder, 'report.html'), bytes: 28 }]);
    expect(readdirSync(folder)).toEqual(['report.html']);
  });

  it('xai: writes summary.svg and summary.json; a batch with nothing explained writes nothing and says so', async () => {
    const summaryUri = await put('<svg/>', 'image/svg+xml');
    const summaryJsonUri = await put('{"classes":[]}', 'application/json');
    const base: ExplainSignalsResult = {
      batchId: 'b-1',
      status: 'COMPLETED',
      total: 1,
      completed: 1,
      failed: 0,
      summaryUri,
      summaryJsonUri,
      faithfulnessByMethod: {},
      failures: [],
    } as unknown as ExplainSignalsResult;
    const wf = (r: ExplainSignalsResult): FakeWorkflow => ({
      workflowId: 'xai-b-1',
      type: 'explainSignalsWorkflow',
      minutes: 1,
      progress: () => done,
      follow: () => [done],
      result: () => r,
    });
    const folder = path.join(dir, 'xai');
    expect(await cliWithStore(wf(base)).run(['xai', 'result', 'b-1', '--out', folder])).toBe(0);
    expect(readdirSync(folder).sort()).toEqual(['summary.json', 'summary.svg']);
    expect(readFileSync(path.join(folder, 'summary.svg'), 'utf8')).toBe('<svg/>');

    const empty = cliWithStore(wf({ ...base, completed: 0, failed: 1, summaryUri: null, summaryJsonUri: null }));
    expect(await empty.run(['xai', 'result', 'b-1', '--out', path.join(dir, 'empty')])).toBe(0);
    expect(empty.stdout()).toContain('this result has no pictures or reports');
  });

  it('eval: the picture, the JSON result and each experiment page get names with extensions', () => {
    const r = {
      kind: 'roc',
      pictureUri: 'artifact:sha256/a',
      resultUri: 'artifact:sha256/b',
      pageUris: { 'exp/1': 'artifact:sha256/c' },
    } as unknown as EvaluateRocResult;
    expect(evaluationFiles(r)).toEqual([
      { name: 'roc.svg', uri: 'artifact:sha256/a' },
      { name: 'roc.json', uri: 'artifact:sha256/b' },
      { name: 'experiment-exp_1.html', uri: 'artifact:sha256/c' },
    ]);
  });
});

describe('faultline artifact get | put', () => {
  const none: FakeWorkflow = { workflowId: 'x', type: 'x', minutes: 1, progress: () => done, follow: () => [done], result: () => null };

  it('put stores a file and prints its URI; get --out copies it back, checked by hash', async () => {
    const src = path.join(dir, 'page.svg');
    writeFileSync(src, '<svg>bearing</svg>');
    const putCli = cliWithStore(none);
    expect(await putCli.run(['--json', 'artifact', 'put', src])).toBe(0);
    const stored = JSON.parse(putCli.stdout()) as { uri: string; bytes: number; store: string };
    expect(stored).toMatchObject({ uri: expect.stringMatching(/^artifact:sha256\/[0-9a-f]{64}$/), bytes: 18, store: store.dir });

    const out = path.join(dir, 'copy', 'page.svg');
    const getCli = cliWithStore(none);
    expect(await getCli.run(['artifact', 'get', stored.uri, '--out', out])).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('<svg>bearing</svg>');
    expect(getCli.stdout()).toContain(`Wrote ${out} (18 bytes) from ${stored.uri}`);
    expect(putCli.sessions() + getCli.sessions()).toBe(0); // no Temporal needed
  });

  it('names a missing artifact, a malformed URI, a missing --out and a file that is not there', async () => {
    const missing = cliWithStore(none);
    expect(await missing.run(['--json', 'artifact', 'get', `artifact:sha256/${'e'.repeat(64)}`, '--out', path.join(dir, 'x')])).toBe(2);
    expect(JSON.parse(missing.stdout()).error).toMatchObject({
      type: 'not-found',
      message: expect.stringContaining(`artifact:sha256/${'e'.repeat(64)} not found`),
    });

    const malformed = cliWithStore(none);
    expect(await malformed.run(['--json', 'artifact', 'get', 'report.html', '--out', path.join(dir, 'x')])).toBe(2);
    expect(JSON.parse(malformed.stdout()).error.message).toContain('malformed artifact URI "report.html"');

    const noOut = cliWithStore(none);
    expect(await noOut.run(['artifact', 'get', `artifact:sha256/${'e'.repeat(64)}`])).toBe(2);
    expect(noOut.stderr()).toContain("required option '--out <file>' not specified");

    const nofile = cliWithStore(none);
    expect(await nofile.run(['--json', 'artifact', 'put', path.join(dir, 'nope.bin')])).toBe(1);
    expect(JSON.parse(nofile.stdout()).error.message).toContain(`<file>: cannot read "${path.join(dir, 'nope.bin')}"`);
    expect(readdirSync(dir)).toEqual([]);
  });
});
