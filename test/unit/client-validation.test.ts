import type { Client } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { startDatasetGeneration, startTraining } from '../../client/api.js';
import { InputValidationError } from '../../contracts/index.js';
import { rejectionOf } from '../support/errors.js';

/** A client whose every call is recorded: validation must fail before any of them happens. */
function recordingClient() {
  const calls: string[] = [];
  const handle = {
    describe: async () => {
      calls.push('describe');
      throw new Error('unexpected describe');
    },
  };
  const workflow = {
    start: async (...args: unknown[]) => {
      calls.push(`start ${JSON.stringify(args[0])}`);
      throw new Error('unexpected start');
    },
    getHandle: (id: string) => {
      calls.push(`getHandle ${id}`);
      return handle;
    },
  };
  return { client: { workflow } as unknown as Client, calls };
}

const rejection = (p: Promise<unknown>): Promise<InputValidationError> => rejectionOf(p, InputValidationError);

describe('startTraining validates before sending', () => {
  it('names the field and the value of a bad hyperparameter', async () => {
    const { client, calls } = recordingClient();
    const err = await rejection(startTraining(client, { datasetId: 'ds-1', hyperparameters: { epochs: 0 } }));
    expect(err.issues).toEqual([expect.objectContaining({ path: 'hyperparameters.epochs', value: 0 })]);
    expect(err.message).toContain('hyperparameters.epochs');
    expect(err.message).toContain('(got 0)');
    expect(calls).toEqual([]);
  });

  it('rejects an enum value it does not know, and unknown keys', async () => {
    const { client, calls } = recordingClient();
    const bad = { datasetId: 'ds-1', hyperparameters: { optimizer: 'adamw' }, colour: 'red' } as unknown as Parameters<typeof startTraining>[1];
    const err = await rejection(startTraining(client, bad));
    expect(err.message).toContain('hyperparameters.optimizer');
    expect(err.message).toContain('"adamw"');
    expect(err.message).toMatch(/colour/);
    expect(calls).toEqual([]);
  });

  it('rejects a dataset id that is not a slug', async () => {
    const { client, calls } = recordingClient();
    const err = await rejection(startTraining(client, { datasetId: 'Has Spaces' }));
    expect(err.issues[0]).toMatchObject({ path: 'datasetId', value: 'Has Spaces' });
    expect(calls).toEqual([]);
  });
});

describe('startDatasetGeneration validates before sending', () => {
  it('names a nested config field and its value', async () => {
    const { client, calls } = recordingClient();
    const err = await rejection(startDatasetGeneration(client, { config: { signalsPerClass: -1 } }));
    expect(err.issues[0]).toMatchObject({ path: 'config.signalsPerClass', value: -1 });
    expect(calls).toEqual([]);
  });

  it('reports an inverted SNR range', async () => {
    const { client, calls } = recordingClient();
    const err = await rejection(startDatasetGeneration(client, { config: { snrDb: [20, 5] } }));
    expect(err.message).toContain('config.snrDb');
    expect(calls).toEqual([]);
  });

  it('rejects an explicit id that is not a slug', async () => {
    const { client, calls } = recordingClient();
    const err = await rejection(startDatasetGeneration(client, { datasetId: '-bad', config: {} }));
    expect(err.issues[0]).toMatchObject({ path: 'datasetId', value: '-bad' });
    expect(calls).toEqual([]);
  });
});
