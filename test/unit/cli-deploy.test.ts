import { describe, expect, it } from 'vitest';
import { formatDeployResult } from '../../client/cli/deploy.js';
import type { DeployModelResult, Progress } from '../../contracts/index.js';
import { fakeCli, type FakeWorkflow } from '../support/fake-cli.js';

const done: Progress = { phase: 'completed', completed: 5, total: 5, fraction: 1 };
const engine = { p50Ms: 0.05, p95Ms: 0.1, p99Ms: 0.2, throughput64: 40_000, throughput256: 41_000, coldStartMs: 2, bytes: 57_956, peakRssMb: 800 };
const result: DeployModelResult = {
  deploymentId: 'x',
  experimentId: 'exp-1',
  status: 'PUBLISHED',
  publishedVersionId: 'x.onnx-optimized',
  previousVersionId: 'old.onnx-fp32',
  versions: [
    {
      versionId: 'x.onnx-fp32',
      kind: 'onnx-fp32',
      artifactUri: 'artifact:sha256/' + 'a'.repeat(64),
      bytes: 57_956,
      parity: { windows: 256, maxAbsDiff: 3e-8, tolerance: 1e-4, argmaxAgreement: 1 },
    },
  ],
  validation: { windows: 96, tfjsAccuracy: 0.885, versions: [{ versionId: 'x.onnx-fp32', accuracy: 0.885, dropPp: 0, accepted: true }] },
  benchmark: {
    engines: [
      { engine: 'tfjs-wasm', versionId: null, threads: 1, ...engine, throughput64: 10_000 },
      { engine: 'onnxruntime-cpu', versionId: 'x.onnx-fp32', threads: 1, ...engine },
    ],
    speedup: 4,
  },
};
const wf: FakeWorkflow = { workflowId: 'deploy-x', type: 'deployModelWorkflow', minutes: 1, progress: () => done, follow: () => [done], result: () => result };

describe('faultline deploy', () => {
  it('pipeline passes the flags as the request', async () => {
    const cli = fakeCli(wf);
    expect(await cli.run(['deploy', 'pipeline', 'exp-1', '--id', 'x', '--max-drop-pp', '1', '--latency-runs', '50'])).toBe(0);
    expect(cli.argsOf('startDeployment')).toEqual([{ experimentId: 'exp-1', deploymentId: 'x', maxAccuracyDropPp: 1, latencyRuns: 50 }]);
  });

  it('refuses a bad request before starting, naming the field', async () => {
    const cli = fakeCli(wf);
    expect(await cli.run(['deploy', 'pipeline', 'exp-1', '--latency-runs', '3'])).toBe(2);
    expect(cli.stderr()).toContain('latencyRuns');
    expect(cli.argsOf('startDeployment')).toBeUndefined();
  });

  it('pipeline --formats lists the competing versions, and refuses an unknown one by name', async () => {
    const cli = fakeCli(wf);
    expect(await cli.run(['deploy', 'pipeline', 'exp-1', '--formats', 'fp32,int8-static,float16'])).toBe(0);
    expect(cli.argsOf('startDeployment')).toEqual([{ experimentId: 'exp-1', formats: ['fp32', 'int8-static', 'float16'] }]);
    const bad = fakeCli(wf);
    expect(await bad.run(['deploy', 'pipeline', 'exp-1', '--formats', 'fp32,int4'])).not.toBe(0);
    expect(bad.stderr()).toContain('unknown format "int4"');
    expect(bad.argsOf('startDeployment')).toBeUndefined();
  });

  it('export|optimize|quantize|benchmark start a deployment that stops after the step, under its own id', async () => {
    const cli = fakeCli(wf);
    expect(await cli.run(['deploy', 'quantize', 'exp-1', '--formats', 'int8-static'])).toBe(0);
    expect(cli.argsOf('startDeployment')).toEqual([{ experimentId: 'exp-1', deploymentId: 'exp-1-quantize', stopAfter: 'quantize', formats: ['int8-static'] }]);
    const ex = fakeCli(wf);
    expect(await ex.run(['deploy', 'export', 'exp-1', '--id', 'e1'])).toBe(0);
    expect(ex.argsOf('startDeployment')).toEqual([{ experimentId: 'exp-1', deploymentId: 'e1', stopAfter: 'export', formats: ['fp32'] }]);
    const bench = fakeCli(wf);
    expect(await bench.run(['deploy', 'benchmark', 'exp-1', '--latency-runs', '50'])).toBe(0);
    expect(bench.argsOf('startDeployment')).toEqual([{ experimentId: 'exp-1', deploymentId: 'exp-1-benchmark', stopAfter: 'benchmark', latencyRuns: 50 }]);
    // export takes no formats: it makes the fp32 version only.
    const bad = fakeCli(wf);
    expect(await bad.run(['deploy', 'export', 'exp-1', '--formats', 'int8-static'])).not.toBe(0);
    expect(bad.argsOf('startDeployment')).toBeUndefined();
  });

  it('a stopped deployment prints what it made and that nothing was published', () => {
    const text = formatDeployResult({
      deploymentId: 'x',
      experimentId: 'exp-1',
      status: 'STOPPED',
      stoppedAfter: 'quantize',
      versions: [
        { ...result.versions[0], versionId: 'x.onnx-int8-static', kind: 'onnx-int8-static', parity: { ...result.versions[0].parity, tolerance: null } },
      ],
      validation: null,
      benchmark: null,
    });
    expect(text).toContain('stopped after quantize as asked, nothing published');
    expect(text).toMatch(/x\.onnx-int8-static +\d+ bytes, max \|ONNX - tfjs\| 3\.00e-8 on 256 windows/);
  });

  it('result prints the published version, validation and the benchmark table', async () => {
    const cli = fakeCli(wf);
    expect(await cli.run(['deploy', 'result', 'x'])).toBe(0);
    expect(cli.argsOf('getResult')).toEqual(['deploy-x']);
    const text = formatDeployResult(result);
    expect(text).toContain('published x.onnx-optimized (replaces old.onnx-fp32)');
    expect(text).toMatch(/x\.onnx-fp32 +accuracy 88\.50 % \(drop 0\.00 pp\) accepted, max \|ONNX - tfjs\| 3\.00e-8 on 256 windows/);
    expect(text).toContain('tfjs throughput at batch 64: 4.00x');
  });
});
