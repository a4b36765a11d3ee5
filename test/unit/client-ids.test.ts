import { describe, expect, it } from 'vitest';
import { deriveDatasetId, deriveExperimentId } from '../../client/ids.js';
import { prepareDatasetInput, prepareTrainingInput } from '../../client/api.js';
import { SimulatorConfigSchema, TrainHyperparametersSchema } from '../../contracts/index.js';

describe('deriveDatasetId', () => {
  it('gives {} and the spelled-out defaults the same id', () => {
    const explicit = SimulatorConfigSchema.parse({});
    expect(deriveDatasetId({})).toBe(deriveDatasetId(explicit));
    expect(deriveDatasetId({})).toMatch(/^ds-[0-9a-f]{12}$/);
  });

  it('does not depend on key order', () => {
    expect(deriveDatasetId({ seed: 7, signalsPerClass: 3 })).toBe(deriveDatasetId({ signalsPerClass: 3, seed: 7 }));
  });

  it('changes when the config changes', () => {
    expect(deriveDatasetId({ seed: 1 })).not.toBe(deriveDatasetId({ seed: 2 }));
    expect(deriveDatasetId({ snrDb: [0, 10] })).not.toBe(deriveDatasetId({}));
  });

  it('is what prepareDatasetInput fills in when no id is given, and a given id wins', () => {
    expect(prepareDatasetInput({ config: { seed: 3 } }).datasetId).toBe(deriveDatasetId({ seed: 3 }));
    expect(prepareDatasetInput({ datasetId: 'mine', config: {} }).datasetId).toBe('mine');
  });
});

describe('deriveExperimentId', () => {
  it('gives no hyperparameters and the explicit defaults the same id', () => {
    const defaults = TrainHyperparametersSchema.parse({});
    const a = deriveExperimentId({ datasetId: 'ds-1' });
    expect(a).toBe(deriveExperimentId({ datasetId: 'ds-1', hyperparameters: {} }));
    expect(a).toBe(deriveExperimentId({ datasetId: 'ds-1', hyperparameters: defaults }));
    expect(a).toMatch(/^exp-[0-9a-f]{12}$/);
  });

  it('changes with the dataset, a hyperparameter or the resume point', () => {
    const base = deriveExperimentId({ datasetId: 'ds-1' });
    expect(deriveExperimentId({ datasetId: 'ds-2' })).not.toBe(base);
    expect(deriveExperimentId({ datasetId: 'ds-1', hyperparameters: { epochs: 3 } })).not.toBe(base);
    expect(deriveExperimentId({ datasetId: 'ds-1', resumeFrom: { checkpointUri: `artifact:sha256/${'c'.repeat(64)}`, epoch: 2 } })).not.toBe(base);
  });

  it('ignores the time budget (it does not change what is trained)', () => {
    const a = prepareTrainingInput({ datasetId: 'ds-1', maxTrainingMinutes: 5 }).experimentId;
    const b = prepareTrainingInput({ datasetId: 'ds-1', maxTrainingMinutes: 60 }).experimentId;
    expect(a).toBe(b);
    expect(a).toBe(deriveExperimentId({ datasetId: 'ds-1' }));
  });
});
