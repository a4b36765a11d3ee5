import { ApplicationFailure, continueAsNew, executeChild, isCancellation, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import {
  ERROR_TYPES,
  NasCampaignInputSchema,
  NasCampaignUpdateSchema,
  SEARCH_ATTRIBUTES,
  TRAINING_DEFAULTS,
  TrainHyperparametersSchema,
  nasCandidateExperimentId,
  nasCandidateSummary,
  nasDetails,
  progressOf,
  progressQuery,
  stopSignal,
  updateNasCampaignUpdate,
  workflowIds,
  type NasCampaignInput,
  type NasCampaignResult,
  type NasCarriedState,
  type NasCounts,
  type NasPoint,
} from '../contracts/index.js';
import {
  AgingEvolution,
  RandomNasStrategy,
  paretoFront,
  restoreNasStrategy,
  scalarize,
  type Genome,
  type NasStrategy,
  type NasSuggestion,
} from './search/index.js';
import { control } from './lib/activities.js';
import { recordTrial } from './lib/bookkeeping.js';
import { CampaignScheduler, limitsUpdate } from './lib/campaign.js';
import { liveDetails } from './lib/details.js';
import { CAMPAIGN_CHILD_OPTIONS, withAttempts } from './lib/child-run.js';
import { failureMessage } from './lib/failure.js';
import { requireWorkflowId, validateWorkflowInput } from './lib/validate.js';
import { setRunStatus, tagRun } from './lib/visibility.js';
import { trainModelWorkflow } from './train.js';

type Counts = NasCounts;

function buildStrategy(input: NasCampaignInput, numClasses: number): NasStrategy {
  const s = input.strategy;
  const limits = {
    inputLength: input.training.windowLength ?? TRAINING_DEFAULTS.windowLength,
    numClasses,
    maxParams: input.limits.maxParams,
    minOutputLength: input.limits.minOutputLength,
    ...(input.limits.maxMacs !== undefined ? { maxMacs: input.limits.maxMacs } : {}),
  };
  return s.kind === 'aging-evolution'
    ? new AgingEvolution({ seed: s.seed, limits, populationSize: s.populationSize, sampleSize: s.sampleSize })
    : new RandomNasStrategy({ seed: s.seed, limits });
}

/**
 * A NAS campaign (seed task run_nas_campaign, whose "training" was random.uniform).
 *
 * Aging evolution (or random search) runs in the workflow; every candidate architecture is
 * trained for real by a child trainModelWorkflow (`nas-<c>-cand-<n>`) for a fixed short budget,
 * which also measures the model's inference latency. Genomes that break the limits are rejected
 * before any training with the reason recorded; a genome identical to an earlier one (canonical
 * hash) is not trained again. The campaign keeps the Pareto front (accuracy up, parameters and
 * latency down) and a single best by the declared scalarisation. Control, durability and
 * continue-as-new work as for HPO campaigns.
 */
export async function nasCampaignWorkflow(raw: unknown, carried?: NasCarriedState): Promise<NasCampaignResult> {
  const input = validateWorkflowInput(NasCampaignInputSchema, raw, 'nasCampaignWorkflow input');
  const { campaignId, datasetId } = input;
  requireWorkflowId('nasCampaignWorkflow input', workflowIds.nas(campaignId), 'campaignId', campaignId);
  const training = validateWorkflowInput(TrainHyperparametersSchema, { ...input.training, epochs: input.epochs }, 'nasCampaignWorkflow training');
  const startedAtMs = carried?.startedAtMs ?? Date.now();
  const limits = carried?.limits ?? { maxCandidates: input.maxCandidates, maxConcurrentCandidates: input.maxConcurrentCandidates };
  const counts: Counts = carried?.counts ?? { completed: 0, failed: 0, rejected: 0, duplicates: 0 };
  const points: NasPoint[] = carried?.points ?? [];
  const deadlineMs = input.maxDurationMinutes ? startedAtMs + input.maxDurationMinutes * 60_000 : Infinity;

  let strategy: NasStrategy | undefined = carried ? restoreNasStrategy(carried.strategy) : undefined;
  let numClasses = carried?.numClasses ?? 0;
  const running = new Set<number>();
  const interrupted: number[] = [];
  const scheduler = new CampaignScheduler(input.testing?.continueAsNewEvery);
  let phase = carried ? 'searching' : 'registering';

  const asked = () => strategy?.candidates().length ?? 0;
  const finished = () => counts.completed + counts.failed + counts.rejected + counts.duplicates;
  const best = (): NasPoint | null => points.reduce<NasPoint | null>((b, p) => (b === null || p.score > b.score ? p : b), null);
  const front = () => paretoFront(points.map((p) => ({ ...p, id: p.candidate, accuracy: p.valAccuracy })));
  const tooManyFailures = () => counts.failed > input.maxFailedCandidates;
  const mayStartMore = () => !scheduler.stopRequested && !tooManyFailures() && asked() < limits.maxCandidates && Date.now() < deadlineMs;

  setHandler(progressQuery, () =>
    progressOf(phase, finished(), limits.maxCandidates, {
      campaignId,
      running: running.size,
      failed: counts.failed,
      rejected: counts.rejected,
      duplicates: counts.duplicates,
      population: strategy?.population().length ?? 0,
      best: best(),
      frontSize: front().length,
      maxConcurrentCandidates: limits.maxConcurrentCandidates,
    }),
  );
  const live = liveDetails(() => ({
    phase,
    completed: finished(),
    total: limits.maxCandidates,
    line: nasDetails({
      phase,
      finished: finished(),
      maxCandidates: limits.maxCandidates,
      running: running.size,
      failed: counts.failed,
      rejected: counts.rejected,
      duplicates: counts.duplicates,
      best: best(),
    }),
  }));
  setHandler(stopSignal, scheduler.onStop);
  const update = limitsUpdate({
    name: 'updateNasCampaign',
    schema: NasCampaignUpdateSchema,
    limits,
    budget: 'maxCandidates',
    started: asked,
    startedLabel: 'candidates already proposed',
    changed: () => (scheduler.wake(), live.refresh()),
  });
  setHandler(updateNasCampaignUpdate, update.handler, update.options);
  tagRun('nas', { campaignId, datasetId });
  setRunStatus('RUNNING');

  const record = (
    n: number,
    genome: Genome,
    status: 'RUNNING' | 'COMPLETED' | 'FAILED' | 'STOPPED',
    extra: { value?: number; metrics?: Record<string, number>; experimentId?: string; error?: string } = {},
  ) => recordTrial({ campaignId, number: n, params: genome as unknown as Record<string, unknown>, status, rung: 0, intermediate: {}, ...extra });

  /** One candidate's training, a child run per attempt. */
  const train = (n: number, genome: Genome) =>
    withAttempts(
      input.candidateAttempts,
      async (attempt) => {
        const experimentId = nasCandidateExperimentId(campaignId, n, attempt);
        const hyperparameters = { ...training, architecture: genome };
        const result = await executeChild(trainModelWorkflow, {
          ...CAMPAIGN_CHILD_OPTIONS,
          workflowId: workflowIds.nasCandidate(campaignId, n, attempt),
          args: [{ experimentId, datasetId, hyperparameters, campaign: { campaignId, kind: 'nas', index: n }, maxTrainingMinutes: input.trialTimeoutMinutes }],
          // What this candidate is, on its row in the Web UI and in `temporal workflow describe`.
          staticSummary: nasCandidateSummary(n, hyperparameters, attempt),
        });
        return { result, experimentId };
      },
      { campaignId, candidate: n },
    );

  async function runCandidate(s: NasSuggestion & { genome: Genome }): Promise<void> {
    const n = s.candidateId;
    running.add(n);
    live.refresh();
    try {
      await record(n, s.genome, 'RUNNING');
      const { result, experimentId } = await train(n, s.genome);
      const point: NasPoint = {
        candidate: n,
        valAccuracy: result.bestValAccuracy,
        params: result.parameterCount,
        latencyMs: result.inferenceMsPerWindow,
        score: 0,
        experimentId,
      };
      point.score = scalarize({ id: n, accuracy: point.valAccuracy, params: point.params, latencyMs: point.latencyMs }, input.scalarization);
      if (!Number.isFinite(point.score)) throw ApplicationFailure.nonRetryable(`candidate ${n}: objective is not finite`, ERROR_TYPES.trainingDiverged);
      points.push(point);
      counts.completed++;
      strategy?.tell(n, { status: 'complete', value: point.score });
      const b = best();
      if (b?.candidate === n) upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.bestScore, value: point.score }]);
      await record(n, s.genome, 'COMPLETED', {
        value: point.score,
        experimentId,
        metrics: { valAccuracy: point.valAccuracy, params: point.params, latencyMs: point.latencyMs, score: point.score },
      });
    } catch (err) {
      if (isCancellation(err)) {
        interrupted.push(n);
        throw err;
      }
      counts.failed++;
      strategy?.tell(n, { status: 'failed' });
      await record(n, s.genome, 'FAILED', { error: failureMessage(err) });
    } finally {
      running.delete(n);
      scheduler.finished();
      live.refresh();
    }
  }

  try {
    if (!carried) {
      const registered = await control.registerCampaign({
        campaignId,
        kind: 'nas',
        datasetId,
        evaluator: 'training',
        config: input as unknown as Record<string, unknown>,
        objective: 'score',
        direction: 'maximize',
        workflowId: workflowInfo().workflowId,
      });
      numClasses = registered.numClasses;
    }
    strategy ??= buildStrategy(input, numClasses);
    phase = 'searching';
    live.refresh();
    const search = strategy;
    await scheduler.run({
      running: () => running.size,
      maxConcurrent: () => limits.maxConcurrentCandidates,
      mayStart: mayStartMore,
      startNext: async () => {
        const s = search.ask();
        if (s.rejected !== undefined) {
          // Never trained: the reason (length collapse, parameter cap, …) is the record.
          counts.rejected++;
          scheduler.finished();
          live.refresh();
          await record(s.candidateId, s.genome, 'STOPPED', { error: `rejected: ${s.rejected}` });
          return undefined;
        }
        if (s.duplicateOf !== undefined) {
          counts.duplicates++;
          scheduler.finished();
          live.refresh();
          await record(s.candidateId, s.genome, 'COMPLETED', { metrics: { duplicateOf: s.duplicateOf } });
          return undefined;
        }
        return { done: runCandidate(s) };
      },
    });

    if (scheduler.continueAsNewDue() && mayStartMore()) {
      const next: NasCarriedState = { strategy: strategy.state(), points, counts, startedAtMs, limits, numClasses, runs: (carried?.runs ?? 1) + 1 };
      await scheduler.drained({ campaignId, finished: finished(), runs: next.runs });
      return await continueAsNew<typeof nasCampaignWorkflow>(input, next);
    }
    if (tooManyFailures()) {
      throw ApplicationFailure.nonRetryable(
        `${counts.failed} candidates failed, more than maxFailedCandidates (${input.maxFailedCandidates})`,
        'TooManyFailedTrials',
      );
    }
    phase = 'reporting';
    live.refresh();
    const status = scheduler.stopRequested ? 'STOPPED' : 'COMPLETED';
    const winner = best();
    const { reportUri } = await control.finalizeNasCampaign({ campaignId, status, best: winner, counts, reason: scheduler.stopReason });
    phase = status === 'STOPPED' ? 'stopped' : 'completed';
    live.refresh();
    setRunStatus(status, winner?.score);
    const frontPoints = front().map(({ id: _id, accuracy: _a, ...p }) => p);
    return { campaignId, status, candidates: { total: finished(), ...counts }, best: winner, front: frontPoints, reportUri };
  } catch (err) {
    const runningTrials = [...new Set([...interrupted, ...running])].sort((a, b) => a - b);
    phase = await scheduler.ended(err, (status, error) => control.markCampaignEnded({ campaignId, kind: 'nas', status, error, runningTrials }));
    live.refresh();
    throw err;
  }
}
