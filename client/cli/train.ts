import type { TrainModelResult } from '../../contracts/index.js';
import { prepareTrainingInput, type StartTrainingRequest } from '../api.js';
import type { CommandGroup } from './context.js';
import { decimal, integer, jsonObject, type FieldFlag } from './fields.js';
import { formatTrainingResult } from './output.js';
import { addRunCommands, addStartCommand } from './run-commands.js';

/** `faultline train start` flags → TrainModelRequest fields. Defaults live in the contract. */
/** `signal`, `time` (contiguous ranges of each recording), or the whole split as JSON (`{"kind": "condition", …}`). */
export function parseSplit(raw: string): Record<string, unknown> {
  const name = raw.trim().toLowerCase();
  return name === 'signal' || name === 'time' ? { kind: name } : jsonObject(raw);
}

export const TRAIN_FIELDS: readonly FieldFlag[] = [
  { flags: '--dataset <datasetId>', description: 'dataset to train on (required)', path: ['datasetId'] },
  { flags: '--id <experimentId>', description: 'experiment id (default: derived from dataset + hyperparameters, exp-<hash>)', path: ['experimentId'] },
  { flags: '--epochs <n>', description: 'maximum epochs', path: ['hyperparameters', 'epochs'], parse: integer },
  { flags: '--batch-size <n>', description: 'batch size', path: ['hyperparameters', 'batchSize'], parse: integer },
  { flags: '--lr <rate>', description: 'learning rate', path: ['hyperparameters', 'learningRate'], parse: decimal },
  { flags: '--optimizer <name>', description: 'adam | sgd | rmsprop', path: ['hyperparameters', 'optimizer'] },
  { flags: '--patience <epochs>', description: 'early-stopping patience (0 disables)', path: ['hyperparameters', 'patience'], parse: integer },
  { flags: '--window <samples>', description: 'window length', path: ['hyperparameters', 'windowLength'], parse: integer },
  { flags: '--hop <samples>', description: 'window hop', path: ['hyperparameters', 'windowHop'], parse: integer },
  { flags: '--max-windows <n>', description: 'windows per signal at most', path: ['hyperparameters', 'maxWindowsPerSignal'], parse: integer },
  { flags: '--seed <n>', description: 'training seed (split, init, shuffling)', path: ['hyperparameters', 'seed'], parse: integer },
  {
    flags: '--split <signal|time|json>',
    description:
      'signal (default) | time (contiguous ranges of each recording, a signal left out between) | JSON, e.g. {"kind":"condition","holdOut":{"loadHp":[1,2,3]}}',
    path: ['hyperparameters', 'split'],
    parse: parseSplit,
  },
  {
    flags: '--normalization <kind>',
    description: 'window (default: each window z-scored) | recording (scaled by its recording)',
    path: ['hyperparameters', 'normalization'],
  },
  {
    flags: '--augment <json>',
    description: 'training augmentation, e.g. {"speedStretch":0.04,"amplitudeScale":0.2,"noise":0.1}',
    path: ['hyperparameters', 'augmentation'],
    parse: jsonObject,
  },
  { flags: '--adabn', description: 'adapt batch-norm statistics to the test windows before testing (AdaBN)', path: ['hyperparameters', 'adaBN'] },
  { flags: '--max-minutes <n>', description: 'deadline of the training activity, minutes', path: ['maxTrainingMinutes'], parse: decimal },
];

export const trainCommands: CommandGroup = {
  name: 'train',
  register(program, deps) {
    const group = program.command('train').description('train a 1D CNN classifier (trainModelWorkflow)');
    const kind = {
      kind: 'train',
      idLabel: 'experiment id',
      summarize: (r: TrainModelResult, url: string | undefined) => formatTrainingResult(r, url),
    } as const;
    addStartCommand(group, deps, {
      ...kind,
      entityLabel: 'experiment',
      description: 'start training; the same dataset + hyperparameters twice runs once',
      waitDescription: 'show live progress (with metrics) and print the result',
      fields: TRAIN_FIELDS,
      prepare: (request: StartTrainingRequest) => prepareTrainingInput(request),
      start: (api, input) => api.startTraining(input),
    });
    addRunCommands(group, deps, kind);
  },
};
