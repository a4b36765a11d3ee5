import { ApplicationFailure, continueAsNew, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  ERROR_TYPES,
  HpoCampaignInputSchema,
  HpoCampaignUpdateSchema,
  SYNTHETIC_OBJECTIVES,
  hpoDetails,
  objectiveDirection,
  progressOf,
  resolvedObjectives,
  progressQuery,
  stopSignal,
  updateCampaignUpdate,
  workflowIds,
  type HpoCampaignInput,
  type HpoCampaignResult,
  type HpoCarriedState,
} from '../contracts/index.js';
import {
  AshaPruner,
  DEFAULT_CNN_SPACE,
  GpSampler,
  GridSampler,
  MedianPruner,
  NoPruner,
  Nsga2Sampler,
  RandomSampler,
  SearchSpaceError,
  TpeSampler,
  parseSearchSpace,
  restorePruner,
  restoreSampler,
  type Pruner,
  type Sampler,
  type SearchSpace,
} from './search/index.js';
import { HpoTrials } from './hpo-trials.js';
import { control } from './lib/activities.js';
import { CampaignScheduler, limitsUpdate } from './lib/campaign.js';
import { liveDetails } from './lib/details.js';
import { requireWorkflowId, validateWorkflowInput } from './lib/validate.js';
import { setRunStatus, tagRun } from './lib/visibility.js';

/**
 * TPE models conditional branches jointly (groups) since this patch; a campaign started before it
 * keeps drawing one parameter at a time, so its replayed trials are the ones it ran.
 */
const TPE_GROUPS_PATCH = 'hpo-tpe-groups';
/** GP fits start from a lower noise and take more steps since this patch; older campaigns keep their fit. */
const GP_FIT_PATCH = 'hpo-gp-fit';

function buildSearch(input: HpoCampaignInput, space: SearchSpace): { sampler: Sampler; pruner: Pruner } {
  const direction = objectiveDirection(input.objective);
  const s = input.sampler;
  const startup = s.startupTrials ? { nStartupTrials: s.startupTrials } : {};
  const samplers: Record<HpoCampaignInput['sampler']['kind'], () => Sampler> = {
    tpe: () => new TpeSampler(space, { seed: s.seed, direction, ...startup, ...(patched(TPE_GROUPS_PATCH) ? {} : { group: false }) }),
    gp: () => new GpSampler(space, { seed: s.seed, direction, ...startup, ...(patched(GP_FIT_PATCH) ? {} : { fitSteps: 40, noiseStart: 1e-2 }) }),
    random: () => new RandomSampler(space, { seed: s.seed, direction }),
    grid: () => new GridSampler(space, { direction }),
    // The input schema requires objectives with nsga2.
    nsga2: () =>
      new Nsga2Sampler(space, {
        seed: s.seed,
        directions: resolvedObjectives(input.objectives ?? []).map((o) => o.direction),
        ...(s.populationSize ? { populationSize: s.populationSize } : {}),
      }),
  };
  const sampler = samplers[s.kind]();
  const p = input.pruner;
  const pruner: Pruner =
    p.kind === 'asha'
      ? new AshaPruner({ minResource: p.minEpochs, maxResource: p.maxEpochs, reductionFactor: p.reductionFactor, direction })
      : p.kind === 'median'
        ? new MedianPruner({ maxResource: p.maxEpochs, interval: p.minEpochs, direction })
        : new NoPruner({ maxResource: p.maxEpochs, direction });
  return { sampler, pruner };
}

/** A multi-objective campaign's front, from the sampler's ledger (undefined for one objective). */
function paretoOf(input: HpoCampaignInput, sampler: Sampler): HpoCampaignResult['pareto'] {
  if (!input.objectives || !(sampler instanceof Nsga2Sampler)) return undefined;
  const front = sampler.paretoFront().map((t) => ({ trial: t.id, values: [...(t.values ?? [])], params: { ...t.params } }));
  return { objectives: resolvedObjectives(input.objectives), front };
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
  const direction = objectiveDirection(input.objective);
  const fresh = buildSearch(input, resolveSpace(input));
  const sampler = carried ? restoreSampler(carried.sampler) : fresh.sampler;
  const pruner = carried ? restorePruner(carried.pruner) : fresh.pruner;
  const startedAtMs = carried?.startedAtMs ?? Date.now();
  const deadlineMs = input.maxDurationMinutes ? startedAtMs + input.maxDurationMinutes * 60_000 : Infinity;
  const limits = carried?.limits ?? { maxTrials: input.maxTrials, maxConcurrentTrials: input.maxConcurrentTrials };
  const scheduler = new CampaignScheduler(input.testing?.continueAsNewEvery);
  let phase = carried ? 'searching' : 'registering';
  const trials = new HpoTrials(input, sampler, pruner, scheduler, () => live.refresh(), carried);
  const started = () => sampler.trials().length;
  const mayStartMore = () =>
    !scheduler.stopRequested && !trials.tooManyFailures() && started() < limits.maxTrials && Date.now() < deadlineMs && !sampler.isExhausted();

  // What callers see: the progress query, live details in the Web UI; what they may send:
  // stop (running trials finish, none starts) and a validated change of the limits.
  setHandler(progressQuery, () =>
    progressOf(phase, trials.finished(), limits.maxTrials, {
      campaignId,
      running: trials.running.size,
      failed: trials.counts.failed,
      pruned: trials.counts.pruned,
      best: trials.best,
      trialsPerRung: pruner.trialsPerRung(),
      rungs: pruner.rungs(),
      maxConcurrentTrials: limits.maxConcurrentTrials,
    }),
  );
  const live = liveDetails(() => ({
    phase,
    completed: trials.finished(),
    total: limits.maxTrials,
    line: hpoDetails({
      phase,
      finished: trials.finished(),
      maxTrials: limits.maxTrials,
      running: trials.running.size,
      pruned: trials.counts.pruned,
      failed: trials.counts.failed,
      metric: input.objective.metric,
      best: trials.best,
    }),
  }));
  setHandler(stopSignal, scheduler.onStop);
  const update = limitsUpdate({
    name: 'updateCampaign',
    schema: HpoCampaignUpdateSchema,
    limits,
    budget: 'maxTrials',
    started,
    startedLabel: 'trials already started',
    changed: () => (scheduler.wake(), live.refresh()),
  });
  setHandler(updateCampaignUpdate, update.handler, update.options);
  tagRun('hpo', { campaignId, datasetId });
  setRunStatus('RUNNING', trials.best?.value);

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
      running: () => trials.running.size,
      maxConcurrent: () => limits.maxConcurrentTrials,
      mayStart: mayStartMore,
      startNext: async () => {
        const { trialId, params } = sampler.ask();
        return { done: trials.run(trialId, params) };
      },
    });

    if (scheduler.continueAsNewDue() && mayStartMore()) {
      const next: HpoCarriedState = {
        sampler: sampler.state(),
        pruner: pruner.state(),
        counts: trials.counts,
        best: trials.best,
        startedAtMs,
        limits,
        runs: (carried?.runs ?? 1) + 1,
      };
      await scheduler.drained({ campaignId, finished: trials.finished(), runs: next.runs });
      return await continueAsNew<typeof hpoCampaignWorkflow>(input, next);
    }
    if (trials.tooManyFailures()) {
      throw ApplicationFailure.nonRetryable(
        `${trials.counts.failed} trials failed, more than maxFailedTrials (${input.maxFailedTrials})`,
        'TooManyFailedTrials',
      );
    }
    phase = 'reporting';
    live.refresh();
    const status = scheduler.stopRequested ? 'STOPPED' : 'COMPLETED';
    const { best, counts } = trials;
    const pareto = paretoOf(input, sampler);
    const { reportUri } = await control.finalizeHpoCampaign({ campaignId, status, best, counts, reason: scheduler.stopReason, ...(pareto ? { pareto } : {}) });
    phase = status === 'STOPPED' ? 'stopped' : 'completed';
    live.refresh();
    setRunStatus(status, best?.value);
    return {
      campaignId,
      status,
      direction,
      metric: input.objective.metric,
      trials: { total: trials.finished(), ...counts },
      best,
      ...(pareto ? { pareto } : {}),
      reportUri,
    };
  } catch (err) {
    phase = await scheduler.ended(err, (status, error) => control.markCampaignEnded({ campaignId, status, error, runningTrials: trials.unfinished() }));
    live.refresh();
    throw err;
  }
}
