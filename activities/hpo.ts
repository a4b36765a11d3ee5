import {
  CampaignEndedInputSchema,
  FinalizeHpoCampaignInputSchema,
  RecordTrialInputSchema,
  RegisterCampaignInputSchema,
  SYNTHETIC_OBJECTIVES,
  SyntheticObjectiveInputSchema,
  type CampaignEndedInput,
  type CampaignReport,
  type FinalizeHpoCampaignInput,
  type RecordTrialInput,
  type RegisterCampaignInput,
  type RegisteredCampaign,
  type SyntheticObjectiveInput,
} from '../contracts/index.js';
import { getDataset } from '../db/repos/datasets.js';
import { getCampaign, listTrials, setCampaignBest, setCampaignStatus, upsertCampaign, upsertTrial } from '../db/repos/campaigns.js';
import { registerArtifact } from '../db/repos/artifacts.js';
import { renderHpoReport } from '../ml/report/index.js';
import type { ActivityDeps } from './deps.js';
import { invalidState, notFound, validateActivityInput } from './lib/failures.js';

/**
 * HPO campaign bookkeeping (control queue) and the synthetic objective (CPU queue). Rows are
 * upserts keyed by (campaign, trial number), so a retried activity or a replayed campaign writes
 * each trial once; the best is kept with an atomic compare in SQL.
 */
export function createHpoActivities(deps: ActivityDeps) {
  const { db, notifier } = deps;
  return {
    /** Returns the dataset's class count (NAS sizes its genomes' heads with it; 0 for synthetic). */
    async registerCampaign(raw: RegisterCampaignInput): Promise<RegisteredCampaign> {
      const input = validateActivityInput(RegisterCampaignInputSchema, raw, 'registerCampaign input');
      let numClasses = 0;
      if (input.evaluator === 'training') {
        const dataset = await getDataset(db, input.datasetId);
        if (!dataset) throw notFound(`datasetId "${input.datasetId}" does not exist`);
        if (dataset.status !== 'READY') throw invalidState(`dataset "${input.datasetId}" is ${dataset.status}, not READY`);
        numClasses = Object.keys(dataset.classCounts).length;
        // Every trial or candidate would fail on it (and NAS cannot size a head): refuse the campaign once.
        if (numClasses < 2) throw invalidState(`dataset "${input.datasetId}" has ${numClasses} class(es); training needs at least 2`);
      }
      const row = await upsertCampaign(
        db,
        {
          id: input.campaignId,
          kind: input.kind,
          datasetId: input.datasetId,
          config: input.config,
          objective: input.objective,
          direction: input.direction,
          status: 'RUNNING',
          workflowId: input.workflowId,
        },
        { reopen: true },
      );
      if (row.status === 'COMPLETED') throw invalidState(`campaign "${input.campaignId}" already completed; choose another id`);
      return { numClasses };
    },

    async recordTrial(raw: RecordTrialInput): Promise<void> {
      const t = validateActivityInput(RecordTrialInputSchema, raw, 'recordTrial input');
      await upsertTrial(db, {
        campaignId: t.campaignId,
        number: t.number,
        params: t.params,
        status: t.status,
        rung: t.rung,
        intermediate: t.intermediate,
        ...(t.value !== undefined ? { value: t.value } : {}),
        ...(t.experimentId ? { experimentId: t.experimentId } : {}),
        ...(t.error ? { error: t.error } : {}),
        ...(t.metrics ? { metrics: t.metrics } : {}),
      });
      // Only full-budget results compete for "best": a pruned value comes from fewer epochs.
      if (t.status === 'COMPLETED' && t.value !== undefined && Number.isFinite(t.value)) {
        await setCampaignBest(db, t.campaignId, { trial: t.number, value: t.value, params: t.params });
      }
    },

    async finalizeHpoCampaign(raw: FinalizeHpoCampaignInput): Promise<CampaignReport> {
      const input = validateActivityInput(FinalizeHpoCampaignInputSchema, raw, 'finalizeHpoCampaign input');
      const campaign = await getCampaign(db, input.campaignId);
      if (!campaign) throw notFound(`campaignId "${input.campaignId}" does not exist`);
      const rows = await listTrials(db, input.campaignId);
      const config = campaign.config as { pruner?: { kind?: string; minEpochs?: number; maxEpochs?: number; reductionFactor?: number } };
      const rungs = [...new Set(rows.flatMap((r) => Object.keys(r.intermediate).map(Number)))].sort((a, b) => a - b);
      const { html } = renderHpoReport({
        campaignId: campaign.id,
        datasetId: campaign.datasetId,
        metric: campaign.objective,
        direction: campaign.direction,
        rungs: rungs.length > 0 ? rungs : [config.pruner?.maxEpochs ?? 1],
        trials: rows.map((r) => ({
          number: r.number,
          params: r.params as Record<string, string | number | boolean>,
          status: r.status,
          ...(r.value !== null ? { value: r.value } : {}),
          intermediate: r.intermediate,
        })),
        ...(input.pareto ? { pareto: input.pareto } : {}),
        generatedAt: new Date().toISOString(),
      });
      const stored = await deps.artifacts.put(new TextEncoder().encode(html), { kind: 'report', mediaType: 'text/html' });
      await registerArtifact(db, { ...stored, kind: 'report', mediaType: 'text/html' });
      await setCampaignStatus(db, input.campaignId, input.status, { reportUri: stored.uri, error: input.reason ?? null });
      const c = input.counts;
      await notifier.notify({
        eventType: 'HPO_COMPLETED',
        entityKind: 'campaign',
        entityId: input.campaignId,
        title: `HPO campaign ${input.campaignId} ${input.status === 'STOPPED' ? 'stopped' : 'completed'}`,
        message: `${c.completed} completed, ${c.pruned} pruned, ${c.failed} failed${input.best ? `; best ${campaign.objective} ${input.best.value.toFixed(4)} (trial ${input.best.trial})` : ''}`,
        details: { counts: c, best: input.best, reportUri: stored.uri },
      });
      return { reportUri: stored.uri };
    },

    async markCampaignEnded(raw: CampaignEndedInput): Promise<void> {
      const input = validateActivityInput(CampaignEndedInputSchema, raw, 'markCampaignEnded input');
      for (const number of input.runningTrials) {
        await upsertTrial(db, { campaignId: input.campaignId, number, status: input.status, error: input.error ?? null });
      }
      const row = await setCampaignStatus(db, input.campaignId, input.status, { error: input.error ?? null });
      if (!row) return;
      const label = input.kind === 'nas' ? 'NAS' : 'HPO';
      await notifier.notify({
        eventType: `${label}_${input.status === 'FAILED' ? 'FAILED' : 'CANCELLED'}`,
        entityKind: 'campaign',
        entityId: input.campaignId,
        title: `${label} campaign ${input.campaignId} ${input.status === 'FAILED' ? 'failed' : 'cancelled'}`,
        message: input.error ?? input.status,
      });
    },

    /** Bench and orchestration-test objective: an instant test function (Branin, Hartmann-6). */
    async evaluateSyntheticObjective(raw: SyntheticObjectiveInput): Promise<number> {
      const input = validateActivityInput(SyntheticObjectiveInputSchema, raw, 'evaluateSyntheticObjective input');
      return SYNTHETIC_OBJECTIVES[input.function].evaluate(input.params);
    },
  };
}
export type HpoActivities = ReturnType<typeof createHpoActivities>;
