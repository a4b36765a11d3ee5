import { describe, expect, it } from 'vitest';
import { createFaultlineApi, prepareXaiInput, startXaiBatch, type StartXaiRequest } from '../../client/api.js';
import { deriveXaiBatchId } from '../../client/ids.js';
import { resolveWorkflowId, WORKFLOW_KINDS, workflowIdCandidates } from '../../client/workflow-kinds.js';
import { ExplainSignalsInputSchema, InputValidationError, WORKFLOW_TASK_QUEUE } from '../../contracts/index.js';
import { rejectionOf, thrownBy } from '../support/errors.js';
import { fakeClient } from '../support/fake-client.js';

const invalid = (p: Promise<unknown>): Promise<InputValidationError> => rejectionOf(p, InputValidationError);
const prepareError = (request: unknown): InputValidationError => thrownBy(() => prepareXaiInput(request as StartXaiRequest), InputValidationError);

const ids = (...refs: string[]) => ({ kind: 'ids' as const, ids: refs });
const minimal: StartXaiRequest = { modelId: 'exp-1', selection: ids('cwru-demo:3', 'cwru-demo:17'), methods: { 'integrated-gradients': {} } };

describe('prepareXaiInput', () => {
  it('fills in the contract defaults: per-method options, windows, target, faithfulness, summary, seed, maxInFlight', () => {
    const input = prepareXaiInput({ ...minimal, methods: { 'integrated-gradients': {}, 'grad-cam': {}, occlusion: {}, 'kernel-shap': {} } });
    expect(input).toEqual({
      batchId: input.batchId,
      modelId: 'exp-1',
      selection: ids('cwru-demo:3', 'cwru-demo:17'),
      methods: {
        'integrated-gradients': { steps: 64, baseline: 'zeros', score: 'probability' },
        'grad-cam': { score: 'logit' },
        occlusion: { window: 128, stride: 64, baseline: 'zeros' },
        'kernel-shap': { segments: 16, samples: 256, background: { size: 16 } },
      },
      windowsPerSignal: 1,
      target: 'predicted',
      faithfulness: { steps: 16, randomOrders: 8 },
      summary: { segments: 16, topK: 3, bands: 8 },
      seed: 0,
      maxInFlight: 8,
    });
    // maxFailedSignals stays unset: the workflow takes 10 % of the selection (at least 1).
    expect(input.maxFailedSignals).toBeUndefined();
    expect(ExplainSignalsInputSchema.parse(input)).toEqual(input);
  });

  it('keeps a dataset selection with its filter', () => {
    const input = prepareXaiInput({
      ...minimal,
      selection: { kind: 'dataset', datasetId: 'ds-1', labels: ['normal', 'ball'], fromIndex: 10, toIndex: 90, limit: 25 },
    });
    expect(input.selection).toEqual({ kind: 'dataset', datasetId: 'ds-1', labels: ['normal', 'ball'], fromIndex: 10, toIndex: 90, limit: 25 });
  });

  it('names a bad signal reference by its position and value', () => {
    const err = prepareError({ ...minimal, selection: ids('cwru-demo:3', 'CWRU demo#17') });
    expect(err.issues).toEqual([
      expect.objectContaining({ path: 'selection.ids.1', value: 'CWRU demo#17', message: expect.stringContaining('<datasetId>:<index>') }),
    ]);
    expect(err.message).toContain('selection.ids.1');
    expect(err.message).toContain('(got "CWRU demo#17")');
  });

  it('names an unknown method key, a method option out of range and an unknown option', () => {
    const unknown = prepareError({ ...minimal, methods: { lime: {} } });
    expect(unknown.issues[0]).toMatchObject({ path: 'methods' });
    expect(unknown.message).toMatch(/lime/);
    const steps = prepareError({ ...minimal, methods: { 'integrated-gradients': { steps: 0 } } });
    expect(steps.issues).toEqual([expect.objectContaining({ path: 'methods.integrated-gradients.steps', value: 0 })]);
    const option = prepareError({ ...minimal, methods: { occlusion: { size: 5 } } });
    expect(option.issues[0]).toMatchObject({ path: 'methods.occlusion' });
    expect(option.message).toMatch(/size/);
  });

  it('refuses no method, maxInFlight 0, a repeated signal, a bad label, fromIndex ≥ toIndex, a missing model', () => {
    expect(prepareError({ ...minimal, methods: {} }).issues[0]).toMatchObject({ path: 'methods', message: 'must name at least one method' });
    expect(prepareError({ ...minimal, maxInFlight: 0 }).issues).toEqual([expect.objectContaining({ path: 'maxInFlight', value: 0 })]);
    expect(prepareError({ ...minimal, selection: ids('a:1', 'a:1') }).issues[0]).toMatchObject({ path: 'selection.ids', message: 'must not repeat a signal' });
    expect(prepareError({ ...minimal, selection: { kind: 'dataset', datasetId: 'ds-1', labels: ['cracked'] } }).issues[0]).toMatchObject({
      path: 'selection.labels.0',
      value: 'cracked',
    });
    expect(prepareError({ ...minimal, selection: { kind: 'dataset', datasetId: 'ds-1', fromIndex: 5, toIndex: 5 } }).issues[0]).toMatchObject({
      path: 'selection.toIndex',
      message: 'fromIndex must be < toIndex',
    });
    const { modelId: _dropped, ...noModel } = minimal;
    expect(prepareError(noModel).issues[0]).toMatchObject({ path: 'modelId' });
  });
});

describe('XAI batch id derivation', () => {
  it('is x-<12 hex>, stable across key order and spelled-out defaults', () => {
    const a = prepareXaiInput(minimal);
    expect(a.batchId).toMatch(/^x-[0-9a-f]{12}$/);
    expect(prepareXaiInput({ methods: { 'integrated-gradients': {} }, selection: ids('cwru-demo:3', 'cwru-demo:17'), modelId: 'exp-1' }).batchId).toBe(
      a.batchId,
    );
    const spelledOut = {
      ...minimal,
      methods: { 'integrated-gradients': { steps: 64, baseline: 'zeros' as const } },
      maxInFlight: 8,
      seed: 0,
      target: 'predicted' as const,
    };
    expect(prepareXaiInput(spelledOut).batchId).toBe(a.batchId);
    expect(deriveXaiBatchId(a)).toBe(a.batchId);
  });

  it('changes with the model, the signals and their order, the selection, a method, a method option, the seed or the window', () => {
    const base = prepareXaiInput(minimal).batchId;
    const others: StartXaiRequest[] = [
      { ...minimal, modelId: 'exp-2' },
      { ...minimal, selection: ids('cwru-demo:3') },
      { ...minimal, selection: ids('cwru-demo:17', 'cwru-demo:3') },
      { ...minimal, selection: { kind: 'dataset', datasetId: 'cwru-demo' } },
      { ...minimal, selection: { kind: 'dataset', datasetId: 'cwru-demo', labels: ['ball'] } },
      { ...minimal, methods: { 'grad-cam': {} } },
      { ...minimal, methods: { 'integrated-gradients': {}, 'kernel-shap': {} } },
      { ...minimal, methods: { 'integrated-gradients': { steps: 32 } } },
      { ...minimal, seed: 1 },
      { ...minimal, maxInFlight: 4 },
      { ...minimal, maxFailedSignals: 0 },
    ];
    const derived = others.map((r) => prepareXaiInput(r).batchId);
    expect(new Set([base, ...derived]).size).toBe(others.length + 1);
  });

  it('a given batch id wins and is checked like any slug', () => {
    expect(prepareXaiInput({ ...minimal, batchId: 'ball-check-1' }).batchId).toBe('ball-check-1');
    expect(prepareError({ ...minimal, batchId: 'Ball Check' }).issues[0]).toMatchObject({ path: 'batchId', value: 'Ball Check' });
  });
});

describe('startXaiBatch', () => {
  it('validates before sending anything', async () => {
    const { client, calls } = fakeClient();
    const err = await invalid(startXaiBatch(client, { ...minimal, selection: ids('cwru-demo:3', 'nope'), maxInFlight: 0 }));
    expect(err.issues.map((i) => i.path)).toEqual(['selection.ids.1', 'maxInFlight']);
    expect(calls).toEqual([]);
  });

  it('starts explainSignalsWorkflow by type name at xai-<batchId>, idempotently, with kind/model/status search attributes', async () => {
    const { client, starts, calls } = fakeClient();
    const started = await startXaiBatch(client, minimal);
    const batchId = prepareXaiInput(minimal).batchId;
    expect(started).toEqual({ workflowId: `xai-${batchId}`, runId: 'run-1', entityId: batchId, alreadyExisted: false });
    expect(calls).toEqual([`describe xai-${batchId}`, `start xai-${batchId}`]);
    const [{ workflowType, options }] = starts;
    expect(workflowType).toBe('explainSignalsWorkflow');
    expect(options).toMatchObject({
      workflowId: `xai-${batchId}`,
      taskQueue: WORKFLOW_TASK_QUEUE,
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
    });
    expect(options.args).toEqual([prepareXaiInput(minimal)]);
    const attributes = Object.fromEntries(options.typedSearchAttributes.map((a) => [a.key.name, a.value]));
    // An ids selection may span datasets: no dataset attribute.
    expect(attributes).toEqual({ FaultlineKind: 'xai', FaultlineExperimentId: 'exp-1', FaultlineStatus: 'RUNNING' });
  });

  it('a dataset selection also tags the dataset; a given batch id is used as is', async () => {
    const { client, starts } = fakeClient();
    const started = await startXaiBatch(client, { ...minimal, batchId: 'ball-check-1', selection: { kind: 'dataset', datasetId: 'ds-1', labels: ['ball'] } });
    expect(started.workflowId).toBe('xai-ball-check-1');
    const attributes = Object.fromEntries(starts[0].options.typedSearchAttributes.map((a) => [a.key.name, a.value]));
    expect(attributes).toEqual({ FaultlineKind: 'xai', FaultlineExperimentId: 'exp-1', FaultlineDatasetId: 'ds-1', FaultlineStatus: 'RUNNING' });
  });

  it('the same request twice targets the same workflow id; createFaultlineApi exposes it', async () => {
    const { client, starts } = fakeClient();
    const api = createFaultlineApi(client);
    await api.startXaiBatch?.(minimal);
    await api.startXaiBatch?.({ methods: { 'integrated-gradients': { steps: 64 } }, modelId: 'exp-1', selection: ids('cwru-demo:3', 'cwru-demo:17') });
    expect(starts).toHaveLength(2);
    expect(starts[0].options.workflowId).toBe(starts[1].options.workflowId);
  });
});

describe('xai workflow kind', () => {
  it('resolves a batch id or a full workflow id', () => {
    expect(WORKFLOW_KINDS.xai).toMatchObject({ workflowType: 'explainSignalsWorkflow', searchKind: 'xai', entityField: 'batchId' });
    expect(resolveWorkflowId('xai', 'x-0123456789ab')).toBe('xai-x-0123456789ab');
    expect(resolveWorkflowId('xai', 'xai-x-0123456789ab')).toBe('xai-x-0123456789ab');
    // A batch named `xai-…` is ambiguous: locateWorkflowId tries both readings.
    expect(workflowIdCandidates('xai', 'xai-1')).toEqual(['xai-1', 'xai-xai-1']);
  });
});
