import path from 'node:path';
import { ApplicationFailure, WorkflowUpdateFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { prepareHpoInput, startHpoCampaign, updateCampaign, type StartHpoRequest } from '../../client/api.js';
import { artifactFilePath } from '../../client/artifact-path.js';
import { UpdateRejectedError } from '../../client/errors.js';
import { deriveCampaignId } from '../../client/ids.js';
import { resolveWorkflowId, WORKFLOW_KINDS } from '../../client/workflow-kinds.js';
import {
  HpoCampaignInputObjectSchema,
  InputValidationError,
  WORKFLOW_TASK_QUEUE,
  type HpoCampaignUpdate,
  type SearchSpaceInput,
} from '../../contracts/index.js';
import { parseSearchSpace } from '../../workflows/search/index.js';
import { rejectionOf } from '../support/errors.js';
import { fakeClient as fakeTemporalClient, type UpdateAnswer } from '../support/fake-client.js';

/** Records every call; nothing runs. `update` decides what executeUpdate does. */
const fakeClient = (update: UpdateAnswer = async () => ({ maxTrials: 30, maxConcurrentTrials: 4 })) => fakeTemporalClient({ update });

const invalid = (p: Promise<unknown>): Promise<InputValidationError> => rejectionOf(p, InputValidationError);

const SPACE = {
  learningRate: { type: 'float', low: 1e-4, high: 1e-1, log: true },
  optimizer: { type: 'categorical', choices: ['adam', 'sgd'] },
  minDelta: { type: 'float', low: 0.0001, high: 0.01, when: { param: 'optimizer', in: ['sgd'] } },
} satisfies SearchSpaceInput;

/** A request as a dashboard in another language may send it: not type-checked. */
const untyped = (request: unknown): StartHpoRequest => request as StartHpoRequest;

describe('startHpoCampaign validates the input and the search space before sending', () => {
  it('names space.<param>.<field> and the value for a bad bound', async () => {
    const { client, calls } = fakeClient();
    const err = await invalid(startHpoCampaign(client, { datasetId: 'ds-1', space: { ...SPACE, learningRate: { type: 'float', low: 0.1, high: 0.01 } } }));
    expect(err.issues).toEqual([expect.objectContaining({ path: 'space.learningRate.low', value: 0.1 })]);
    expect(err.message).toContain('space.learningRate.low: must be < high');
    expect(calls).toEqual([]);
  });

  it('names a wrong type and an unknown key of a parameter', async () => {
    const { client, calls } = fakeClient();
    const space = { layers: { type: 'int', low: 1.5, high: 4 }, dropout: { type: 'float', low: 0, high: 0.5, scale: 'linear' } };
    const err = await invalid(startHpoCampaign(client, untyped({ datasetId: 'ds-1', space })));
    expect(err.issues).toEqual([
      expect.objectContaining({ path: 'space.layers.low', value: 1.5 }),
      expect.objectContaining({ path: 'space.dropout', message: expect.stringContaining('scale') }),
    ]);
    expect(calls).toEqual([]);
  });

  it('names a condition on an unknown parameter, and on a value its parent never takes', async () => {
    const { client, calls } = fakeClient();
    const space = {
      ...SPACE,
      minDelta: { ...SPACE.minDelta, when: { param: 'optimiser', in: ['sgd'] } },
      nesterov: { type: 'categorical', choices: [true, false], when: { param: 'optimizer', in: ['adam', 'lbfgs'] } },
    };
    const err = await invalid(startHpoCampaign(client, untyped({ datasetId: 'ds-1', space })));
    expect(err.issues).toEqual([
      expect.objectContaining({ path: 'space.minDelta.when.param', value: 'optimiser' }),
      expect.objectContaining({ path: 'space.nesterov.when.in.1', value: 'lbfgs' }),
    ]);
    expect(calls).toEqual([]);
  });

  it('an empty space and a bad parameter name are named too', async () => {
    const empty = await invalid(startHpoCampaign(fakeClient().client, { datasetId: 'ds-1', space: {} }));
    expect(empty.issues[0]).toMatchObject({ path: 'space' });
    const badName = await invalid(startHpoCampaign(fakeClient().client, { datasetId: 'ds-1', space: { 'learning rate': { type: 'float', low: 0, high: 1 } } }));
    expect(badName.issues[0]).toMatchObject({ path: 'space.learning rate' });
  });

  it('reports contract fields and space issues in one error', async () => {
    const { client, calls } = fakeClient();
    const bad = { datasetId: 'ds-1', maxTrials: 0, space: { lr: { type: 'float', low: 1, high: 0 } } };
    const err = await invalid(startHpoCampaign(client, untyped(bad)));
    expect(err.issues.map((i) => i.path).sort()).toEqual(['maxTrials', 'space.lr.low']);
    expect(calls).toEqual([]);
  });

  it('rejects contract violations naming the field: enum, range, unknown key, inverted epochs', async () => {
    const { client, calls } = fakeClient();
    const bad = { datasetId: 'ds-1', sampler: { kind: 'bayes' }, pruner: { minEpochs: 9, maxEpochs: 3 }, colour: 'red' } as unknown as StartHpoRequest;
    const err = await invalid(startHpoCampaign(client, bad));
    expect(err.message).toContain('sampler.kind');
    expect(err.message).toContain('"bayes"');
    expect(err.message).toContain('pruner.minEpochs');
    expect(err.message).toMatch(/colour/);
    expect(calls).toEqual([]);
  });
});

describe('campaign id derivation', () => {
  it('is c-<12 hex>, stable across key order, spelled-out defaults and a normalised space', () => {
    const a = prepareHpoInput({ datasetId: 'ds-1', space: SPACE, maxTrials: 10 });
    expect(a.campaignId).toMatch(/^c-[0-9a-f]{12}$/);
    expect(prepareHpoInput({ maxTrials: 10, space: SPACE, datasetId: 'ds-1' }).campaignId).toBe(a.campaignId);
    const spelledOut = HpoCampaignInputObjectSchema.partial({ campaignId: true }).parse({ datasetId: 'ds-1', maxTrials: 10 });
    expect(prepareHpoInput({ ...spelledOut, space: SPACE }).campaignId).toBe(a.campaignId);
    // keys inside a parameter spec may come in any order, and defaults may be written out
    const respelled = {
      ...SPACE,
      learningRate: { log: true, high: 1e-1, low: 1e-4, type: 'float' },
      minDelta: { ...SPACE.minDelta, log: false },
    } satisfies SearchSpaceInput;
    expect(prepareHpoInput({ datasetId: 'ds-1', maxTrials: 10, space: respelled }).campaignId).toBe(a.campaignId);
  });

  it("counts the order of the space's parameters (it is the sampling order)", () => {
    const reordered = { optimizer: SPACE.optimizer, learningRate: SPACE.learningRate, minDelta: SPACE.minDelta };
    expect(prepareHpoInput({ datasetId: 'ds-1', space: reordered }).campaignId).not.toBe(prepareHpoInput({ datasetId: 'ds-1', space: SPACE }).campaignId);
  });

  it('changes with the dataset, the seed, the budget or the space', () => {
    const base = prepareHpoInput({ datasetId: 'ds-1' }).campaignId;
    expect(prepareHpoInput({ datasetId: 'ds-2' }).campaignId).not.toBe(base);
    expect(prepareHpoInput({ datasetId: 'ds-1', sampler: { seed: 1 } }).campaignId).not.toBe(base);
    expect(prepareHpoInput({ datasetId: 'ds-1', maxTrials: 21 }).campaignId).not.toBe(base);
    expect(prepareHpoInput({ datasetId: 'ds-1', space: SPACE }).campaignId).not.toBe(base);
  });

  it('a given id wins; the derived id ignores any id; the input carries the normalised space', () => {
    expect(prepareHpoInput({ datasetId: 'ds-1', campaignId: 'lr-sweep' }).campaignId).toBe('lr-sweep');
    const input = prepareHpoInput({ datasetId: 'ds-1', space: SPACE });
    expect(deriveCampaignId(input)).toBe(input.campaignId);
    expect(input.space).toEqual(parseSearchSpace(SPACE));
    // Normalising is idempotent: the workflow re-parsing the space gets the same space.
    expect(parseSearchSpace(input.space)).toEqual(input.space);
  });
});

describe('startHpoCampaign sends', () => {
  it('by type name, to hpo-<campaignId>, with the idempotent start policies and typed search attributes', async () => {
    const { client, starts } = fakeClient();
    const started = await startHpoCampaign(client, { datasetId: 'ds-1', space: SPACE, maxTrials: 8 });
    expect(started).toMatchObject({ workflowId: `hpo-${started.entityId}`, entityId: expect.stringMatching(/^c-[0-9a-f]{12}$/), alreadyExisted: false });
    expect(starts).toHaveLength(1);
    const [{ workflowType, options }] = starts;
    expect(workflowType).toBe('hpoCampaignWorkflow');
    expect(options).toMatchObject({
      workflowId: started.workflowId,
      taskQueue: WORKFLOW_TASK_QUEUE,
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
    });
    expect(options.args).toEqual([
      expect.objectContaining({ campaignId: started.entityId, datasetId: 'ds-1', maxTrials: 8, sampler: { kind: 'tpe', seed: 0 } }),
    ]);
    const attributes = Object.fromEntries(options.typedSearchAttributes.map((a) => [a.key.name, a.value]));
    expect(attributes).toEqual({ FaultlineKind: 'hpo', FaultlineCampaignId: started.entityId, FaultlineDatasetId: 'ds-1', FaultlineStatus: 'RUNNING' });
  });

  it('the same request twice targets the same workflow id', async () => {
    const { client, starts } = fakeClient();
    await startHpoCampaign(client, { datasetId: 'ds-1', maxTrials: 5 });
    await startHpoCampaign(client, { maxTrials: 5, datasetId: 'ds-1' });
    expect(starts[0].options.workflowId).toBe(starts[1].options.workflowId);
  });
});

describe('updateCampaign', () => {
  it('rejects an empty, out-of-range or unknown update before sending', async () => {
    const { client, calls } = fakeClient();
    const empty = await invalid(updateCampaign(client, 'hpo-c-1', {}));
    expect(empty.message).toContain('give maxTrials and/or maxConcurrentTrials');
    const zero = await invalid(updateCampaign(client, 'hpo-c-1', { maxTrials: 0 }));
    expect(zero.issues[0]).toMatchObject({ path: 'maxTrials', value: 0 });
    const tooMany = await invalid(updateCampaign(client, 'hpo-c-1', { maxConcurrentTrials: 500 }));
    expect(tooMany.issues[0]).toMatchObject({ path: 'maxConcurrentTrials', value: 500 });
    const unknown = await invalid(updateCampaign(client, 'hpo-c-1', { budget: 3 } as unknown as HpoCampaignUpdate));
    expect(unknown.message).toMatch(/budget/);
    expect(calls).toEqual([]);
  });

  it('sends the updateCampaign update and returns the limits in force', async () => {
    const { client, updates } = fakeClient();
    await expect(updateCampaign(client, 'hpo-c-1', { maxTrials: 30, maxConcurrentTrials: 4 })).resolves.toEqual({ maxTrials: 30, maxConcurrentTrials: 4 });
    expect(updates).toEqual([{ workflowId: 'hpo-c-1', name: 'updateCampaign', args: [{ maxTrials: 30, maxConcurrentTrials: 4 }] }]);
  });

  it("surfaces the workflow validator's message when it rejects the update", async () => {
    const cause = ApplicationFailure.create({ message: 'maxTrials 3 is below the 5 trials already started', type: 'Error' });
    const { client } = fakeClient(async () => {
      throw new WorkflowUpdateFailedError('Workflow Update failed', cause);
    });
    const err = await rejectionOf(updateCampaign(client, 'hpo-c-1', { maxTrials: 3 }), UpdateRejectedError);
    expect(err.message).toBe('hpo-c-1 rejected updateCampaign: maxTrials 3 is below the 5 trials already started');
    expect(err).toMatchObject({ workflowId: 'hpo-c-1', updateName: 'updateCampaign', failureType: 'Error' });
  });
});

describe('hpo workflow kind and artifact paths', () => {
  it('resolves a campaign id or a full workflow id', () => {
    expect(WORKFLOW_KINDS.hpo.workflowType).toBe('hpoCampaignWorkflow');
    expect(resolveWorkflowId('hpo', 'c-0123456789ab')).toBe('hpo-c-0123456789ab');
    expect(resolveWorkflowId('hpo', 'hpo-c-0123456789ab')).toBe('hpo-c-0123456789ab');
  });

  it('maps an artifact URI onto the file store layout', () => {
    const hex = 'ab'.padEnd(64, '0');
    expect(artifactFilePath('/data/artifacts', `artifact:sha256/${hex}`)).toBe(path.join('/data/artifacts', 'sha256', 'ab', hex));
    expect(artifactFilePath('/data/artifacts', 'file:///x.html')).toBeUndefined();
  });
});

describe('the shared training settings (base)', () => {
  it('are checked against the training contract before a campaign starts, naming the key', () => {
    expect(() => prepareHpoInput(untyped({ datasetId: 'ds-1', base: { hyperparameters: { patience: 0 } } }))).toThrow(
      /base: Unrecognized key: "hyperparameters"/,
    );
    expect(() => prepareHpoInput({ datasetId: 'ds-1', base: { patience: -1 } })).toThrow(/base\.patience.*\(got -1\)/);
    expect(prepareHpoInput({ datasetId: 'ds-1', base: { patience: 0 } }).base).toEqual({ patience: 0 });
  });
});
