import { defaultPayloadConverter } from '@temporalio/common';
import { ApplicationFailure, WorkflowUpdateFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import {
  getNasCandidateArchitecture,
  prepareNasCampaignUpdate,
  prepareNasInput,
  startNasCampaign,
  updateNasCampaign,
  type StartNasRequest,
} from '../../client/api.js';
import { UpdateRejectedError } from '../../client/errors.js';
import { deriveNasCampaignId } from '../../client/ids.js';
import { resolveWorkflowId, WORKFLOW_KINDS } from '../../client/workflow-kinds.js';
import {
  InputValidationError,
  NasCampaignInputObjectSchema,
  NasCampaignInputSchema,
  WORKFLOW_TASK_QUEUE,
  type NasCampaignUpdate,
} from '../../contracts/index.js';
import { rejectionOf } from '../support/errors.js';
import { fakeClient as fakeTemporalClient, type UpdateAnswer } from '../support/fake-client.js';

/** Records every call; nothing runs. `update` decides what executeUpdate does, `histories` what fetchHistory returns. */
const fakeClient = (update: UpdateAnswer = async () => ({ maxCandidates: 30, maxConcurrentCandidates: 4 }), histories: Record<string, unknown> = {}) =>
  fakeTemporalClient({ update, histories });

const invalid = (p: Promise<unknown>): Promise<InputValidationError> => rejectionOf(p, InputValidationError);

describe('startNasCampaign validates before sending', () => {
  it('names enum, range and unknown-key violations and sends nothing', async () => {
    const { client, calls } = fakeClient();
    const bad = { datasetId: 'ds-1', strategy: { kind: 'darts', populationSize: 0 }, maxCandidates: 0, colour: 'red' } as unknown as StartNasRequest;
    const err = await invalid(startNasCampaign(client, bad));
    const paths = err.issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['strategy.kind', 'strategy.populationSize', 'maxCandidates']));
    expect(err.message).toContain('"darts"');
    expect(err.message).toMatch(/colour/);
    expect(calls).toEqual([]);
  });

  it('checks the shared training settings against the training contract, and refuses an architecture', async () => {
    const { client, calls } = fakeClient();
    const typo = await invalid(startNasCampaign(client, { datasetId: 'ds-1', training: { patience: -1 } }));
    expect(typo.issues).toEqual([expect.objectContaining({ path: 'training.patience' })]);
    const arch = await invalid(
      startNasCampaign(client, { datasetId: 'ds-1', training: { architecture: { blocks: [{ filters: 8, kernelSize: 3 }] } } } as unknown as StartNasRequest),
    );
    expect(arch.issues).toEqual([expect.objectContaining({ path: 'training.architecture', message: expect.stringContaining('comes from the search') })]);
    expect(calls).toEqual([]);
  });

  it('refuses positive scalarisation exponents and a missing dataset', async () => {
    const err = await invalid(startNasCampaign(fakeClient().client, { datasetId: 'ds-1', scalarization: { paramsExponent: 0.1 } }));
    expect(err.issues[0]).toMatchObject({ path: 'scalarization.paramsExponent', value: 0.1 });
    const missing = await invalid(startNasCampaign(fakeClient().client, {} as StartNasRequest));
    expect(missing.issues[0]).toMatchObject({ path: 'datasetId' });
  });
});

describe('NAS campaign id derivation', () => {
  it('is n-<12 hex>, stable across key order and spelled-out defaults', () => {
    const a = prepareNasInput({ datasetId: 'ds-1', maxCandidates: 10, strategy: { seed: 3 } });
    expect(a.campaignId).toMatch(/^n-[0-9a-f]{12}$/);
    expect(prepareNasInput({ strategy: { seed: 3 }, maxCandidates: 10, datasetId: 'ds-1' }).campaignId).toBe(a.campaignId);
    const spelledOut = NasCampaignInputObjectSchema.partial({ campaignId: true }).parse({ datasetId: 'ds-1', maxCandidates: 10, strategy: { seed: 3 } });
    expect(prepareNasInput(spelledOut).campaignId).toBe(a.campaignId);
    expect(deriveNasCampaignId(a)).toBe(a.campaignId);
  });

  it('changes with the dataset, the strategy, the seed, the budget, the limits or the training settings', () => {
    const base = prepareNasInput({ datasetId: 'ds-1' }).campaignId;
    const others = [
      { datasetId: 'ds-2' },
      { datasetId: 'ds-1', strategy: { kind: 'random' as const } },
      { datasetId: 'ds-1', strategy: { seed: 1 } },
      { datasetId: 'ds-1', maxCandidates: 21 },
      { datasetId: 'ds-1', limits: { maxParams: 50_000 } },
      { datasetId: 'ds-1', training: { learningRate: 0.01 } },
    ].map((r) => prepareNasInput(r).campaignId);
    expect(new Set([base, ...others]).size).toBe(others.length + 1);
  });

  it('a given id wins and differs from HPO ids', () => {
    expect(prepareNasInput({ datasetId: 'ds-1', campaignId: 'evo-1' }).campaignId).toBe('evo-1');
  });
});

describe('startNasCampaign sends', () => {
  it('by type name, to nas-<campaignId>, with the idempotent start policies and typed search attributes', async () => {
    const { client, starts } = fakeClient();
    const started = await startNasCampaign(client, { datasetId: 'ds-1', maxCandidates: 8, strategy: { kind: 'random', seed: 4 } });
    expect(started).toMatchObject({ workflowId: `nas-${started.entityId}`, entityId: expect.stringMatching(/^n-[0-9a-f]{12}$/), alreadyExisted: false });
    expect(starts).toHaveLength(1);
    const [{ workflowType, options }] = starts;
    expect(workflowType).toBe('nasCampaignWorkflow');
    expect(options).toMatchObject({
      workflowId: started.workflowId,
      taskQueue: WORKFLOW_TASK_QUEUE,
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
    });
    // The prepared input: defaults filled in, so the workflow and the id see the same campaign.
    expect(options.args).toEqual([
      NasCampaignInputSchema.parse({ campaignId: started.entityId, datasetId: 'ds-1', maxCandidates: 8, strategy: { kind: 'random', seed: 4 } }),
    ]);
    const attributes = Object.fromEntries(options.typedSearchAttributes.map((a) => [a.key.name, a.value]));
    expect(attributes).toEqual({ FaultlineKind: 'nas', FaultlineCampaignId: started.entityId, FaultlineDatasetId: 'ds-1', FaultlineStatus: 'RUNNING' });
  });

  it('the same request twice targets the same workflow id', async () => {
    const { client, starts } = fakeClient();
    await startNasCampaign(client, { datasetId: 'ds-1', epochs: 2 });
    await startNasCampaign(client, { epochs: 2, datasetId: 'ds-1' });
    expect(starts[0].options.workflowId).toBe(starts[1].options.workflowId);
  });
});

describe('updateNasCampaign', () => {
  it('rejects an empty, out-of-range or unknown update before sending', async () => {
    const { client, calls } = fakeClient();
    const empty = await invalid(updateNasCampaign(client, 'nas-n-1', {}));
    expect(empty.message).toContain('give maxCandidates and/or maxConcurrentCandidates');
    const zero = await invalid(updateNasCampaign(client, 'nas-n-1', { maxCandidates: 0 }));
    expect(zero.issues[0]).toMatchObject({ path: 'maxCandidates', value: 0 });
    const tooMany = await invalid(updateNasCampaign(client, 'nas-n-1', { maxConcurrentCandidates: 500 }));
    expect(tooMany.issues[0]).toMatchObject({ path: 'maxConcurrentCandidates', value: 500 });
    const hpoSpelling = await invalid(updateNasCampaign(client, 'nas-n-1', { maxTrials: 3 } as unknown as NasCampaignUpdate));
    expect(hpoSpelling.message).toMatch(/maxTrials/);
    expect(() => prepareNasCampaignUpdate({ maxCandidates: 1.5 })).toThrow(InputValidationError);
    expect(calls).toEqual([]);
  });

  it('sends the updateNasCampaign update and returns the limits in force', async () => {
    const { client, updates } = fakeClient();
    await expect(updateNasCampaign(client, 'nas-n-1', { maxCandidates: 30, maxConcurrentCandidates: 4 })).resolves.toEqual({
      maxCandidates: 30,
      maxConcurrentCandidates: 4,
    });
    expect(updates).toEqual([{ workflowId: 'nas-n-1', name: 'updateNasCampaign', args: [{ maxCandidates: 30, maxConcurrentCandidates: 4 }] }]);
  });

  it("surfaces the workflow validator's message when it rejects the update", async () => {
    const cause = ApplicationFailure.create({ message: 'maxCandidates 3 is below the 5 candidates already started', type: 'Error' });
    const { client } = fakeClient(async () => {
      throw new WorkflowUpdateFailedError('Workflow Update failed', cause);
    });
    const err = await rejectionOf(updateNasCampaign(client, 'nas-n-1', { maxCandidates: 3 }), UpdateRejectedError);
    expect(err.message).toBe('nas-n-1 rejected updateNasCampaign: maxCandidates 3 is below the 5 candidates already started');
    expect(err).toMatchObject({ workflowId: 'nas-n-1', updateName: 'updateNasCampaign', failureType: 'Error' });
  });
});

describe('getNasCandidateArchitecture', () => {
  const architecture = {
    blocks: [
      { filters: 8, kernelSize: 5 },
      { filters: 16, kernelSize: 3 },
    ],
    head: 'global-avg',
  };
  const history = (input: unknown) => ({
    events: [{ workflowExecutionStartedEventAttributes: { input: { payloads: [defaultPayloadConverter.toPayload(input)] } } }],
  });

  it("reads the architecture from the candidate's training run input; the attempt comes from the experiment id", async () => {
    const input = { experimentId: 'n-1-cand-3-a2', datasetId: 'ds-1', hyperparameters: { epochs: 3, architecture } };
    const { client, calls } = fakeClient(undefined, { 'nas-n-1-cand-3-attempt-2': history(input) });
    await expect(getNasCandidateArchitecture(client, 'n-1', 3, 'n-1-cand-3-a2')).resolves.toEqual(architecture);
    expect(calls).toEqual(['history nas-n-1-cand-3-attempt-2']);
  });

  it('is undefined when the run is gone or carries no architecture', async () => {
    const { client } = fakeClient(undefined, { 'nas-n-1-cand-0': history({ hyperparameters: {} }) });
    await expect(getNasCandidateArchitecture(client, 'n-1', 0)).resolves.toBeUndefined();
    await expect(getNasCandidateArchitecture(client, 'n-1', 9)).resolves.toBeUndefined();
  });
});

describe('nas workflow kind', () => {
  it('resolves a campaign id or a full workflow id', () => {
    expect(WORKFLOW_KINDS.nas).toMatchObject({ workflowType: 'nasCampaignWorkflow', searchKind: 'nas', entityField: 'campaignId' });
    expect(resolveWorkflowId('nas', 'n-0123456789ab')).toBe('nas-n-0123456789ab');
    expect(resolveWorkflowId('nas', 'nas-n-0123456789ab')).toBe('nas-n-0123456789ab');
  });
});
