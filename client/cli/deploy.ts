import { InvalidArgumentError, type Command } from 'commander';
import { DEPLOY_FORMATS, type DeployFormat, type DeployRunResult, type DeployStopStep } from '../../contracts/index.js';
import { prepareDeployInput, type StartDeploymentRequest } from '../deploy.js';
import { InterruptedError, outputOf, unlessInterrupted, withSession, type CliDeps, type CommandGroup } from './context.js';
import { formatStarted } from './output.js';
import { followToResult } from './run-commands.js';

function positive(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(n)) throw new InvalidArgumentError(`expected a non-negative number, got ${JSON.stringify(value)}`);
  return n;
}

function formats(value: string): DeployFormat[] {
  const list = value.split(',').map((f) => f.trim());
  for (const f of list) {
    if (!(DEPLOY_FORMATS as readonly string[]).includes(f))
      throw new InvalidArgumentError(`unknown format ${JSON.stringify(f)}; expected some of ${DEPLOY_FORMATS.join(', ')}`);
  }
  return list as DeployFormat[];
}

export function formatDeployResult(r: DeployRunResult): string {
  const lines = [
    r.status === 'PUBLISHED'
      ? `Deployment ${r.deploymentId} of ${r.experimentId}: published ${r.publishedVersionId}${r.previousVersionId ? ` (replaces ${r.previousVersionId})` : ''}`
      : `Deployment ${r.deploymentId} of ${r.experimentId}: stopped after ${r.stoppedAfter} as asked, nothing published`,
  ];
  if (!r.validation) {
    for (const v of r.versions) {
      lines.push(
        `  ${v.versionId.padEnd(36)} ${String(v.bytes).padStart(9)} bytes, max |ONNX - tfjs| ${v.parity.maxAbsDiff.toExponential(2)} on ${v.parity.windows} windows, same class ${(v.parity.argmaxAgreement * 100).toFixed(1)} %`,
      );
    }
    return lines.join('\n');
  }
  lines.push('', `  test split: ${r.validation.windows} windows, tfjs accuracy ${(r.validation.tfjsAccuracy * 100).toFixed(2)} %`);
  for (const v of r.validation.versions) {
    const parity = r.versions.find((x) => x.versionId === v.versionId)?.parity;
    lines.push(
      `  ${v.versionId.padEnd(36)} accuracy ${(v.accuracy * 100).toFixed(2)} % (drop ${v.dropPp.toFixed(2)} pp) ${v.accepted ? 'accepted' : 'REJECTED'}` +
        (parity ? `, max |ONNX - tfjs| ${parity.maxAbsDiff.toExponential(2)} on ${parity.windows} windows` : ''),
    );
  }
  if (!r.benchmark) return lines.join('\n');
  lines.push('', '  engine           version                              threads  p50 ms  p95 ms  p99 ms  win/s@64  win/s@256  cold ms     bytes');
  for (const e of r.benchmark.engines) {
    lines.push(
      `  ${e.engine.padEnd(16)} ${(e.versionId ?? '(tfjs model)').padEnd(36)} ${String(e.threads).padStart(7)} ${e.p50Ms.toFixed(3).padStart(7)} ${e.p95Ms.toFixed(3).padStart(7)} ${e.p99Ms.toFixed(3).padStart(7)} ${Math.round(e.throughput64).toString().padStart(9)} ${Math.round(e.throughput256).toString().padStart(10)} ${e.coldStartMs.toFixed(1).padStart(8)} ${String(e.bytes).padStart(9)}`,
    );
  }
  lines.push('', `  onnxruntime fp32 (1 thread) / tfjs throughput at batch 64: ${r.benchmark.speedup.toFixed(2)}x`);
  if (r.benchmark.int8Speedup != null) lines.push(`  onnxruntime int8 static (1 thread) / tfjs throughput at batch 64: ${r.benchmark.int8Speedup.toFixed(2)}x`);
  if (r.benchmark.chartUri) lines.push(`  chart: ${r.benchmark.chartUri} (faultline artifact get <uri> --out benchmark.svg)`);
  return lines.join('\n');
}

/** Starts the deployment (idempotently) and either prints how to fetch its result or follows it with a progress bar to the report. */
async function startAndFollow(cmd: Command, deps: CliDeps, request: StartDeploymentRequest, wait: boolean): Promise<void> {
  const out = outputOf(cmd, deps);
  await withSession(cmd, deps, async (session) => {
    const started = await session.api.startDeployment(request);
    const webUiUrl = session.webUiUrl(started.workflowId);
    if (!wait) {
      out.result(
        { kind: 'deploy', ...started, webUiUrl },
        () => `${formatStarted('deploy', started, webUiUrl)}\nResult: faultline deploy result ${started.workflowId}`,
      );
      return;
    }
    out.line(formatStarted('deploy', started, webUiUrl));
    const result = await followToResult<DeployRunResult>(session, out, deps, started.workflowId, `faultline deploy result ${started.workflowId}`);
    out.result({ kind: 'deploy', ...started, status: 'COMPLETED', result }, () => `\n${formatDeployResult(result)}`);
  });
}

const deployWorkflowId = (id: string) => (id.startsWith('deploy-') ? id : `deploy-${id}`);

/**
 * The single-step commands: a deployment that stops after the step (its versions kept, nothing
 * published), under its own default id so it never collides with the experiment's pipeline run.
 */
const SINGLE_STEPS: { step: DeployStopStep; description: string; formats: boolean; timing: boolean }[] = [
  { step: 'export', description: 'tfjs -> ONNX fp32, checked against tfjs on 256 training windows', formats: false, timing: false },
  { step: 'optimize', description: 'export, then onnxruntime graph optimisation (a new version, checked again)', formats: false, timing: false },
  {
    step: 'quantize',
    description: 'export, optimise, then int8 static (calibrated on the training split) / int8 dynamic / float16 versions',
    formats: true,
    timing: false,
  },
  {
    step: 'benchmark',
    description: 'export, optimise, quantize, validate on the test split and benchmark against tfjs, without publishing',
    formats: true,
    timing: true,
  },
];

/** `faultline deploy pipeline|export|optimize|quantize|benchmark|result`. */
export const deployCommands: CommandGroup = {
  name: 'deploy',
  register(program, deps: CliDeps) {
    const group = program.command('deploy').description('ONNX deployment of a trained experiment (deployModelWorkflow)');

    group
      .command('pipeline')
      .description('export -> optimise -> quantize -> validate -> benchmark -> publish, rolled back on failure or cancellation')
      .argument('<experimentId>', 'a COMPLETED experiment')
      .option('--id <deploymentId>', 'deployment id (workflow deploy-<id>; default <experimentId>-deploy)')
      .option('--max-drop-pp <pp>', 'accuracy a version may lose against tfjs on the test split (default 0.5)', positive)
      .option('--latency-runs <n>', 'timed batch-1 runs per engine (default 200)', positive)
      .option('--formats <list>', `versions that compete, comma-separated: ${DEPLOY_FORMATS.join(', ')} (default fp32,int8-static,int8-dynamic)`, formats)
      .option('--wait', 'show progress and print the report')
      .action(
        async (
          experimentId: string,
          opts: { id?: string; maxDropPp?: number; latencyRuns?: number; formats?: DeployFormat[]; wait?: boolean },
          cmd: Command,
        ) => {
          const request = {
            experimentId,
            ...(opts.id ? { deploymentId: opts.id } : {}),
            ...(opts.maxDropPp !== undefined ? { maxAccuracyDropPp: opts.maxDropPp } : {}),
            ...(opts.latencyRuns !== undefined ? { latencyRuns: opts.latencyRuns } : {}),
            ...(opts.formats ? { formats: opts.formats } : {}),
          };
          // Refuse a bad request before connecting, naming the field.
          prepareDeployInput(request);
          await startAndFollow(cmd, deps, request, opts.wait === true);
        },
      );

    for (const single of SINGLE_STEPS) {
      const command = group
        .command(single.step)
        .description(single.description)
        .argument('<experimentId>', 'a COMPLETED experiment')
        .option('--id <deploymentId>', `deployment id (workflow deploy-<id>; default <experimentId>-${single.step})`);
      if (single.formats) command.option('--formats <list>', `comma-separated: ${DEPLOY_FORMATS.join(', ')} (default fp32,int8-static,int8-dynamic)`, formats);
      if (single.timing) {
        command
          .option('--max-drop-pp <pp>', 'accuracy a version may lose against tfjs on the test split (default 0.5)', positive)
          .option('--latency-runs <n>', 'timed batch-1 runs per engine (default 200)', positive);
      }
      command
        .option('--wait', 'show progress and print the report')
        .action(
          async (
            experimentId: string,
            opts: { id?: string; maxDropPp?: number; latencyRuns?: number; formats?: DeployFormat[]; wait?: boolean },
            cmd: Command,
          ) => {
            const request = {
              experimentId,
              deploymentId: opts.id ?? `${experimentId}-${single.step}`,
              stopAfter: single.step,
              ...(single.formats ? {} : { formats: ['fp32' as const] }),
              ...(opts.formats ? { formats: opts.formats } : {}),
              ...(opts.maxDropPp !== undefined ? { maxAccuracyDropPp: opts.maxDropPp } : {}),
              ...(opts.latencyRuns !== undefined ? { latencyRuns: opts.latencyRuns } : {}),
            };
            prepareDeployInput(request);
            await startAndFollow(cmd, deps, request, opts.wait === true);
          },
        );
    }

    group
      .command('result')
      .description('wait for a deployment and print its versions, validation and benchmark')
      .argument('<id>', 'deployment id or workflow id')
      .action(async (id: string, _opts: unknown, cmd: Command) => {
        const out = outputOf(cmd, deps);
        await withSession(cmd, deps, async (session) => {
          const workflowId = deployWorkflowId(id);
          const result = await unlessInterrupted(
            session.api.getResult<DeployRunResult>(workflowId),
            deps.interrupt,
            () => new InterruptedError(workflowId, `faultline deploy result ${id}`),
          );
          out.result({ workflowId, status: 'COMPLETED', result }, () => formatDeployResult(result));
        });
      });
  },
};
