import { describe, expect, it } from 'vitest';
import { architectureLines, NAS_PANEL_TITLES, renderNasReport, type NasReportCandidate, type NasReportInput } from '../../ml/report/index.js';
import { mulberry32 } from '../../ml/random.js';
import { xmlErrors } from '../support/xml.js';

// ---------------------------------------------------------------------------------------------
// Fixture: a campaign shaped like nasCampaignWorkflow's candidate rows (rejections recorded as
// STOPPED with `rejected: …`, duplicates as COMPLETED without metrics, one failure, one running).

function fakeCampaign(n: number, seed = 5): NasReportInput {
  const rng = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];
  const candidates: NasReportCandidate[] = [];
  for (let i = 0; i < n; i++) {
    const blocks = Array.from({ length: 2 + Math.floor(rng() * 5) }, () => ({
      filters: pick([8, 16, 32, 64]),
      kernelSize: pick([3, 5, 7, 9]),
      stride: pick([1, 1, 2]),
      pool: pick(['max', 'avg', 'none'] as const),
      batchNorm: rng() < 0.5,
      residual: rng() < 0.3,
    }));
    const genome = { blocks, head: pick(['global-avg', 'global-max', 'flatten'] as const), denseUnits: pick([0, 32, 64]), dropout: pick([0, 0.2]) };
    const params = Math.round(1_000 * 10 ** (2.3 * rng()));
    const valAccuracy = Math.min(0.99, 0.55 + 0.08 * Math.log10(params) - 0.08 * rng());
    const latencyMs = 0.1 + params / 40_000 + 0.1 * rng();
    let c: NasReportCandidate = { number: i, status: 'COMPLETED', genome, valAccuracy, params, latencyMs, score: valAccuracy * (params / 20_000) ** -0.05 };
    if (i % 11 === 4)
      c = { number: i, status: 'STOPPED', genome, error: 'rejected: blocks[3].poolSize: pool of 2 on length 1 leaves length 0 (sequence collapsed)' };
    if (i % 13 === 6) c = { number: i, status: 'FAILED', genome, error: 'TrainingDiverged: loss diverged' };
    if (i % 17 === 9) c = { number: i, status: 'COMPLETED', genome };
    if (i === n - 1) c = { number: i, status: 'RUNNING', genome };
    candidates.push(c);
  }
  return { campaignId: 'n-0a1b2c3d4e5f', datasetId: 'ds-synthetic', candidates, generatedAt: '2025-01-15T10:42:00Z' };
}

type Pt = { candidate: number; front: boolean; accuracy: number; cost: number };
function readPoints(svg: string, cls: string): Pt[] {
  const re = new RegExp(`<g class="${cls}-pt" data-candidate="(\\d+)" data-front="(true|false)" data-accuracy="([^"]+)" data-cost="([^"]+)"`, 'g');
  return [...svg.matchAll(re)].map((m) => ({ candidate: Number(m[1]), front: m[2] === 'true', accuracy: Number(m[3]), cost: Number(m[4]) }));
}

describe('renderNasReport', () => {
  it('renders a well-formed, self-contained SVG with the four panels and one history point per finished candidate', () => {
    const input = fakeCampaign(40);
    const { svg, html } = renderNasReport(input);
    expect(xmlErrors(svg)).toEqual([]);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 \d+ \d+"/);
    for (const title of Object.values(NAS_PANEL_TITLES)) expect(svg).toContain(`>${title}</text>`);
    expect(svg).not.toMatch(/<script|@import|@font-face|xlink:href|href=|url\(|NaN|Infinity/);
    const finished = input.candidates.filter((c) => c.status !== 'RUNNING');
    expect(svg.match(/class="hist-pt"/g)?.length).toBe(finished.length);
    // Rejections (STOPPED + "rejected: …") and duplicates (COMPLETED without metrics) get their own status.
    expect(svg.match(/data-status="REJECTED"/g)?.length).toBe(input.candidates.filter((c) => c.error?.startsWith('rejected')).length);
    expect(svg.match(/data-status="DUPLICATE"/g)?.length).toBe(input.candidates.filter((c) => c.status === 'COMPLETED' && c.valAccuracy === undefined).length);
    expect(html).toContain(svg);
    expect(html.match(/<tr(?: class="best")?><td>\d+<\/td>/g)?.length).toBe(input.candidates.length);
  });

  it('marks as front points exactly the non-dominated ones, in both fronts, joined by a line', () => {
    const input = fakeCampaign(60, 9);
    const { svg } = renderNasReport(input);
    const trained = input.candidates.filter((c) => c.valAccuracy !== undefined);
    for (const cls of ['front-params', 'front-latency']) {
      const pts = readPoints(svg, cls);
      expect(pts.length).toBe(trained.length);
      const dominatedBy = (p: Pt, q: Pt) => q.accuracy >= p.accuracy && q.cost <= p.cost && (q.accuracy > p.accuracy || q.cost < p.cost);
      for (const p of pts) expect(p.front).toBe(!pts.some((q) => q !== p && dominatedBy(p, q)));
      expect(pts.filter((p) => p.front).length).toBeGreaterThan(1);
      expect(svg).toContain(`<polyline class="${cls}-line"`);
    }
  });

  it('draws the best architecture as a layer list (one line per block, then the head), in the SVG and the HTML', () => {
    const input = fakeCampaign(30);
    const bestNumber = input.candidates.find((c) => c.valAccuracy !== undefined && c.number > 10)?.number as number;
    const { svg, html } = renderNasReport({ ...input, best: bestNumber });
    const genome = input.candidates.find((c) => c.number === bestNumber)?.genome as { blocks: unknown[] };
    const lines = architectureLines(genome) as string[];
    expect(lines).toHaveLength(genome.blocks.length + 1);
    const layerTexts = [...svg.matchAll(/class="layer-line"[^>]*>([^<]*)</g)].map((m) => m[1]);
    expect(layerTexts).toEqual(lines);
    expect(svg).toContain(`candidate #${bestNumber}, input → output`);
    for (const line of lines) expect(html).toContain(line);
    expect(html).toContain(`<tr class="best"><td>${bestNumber}</td>`);
  });

  it('formats each block: conv filters×kernel, /stride, dilation, BN, pool, residual; then the head', () => {
    const lines = architectureLines({
      blocks: [
        { filters: 16, kernelSize: 7, stride: 2, batchNorm: true },
        { filters: 128, kernelSize: 3, dilation: 4, pool: 'none', residual: true },
        { filters: 32, kernelSize: 5, pool: 'avg', poolSize: 4 },
      ],
      head: 'flatten',
      denseUnits: 32,
      dropout: 0.5,
    });
    expect(lines).toEqual([
      'block 1  conv 16×7   /2  dilation 1  BN  max-pool 2',
      'block 2  conv 128×3  /1  dilation 4  --  no pool     residual',
      'block 3  conv 32×5   /1  dilation 1  --  avg-pool 4',
      'head     flatten → dense 32 → dropout 0.5 → softmax',
    ]);
    expect(architectureLines({ blocks: [] })).toBeUndefined();
    expect(architectureLines('not a genome')).toBeUndefined();
  });

  it('escapes <&> and quotes in every text it prints', () => {
    const input = fakeCampaign(12);
    input.campaignId = 'camp<&>"\'x';
    input.datasetId = '<script>alert(1)</script>';
    input.candidates[1] = { number: 1, status: 'FAILED', error: 'bad <tag> & "quote"\u0001' };
    input.candidates[2] = { ...input.candidates[2], status: 'WEIRD<&>' };
    const { svg, html } = renderNasReport(input);
    expect(xmlErrors(svg)).toEqual([]);
    expect(svg).toContain('camp&lt;&amp;&gt;&quot;&apos;x');
    expect(svg).not.toContain('<script');
    expect(svg).not.toContain('<tag>');
    expect(html).not.toContain('<script');
    expect(html).toContain('bad &lt;tag&gt; &amp; &quot;quote&quot;');
    expect(html).not.toContain('\u0001');
  });

  it('handles 0 candidates, only rejected/failed ones, an unreadable best genome and non-finite numbers', () => {
    const empty = renderNasReport({ campaignId: 'c', datasetId: 'd', candidates: [], generatedAt: 'now' });
    expect(xmlErrors(empty.svg)).toEqual([]);
    for (const title of Object.values(NAS_PANEL_TITLES)) expect(empty.svg).toContain(title);
    expect(empty.svg).not.toMatch(/hist-pt|front-params-pt|layer-line/);
    expect(empty.html).toContain('no trained candidate yet');

    const none = renderNasReport({
      campaignId: 'c',
      datasetId: 'd',
      candidates: [
        { number: 0, status: 'STOPPED', error: 'rejected: params: 300,000 parameters exceed maxParams 200,000' },
        { number: 1, status: 'FAILED', error: 'boom' },
      ],
      generatedAt: 'now',
    });
    expect(xmlErrors(none.svg)).toEqual([]);
    expect(none.svg.match(/class="hist-pt"/g)?.length).toBe(2);
    expect(none.svg).not.toContain('best-so-far');

    const weird = fakeCampaign(20);
    weird.candidates[0] = { number: 0, status: 'COMPLETED', genome: { blocks: 'x' }, valAccuracy: 0.999, params: 100, latencyMs: 0.1, score: 5 };
    weird.candidates[3] = { ...weird.candidates[3], valAccuracy: NaN, params: Infinity };
    const w = renderNasReport({ ...weird, best: 0 });
    expect(xmlErrors(w.svg)).toEqual([]);
    expect(w.svg).not.toMatch(/NaN|Infinity/);
    expect(w.svg).toContain('architecture not readable');
  });

  it('is deterministic and fast on 1,000 candidates', () => {
    expect(renderNasReport(fakeCampaign(40))).toEqual(renderNasReport(fakeCampaign(40)));
    const started = performance.now();
    const big = renderNasReport(fakeCampaign(1000, 3));
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(xmlErrors(big.svg)).toEqual([]);
  });
});
