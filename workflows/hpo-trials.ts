import { ApplicationFailure, executeChild, isCancellation, upsertSearchAttributes } from '@temporalio/workflow';
import {
  ERROR_TYPES,
  SEARCH_ATTRIBUTES,
  hpoTrialExperimentId,
  hpoTrialSummary,
  objectiveDirection,
  syntheticTrialSummary,
  workflowIds,
  type HpoBest,
  type HpoCampaignInput,
  type HpoCarriedState,
  type HpoCounts,
  type HpoObjectiveMetric,
  type HpoTrialSummary,
  type TrainHyperparameters,
} from '../contracts/index.js';
import { toTrainHyperparameters, type Params, type Pruner, type Sampler } from './search/index.js';
import { cpu } from './lib/activities.js';
import { recordTrial } from './lib/bookkeeping.js';
import type { CampaignScheduler } from './lib/campaign.js';
import { CAMPAIGN_CHILD_OPTIONS, withAttempts } from './lib/child-run.js';
import { failureMessage } from './lib/failure.js';
import { trainModelWorkflow } from './train.js';

type Checkpoint = { checkpointUri: string; epoch: number };

/**
 * The trials of one HPO campaign run: each trial's rungs (a child training run per rung, or the
 * synthetic objective), the pruner's decision after each, the rows, the counts and the best.
 * The workflow asks the sampler and schedules; this runs what it scheduled.
 */
export class HpoTrials {
  readonly counts: HpoCounts;
  best: HpoBest | null;
  readonly running = new Map<number, HpoTrialSummary>();
  /** Trials interrupted by a cancellation: their rows are marked when the campaign's are. */
  readonly interrupted: number[] = [];
  private readonly rungs: number[];
  private readonly direction: 'maximize' | 'minimize';

  constructor(
    private readonly input: HpoCampaignInput,
    private readonly sampler: Sampler,
    private readonly pruner: Pruner,
    private readonly scheduler: CampaignScheduler,
    private readonly changed: () => void,
    carried?: HpoCarriedState,
  ) {
    this.counts = carried?.counts ?? { completed: 0, pruned: 0, failed: 0, stopped: 0 };
    this.best = carried?.best ?? null;
    this.rungs = pruner.rungs();
    this.direction = objectiveDirection(input.objective);
  }

  finished(): number {
    const c = this.counts;
    return c.completed + c.pruned + c.failed + c.stopped;
  }

  tooManyFailures(): boolean {
    return this.counts.failed > this.input.maxFailedTrials;
  }

  /** Every trial this run knows of that is not finished (for the rows marked at the end). */
  unfinished(): number[] {
    return [...new Set([...this.interrupted, ...this.running.keys()])].sort((a, b) => a - b);
  }

  /** One trial, all its rungs; never rejects but for a cancellation. */
  async run(n: number, params: Params): Promise<void> {
    const { campaignId } = this.input;
    const trial: HpoTrialSummary = { number: n, params: params as HpoTrialSummary['params'], status: 'RUNNING', rung: 0, experimentIds: [] };
    this.running.set(n, trial);
    this.changed();
    const intermediate: Record<string, number> = {};
    try {
      await recordTrial({ campaignId, number: n, params: trial.params, status: 'RUNNING', rung: 0, intermediate });
      let rung = 0;
      let resumeFrom: Checkpoint | undefined;
      for (;;) {
        const out = await this.evaluate(n, rung, params, resumeFrom);
        if (!Number.isFinite(out.value))
          throw ApplicationFailure.nonRetryable(`trial ${n}: objective is not finite (${out.value})`, ERROR_TYPES.trainingDiverged);
        if (out.values && !out.values.every(Number.isFinite))
          throw ApplicationFailure.nonRetryable(`trial ${n}: an objective is not finite (${out.values.join(', ')})`, ERROR_TYPES.trainingDiverged);
        if (out.experimentId) trial.experimentIds.push(out.experimentId);
        trial.value = out.value;
        if (out.values) trial.values = out.values;
        trial.rung = rung;
        intermediate[String(this.rungs[rung])] = out.value;
        const decision = this.pruner.report(n, rung, out.value);
        const promote = decision === 'promote' && !this.scheduler.stopRequested;
        trial.status = promote ? 'RUNNING' : decision === 'stop' ? 'PRUNED' : decision === 'complete' ? 'COMPLETED' : 'STOPPED';
        await recordTrial({
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
        resumeFrom = out.checkpoint;
      }
      this.tell(trial, params);
    } catch (err) {
      if (isCancellation(err)) {
        trial.status = 'CANCELLED';
        this.interrupted.push(n);
        throw err;
      }
      trial.status = 'FAILED';
      trial.error = failureMessage(err);
      this.counts.failed++;
      this.sampler.tell(n, { status: 'failed' });
      await recordTrial({ campaignId, number: n, params: trial.params, status: 'FAILED', rung: trial.rung, intermediate, error: trial.error });
    } finally {
      this.running.delete(n);
      this.scheduler.finished();
      this.changed();
    }
  }

  /** A finished trial's outcome to the counts, the sampler and the best. */
  private tell(trial: HpoTrialSummary, params: Params): void {
    const n = trial.number;
    if (trial.status === 'COMPLETED') {
      this.counts.completed++;
      // Multi-objective: the sampler ranks every objective; the row and the best keep `objective`.
      this.sampler.tell(n, trial.values ? { status: 'complete', values: trial.values } : { status: 'complete', value: trial.value as number });
      this.noteBest(n, trial.value as number, params, trial.experimentIds.at(-1));
    } else {
      // Pruned, or stopped before its last rung: its value is from a smaller budget.
      if (trial.status === 'PRUNED') this.counts.pruned++;
      else this.counts.stopped++;
      this.sampler.tell(n, { status: 'pruned', value: trial.value });
    }
  }

  private noteBest(n: number, value: number, params: Params, experimentId?: string): void {
    const best = this.best;
    const better = best === null || (this.direction === 'maximize' ? value > best.value : value < best.value);
    if (!better) return;
    this.best = { trial: n, value, params: params as HpoBest['params'], ...(experimentId ? { experimentId } : {}) };
    upsertSearchAttributes([{ key: SEARCH_ATTRIBUTES.bestScore, value }]);
  }

  /** One rung of one trial; a failure after all attempts rejects. */
  private async evaluate(
    n: number,
    rung: number,
    params: Params,
    resumeFrom?: Checkpoint,
  ): Promise<{ value: number; values?: number[]; experimentId?: string; checkpoint?: Checkpoint }> {
    const input = this.input;
    const epochs = this.rungs[rung];
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
    const { campaignId, datasetId } = input;
    return withAttempts(
      input.trialAttempts,
      async (attempt) => {
        const experimentId = hpoTrialExperimentId(campaignId, n, rung, attempt);
        const result = await executeChild(trainModelWorkflow, {
          ...CAMPAIGN_CHILD_OPTIONS,
          workflowId: workflowIds.hpoTrial(campaignId, n, rung, attempt),
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
        });
        const value = input.objective.metric === 'valLoss' ? result.bestValLoss : result.bestValAccuracy;
        const metrics: Record<HpoObjectiveMetric, number> = {
          valAccuracy: result.bestValAccuracy,
          valLoss: result.bestValLoss,
          parameterCount: result.parameterCount,
          inferenceMsPerWindow: result.inferenceMsPerWindow,
        };
        const values = input.objectives?.map((o) => metrics[o.metric]);
        return { value, ...(values ? { values } : {}), experimentId, checkpoint: { checkpointUri: result.checkpointUri, epoch: result.epochsCompleted } };
      },
      { campaignId, trial: n, rung },
    );
  }
}
