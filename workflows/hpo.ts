import {
  ApplicationFailure,
  ChildWorkflowCancellationType,
  ParentClosePolicy,
  WorkflowIdReusePolicy,
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  isCancellation,
  log,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  ERROR_TYPES,
  HpoCampaignInputSchema,
  HpoCampaignUpdateSchema,
  SEARCH_ATTRIBUTES,
  SYNTHETIC_OBJECTIVES,
  WORKFLOW_TASK_QUEUE,
  hpoDetails,
  hpoTrialExperimentId,
  hpoTrialSummary,
  objectiveDirection,
  parseInput,
  progressOf,
  progressQuery,
  syntheticTrialSummary,
  updateCampaignUpdate,
  workflowIds,
  type HpoBest,
  type HpoCampaignInput,
  type HpoCampaignResult,
  type HpoCarriedState,
  type HpoCounts,
  type HpoTrialSummary,
  type TrainHyperparameters,
} from '../contracts/index.js';
import {
  AshaPruner,
  DEFAULT_CNN_SPACE,
  GridSampler,
  MedianPruner,
  NoPruner,
  RandomSampler,
  SearchSpaceError,
  TpeSampler,
  parseSearchSpace,
  restorePruner,
  restoreSampler,
  toTrainHyperparameters,
  type Params,
  type Pruner,
  type Sampler,
  type SearchSpace,
} from './search/index.js';
import { control, cpu } from './lib/activities.js';
import { CampaignScheduler } from './lib/campaign.js';
import { liveDetails } from './lib/details.js';
import { failureMessage, recordRunEnded } from './lib/failure.js';
import { requireWorkflowId, validateWorkflowInput } from './lib/validate.js';
import { setRunStatus, tagRun } from './lib/visibility.js';
import { trainModelWorkflow } from './train.js';

type Counts = HpoCounts;

function buildSearch(input: HpoCampaignInput, space: SearchSpace): { sampler: Sampler; pruner: Pruner } {
  const direction = objectiveDirection(input.objective);
  const s = input.sampler;
  const sampler: Sampler =
    s.kind === 'tpe'
      ? new TpeSampler(space, { seed: s.seed, direction, ...(s.startupTrials ? { nStartupTrials: s.startupTrials } : {}) })
      : s.kind === 'random'
        ? new RandomSampler(space, { seed: s.seed, direction })
        : new GridSampler(space, { direction });
  const p = input.pruner;
  const pruner: Pruner =
    p.kind === 'asha'
      ? new AshaPruner({ minResource: p.minEpochs, maxResource: p.maxEpochs, reductionFactor: p.reductionFactor, direction })
      : p.kind === 'median'
        ? new MedianPruner({ maxResource: p.maxEpochs, interval: p.minEpochs, direction })
        : new NoPruner({ maxResource: p.maxEpochs, direction });
  return { sampler, pruner };
}

function resolveSpace(input: HpoCampaignInput): SearchSpace {
  const evaluator = input.evaluator;
  const raw = input.space ?? (evaluator.kind === 'synthetic' ? SYNTHETIC_OBJECTIVES[evaluator.function].space : DEFAULT_CNN_SPACE);
  try {
    return parseSearchSpace(raw);
  } catch (err) {
    if (err instanceof SearchSpaceError) {
      throw ApplicationFailure.nonRetryable(`invalid hpoCampaignWorkflow input: ${err.issues.map((i) => `space.${i}`).join('; ')}`, ERROR_TYPES.invalidInput);
    }
    throw err;
  }
}

/**
 * An HPO campaign (seed tasks run_hpo_campaign, stop_hpo_campaign).
 *
 * The sampler (TPE, random, grid) and the pruner (ASHA, median, none) run here, in the workflow,
 * so every decision is in the history and replays identically. Each trial is a child
 * trainModelWorkflow per rung (`hpo-<c>-trial-<n>`, promotions `…-rung-<k>`) that continues from
 * the previous rung's checkpoint; at most `maxConcurrentTrials` run at once. A failed trial is
 * started again up to `trialAttempts`, then recorded FAILED; the campaign fails only past
 * `maxFailedTrials`. `stop` lets running trials finish and starts none; a Temporal cancellation
 * cancels the children at once. Long campaigns drain and continue-as-new with the sampler and
 * pruner state.
 */
export async function hpoCampaignWorkflow(raw: unknown, carried?: HpoCarriedState): Promise<HpoCampaignResult> {
  const input = validateWorkflowInput(HpoCampaignInputSchema, raw, 'hpoCampaignWorkflow input');
  const { campaignId, datasetId } = input;
  requireWorkflowId('hpoCampaignWorkflow input', workflowIds.hpo(campaignId), 'campaignId', campaignId);
  const space = resolveSpace(input);
  const direction = objectiveDirection(input.objective);
  const fresh = buildSearch(input, space);
  const sampler = carried ? restoreSampler(carried.sampler) : fresh.sampler;
  const pruner = carried ? restorePruner(carried.pruner) : fresh.pruner;
  const rungs = pruner.rungs();
  const startedAtMs = carried?.startedAtMs ?? Date.now();
  const limits = carried?.limits ?? { maxTrials: input.maxTrials, maxConcurrentTrials: input.maxConcurrentTrials };
  const counts: Counts = carried?.counts ?? { completed: 0, pruned: 0, failed: 0, stopped: 0 };
  let best: HpoBest | null = carried?.best ?? null;
  const deadlineMs = input.maxDurationMinutes ? startedAtMs + input.maxDurationMinutes * 60_000 : Infinity;

  const running = new Map<number, HpoTrialSummary>();
  /** Trials interrupted by a cancellation: their rows are marked when the campaign's are. */
  const interrupted: number[] = [];
  const scheduler = new CampaignScheduler(input.continueAsNewEveryTrials);
  let phase = carried ? 'searching' : 'registering';

  const started = () => sampler.trials().length;
  const finished = () => counts.completed + counts.pruned + counts.failed + counts.stopped;
  const tooManyFailures = () => counts.failed > input.maxFailedTrials;
  const mayStartMore = () =>
    !scheduler.stopRequested && !tooManyFailures() && started() < limits.maxTrials && Date.now() < deadlineMs && !sampler.isExhausted();

  setHandler(progressQuery, () =>
    progressOf(phase, finished(), limits.maxTrials, {
      campaignId,
      running: running.size,
      failed: counts.failed,
      pruned: counts.pruned,
      best,
      trialsPerRung: pruner.trialsPerRung(),
      rungs,
      maxConcurrentTrials: limits.maxConcurrentTrials,
    }),
  );
  const live = liveDetails(() => ({
    phase,
    completed: finished(),
    total: limits.maxTrials,
    line: hpoDetails({
      phase,
      finished: finished(),
      maxTrials: limits.maxTrials,
      running: running.size,
      pruned: counts.pruned,
      failed: counts.failed,
      metric: input.objective.metric,
      best,
    }),
  }));
  setHandler(
    updateCampaignUpdate,
    (update) => {
      if (update.maxTrials !== undefined) limits.maxTrials = update.maxTrials;
      if (update.maxConcurrentTrials !== undefined) limits.maxConcurrentTrials = update.maxConcurrentTrials;
      scheduler.wake();
      live.refresh();
      return { ...limits };
    },
    {
      // Rejected updates never reach history: the caller gets the message, the campaign is untouched.
      validator: (update) => {
        const u = parseInput(HpoCampaignUpdateSchema, update, 'updateCampaign');
        if (u.maxTrials !== undefined && u.maxTrials < started()) {
          throw new Error(`maxTrials ${u.maxTrials} is below the ${started()} trials already started`);
        }
      },
    },
  );

  tagRun('hpo', { campaignId, datasetId });
  setRunStatus('RUNNING', best?.value);

  /** Evaluate one rung of one trial; a failure after all attempts rejects. */
  async function evaluate(n: number, rung: number, params: Params, resumeFrom?: { checkpointUri: string; epoch: number }) {
    const epochs = rungs[rung];
    if (input.evaluator.kind === 'synthetic') {
      const value = await cpu.evaluateSyntheticObjective.executeWithOptions({ summary: syntheticTrialSummary(n, input.evaluator.function, epochs) }, [
        { function: input.evaluator.function, params, epochs },
      ]);
      return { value };
    }
    let hyperparameters: TrainHyperparameters;
    try {
      hyperparameters = { ...toTrainHyperparameters(params, input.base), epochs };
    } catch (err) {
      throw ApplicationFailure.nonRetryable(`trial ${n}: the sampled point is not valid training input: ${failureMessage(err)}`, ERROR_TYPES.invalidInput);
    }
    let lastError: unknown;
    for (let attempt = 1; attempt <= input.trialAttempts; attempt++) {
      const experimentId = hpoTrialExperimentId(campaignId, n, rung, attempt);
      try {
        const result = await executeChild(trainModelWorkflow, {
          workflowId: workflowIds.hpoTrial(campaignId, n, rung, attempt),
          taskQueue: WORKFLOW_TASK_QUEUE,
          args: [
            {
              experimentId,
              datasetId,
              hyperparameters,
              resumeFrom,
              campaign: { campaignId, kind: 'hpo', index: n },
              maxTrainingMinutes: input.trialTimeoutMinutes,
            },
          ],
          // What this trial is, on its row in the Web UI and in `temporal workflow describe`.
          staticSummary: hpoTrialSummary(n, rung, hyperparameters, attempt),
          // A re-run campaign with the same id finds its finished trainings and reuses them.
          workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
          parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
          cancellationType: ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED,
        });
        const value = input.objective.metric === 'valLoss' ? result.bestValLoss : result.bestValAccuracy;
        return { value, experimentId, checkpoint: { checkpointUri: result.checkpointUri, epoch: result.epochsCompleted } };
      } catch (err) {
        if (isCancellation(err)) throw err;
        lastError = err;
        log.warn('trial attempt failed', { campaignId, trial: n, rung, attempt, error: failureMessage(err) });
      }
    }
    throw lastError;
  }

  function noteBest(n: number, value: number, params: Params, experimentId?: string) {
    const better = best === null || (direction === 'maximize' ? value > best.value : value < best.value);
    if (!better) return;
    best = { trial: n, value, params: params as HpoBest['params'], ...(experimentId ? { experimentId } : {}) };
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.bestScore, value }]);
  }

  async function runTrial(n: number, params: Params): Promise<void> {
    const trial: HpoTrialSummary = { number: n, params: params as HpoTrialSummary['params'], status: 'RUNNING', rung: 0, experimentIds: [] };
    running.set(n, trial);
    live.refresh();
    const intermediate: Record<string, number> = {};
    try {
      await control.recordTrial({ campaignId, number: n, params: trial.params, status: 'RUNNING', rung: 0, intermediate });
      let rung = 0;
      let resumeFrom: { checkpointUri: string; epoch: number } | undefined;
      for (;;) {
        const out = await evaluate(n, rung, params, resumeFrom);
        if (!Number.isFinite(out.value)) throw ApplicationFailure.nonRetryable(`trial ${n}: objective is not finite (${out.value})`, ERROR_TYPES.trainingDiverged);
        if ('experimentId' in out && out.experimentId) trial.experimentIds.push(out.experimentId);
        trial.value = out.value;
        trial.rung = rung;
        intermediate[String(rungs[rung])] = out.value;
        const decision = pruner.report(n, rung, out.value);
        const promote = decision === 'promote' && !scheduler.stopRequested;
        trial.status = promote ? 'RUNNING' : decision === 'stop' ? 'PRUNED' : decision === 'complete' ? 'COMPLETED' : 'STOPPED';
        await control.recordTrial({
          campaignId,
          number: n,
          params: trial.params,
          status: trial.status,
          rung,
          value: out.value,
          intermediate,
          experimentId: trial.experimentIds.at(-1),
        });
        if (!promote) break;
        rung++;
        resumeFrom = 'checkpoint' in out ? out.checkpoint : undefined;
      }
      if (trial.status === 'COMPLETED') {
        counts.completed++;
        sampler.tell(n, { status: 'complete', value: trial.value as number });
        noteBest(n, trial.value as number, params, trial.experimentIds.at(-1));
      } else {
        // Pruned, or stopped before its last rung: its value is from a smaller budget.
        if (trial.status === 'PRUNED') counts.pruned++;
        else counts.stopped++;
        sampler.tell(n, { status: 'pruned', value: trial.value });
      }
    } catch (err) {
      if (isCancellation(err)) {
        trial.status = 'CANCELLED';
        interrupted.push(n);
        throw err;
      }
      trial.status = 'FAILED';
      trial.error = failureMessage(err);
      counts.failed++;
      sampler.tell(n, { status: 'failed' });
      await control.recordTrial({ campaignId, number: n, params: trial.params, status: 'FAILED', rung: trial.rung, intermediate, error: trial.error });
    } finally {
      running.delete(n);
      scheduler.finished();
      live.refresh();
    }
  }

  try {
    if (!carried) {
      await control.registerCampaign({
        campaignId,
        datasetId,
        evaluator: input.evaluator.kind,
        config: input as unknown as Record<string, unknown>,
        objective: input.objective.metric,
        direction,
        workflowId: workflowInfo().workflowId,
      });
    }
    phase = 'searching';
    live.refresh();
    await scheduler.run({
      running: () => running.size,
      maxConcurrent: () => limits.maxConcurrentTrials,
      mayStart: mayStartMore,
      startNext: async () => {
        const { trialId, params } = sampler.ask();
        return { done: runTrial(trialId, params) };
      },
    });

    if (scheduler.continueAsNewDue() && mayStartMore()) {
      // Drained: nothing is running, so the carried state is complete.
      await condition(allHandlersFinished);
      const next: HpoCarriedState = {
        sampler: sampler.state(),
        pruner: pruner.state(),
        counts,
        best,
        startedAtMs,
        limits,
        runs: (carried?.runs ?? 1) + 1,
      };
      log.info('continuing as new', { campaignId, finished: finished(), runs: next.runs });
      return await continueAsNew<typeof hpoCampaignWorkflow>(input, next);
    }

    if (tooManyFailures()) {
      throw ApplicationFailure.nonRetryable(
        `${counts.failed} trials failed, more than maxFailedTrials (${input.maxFailedTrials})`,
        'TooManyFailedTrials',
      );
    }
    phase = 'reporting';
    live.refresh();
    const status = scheduler.stopRequested ? 'STOPPED' : 'COMPLETED';
    const { reportUri } = await control.finalizeHpoCampaign({ campaignId, status, best, counts, reason: scheduler.stopReason });
    phase = status === 'STOPPED' ? 'stopped' : 'completed';
    live.refresh();
    setRunStatus(status, best?.value);
    return {
      campaignId,
      status,
      direction,
      metric: input.objective.metric,
      trials: { total: finished(), ...counts },
      best,
      reportUri,
    };
  } catch (err) {
    // Let cancelled children finish cancelling before the rows are marked.
    await scheduler.settle();
    phase = (
      await recordRunEnded(err, (status, error) =>
        control.markCampaignEnded({ campaignId, status, error, runningTrials: [...new Set([...interrupted, ...running.keys()])].sort((a, b) => a - b) }),
      )
    ).toLowerCase();
    live.refresh();
    throw err;
  }
}
