import { ActivityCancellationType, ApplicationFailure, CancellationScope, log, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { ControlActivities, TrainActivities } from '../activities/index.js';
import {
  DEPLOY_STEPS,
  DeployModelInputSchema,
  ERROR_TYPES,
  modelVersionId,
  NON_RETRYABLE_ERROR_TYPES,
  progressOf,
  progressQuery,
  QUANTIZED_KINDS,
  TASK_QUEUES,
  workflowIds,
  type DeployModelRequest,
  type DeployRunResult,
  type DeployStep,
  type DeployStopStep,
  type ExportedVersion,
  type QuantizedFormat,
} from '../contracts/index.js';
import { control } from './lib/activities.js';
import { liveDetails } from './lib/details.js';
import { failureMessage, isCancellation } from './lib/failure.js';
import { requireWorkflowId, validateWorkflowInput } from './lib/validate.js';
import { setRunStatus, tagRun } from './lib/visibility.js';

/**
 * The model steps load a tfjs model and run both engines over a few thousand windows: minutes,
 * not hours. They heartbeat between phases; a retry redoes the step onto the same version row.
 * The workflow waits for a cancelled step to finish, so no row lands after the rollback.
 */
const model = proxyActivities<
  Pick<TrainActivities, 'exportOnnxVersion' | 'optimizeOnnxVersion' | 'quantizeOnnxVersions' | 'validateOnnxVersions' | 'benchmarkOnnxVersions'>
>({
  taskQueue: TASK_QUEUES.train,
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '45 seconds',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 3, nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES },
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

/** Runs recorded before the quantize step existed go export -> optimise -> validate: they replay without it. */
export const QUANTIZE_STEP_PATCH = 'deploy-quantize-step';

type Undo = Pick<ControlActivities, 'rollBackDeployment'>['rollBackDeployment'];

/**
 * deployModelWorkflow (seed DeploymentService tasks): export -> optimise -> quantize -> validate ->
 * benchmark -> publish, as a saga. The request's `formats` say which versions compete: fp32 (the
 * export and its optimised child) and any of int8 static, int8 dynamic and float16, each derived
 * from the fp32 export; every candidate is validated on the test split and the fastest accepted
 * one is published. `stopAfter` ends the run successfully after a step (the single-step CLI
 * commands): what it made stays as it is, nothing is published and nothing is rolled back. Each step that writes something has its compensation
 * registered *before* it runs (version ids are deterministic, so the undo knows what to undo even
 * when the step died half-way); validate and benchmark only add figures and statuses to rows the
 * earlier compensations already cover. On a failure or a cancellation the compensations run in
 * reverse, in a non-cancellable scope: the deployment's versions are marked rolled_back and the
 * version that was published before is current again.
 */
export async function deployModelWorkflow(raw: DeployModelRequest): Promise<DeployRunResult> {
  const input = validateWorkflowInput(DeployModelInputSchema, raw, 'deployModelWorkflow input');
  const { deploymentId, experimentId } = input;
  requireWorkflowId('deployModelWorkflow input', workflowIds.deploy(deploymentId), 'deploymentId', deploymentId);
  // A run told to stop after a step counts the steps up to it.
  let total: number = input.stopAfter ? DEPLOY_STEPS.indexOf(input.stopAfter) + 1 : DEPLOY_STEPS.length;
  let completed = 0;
  let step: DeployStep = 'export';
  let phase: string = step;
  let publishedVersionId: string | null = null;
  setHandler(progressQuery, () => progressOf(phase, completed, total, { deploymentId, experimentId, step, publishedVersionId }));
  const live = liveDetails(() => ({ phase, completed, total, line: `deploy ${experimentId} · ${phase} · ${completed}/${total} steps` }));
  tagRun('deploy', { experimentId });
  setRunStatus('RUNNING');
  live.refresh();

  const compensations: { step: DeployStep; undo: Parameters<Undo>[0] }[] = [];
  const begin = (next: DeployStep): void => {
    step = next;
    phase = next;
    live.refresh();
  };
  const fp32Id = modelVersionId(deploymentId, 'onnx-fp32');
  const optimizedId = modelVersionId(deploymentId, 'onnx-optimized');
  // A run that stops after a step (as asked) keeps what it made: nothing to undo, nothing published.
  const stopped = (
    after: DeployStopStep,
    versions: ExportedVersion[],
    validation: DeployRunResult['validation'] = null,
    benchmark: DeployRunResult['benchmark'] = null,
  ): DeployRunResult => ({ deploymentId, experimentId, status: 'STOPPED', stoppedAfter: after, versions, validation, benchmark });
  let result: DeployRunResult;
  try {
    // The steps in one function, so a run told to stop after one of them can return there.
    const run = async (): Promise<DeployRunResult> => {
      compensations.push({ step: 'export', undo: { deploymentId, versionIds: [fp32Id] } });
      const fp32 = await model.exportOnnxVersion({ deploymentId, experimentId });
      completed++;
      if (input.stopAfter === 'export') return stopped('export', [fp32]);

      begin('optimize');
      compensations.push({ step: 'optimize', undo: { deploymentId, versionIds: [optimizedId] } });
      const optimized = await model.optimizeOnnxVersion({ deploymentId, experimentId });
      completed++;
      const versions: ExportedVersion[] = [fp32, optimized];
      if (input.stopAfter === 'optimize') return stopped('optimize', versions);
      const candidates: ExportedVersion[] = [];
      if (patched(QUANTIZE_STEP_PATCH)) {
        if (input.formats.includes('fp32')) candidates.push(fp32, optimized);
        const formats = input.formats.filter((f): f is QuantizedFormat => f !== 'fp32');
        if (formats.length > 0) {
          begin('quantize');
          compensations.push({ step: 'quantize', undo: { deploymentId, versionIds: formats.map((f) => modelVersionId(deploymentId, QUANTIZED_KINDS[f])) } });
          const quantized = await model.quantizeOnnxVersions({ deploymentId, experimentId, formats });
          versions.push(...quantized);
          candidates.push(...quantized);
        }
        completed++;
      } else {
        candidates.push(fp32, optimized);
        total--;
      }
      if (input.stopAfter === 'quantize') return stopped('quantize', versions);

      begin('validate');
      const validation = await model.validateOnnxVersions({
        deploymentId,
        experimentId,
        versionIds: candidates.map((v) => v.versionId),
        maxAccuracyDropPp: input.maxAccuracyDropPp,
      });
      const accepted = validation.versions.filter((v) => v.accepted).map((v) => v.versionId);
      if (accepted.length === 0) {
        const worst = validation.versions.map((v) => `${v.versionId}: ${v.dropPp.toFixed(2)} pp`).join(', ');
        throw ApplicationFailure.nonRetryable(
          `no version of experiment "${experimentId}" is within ${input.maxAccuracyDropPp} pp of the tfjs accuracy ${(validation.tfjsAccuracy * 100).toFixed(2)} % (${worst})`,
          ERROR_TYPES.invalidState,
        );
      }
      completed++;
      if (input.stopAfter === 'validate') return stopped('validate', versions, validation);

      begin('benchmark');
      const benchmark = await model.benchmarkOnnxVersions({ deploymentId, experimentId, versionIds: accepted, latencyRuns: input.latencyRuns });
      completed++;
      if (input.stopAfter === 'benchmark') return stopped('benchmark', versions, validation, benchmark);

      begin('publish');
      // The fastest accepted version on this machine (one thread, batch 64) is the one served.
      const single = benchmark.engines.filter((e) => e.versionId !== null && e.threads === 1 && accepted.includes(e.versionId));
      single.sort((a, b) => b.throughput64 - a.throughput64 || (a.versionId ?? '').localeCompare(b.versionId ?? ''));
      const choice = single[0]?.versionId ?? accepted[0];
      compensations.push({ step: 'publish', undo: { deploymentId } });
      const published = await control.publishModelVersion({ deploymentId, experimentId, versionId: choice });
      publishedVersionId = published.versionId;
      completed++;
      return {
        deploymentId,
        experimentId,
        status: 'PUBLISHED',
        publishedVersionId: published.versionId,
        previousVersionId: published.previousVersionId,
        versions,
        validation,
        benchmark,
      };
    };
    result = await run();
  } catch (err) {
    const cancelled = isCancellation(err);
    const failedStep = step;
    phase = 'rolling back';
    live.refresh();
    const undone: string[] = [];
    let restored: string | null = null;
    await CancellationScope.nonCancellable(async () => {
      for (const c of [...compensations].reverse()) {
        const r = await control.rollBackDeployment(c.undo);
        undone.push(...r.rolledBack);
        restored = r.restored ?? restored;
      }
      await control.recordDeploymentOutcome({
        deploymentId,
        experimentId,
        outcome: cancelled ? 'ROLLED_BACK' : 'FAILED',
        message: `${cancelled ? 'cancelled' : 'failed'} at step ${failedStep}: ${failureMessage(err)}; rolled back ${undone.length} version(s)`,
        details: { step: failedStep, rolledBack: undone.length, restoredVersionId: restored },
      });
    });
    phase = 'rolled back';
    live.refresh();
    setRunStatus(cancelled ? 'CANCELLED' : 'FAILED');
    log.warn('deployment rolled back', { deploymentId, experimentId, step: failedStep, cancelled, rolledBack: undone.length });
    throw err;
  }
  // After the publish: a failed notification must not undo a published model.
  phase = 'completed';
  live.refresh();
  if (result.status === 'STOPPED') {
    await control.recordDeploymentOutcome({
      deploymentId,
      experimentId,
      outcome: 'COMPLETED',
      message: `stopped after ${result.stoppedAfter} as asked: ${result.versions.map((v) => v.versionId).join(', ')} made, none published`,
      details: { stoppedAfter: result.stoppedAfter, versions: result.versions.length, publishedVersionId: null },
    });
    setRunStatus('COMPLETED');
    return result;
  }
  const benchmark = result.benchmark;
  await control.recordDeploymentOutcome({
    deploymentId,
    experimentId,
    outcome: 'COMPLETED',
    message: `published ${result.publishedVersionId} (onnxruntime fp32 ${benchmark.speedup.toFixed(2)}x${benchmark.int8Speedup != null ? `, int8 ${benchmark.int8Speedup.toFixed(2)}x` : ''} tfjs throughput at batch 64)`,
    details: {
      publishedVersionId: result.publishedVersionId,
      previousVersionId: result.previousVersionId,
      speedup: benchmark.speedup,
      int8Speedup: benchmark.int8Speedup ?? null,
    },
  });
  setRunStatus('COMPLETED', benchmark.speedup);
  return result;
}
