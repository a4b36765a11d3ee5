import type { Command } from 'commander';
import type { TrainModelResult } from '../../contracts/index.js';
import { prepareTrainingInput, type StartTrainingRequest } from '../api.js';
import { outputOf, prepareOrExplain, withSession, type CommandGroup } from './context.js';
import { addFieldFlags, flagsByPath, number, requestFromFlags, type FieldFlag } from './fields.js';
import { formatStarted, formatTrainingResult } from './output.js';
import { addRunCommands, followToResult } from './run-commands.js';

/** `faultline train start` flags → TrainModelRequest fields. Defaults live in the contract. */
export const TRAIN_FIELDS: readonly FieldFlag[] = [
  { flags: '--dataset <datasetId>', description: 'dataset to train on (required)', path: ['datasetId'] },
  { flags: '--id <experimentId>', description: 'experiment id (default: derived from dataset + hyperparameters, exp-<hash>)', path: ['experimentId'] },
  { flags: '--epochs <n>', description: 'maximum epochs', path: ['hyperparameters', 'epochs'], parse: number },
  { flags: '--batch-size <n>', description: 'batch size', path: ['hyperparameters', 'batchSize'], parse: number },
  { flags: '--lr <rate>', description: 'learning rate', path: ['hyperparameters', 'learningRate'], parse: number },
  { flags: '--optimizer <name>', description: 'adam | sgd | rmsprop', path: ['hyperparameters', 'optimizer'] },
  { flags: '--patience <epochs>', description: 'early-stopping patience (0 disables)', path: ['hyperparameters', 'patience'], parse: number },
  { flags: '--window <samples>', description: 'window length', path: ['hyperparameters', 'windowLength'], parse: number },
  { flags: '--hop <samples>', description: 'window hop', path: ['hyperparameters', 'windowHop'], parse: number },
  { flags: '--max-windows <n>', description: 'windows per signal at most', path: ['hyperparameters', 'maxWindowsPerSignal'], parse: number },
  { flags: '--seed <n>', description: 'training seed (split, init, shuffling)', path: ['hyperparameters', 'seed'], parse: number },
  { flags: '--max-minutes <n>', description: 'deadline of the training activity, minutes', path: ['maxTrainingMinutes'], parse: number },
];

const summarize = (r: TrainModelResult, url: string | undefined) => formatTrainingResult(r, url);

export const trainCommands: CommandGroup = {
  name: 'train',
  register(program, deps) {
    const group = program.command('train').description('train a 1D CNN classifier (trainModelWorkflow)');

    const start = group
      .command('start')
      .description('start training; the same dataset + hyperparameters twice runs once')
      .option('--wait', 'show live progress (with metrics) and print the result');
    addFieldFlags(start, TRAIN_FIELDS).action(async (opts: Record<string, unknown>, cmd: Command) => {
      const out = outputOf(cmd, deps);
      // --dataset is "required" by the contract, not by commander, so a missing one is reported
      // like every other invalid field (exit 2, field named) and in JSON mode too.
      const request = requestFromFlags(TRAIN_FIELDS, opts) as StartTrainingRequest;
      const input = prepareOrExplain(() => prepareTrainingInput(request), flagsByPath(TRAIN_FIELDS));
      await withSession(cmd, deps, async (session) => {
        const started = await session.api.startTraining(input);
        const webUiUrl = session.webUiUrl(started.workflowId);
        const doc = { kind: 'train', ...started, webUiUrl };
        if (opts.wait !== true) {
          out.result(doc, () => `${formatStarted('experiment', started, webUiUrl)}\nFollow: faultline train progress ${started.entityId} --follow`);
          return;
        }
        out.line(formatStarted('experiment', started, webUiUrl));
        const result = await followToResult<TrainModelResult>(session, out, deps, started.workflowId, `faultline train progress ${started.entityId} --follow`);
        out.result({ ...doc, status: 'COMPLETED', result }, () => `\n${summarize(result, webUiUrl)}`);
      });
    });

    addRunCommands<TrainModelResult>(group, deps, { kind: 'train', idLabel: 'experiment id', summarize });
  },
};
