import { FinalizeNasCampaignInputSchema, type CampaignReport, type FinalizeNasCampaignInput } from '../contracts/index.js';
import { registerArtifact } from '../db/repos/artifacts.js';
import { getCampaign, listTrials, setCampaignBest, setCampaignStatus } from '../db/repos/campaigns.js';
import { renderNasReport } from '../ml/report/index.js';
import type { ActivityDeps } from './deps.js';
import { notFound, validateActivityInput } from './lib/failures.js';

/** Closing a NAS campaign: the report from its candidate rows, the best, the notification. */
export function createNasActivities(deps: ActivityDeps) {
  const { db, notifier } = deps;
  return {
    async finalizeNasCampaign(raw: FinalizeNasCampaignInput): Promise<CampaignReport> {
      const input = validateActivityInput(FinalizeNasCampaignInputSchema, raw, 'finalizeNasCampaign input');
      const campaign = await getCampaign(db, input.campaignId);
      if (!campaign) throw notFound(`campaignId "${input.campaignId}" does not exist`);
      const rows = await listTrials(db, input.campaignId);
      const num = (m: Record<string, number>, k: string) => (Number.isFinite(m[k]) ? m[k] : undefined);
      const { html } = renderNasReport({
        campaignId: campaign.id,
        datasetId: campaign.datasetId,
        candidates: rows.map((r) => ({
          number: r.number,
          status: r.status,
          genome: r.params,
          valAccuracy: num(r.metrics, 'valAccuracy'),
          params: num(r.metrics, 'params'),
          latencyMs: num(r.metrics, 'latencyMs'),
          score: num(r.metrics, 'score'),
          ...(r.error ? { error: r.error } : {}),
        })),
        ...(input.best ? { best: input.best.candidate } : {}),
        generatedAt: new Date().toISOString(),
      });
      const stored = await deps.artifacts.put(new TextEncoder().encode(html), { kind: 'report', mediaType: 'text/html' });
      await registerArtifact(db, { ...stored, kind: 'report', mediaType: 'text/html' });
      const best = input.best;
      if (best) {
        const genome = rows.find((r) => r.number === best.candidate)?.params ?? {};
        await setCampaignBest(db, input.campaignId, { trial: best.candidate, value: best.score, params: genome });
      }
      await setCampaignStatus(db, input.campaignId, input.status, { reportUri: stored.uri, error: input.reason ?? null });
      const c = input.counts;
      await notifier.notify({
        eventType: 'NAS_COMPLETED',
        entityKind: 'campaign',
        entityId: input.campaignId,
        title: `NAS campaign ${input.campaignId} ${input.status === 'STOPPED' ? 'stopped' : 'completed'}`,
        message: `${c.completed} trained, ${c.rejected} rejected, ${c.duplicates} duplicates, ${c.failed} failed${best ? `; best accuracy ${(best.valAccuracy * 100).toFixed(1)} % with ${best.params} parameters, ${best.latencyMs.toFixed(2)} ms` : ''}`,
        details: { counts: c, best, reportUri: stored.uri },
      });
      return { reportUri: stored.uri };
    },
  };
}
export type NasActivities = ReturnType<typeof createNasActivities>;
