import type { GenerateDatasetResult } from '../../contracts/index.js';
import { prepareDatasetInput, type StartDatasetRequest } from '../api.js';
import type { CommandGroup } from './context.js';
import { decimalList, integer, integerList, list, range, type FieldFlag } from './fields.js';
import { formatDatasetResult } from './output.js';
import { addRunCommands, addStartCommand } from './run-commands.js';

/** `faultline dataset start` flags → GenerateDatasetRequest fields. Defaults live in the contract. */
export const DATASET_FIELDS: readonly FieldFlag[] = [
  { flags: '--id <datasetId>', description: 'dataset id (default: derived from the config, ds-<hash>)', path: ['datasetId'] },
  { flags: '--name <name>', description: 'human-readable name', path: ['name'] },
  { flags: '--seed <n>', description: 'simulation seed', path: ['config', 'seed'], parse: integer },
  { flags: '--signals-per-class <n>', description: 'signals simulated per class', path: ['config', 'signalsPerClass'], parse: integer },
  { flags: '--classes <list>', description: 'classes, e.g. normal,inner_race,outer_race,ball', path: ['config', 'classes'], parse: list },
  {
    flags: '--scheme <scheme>',
    description: 'labels: fault-type (one class per fault type) | fault-type-size (one per type and diameter: the 10-class CWRU benchmark)',
    path: ['config', 'scheme'],
  },
  { flags: '--severities <list>', description: 'fault diameters in inches, e.g. 0.007,0.014', path: ['config', 'severitiesIn'], parse: decimalList },
  { flags: '--loads <list>', description: 'motor loads in hp, e.g. 0,1,2,3', path: ['config', 'loadsHp'], parse: integerList },
  { flags: '--sampling-rate <hz>', description: 'sampling rate, Hz', path: ['config', 'samplingRateHz'], parse: integer },
  { flags: '--length <samples>', description: 'samples per signal', path: ['config', 'signalLength'], parse: integer },
  { flags: '--snr <lo,hi>', description: 'SNR range in dB (one number: fixed SNR)', path: ['config', 'snrDb'], parse: range },
  { flags: '--chunk-size <n>', description: 'signals per activity', path: ['chunkSize'], parse: integer },
  { flags: '--max-in-flight <n>', description: 'chunks generated at once', path: ['maxInFlight'], parse: integer },
];

export const datasetCommands: CommandGroup = {
  name: 'dataset',
  register(program, deps) {
    const group = program.command('dataset').description('simulate a vibration dataset (generateDatasetWorkflow)');
    const kind = {
      kind: 'dataset',
      idLabel: 'dataset id',
      summarize: (r: GenerateDatasetResult, url: string | undefined) => formatDatasetResult(r, url),
    } as const;
    addStartCommand(group, deps, {
      ...kind,
      entityLabel: 'dataset',
      description: 'start generating a dataset; the same config twice runs once',
      waitDescription: 'show live progress and print the result',
      fields: DATASET_FIELDS,
      prepare: (request: StartDatasetRequest) => prepareDatasetInput(request),
      start: (api, input) => api.startDatasetGeneration(input),
    });
    addRunCommands(group, deps, kind);
  },
};
