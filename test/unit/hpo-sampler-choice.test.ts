/** Choosing the sampler of an HPO campaign: the contract's rules, the report's and the CLI's Pareto front. */
import { describe, expect, it } from 'vitest';
import { formatHpoResult } from '../../client/cli/hpo.js';
import { HpoCampaignInputSchema, resolvedObjectives, type HpoCampaignRequest, type HpoCampaignResult } from '../../contracts/index.js';
import { renderHpoReport } from '../../ml/report/index.js';

const base: HpoCampaignRequest = { campaignId: 'c-1', datasetId: 'ds-1' };
const MO: HpoCampaignRequest = {
  ...base,
  sampler: { kind: 'nsga2', seed: 1, populationSize: 8 },
  pruner: { kind: 'none', minEpochs: 1, maxEpochs: 3 },
  objectives: [{ metric: 'valAccuracy' }, { metric: 'inferenceMsPerWindow' }],
};

function issues(req: unknown): string[] {
  const r = HpoCampaignInputSchema.safeParse(req);
  if (r.success) return [];
  return r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('HPO sampler choice (contract)', () => {
  it('accepts tpe, gp, random, grid and nsga2 with objectives', () => {
    expect(issues({ ...base, sampler: { kind: 'gp', startupTrials: 5 } })).toEqual([]);
    expect(issues({ ...base, sampler: { kind: 'random' } })).toEqual([]);
    expect(issues(MO)).toEqual([]);
    expect(HpoCampaignInputSchema.parse(MO).objectives).toEqual([{ metric: 'valAccuracy' }, { metric: 'inferenceMsPerWindow' }]);
  });

  it('refuses a sampler it does not know, naming the field and the choices', () => {
    expect(issues({ ...base, sampler: { kind: 'cmaes' } })[0]).toMatch(/^sampler\.kind: .*"tpe"\|"gp"\|"random"\|"grid"\|"nsga2"/);
  });

  it('nsga2 needs objectives, no pruner and the training evaluator; objectives need nsga2', () => {
    expect(issues({ ...MO, objectives: undefined })).toEqual([expect.stringMatching(/^objectives: is required with sampler.kind "nsga2"/)]);
    expect(issues({ ...MO, pruner: { kind: 'asha' } })).toEqual([
      'pruner.kind: must be "none" with sampler.kind "nsga2" (a pruner ranks one objective), got "asha"',
    ]);
    expect(issues({ ...MO, evaluator: { kind: 'synthetic', function: 'branin' }, space: undefined })).toContain(
      'evaluator.kind: must be "training" with sampler.kind "nsga2" (size and latency come from training)',
    );
    expect(issues({ ...base, objectives: MO.objectives })).toEqual([
      'objectives: needs sampler.kind "nsga2" (sampler.kind "tpe" searches one objective; set objective instead)',
    ]);
    expect(issues({ ...MO, objectives: [{ metric: 'valLoss' }, { metric: 'valLoss' }] })).toEqual(['objectives.1.metric: "valLoss" is listed twice']);
    expect(issues({ ...MO, objectives: [{ metric: 'valLoss' }] })[0]).toMatch(/^objectives: /);
  });

  it('sampler options apply only to the samplers that use them', () => {
    expect(issues({ ...base, sampler: { kind: 'random', startupTrials: 5 } })).toEqual([
      'sampler.startupTrials: applies to sampler.kind "tpe" or "gp", not "random"',
    ]);
    expect(issues({ ...base, sampler: { kind: 'tpe', populationSize: 5 } })).toEqual(['sampler.populationSize: applies to sampler.kind "nsga2", not "tpe"']);
  });

  it('objective directions default from the metric', () => {
    expect(resolvedObjectives([{ metric: 'valAccuracy' }, { metric: 'parameterCount' }, { metric: 'valLoss', direction: 'maximize' }])).toEqual([
      { metric: 'valAccuracy', direction: 'maximize' },
      { metric: 'parameterCount', direction: 'minimize' },
      { metric: 'valLoss', direction: 'maximize' },
    ]);
  });
});

const pareto = {
  objectives: [
    { metric: 'valAccuracy', direction: 'maximize' as const },
    { metric: 'inferenceMsPerWindow', direction: 'minimize' as const },
  ],
  front: [
    { trial: 3, values: [0.81, 0.4], params: { lr: 0.01 } },
    { trial: 5, values: [0.93, 1.7], params: { lr: 0.002 } },
  ],
};

describe('the Pareto front in the report and the CLI result', () => {
  it('the HTML report has a Pareto table, one column per objective, best first objective on top', () => {
    const { html } = renderHpoReport({
      campaignId: 'c-1',
      datasetId: 'ds-1',
      metric: 'valAccuracy',
      direction: 'maximize',
      rungs: [3],
      trials: [
        { number: 3, params: { lr: 0.01 }, status: 'COMPLETED', value: 0.81, intermediate: { '3': 0.81 } },
        { number: 5, params: { lr: 0.002 }, status: 'COMPLETED', value: 0.93, intermediate: { '3': 0.93 } },
      ],
      pareto,
      generatedAt: '2026-01-01T00:00:00Z',
    });
    expect(html).toContain('<h2>Pareto front (2 trials)</h2>');
    expect(html).toContain('<th>valAccuracy (max)</th><th>inferenceMsPerWindow (min)</th>');
    const table = html.slice(html.indexOf('class="pareto"'));
    expect(table.indexOf('<td>5</td>')).toBeLessThan(table.indexOf('<td>3</td>'));
    // A single-objective report has no such table.
    expect(
      renderHpoReport({ campaignId: 'c', datasetId: 'd', metric: 'valLoss', direction: 'minimize', rungs: [1], trials: [], generatedAt: 'x' }).html,
    ).not.toContain('Pareto');
  });

  it('formatHpoResult lists the front under the best parameters', () => {
    const r: HpoCampaignResult = {
      campaignId: 'c-1',
      status: 'COMPLETED',
      direction: 'maximize',
      metric: 'valAccuracy',
      trials: { total: 6, completed: 6, pruned: 0, failed: 0, stopped: 0 },
      best: { trial: 5, value: 0.93, params: { lr: 0.002 } },
      pareto: { objectives: pareto.objectives.map((o) => ({ ...o, metric: o.metric as 'valAccuracy' })), front: pareto.front },
    };
    const text = formatHpoResult(r, undefined);
    expect(text).toContain('Pareto front (2 trials): valAccuracy (max) vs inferenceMsPerWindow (min)');
    expect(text).toMatch(/trial 3 +0\.81/);
  });
});
