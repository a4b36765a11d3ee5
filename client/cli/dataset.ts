import type { Command } from 'commander';
import type { GenerateDatasetResult } from '../../contracts/index.js';
import { prepareDatasetInput, type StartDatasetRequest } from '../api.js';
import { outputOf, prepareOrExplain, withSession, type CommandGroup } from './context.js';
import { addFieldFlags, flagsByPath, list, number, numberList, range, requestFromFlags, type FieldFlag } from './fields.js';
import { formatDatasetResult, formatStarted } from './output.js';
import { addRunCommands, followToResult } from './run-commands.js';

/** `faultline dataset start` flags → GenerateDatasetRequest fields. Defaults live in the contract. */
export const DATASET_FIELDS: readonly FieldFlag[] = [
  { flags: '--id <datasetId>', description: 'dataset id (default: derived from the config, ds-<hash>)', path: ['datasetId'] },
  { flags: '--name <name>', description: 'human-readable name', path: ['name'] },
  { flags: '--seed <n>', description: 'simulation seed', path: ['config', 'seed'], parse: number },
  { flags: '--signals-per-class <n>', description: 'signals simulated per class', path: ['config', 'signalsPerClass'], parse: number },
  { flags: '--classes <list>', description: 'classes, e.g. normal,inner_race,outer_race,ball', path: ['config', 'classes'], parse: list },
  { flags: '--severities <list>', description: 'fault diameters in inches, e.g. 0.007,0.014', path: ['config', 'severitiesIn'], parse: numberList },
  { flags: '--loads <list>', description: 'motor loads in hp, e.g. 0,1,2,3', path: ['config', 'loadsHp'], parse: numberList },
  { flags: '--sampling-rate <hz>', description: 'sampling rate, Hz', path: ['config', 'samplingRateHz'], parse: number },
  { flags: '--length <samples>', description: 'samples per signal', path: ['config', 'signalLength'], parse: number },
  { flags: '--snr <lo,hi>', description: 'SNR range in dB (one number: fixed SNR)', path: ['config', 'snrDb'], parse: range },
  { flags: '--chunk-size <n>', description: 'signals per activity', path: ['chunkSize'], parse: number },
  { flags: '--max-in-flight <n>', description: 'chunks generated at once', path: ['maxInFlight'], parse: number },
];

const summarize = (r: GenerateDatasetResult, url: string | undefined) => formatDatasetResult(r, url);

export const datasetCommands: CommandGroup = {
  name: 'dataset',
  register(program, deps) {
    const group = program.command('dataset').description('simulate a vibration dataset (generateDatasetWorkflow)');

    const start = group
      .command('start')
      .description('start generating a dataset; the same config twice runs once')
      .option('--wait', 'show live progress and print the result');
    addFieldFlags(start, DATASET_FIELDS).action(async (opts: Record<string, unknown>, cmd: Command) => {
      const out = outputOf(cmd, deps);
      // Validate before connecting: a typo never needs a server to be reported.
      const request = requestFromFlags(DATASET_FIELDS, opts) as StartDatasetRequest;
      const input = prepareOrExplain(() => prepareDatasetInput(request), flagsByPath(DATASET_FIELDS));
      await withSession(cmd, deps, async (session) => {
        const started = await session.api.startDatasetGeneration(input);
        const webUiUrl = session.webUiUrl(started.workflowId);
        const doc = { kind: 'dataset', ...started, webUiUrl };
        if (opts.wait !== true) {
          out.result(doc, () => `${formatStarted('dataset', started, webUiUrl)}\nFollow: faultline dataset progress ${started.entityId} --follow`);
          return;
        }
        out.line(formatStarted('dataset', started, webUiUrl));
        const result = await followToResult<GenerateDatasetResult>(session, out, deps, started.workflowId, `faultline dataset progress ${started.entityId} --follow`);
        out.result({ ...doc, status: 'COMPLETED', result }, () => `\n${summarize(result, webUiUrl)}`);
      });
    });

    addRunCommands<GenerateDatasetResult>(group, deps, { kind: 'dataset', idLabel: 'dataset id', summarize });
  },
};
