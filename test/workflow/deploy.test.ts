import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { ControlActivities, TrainActivities } from '../../activities/index.js';
import { cancelRun, getProgress, getResult } from '../../client/api.js';
import { startDeployment } from '../../client/deploy.js';
import { WorkflowRunFailedError } from '../../client/errors.js';
import {
  SEARCH_ATTRIBUTES,
  type DeployModelResult,
  type DeployRunResult,
  type DeployStep,
  type EngineBenchmark,
  type ModelVersionKind,
} from '../../contracts/index.js';
import { Gate, until, workflowSuite } from '../support/workflow-env.js';

/**
 * deployModelWorkflow's saga with fake activities over an in-memory version table that behaves
 * like db/repos/model-versions.ts: every step made to fail in turn, and a cancellation, must
 * leave nothing of the deployment published and the version published before current again.
 * The real activities run in test/integration/deploy.test.ts.
 */
interface Version {
  deploymentId: string;
  status: string;
  published: boolean;
  replacesId: string | null;
}
const URI = (c: string) => `artifact:sha256/${c.repeat(64)}`;
const PREVIOUS = 'old.onnx-fp32';

function world() {
  const versions = new Map<string, Version>([[PREVIOUS, { deploymentId: 'old', status: 'published', published: true, replacesId: null }]]);
  const calls: string[] = [];
  const outcomes: { outcome: string; message: string }[] = [];
  const published = () => [...versions.entries()].filter(([, v]) => v.published).map(([id]) => id);
  return { versions, calls, outcomes, published };
}
type World = ReturnType<typeof world>;

function fakes(
  w: World,
  opts: { failAt?: DeployStep; publishFailsAfterCommit?: boolean; gateAt?: DeployStep; gate?: Gate; rejectAll?: boolean; rejectInt8?: boolean },
) {
  const maybeFail = async (step: DeployStep) => {
    if (opts.gateAt === step) await opts.gate?.pass();
    if (opts.failAt === step) throw ApplicationFailure.nonRetryable(`${step} broke (injected)`, 'InvalidState');
  };
  const exported = (deploymentId: string, kind: ModelVersionKind) => {
    const versionId = `${deploymentId}.${kind}`;
    w.versions.set(versionId, { deploymentId, status: 'exported', published: false, replacesId: null });
    return {
      versionId,
      kind,
      artifactUri: URI(kind === 'onnx-fp32' ? 'a' : 'b'),
      bytes: 1000,
      parity: { windows: 256, maxAbsDiff: 1e-7, tolerance: 1e-4, argmaxAgreement: 1 },
    };
  };
  const engine = (versionId: string | null, threads: number, throughput64: number): EngineBenchmark => ({
    engine: versionId ? 'onnxruntime-cpu' : 'tfjs-cpu',
    versionId,
    threads,
    p50Ms: 1,
    p95Ms: 2,
    p99Ms: 3,
    throughput64,
    throughput256: throughput64,
    coldStartMs: 10,
    bytes: 1000,
    peakRssMb: 100,
  });
  const rejected = (id: string) => opts.rejectAll === true || (opts.rejectInt8 === true && id.includes('int8'));
  const train: Partial<TrainActivities> = {
    async exportOnnxVersion(i) {
      w.calls.push('export');
      const v = exported(i.deploymentId, 'onnx-fp32');
      await maybeFail('export'); // after the row: a step that dies half-way
      return v;
    },
    async optimizeOnnxVersion(i) {
      w.calls.push('optimize');
      const v = exported(i.deploymentId, 'onnx-optimized');
      await maybeFail('optimize');
      return v;
    },
    async quantizeOnnxVersions(i) {
      w.calls.push(`quantize:${i.formats.join(',')}`);
      const kinds = { 'int8-static': 'onnx-int8-static', 'int8-dynamic': 'onnx-int8-dynamic', float16: 'onnx-fp16' } as const;
      const made = i.formats.map((f) => exported(i.deploymentId, kinds[f]));
      await maybeFail('quantize');
      return made.map((v) => ({ ...v, parity: { ...v.parity, tolerance: null } }));
    },
    async validateOnnxVersions(i) {
      w.calls.push(`validate:${i.versionIds.length}`);
      await maybeFail('validate');
      for (const id of i.versionIds) {
        const v = w.versions.get(id);
        if (v) v.status = rejected(id) ? 'rejected' : 'validated';
      }
      return {
        windows: 400,
        tfjsAccuracy: 0.98,
        versions: i.versionIds.map((versionId) => ({
          versionId,
          accuracy: rejected(versionId) ? 0.9 : 0.98,
          dropPp: rejected(versionId) ? 8 : 0,
          accepted: !rejected(versionId),
        })),
      };
    },
    async benchmarkOnnxVersions(i) {
      w.calls.push('benchmark');
      await maybeFail('benchmark');
      // int8 static is the fastest, then the optimised fp32 one.
      const speed = (id: string) => (id.endsWith('int8-static') ? 4000 : id.endsWith('optimized') ? 3000 : 2500);
      return { engines: [engine(null, 1, 1000), ...i.versionIds.map((id) => engine(id, 1, speed(id)))], speedup: 2.5, int8Speedup: 4 };
    },
  };
  const control: Partial<ControlActivities> = {
    async publishModelVersion(i) {
      w.calls.push('publish');
      if (opts.gateAt === 'publish') await opts.gate?.pass();
      const previous = w.published()[0] ?? null;
      const commit = () => {
        for (const id of w.published()) Object.assign(w.versions.get(id) ?? {}, { published: false, status: 'retired' });
        Object.assign(w.versions.get(i.versionId) ?? {}, { published: true, status: 'published', replacesId: previous });
      };
      if (opts.failAt === 'publish') {
        if (opts.publishFailsAfterCommit) commit(); // the commit landed, its reply did not
        throw ApplicationFailure.nonRetryable('publish broke (injected)', 'InvalidState');
      }
      commit();
      return { versionId: i.versionId, previousVersionId: previous };
    },
    async rollBackDeployment(i) {
      w.calls.push(`undo:${(i.versionIds ?? ['all']).join(',')}`);
      const rolledBack: string[] = [];
      let restored: string | null = null;
      for (const [id, v] of w.versions) {
        if (v.deploymentId !== i.deploymentId || (i.versionIds && !i.versionIds.includes(id))) continue;
        if (v.published) {
          v.published = false;
          const prev = v.replacesId ? w.versions.get(v.replacesId) : undefined;
          if (prev && v.replacesId) Object.assign(prev, { published: true, status: 'published' });
          restored = v.replacesId;
        }
        if (v.status !== 'rolled_back') rolledBack.push(id);
        v.status = 'rolled_back';
      }
      return { rolledBack, restored };
    },
    async recordDeploymentOutcome(o) {
      w.outcomes.push({ outcome: o.outcome, message: o.message });
    },
  };
  return { train, control };
}

describe('deployModelWorkflow saga (fast, fake activities)', () => {
  const s = workflowSuite();

  it('runs export -> optimise -> quantize -> validate -> benchmark -> publish and publishes the fastest accepted version', async () => {
    const w = world();
    const workers = await s.startWorkers(fakes(w, {}));
    try {
      const run = await s.track(startDeployment(s.client, { experimentId: 'exp-ok' }));
      expect(run.workflowId).toBe('deploy-exp-ok-deploy');
      const r = await getResult<DeployModelResult>(s.client, run.workflowId);
      expect(w.calls).toEqual(['export', 'optimize', 'quantize:int8-static,int8-dynamic', 'validate:4', 'benchmark', 'publish']);
      expect(r).toMatchObject({ status: 'PUBLISHED', publishedVersionId: 'exp-ok-deploy.onnx-int8-static', previousVersionId: PREVIOUS });
      expect(r.versions.map((v) => v.kind)).toEqual(['onnx-fp32', 'onnx-optimized', 'onnx-int8-static', 'onnx-int8-dynamic']);
      expect(w.published()).toEqual(['exp-ok-deploy.onnx-int8-static']);
      expect(w.versions.get(PREVIOUS)?.status).toBe('retired');
      expect(w.outcomes.map((o) => o.outcome)).toEqual(['COMPLETED']);
      expect(await getProgress(s.client, run.workflowId)).toMatchObject({ phase: 'completed', completed: 6, total: 6, fraction: 1 });
      const d = await s.client.workflow.getHandle(run.workflowId).describe();
      expect(d.typedSearchAttributes.get(SEARCH_ATTRIBUTES.kind)).toBe('deploy');
      expect(d.typedSearchAttributes.get(SEARCH_ATTRIBUTES.experimentId)).toBe('exp-ok');
      expect(d.typedSearchAttributes.get(SEARCH_ATTRIBUTES.status)).toBe('COMPLETED');
    } finally {
      await workers.stop();
    }
  });

  const q = (d: string) => `undo:${d}.onnx-int8-static,${d}.onnx-int8-dynamic`;
  const cases: { failAt: DeployStep; publishFailsAfterCommit?: boolean; undo: string[] }[] = [
    { failAt: 'export', undo: ['undo:d-export.onnx-fp32'] },
    { failAt: 'optimize', undo: ['undo:d-optimize.onnx-optimized', 'undo:d-optimize.onnx-fp32'] },
    { failAt: 'quantize', undo: [q('d-quantize'), 'undo:d-quantize.onnx-optimized', 'undo:d-quantize.onnx-fp32'] },
    { failAt: 'validate', undo: [q('d-validate'), 'undo:d-validate.onnx-optimized', 'undo:d-validate.onnx-fp32'] },
    { failAt: 'benchmark', undo: [q('d-benchmark'), 'undo:d-benchmark.onnx-optimized', 'undo:d-benchmark.onnx-fp32'] },
    { failAt: 'publish', publishFailsAfterCommit: true, undo: ['undo:all', q('d-publish'), 'undo:d-publish.onnx-optimized', 'undo:d-publish.onnx-fp32'] },
  ];
  for (const c of cases) {
    it(`a failure at ${c.failAt}${c.publishFailsAfterCommit ? ' (after its commit)' : ''} rolls back every earlier step, in reverse, and the previous version stays published`, async () => {
      const w = world();
      const workers = await s.startWorkers(fakes(w, { failAt: c.failAt, publishFailsAfterCommit: c.publishFailsAfterCommit }));
      try {
        const run = await s.track(startDeployment(s.client, { experimentId: 'exp-f', deploymentId: `d-${c.failAt}` }));
        const err = await getResult(s.client, run.workflowId).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(WorkflowRunFailedError);
        expect((err as Error).message).toContain(`${c.failAt} broke (injected)`);
        expect(w.calls.filter((x) => x.startsWith('undo:'))).toEqual(c.undo);
        expect(w.published()).toEqual([PREVIOUS]);
        expect(w.versions.get(PREVIOUS)?.status).toBe('published');
        for (const [id, v] of w.versions) if (v.deploymentId === `d-${c.failAt}`) expect(v.status, id).toBe('rolled_back');
        expect(w.outcomes).toEqual([{ outcome: 'FAILED', message: expect.stringContaining(`failed at step ${c.failAt}`) }]);
        const d = await s.client.workflow.getHandle(run.workflowId).describe();
        expect(d.typedSearchAttributes.get(SEARCH_ATTRIBUTES.status)).toBe('FAILED');
      } finally {
        await workers.stop();
      }
    });
  }

  it('fails, rolled back, when validation rejects every version (the drop named)', async () => {
    const w = world();
    const workers = await s.startWorkers(fakes(w, { rejectAll: true }));
    try {
      const run = await s.track(startDeployment(s.client, { experimentId: 'exp-r' }));
      const err = await getResult(s.client, run.workflowId).catch((e: unknown) => e);
      expect((err as Error).message).toMatch(/no version of experiment "exp-r" is within 0.5 pp .*8.00 pp/);
      expect(w.calls).not.toContain('benchmark');
      expect(w.published()).toEqual([PREVIOUS]);
    } finally {
      await workers.stop();
    }
  });

  it('an int8 version beyond the tolerance is rejected (not published) and the fastest accepted fp32 version is; float16 on request', async () => {
    const w = world();
    const workers = await s.startWorkers(fakes(w, { rejectInt8: true }));
    try {
      const run = await s.track(startDeployment(s.client, { experimentId: 'exp-q', formats: ['fp32', 'int8-static', 'float16'] }));
      const r = await getResult<DeployModelResult>(s.client, run.workflowId);
      expect(w.calls).toEqual(['export', 'optimize', 'quantize:int8-static,float16', 'validate:4', 'benchmark', 'publish']);
      expect(r.validation.versions.find((v) => v.versionId.endsWith('int8-static'))).toMatchObject({ accepted: false, dropPp: 8 });
      expect(w.versions.get('exp-q-deploy.onnx-int8-static')?.status).toBe('rejected');
      expect(r.publishedVersionId).toBe('exp-q-deploy.onnx-optimized');
    } finally {
      await workers.stop();
    }
  });

  it('only fp32 requested: no quantize step runs, and progress still ends at 1', async () => {
    const w = world();
    const workers = await s.startWorkers(fakes(w, {}));
    try {
      const run = await s.track(startDeployment(s.client, { experimentId: 'exp-f32', formats: ['fp32'] }));
      await getResult<DeployModelResult>(s.client, run.workflowId);
      expect(w.calls).toEqual(['export', 'optimize', 'validate:2', 'benchmark', 'publish']);
      expect(await getProgress(s.client, run.workflowId)).toMatchObject({ phase: 'completed', fraction: 1 });
    } finally {
      await workers.stop();
    }
  });

  for (const stopAfter of ['export', 'quantize', 'benchmark'] as const) {
    it(`stops after ${stopAfter} when asked (single-step command): its versions kept, nothing published or rolled back`, async () => {
      const w = world();
      const workers = await s.startWorkers(fakes(w, {}));
      try {
        const run = await s.track(
          startDeployment(s.client, { experimentId: 'exp-s', deploymentId: `s-${stopAfter}`, stopAfter, formats: ['fp32', 'int8-static'] }),
        );
        const r = await getResult<DeployRunResult>(s.client, run.workflowId);
        const upTo = {
          export: ['export'],
          quantize: ['export', 'optimize', 'quantize:int8-static'],
          benchmark: ['export', 'optimize', 'quantize:int8-static', 'validate:3', 'benchmark'],
        };
        expect(w.calls).toEqual(upTo[stopAfter]);
        expect(r).toMatchObject({ status: 'STOPPED', stoppedAfter: stopAfter });
        expect(r.benchmark === null).toBe(stopAfter !== 'benchmark');
        expect(w.published()).toEqual([PREVIOUS]);
        for (const [id, v] of w.versions) if (v.deploymentId === `s-${stopAfter}`) expect(v.status, id).not.toBe('rolled_back');
        expect(w.outcomes).toEqual([{ outcome: 'COMPLETED', message: expect.stringContaining(`stopped after ${stopAfter} as asked`) }]);
        expect(await getProgress(s.client, run.workflowId)).toMatchObject({ phase: 'completed', fraction: 1 });
      } finally {
        await workers.stop();
      }
    });
  }

  for (const at of ['optimize', 'quantize', 'publish'] as const) {
    it(`a cancellation during ${at} rolls back and says ROLLED_BACK`, async () => {
      const w = world();
      const gate = new Gate();
      const workers = await s.startWorkers(fakes(w, { gateAt: at, gate }));
      try {
        const run = await s.track(startDeployment(s.client, { experimentId: 'exp-c', deploymentId: `c-${at}` }));
        await until(`the ${at} step waiting`, () => gate.waiting === 1);
        expect(await getProgress(s.client, run.workflowId)).toMatchObject({ phase: at, step: at });
        await cancelRun(s.client, run.workflowId);
        const err = await getResult(s.client, run.workflowId).catch((e: unknown) => e);
        expect((err as WorkflowRunFailedError).status).toBe('CANCELLED');
        expect(w.published()).toEqual([PREVIOUS]);
        for (const [id, v] of w.versions) if (v.deploymentId === `c-${at}`) expect(v.status, id).toBe('rolled_back');
        expect(w.outcomes.map((o) => o.outcome)).toEqual(['ROLLED_BACK']);
        const d = await s.client.workflow.getHandle(run.workflowId).describe();
        expect(d.typedSearchAttributes.get(SEARCH_ATTRIBUTES.status)).toBe('CANCELLED');
      } finally {
        gate.open();
        await workers.stop();
      }
    });
  }
});
