import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakeCli as fakeWorkflowCli, startedRun, type FakeWorkflow } from '../support/fake-cli.js';
import { createFaultlineApi, startImport, type FaultlineApi } from '../../client/api.js';
import { fakeClient } from '../support/fake-client.js';
import { artifactFilePath } from '../../client/artifact-path.js';
import { formatImportResult, importProgressDetails, localUploader, parseRate } from '../../client/cli/import.js';
import { prepareImportInput, type StartImportRequest } from '../../client/import.js';
import { ImportMatDatasetInputSchema, InputValidationError, WORKFLOW_TASK_QUEUE, type ImportMatDatasetResult, type Progress } from '../../contracts/index.js';

const failures = [{ file: '12k_Drive_End_IR007_0_999.mat', reason: 'no variable X999_DE_time (variables: X105_DE_time, X105_FE_time)' }];
const importProgress = (completed: number, failed = 0): Progress => ({
  phase: 'importing',
  completed,
  total: 10,
  fraction: completed / 10,
  datasetId: 'cwru10',
  running: 2,
  imported: completed - failed,
  reused: 0,
  duplicates: 0,
  failed,
  signals: completed * 29,
  maxInFlight: 4,
  maxFailedFiles: 1,
  failures: failures.slice(0, failed),
});
const importResult: ImportMatDatasetResult = {
  datasetId: 'cwru10',
  status: 'COMPLETED',
  files: 10,
  imported: 9,
  reused: 0,
  duplicates: 0,
  failed: 1,
  failures,
  numSignals: 1_261,
  classCounts: { normal: 118, inner_race_007: 29, ball_007: 30 },
  classes: ['normal', 'ball_007', 'inner_race_007'],
  samplingRateHz: 12_000,
  signalLength: 4096,
};

const IMPORT_WORKFLOW: FakeWorkflow = {
  workflowId: 'import-cwru10',
  type: 'importMatDatasetWorkflow',
  minutes: 2,
  progress: () => importProgress(4, 1),
  follow: () => [importProgress(0), importProgress(10, 1)],
  result: () => structuredClone(importResult),
  methods: (record) => ({
    // The fake runs the same preparation the real API does, so ids are the real derived ones.
    startImport: record('startImport', async (r: StartImportRequest) => {
      const id = prepareImportInput(r).datasetId;
      return startedRun(`import-${id}`, id);
    }),
  }),
};

const fakeCli = (overrides?: Partial<FaultlineApi>) => fakeWorkflowCli(IMPORT_WORKFLOW, overrides);
const sent = (cli: ReturnType<typeof fakeCli>) => cli.argsOf('startImport')?.[0] as ReturnType<typeof prepareImportInput>;
const tempDir = (prefix: string) => mkdtempSync(path.join(tmpdir(), prefix));

describe('faultline import start', () => {
  it('maps --file (repeated), the channel, scheme, rates, length and limits onto the request', async () => {
    const cli = fakeCli();
    const argv = [
      'import',
      'start',
      '--dataset',
      'cwru10',
      '--name',
      'CWRU 0 hp',
      '--root',
      'cwru',
      '--file',
      '12k_Drive_End_IR007_0_105.mat',
      '--file',
      'normal_0_97.mat',
    ];
    argv.push(
      '--channel',
      'fan-end',
      '--scheme',
      'fault-type-size',
      '--rate',
      '12k',
      '--source-rate',
      '48000',
      '--length',
      '4096',
      '--max-in-flight',
      '2',
      '--max-failed',
      '0',
    );
    expect(await cli.run(argv)).toBe(0);
    // The API receives the prepared input: validated, defaults applied.
    expect(sent(cli)).toEqual(
      ImportMatDatasetInputSchema.parse({
        datasetId: 'cwru10',
        name: 'CWRU 0 hp',
        root: 'cwru',
        files: ['12k_Drive_End_IR007_0_105.mat', 'normal_0_97.mat'],
        channel: 'FE',
        scheme: 'fault-type-size',
        samplingRateHz: 12_000,
        sourceRateHz: 48_000,
        signalLength: 4096,
        maxInFlight: 2,
        maxFailedFiles: 0,
      }),
    );
    expect(cli.stdout()).toContain('Started: import-cwru10');
    expect(cli.stdout()).toContain('Follow: faultline import progress cwru10 --follow');
  });

  it('--glob with the defaults; the id is derived (mat-<hash>); --json prints one document', async () => {
    const cli = fakeCli();
    expect(await cli.run(['--json', 'import', 'start', '--root', 'cwru', '--glob', '*.mat', '--channel', 'DE'])).toBe(0);
    const input = sent(cli);
    expect(input.datasetId).toMatch(/^mat-[0-9a-f]{12}$/);
    expect(input).toEqual(ImportMatDatasetInputSchema.parse({ datasetId: input.datasetId, root: 'cwru', glob: '*.mat' }));
    expect(input).toMatchObject({ channel: 'DE', scheme: 'fault-type', labels: 'cwru' });
    expect(JSON.parse(cli.stdout())).toMatchObject({
      kind: 'import',
      workflowId: `import-${input.datasetId}`,
      entityId: input.datasetId,
      alreadyExisted: false,
    });
    expect(cli.stderr()).toBe('');
    // The same import derives the same id (the start is idempotent on it), defaults spelt out or not;
    // another import another id.
    const again = fakeCli();
    expect(await again.run(['--json', 'import', 'start', '--glob', '*.mat', '--root', 'cwru', '--scheme', 'fault-type', '--length', '8192'])).toBe(0);
    expect(sent(again).datasetId).toBe(input.datasetId);
    const other = fakeCli();
    expect(await other.run(['--json', 'import', 'start', '--glob', '*.mat', '--root', 'cwru', '--channel', 'fan-end'])).toBe(0);
    expect(sent(other).datasetId).not.toBe(input.datasetId);
  });

  it('--files takes a list up to the next flag; with --file the names append (--file first)', async () => {
    const list = fakeCli();
    expect(await list.run(['import', 'start', '--dataset', 'l', '--root', 'cwru', '--files', 'a.mat', 'b.mat', 'c.mat', '--scheme', 'fault-type-size'])).toBe(
      0,
    );
    expect(sent(list)).toMatchObject({ files: ['a.mat', 'b.mat', 'c.mat'], scheme: 'fault-type-size', root: 'cwru' });
    const both = fakeCli();
    expect(await both.run(['import', 'start', '--dataset', 'l', '--files', 'b.mat', 'c.mat', '--file', 'a.mat'])).toBe(0);
    expect(sent(both).files).toEqual(['a.mat', 'b.mat', 'c.mat']);
    // The list form is the same request as the repeated form, so the same derived id.
    const repeated = fakeCli();
    expect(await repeated.run(['import', 'start', '--file', 'a.mat', '--file', 'b.mat'])).toBe(0);
    const listed = fakeCli();
    expect(await listed.run(['import', 'start', '--files', 'a.mat', 'b.mat'])).toBe(0);
    expect(sent(listed).datasetId).toBe(sent(repeated).datasetId);
    expect(sent(listed).files).toEqual(['a.mat', 'b.mat']);
  });

  it('--files with --upload: the names first, then the uploaded URIs', async () => {
    const store = tempDir('import-store-');
    const local = path.join(tempDir('import-local-'), 'up.mat');
    writeFileSync(local, 'bytes of an upload');
    const cli = fakeCli();
    cli.deps.uploadImportFile = localUploader(store, 1024);
    expect(await cli.run(['import', 'start', '--files', 'a.mat', 'b.mat', '--upload', local])).toBe(0);
    expect(sent(cli).files).toEqual(['a.mat', 'b.mat', { artifactUri: expect.stringMatching(/^artifact:sha256\/[0-9a-f]{64}$/), name: 'up.mat' }]);
  });

  it('--labels takes cwru, an inline JSON map or a map file', async () => {
    const map = { 'rec-a.mat': { faultType: 'ball', faultSizeIn: 0.007, loadHp: 1, samplingRateHz: 12_000 } };
    const file = path.join(tempDir('import-cli-'), 'labels.json');
    writeFileSync(file, JSON.stringify(map));
    const fromFile = fakeCli();
    expect(await fromFile.run(['import', 'start', '--file', 'rec-a.mat', '--labels', file])).toBe(0);
    expect(sent(fromFile).labels).toEqual({ 'rec-a.mat': { faultType: 'ball', faultSizeIn: 0.007, loadHp: 1, samplingRateHz: 12_000 } });
    const inline = fakeCli();
    expect(await inline.run(['import', 'start', '--file', 'rec-a.mat', '--labels', JSON.stringify(map)])).toBe(0);
    expect(sent(inline).labels).toEqual(sent(fromFile).labels);
    const cwru = fakeCli();
    expect(await cwru.run(['import', 'start', '--file', 'rec-a.mat', '--labels', 'CWRU'])).toBe(0);
    expect(sent(cwru).labels).toBe('cwru');
  });

  it('--upload puts each local file into the artifact store and imports it by URI, after the --file names', async () => {
    const store = tempDir('import-store-');
    const local = path.join(tempDir('import-local-'), '12k_Drive_End_B007_0_118.mat');
    const bytes = Buffer.from('MATLAB 5.0 MAT-file, fake bytes are fine: the CLI does not parse them');
    writeFileSync(local, bytes);
    const cli = fakeCli();
    cli.deps.uploadImportFile = localUploader(store, 1024 * 1024);
    expect(await cli.run(['import', 'start', '--dataset', 'up', '--file', 'normal_0_97.mat', '--upload', local])).toBe(0);
    const uri = `artifact:sha256/${createHash('sha256').update(bytes).digest('hex')}`;
    expect(sent(cli).files).toEqual(['normal_0_97.mat', { artifactUri: uri, name: '12k_Drive_End_B007_0_118.mat' }]);
    // Really stored, byte for byte, where the worker's artifact store looks.
    expect(readFileSync(artifactFilePath(store, uri) ?? '')).toEqual(bytes);
  });

  it('checks the other flags before uploading anything', async () => {
    const store = tempDir('import-store-');
    const local = path.join(tempDir('import-local-'), 'rec.mat');
    writeFileSync(local, 'bytes');
    const cli = fakeCli();
    cli.deps.uploadImportFile = localUploader(store, 1024);
    expect(await cli.run(['import', 'start', '--upload', local, '--scheme', 'nope'])).toBe(2);
    expect(cli.stderr()).toMatch(/scheme \(--scheme\): .*"nope"/);
    expect(readdirSync(store)).toEqual([]);
  });

  it('--wait shows running/imported/failed live, then the result', async () => {
    const cli = fakeCli();
    expect(await cli.run(['import', 'start', '--dataset', 'cwru10', '--glob', '*.mat', '--wait'])).toBe(0);
    expect(cli.stderr()).toContain('[progress] importing  0.0%  0/10  running 2/4  imported 0  failed 0 (max 1)  signals 0');
    expect(cli.stderr()).toContain('importing  100.0%  10/10  running 2/4  imported 9  failed 1 (max 1)  signals 290');
    expect(cli.stdout()).toContain('Import cwru10  COMPLETED');
  });
});

describe('faultline import start: bad values exit 2 naming the flag and the value, before connecting', () => {
  const secret = 'root:$6$do-not-echo-this-hash:19000:0:99999:7:::';
  const dir = tempDir('import-bad-');
  const notJson = path.join(dir, 'shadow');
  writeFileSync(notJson, secret);
  const folder = path.join(dir, 'a-folder');
  mkdirSync(folder);
  const cases: [string, string[], RegExp][] = [
    [
      'unknown channel',
      ['--file', 'a.mat', '--channel', 'left'],
      /option '--channel <channel>' argument 'left' is invalid\. must be drive-end \(DE\), fan-end \(FE\) or base \(BA\)/,
    ],
    ['unknown scheme', ['--file', 'a.mat', '--scheme', 'fault-size'], /scheme \(--scheme\): .*\(got "fault-size"\)/],
    ['a rate in hex', ['--file', 'a.mat', '--rate', '0x2ee0'], /option '--rate <hz>' argument '0x2ee0' is invalid/],
    ['a fractional rate', ['--file', 'a.mat', '--rate', '12.0005k'], /option '--rate <hz>' argument '12.0005k' is invalid\. must be a whole number of Hz/],
    ['a rate too low', ['--file', 'a.mat', '--rate', '10'], /samplingRateHz \(--rate\): .*\(got 10\)/],
    ['signals too short', ['--file', 'a.mat', '--length', '16'], /signalLength \(--length\): .*\(got 16\)/],
    ['both --file and --glob', ['--file', 'a.mat', '--glob', '*.mat'], /files \(--file \| --files \| --upload \| --glob\): give exactly one of files and glob/],
    [
      'both --files and --glob',
      ['--files', 'a.mat', 'b.mat', '--glob', '*.mat'],
      /files \(--file \| --files \| --upload \| --glob\): give exactly one of files and glob/,
    ],
    ['--files with no name', ['--files'], /option '--files <names\.\.\.>' argument missing/],
    [
      'a traversal in the --files list',
      ['--files', 'a.mat', '../../etc/passwd'],
      /files\.1 \(--file \| --files \| --upload \| --glob\): must be a file name without folders.*\(got "\.\.\/\.\.\/etc\/passwd"\)/,
    ],
    ['neither --file nor --glob', [], /files \(--file \| --files \| --upload \| --glob\): give exactly one of files and glob/],
    [
      'a file name with folders',
      ['--file', '../etc/passwd'],
      /files\.0 \(--file \| --files \| --upload \| --glob\): must be a file name without folders.*\(got "\.\.\/etc\/passwd"\)/,
    ],
    ['a root leaving IMPORT_ROOT', ['--root', '../..', '--file', 'a.mat'], /root \(--root\): must not contain "\.\." segments \(got "\.\.\/\.\."\)/],
    ['a glob with folders', ['--glob', 'sub/*.mat'], /glob \(--glob\): must match names in root/],
    ['a bad dataset id', ['--dataset', 'Has Spaces', '--file', 'a.mat'], /datasetId \(--dataset\): .*"Has Spaces"/],
    ['a label of an unknown fault', ['--file', 'a.mat', '--labels', '{"a.mat":{"faultType":"crack"}}'], /labels.* \(--labels\): .*"crack"/],
    ['zero max-in-flight', ['--file', 'a.mat', '--max-in-flight', '0'], /maxInFlight \(--max-in-flight\): .*\(got 0\)/],
    [
      'a label file that is not JSON',
      ['--file', 'a.mat', '--labels', notJson],
      /option '--labels <cwru\|map\.json>' argument '.*shadow' is invalid\. the file ".*shadow" is not valid JSON/,
    ],
    [
      'an upload that does not exist',
      ['--upload', path.join(dir, 'missing.mat')],
      /uploads \(--upload\): cannot read the file: ENOENT.*\(got ".*missing\.mat"\)/,
    ],
    ['an upload that is a folder', ['--upload', folder], /uploads \(--upload\): is not a regular file \(got ".*a-folder"\)/],
    [
      'an upload over the size cap',
      ['--upload', notJson],
      new RegExp(`uploads \\(--upload\\): has ${Buffer.byteLength(secret)} bytes; an import file may have at most 16 \\(IMPORT_MAX_FILE_MB\\)`),
    ],
  ];
  for (const [what, flags, message] of cases) {
    it(what, async () => {
      const cli = fakeCli();
      const store = tempDir('import-store-');
      cli.deps.uploadImportFile = localUploader(store, 16);
      expect(await cli.run(['import', 'start', ...flags])).toBe(2);
      expect(cli.stderr()).toMatch(message);
      expect(cli.stderr()).not.toContain('do-not-echo');
      expect(cli.sessions()).toBe(0);
      expect(cli.argsOf('startImport')).toBeUndefined();
    });
  }

  it('in JSON mode the error is one document naming the field', async () => {
    const cli = fakeCli();
    expect(await cli.run(['--json', 'import', 'start', '--file', 'a.mat', '--channel', 'left'])).toBe(2);
    expect(JSON.parse(cli.stdout())).toMatchObject({ error: { type: 'usage', message: expect.stringContaining("'--channel <channel>' argument 'left'") } });
    const bad = fakeCli();
    expect(await bad.run(['--json', 'import', 'start', '--file', 'a.mat', '--glob', '*.mat'])).toBe(2);
    expect(JSON.parse(bad.stdout())).toMatchObject({ error: { type: 'invalid-input', issues: [{ path: 'files' }] } });
  });
});

describe('faultline import progress | stop | cancel | result', () => {
  it('progress shows running, imported, failed and the last failures; --json gives the run', async () => {
    const cli = fakeCli();
    expect(await cli.run(['import', 'progress', 'cwru10'])).toBe(0);
    expect(cli.argsOf('locateWorkflowId')).toEqual(['import', 'cwru10']);
    const out = cli.stdout();
    expect(out).toContain('progress   importing  40.0%  4/10  running 2/4  imported 3  failed 1 (max 1)  signals 116');
    expect(out).toContain(`  last failures\n    ${failures[0].file}: ${failures[0].reason}`);
    const json = fakeCli();
    expect(await json.run(['--json', 'import', 'progress', 'import-cwru10'])).toBe(0);
    expect(JSON.parse(json.stdout())).toMatchObject({ workflowId: 'import-cwru10', status: 'RUNNING', progress: { imported: 3, failed: 1, failures } });
  });

  it('stop sends the stop signal with the reason; cancel requests cancellation', async () => {
    const cli = fakeCli();
    expect(await cli.run(['import', 'stop', 'cwru10', '--reason', 'wrong folder'])).toBe(0);
    expect(cli.argsOf('stopRun')).toEqual(['import-cwru10', 'wrong folder']);
    expect(cli.stdout()).toContain('Stop requested for import-cwru10: files being imported finish, no new ones start.');
    expect(await cli.run(['import', 'cancel', 'cwru10'])).toBe(0);
    expect(cli.argsOf('cancelRun')).toEqual(['import-cwru10']);
  });

  it('result prints the counts, classes and each failure; --json the raw result', async () => {
    const cli = fakeCli();
    expect(await cli.run(['import', 'result', 'cwru10'])).toBe(0);
    expect(cli.argsOf('getResult')).toEqual(['import-cwru10']);
    const out = cli.stdout();
    expect(out).toContain('Import cwru10  COMPLETED');
    expect(out).toContain('files          10: 9 imported, 0 reused, 0 duplicates, 1 failed');
    expect(out).toContain('signals        1,261  (4,096 samples at 12,000 Hz = 0.34 s each)');
    expect(out).toContain('per class      normal 118, ball_007 30, inner_race_007 29');
    expect(out).toContain(`  failures\n    ${failures[0].file}: ${failures[0].reason}`);
    expect(out).toContain('Next: faultline train start --dataset cwru10 --wait');
    const json = fakeCli();
    expect(await json.run(['--json', 'import', 'result', 'cwru10'])).toBe(0);
    expect(JSON.parse(json.stdout())).toMatchObject({ workflowId: 'import-cwru10', status: 'COMPLETED', result: importResult });
  });
});

describe('import formatting and parsers', () => {
  it('a stopped import without failures; a class with no signals shows 0', () => {
    const text = formatImportResult({ ...importResult, status: 'STOPPED', failed: 0, failures: [], duplicates: 1, classes: ['normal', 'ball_014'] }, undefined);
    expect(text).toContain('Import cwru10  STOPPED');
    expect(text).toContain('1 duplicate, 0 failed');
    expect(text).toContain('per class      normal 118, ball_014 0');
    expect(text).not.toContain('failures');
    expect(text).not.toContain('Web UI');
  });

  it('rates: digits or a k suffix', () => {
    expect(parseRate('12000')).toBe(12_000);
    expect(parseRate('48k')).toBe(48_000);
    expect(parseRate('12.8K')).toBe(12_800);
    expect(() => parseRate('k')).toThrow(/whole number in decimal digits/);
    expect(() => parseRate('xk')).toThrow(/decimal number/);
    expect(() => parseRate('1e3')).toThrow(/whole number/);
  });

  it('progress details are empty without import fields', () => {
    expect(importProgressDetails({ phase: 'registering', completed: 0, total: 0, fraction: 0 })).toBe('');
  });
});

describe('startImport (the client function the CLI calls)', () => {
  it('validates before sending anything', async () => {
    const { client, calls } = fakeClient();
    await expect(startImport(client, { files: ['a/b.mat'] })).rejects.toThrow(InputValidationError);
    expect(calls).toEqual([]);
  });

  it('starts importMatDatasetWorkflow by type name at import-<datasetId>, idempotently, with kind/dataset/status search attributes', async () => {
    const { client, starts, calls } = fakeClient();
    const request = { datasetId: 'cwru10', root: 'cwru', glob: '*.mat', scheme: 'fault-type-size' } as const;
    const started = await createFaultlineApi(client).startImport(request);
    expect(started).toEqual({ workflowId: 'import-cwru10', runId: 'run-1', entityId: 'cwru10', alreadyExisted: false });
    expect(calls).toEqual(['describe import-cwru10', 'start import-cwru10']);
    const [{ workflowType, options }] = starts;
    expect(workflowType).toBe('importMatDatasetWorkflow');
    expect(options).toMatchObject({
      taskQueue: WORKFLOW_TASK_QUEUE,
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
    });
    expect(options.args).toEqual([prepareImportInput(request)]);
    expect(options.staticSummary).toContain('import cwru10');
    const attributes = Object.fromEntries(options.typedSearchAttributes.map((a) => [a.key.name, a.value]));
    expect(attributes).toEqual({ FaultlineKind: 'import', FaultlineDatasetId: 'cwru10', FaultlineStatus: 'RUNNING' });
  });
});
