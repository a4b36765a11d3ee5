import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StartDatasetRequest } from '../../client/api.js';
import { prepareDatasetInput } from '../../client/api.js';
import { MAX_JSON_FILE_BYTES } from '../../client/cli/fields.js';
import { DATASET_DEFAULTS, FAULT_CLASSES } from '../../contracts/index.js';
import { locateJsonSyntaxFault } from '../../contracts/json-syntax.js';
import { readHistoryFile } from '../../workers/replay.js';
import { fakeCli as fakeWorkflowCli, startedRun, type FakeWorkflow } from '../support/fake-cli.js';

const WORKFLOW: FakeWorkflow = {
  workflowId: 'wf',
  type: 't',
  minutes: 1,
  progress: () => ({ phase: 'generating', completed: 0, total: 1, fraction: 0 }),
  follow: () => [],
  result: () => undefined,
  methods: (record) => ({
    startDatasetGeneration: record('startDatasetGeneration', async (r: StartDatasetRequest) => startedRun(`dataset-${r.datasetId}`, r.datasetId ?? '')),
  }),
};
const fakeCli = () => fakeWorkflowCli(WORKFLOW);

/** What a user might point a JSON flag at by mistake: it must never reach the error text. */
const SECRET = 'root:*:19234:0:99999:7:::\ndaemon:*:19234:0:99999:7:::\n';

function tempFile(name: string, text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'faultline-cli-input-'));
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

/** Every run of 4+ characters of `content` (split on whitespace) is absent from `text`. */
function expectNoContentOf(content: string, text: string): void {
  for (const piece of content.split(/\s+/).filter((p) => p.length >= 4)) expect(text).not.toContain(piece);
  for (let i = 0; i + 6 <= content.length; i++) expect(text).not.toContain(content.slice(i, i + 6));
}

describe('faultline dataset start with no config flags', () => {
  it('starts the default dataset: every simulator setting from the contract, id derived', async () => {
    const cli = fakeCli();
    expect(await cli.run(['dataset', 'start'])).toBe(0);
    const [input] = cli.argsOf('startDatasetGeneration') as [{ datasetId: string; config: Record<string, unknown> }];
    expect(input.datasetId).toMatch(/^ds-[0-9a-f]{12}$/);
    expect(input.config).toMatchObject({ seed: 42, signalsPerClass: DATASET_DEFAULTS.signalsPerClass, classes: [...FAULT_CLASSES] });
    // "No flags" is the same dataset as its defaults spelled out, so both attach to one run.
    expect(prepareDatasetInput({ config: { seed: 42 } }).datasetId).toBe(input.datasetId);
  });

  it('--scheme fault-type-size asks for the 10-class simulation; an unknown scheme is refused by flag; no --scheme keeps the old id', async () => {
    const cli = fakeCli();
    expect(await cli.run(['dataset', 'start', '--scheme', 'fault-type-size', '--signals-per-class', '3'])).toBe(0);
    const [input] = cli.argsOf('startDatasetGeneration') as [{ datasetId: string; config: Record<string, unknown> }];
    expect(input.config).toMatchObject({ scheme: 'fault-type-size', signalsPerClass: 3 });
    expect(input.datasetId).not.toBe(prepareDatasetInput({ config: { signalsPerClass: 3 } }).datasetId);
    const bad = fakeCli();
    expect(await bad.run(['dataset', 'start', '--scheme', 'fault-size'])).toBe(2);
    expect(bad.stderr()).toMatch(/config\.scheme \(--scheme\): .*"fault-size"/);
    // The option has no default, so a request without it hashes as it did before the option existed.
    expect(prepareDatasetInput({ config: {} }).config).not.toHaveProperty('scheme');
  });

  it('a missing required flag is named as a flag to give, not as "expected object"', async () => {
    const cli = fakeCli();
    expect(await cli.run(['train', 'start'])).toBe(2);
    expect(cli.stderr()).toContain('datasetId (--dataset): required: give --dataset');
    const xai = fakeCli();
    expect(await xai.run(['xai', 'start', '--methods', 'ig'])).toBe(2);
    expect(xai.stderr()).toContain('modelId (--model): required: give --model');
    expect(xai.stderr()).toContain('selection (--signals | --dataset): required: give --signals or --dataset');
    expect(xai.stderr()).not.toMatch(/expected (object|string), received undefined/);
  });
});

describe('JSON file flags never echo the file', () => {
  const FLAGS: [string, string[]][] = [
    ['--space', ['hpo', 'start', '--dataset', 'ds-1']],
    ['--base', ['hpo', 'start', '--dataset', 'ds-1']],
    ['--training', ['nas', 'start', '--dataset', 'ds-1']],
    ['--request', ['xai', 'start']],
  ];

  for (const [flag, argv] of FLAGS) {
    it(`${flag}: a non-JSON file is refused by path and position, with none of its bytes`, async () => {
      const file = tempFile('shadow', SECRET);
      const cli = fakeCli();
      expect(await cli.run([...argv, flag, file])).toBe(2);
      const err = cli.stderr();
      expect(err).toContain(`option '${flag} `);
      expect(err).toContain(`the file "${file}" is not valid JSON: unexpected character (expected a value) at line 1, column 1`);
      expectNoContentOf(SECRET, err.replaceAll(file, '<file>'));
      expect(cli.sessions()).toBe(0);

      const json = fakeCli();
      expect(await json.run(['--json', ...argv, flag, file])).toBe(2);
      expect(json.stdout()).toContain('is not valid JSON');
      expectNoContentOf(SECRET, json.stdout().replaceAll(file, '<file>'));
      expect(json.stderr()).toBe('');
    });
  }

  it('the position is where the syntax breaks, on a later line, and the secret after it stays out', async () => {
    const file = tempFile('space.json', '{\n  "learningRate": {"type": "float", "low": 0.001, "high": 0.1},\n  hunter2-password\n}\n');
    const cli = fakeCli();
    expect(await cli.run(['hpo', 'start', '--dataset', 'ds-1', '--space', file])).toBe(2);
    expect(cli.stderr()).toContain('is not valid JSON: unexpected character (expected a property name in double quotes) at line 3, column 3');
    expect(cli.stderr()).not.toContain('hunter2');
    expect(cli.stderr()).not.toContain('learningRate');
  });

  it('a truncated file says so; inline JSON gets a position too', async () => {
    const cut = fakeCli();
    expect(await cut.run(['hpo', 'start', '--dataset', 'ds-1', '--base', tempFile('b.json', '{"epochs": 3, "note": "s3cr')])).toBe(2);
    expect(cut.stderr()).toContain('is not valid JSON: unterminated string at line 1, column 23');
    expect(cut.stderr()).not.toContain('s3cr');
    const inline = fakeCli();
    expect(await inline.run(['hpo', 'start', '--dataset', 'ds-1', '--base', '{"epochs": }'])).toBe(2);
    expect(inline.stderr()).toContain('is not valid JSON: unexpected character (expected a value) at line 1, column 12');
  });

  it('a directory, a device and an oversized file are refused without reading them', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'faultline-cli-dir-'));
    mkdirSync(path.join(dir, 'space.json'));
    const asDir = fakeCli();
    expect(await asDir.run(['hpo', 'start', '--dataset', 'ds-1', '--space', path.join(dir, 'space.json')])).toBe(2);
    expect(asDir.stderr()).toContain('is not a regular file');
    // /dev/zero would stream forever into readFileSync.
    const device = fakeCli();
    expect(await device.run(['hpo', 'start', '--dataset', 'ds-1', '--space', '/dev/zero'])).toBe(2);
    expect(device.stderr()).toContain('"/dev/zero" is not a regular file');
    const big = fakeCli();
    const bigFile = tempFile('big.json', `{"pad": "${'x'.repeat(MAX_JSON_FILE_BYTES)}"}`);
    expect(await big.run(['hpo', 'start', '--dataset', 'ds-1', '--space', bigFile])).toBe(2);
    expect(big.stderr()).toMatch(/has \d+ bytes; a settings file may have at most 1048576/);
    expect(big.stderr()).not.toContain('xxxx');
  });

  it('a file that holds JSON but not an object says what it holds, not its content', async () => {
    const cli = fakeCli();
    expect(await cli.run(['hpo', 'start', '--dataset', 'ds-1', '--space', tempFile('s.json', '"top secret value"')])).toBe(2);
    expect(cli.stderr()).toContain('holds string');
    expect(cli.stderr()).not.toContain('secret');
  });

  it('faultline replay reports a non-JSON history by name and position, without its bytes', () => {
    const file = tempFile('history.json', SECRET);
    let message = '';
    try {
      readHistoryFile(file);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toBe(`${file}: not a JSON history (not valid JSON: unexpected character (expected a value) at line 1, column 1)`);
    expect(() => readHistoryFile('/dev/zero')).toThrow('/dev/zero: not a regular file');
  });
});

describe('strict numbers', () => {
  const INTEGER_FLAGS: [string, string[]][] = [
    ['--signals-per-class', ['dataset', 'start']],
    ['--seed', ['dataset', 'start']],
    ['--chunk-size', ['dataset', 'start']],
    ['--epochs', ['train', 'start', '--dataset', 'ds-1']],
    ['--max-trials', ['hpo', 'start', '--dataset', 'ds-1']],
    ['--max-candidates', ['nas', 'start', '--dataset', 'ds-1']],
    ['--max-in-flight', ['xai', 'start', '--model', 'exp-1', '--dataset', 'ds-1', '--methods', 'ig']],
  ];
  const NOT_INTEGERS = ['0x10', '1e3', '12abc', ' 5', '5 ', '', '1.5', 'Infinity', 'NaN', '0b11', '9007199254740993'];

  for (const [flag, argv] of INTEGER_FLAGS) {
    it(`${flag} takes decimal digits only, and the refusal names the flag and the value`, async () => {
      for (const raw of NOT_INTEGERS) {
        const cli = fakeCli();
        expect(await cli.run([...argv, flag, raw]), `${flag} ${JSON.stringify(raw)}`).toBe(2);
        expect(cli.stderr()).toContain(`option '${flag} `);
        expect(cli.stderr()).toContain(`argument '${raw}' is invalid`);
        expect(cli.sessions()).toBe(0);
      }
    });
  }

  it('an integer list refuses any non-decimal item; a float list takes decimals', async () => {
    const loads = fakeCli();
    expect(await loads.run(['dataset', 'start', '--loads', '0,0x1'])).toBe(2);
    expect(loads.stderr()).toContain("option '--loads <list>' argument '0,0x1' is invalid");
    const ok = fakeCli();
    expect(await ok.run(['dataset', 'start', '--loads', '+1,2', '--severities', '0.007,.014,2.1e-2', '--snr', '-5,1.5e1'])).toBe(0);
    expect(ok.argsOf('startDatasetGeneration')?.[0]).toMatchObject({ config: { loadsHp: [1, 2], severitiesIn: [0.007, 0.014, 0.021], snrDb: [-5, 15] } });
  });

  it('float flags take finite decimals (3e-4 included) and refuse hex, Infinity, NaN, spaces, empty', async () => {
    for (const raw of ['0x1', 'Infinity', '-Infinity', 'NaN', '1e400', ' 0.1', '', '0.1.2', '1e', '.']) {
      const cli = fakeCli();
      expect(await cli.run(['train', 'start', '--dataset', 'ds-1', '--lr', raw]), `--lr ${JSON.stringify(raw)}`).toBe(2);
      expect(cli.stderr()).toContain(`option '--lr <rate>' argument '${raw}' is invalid`);
    }
    const cli = fakeCli();
    expect(await cli.run(['train', 'start', '--dataset', 'ds-1', '--lr', '3e-4', '--max-minutes', '.5'])).toBe(0);
    expect(cli.argsOf('startTraining')?.[0]).toMatchObject({ maxTrainingMinutes: 0.5, hyperparameters: { learningRate: 0.0003 } });
  });

  it('an integer flag given a whole decimal is refused by the CLI with an example, not silently rounded', async () => {
    const cli = fakeCli();
    expect(await cli.run(['--json', 'dataset', 'start', '--signals-per-class', '0x10'])).toBe(2);
    const doc = JSON.parse(cli.stdout()) as { error: { type: string; message: string } };
    expect(doc.error.message).toContain("--signals-per-class <n>' argument '0x10' is invalid");
    expect(doc.error.message).toContain('must be a whole number in decimal digits');
  });
});

describe('locateJsonSyntaxFault agrees with JSON.parse', () => {
  const VALID = ['{}', '[]', '0', '-0.5e+10', '"a\\u00e9\\n"', ' {"a": [1, 2, {"b": null}], "c": true} ', '[[[]]]', '"\u00e9"', 'false'];
  const INVALID = [
    '',
    ' ',
    '{',
    '[1,]',
    '{"a":1,}',
    '{a:1}',
    "{'a':1}",
    '[01]',
    '1.',
    '.5',
    '+1',
    'NaN',
    'Infinity',
    '[1 2]',
    '"a\nb"',
    '"\\x"',
    '"\\u12"',
    '{"a" 1}',
    '{} {}',
    'tru',
    '[',
    '{"a":',
    '"abc',
    ']',
  ];

  it('finds no fault in valid JSON and one in every invalid text', () => {
    for (const text of VALID) {
      expect(() => JSON.parse(text) as unknown).not.toThrow();
      expect(locateJsonSyntaxFault(text), text).toBeUndefined();
    }
    for (const text of INVALID) {
      expect(() => JSON.parse(text) as unknown, text).toThrow();
      expect(locateJsonSyntaxFault(text), text).toBeDefined();
    }
  });

  it('agrees on every one-character corruption of a document', () => {
    const doc = '{"a": [1, -2.5e3, "x\\"y"], "b": {"c": null, "d": false}}';
    const replacements = ['', 'x', ',', '"', '{', ']', ' ', '\\', '0'];
    for (let i = 0; i < doc.length; i++) {
      for (const r of replacements) {
        const text = doc.slice(0, i) + r + doc.slice(i + 1);
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        expect(locateJsonSyntaxFault(text) === undefined, text).toBe(valid);
      }
    }
  });

  it('handles any nesting depth without recursion', () => {
    expect(locateJsonSyntaxFault('['.repeat(200_000) + ']'.repeat(200_000))).toBeUndefined();
    expect(locateJsonSyntaxFault('['.repeat(200_000))).toMatchObject({ reason: 'unexpected end of input (expected a value)', line: 1, column: 200_001 });
  });
});
