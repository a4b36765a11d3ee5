import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PANEL_TITLES, parameterImportance, renderHpoReport, type HpoReportInput, type HpoReportTrial } from '../../ml/report/index.js';
import { mulberry32, type RandomSource } from '../../ml/random.js';
import { escapeXml, formatNumber, logTicks, niceTicks, wantsLog } from '../../ml/report/svg.js';
import { xmlErrors } from '../support/xml.js';

describe('xmlErrors (the test helper itself)', () => {
  it('accepts well-formed XML and rejects the usual breakages', () => {
    expect(xmlErrors('<svg a="1"><g><text>a &amp; b</text></g><rect/></svg>')).toEqual([]);
    expect(xmlErrors('<svg><g></svg>')).not.toEqual([]);
    expect(xmlErrors('<svg><text>a < b</text></svg>')).not.toEqual([]);
    expect(xmlErrors('<svg><text>a & b</text></svg>')).not.toEqual([]);
    expect(xmlErrors('<svg a="x&y"/>')).not.toEqual([]);
    expect(xmlErrors('<svg a="1" a="2"/>')).not.toEqual([]);
    expect(xmlErrors('<svg/><svg/>')).not.toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Fixtures

function normal(rng: RandomSource): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}
const pick = <T>(rng: RandomSource, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];

/**
 * A realistic fake campaign: the 1D-CNN space (log learning rate, batch size, optimizer with a
 * conditional momentum, filters, kernel size, dropout, window length), ASHA rungs 1/3/9 epochs,
 * accuracy driven mostly by the learning rate, then dropout and optimizer; some trials pruned, a
 * couple failed, one running.
 */
function fakeCampaign(n: number, seed = 7): HpoReportInput {
  const rng = mulberry32(seed);
  const rungs = [1, 3, 9];
  const trials: HpoReportTrial[] = [];
  const rungBest: number[][] = [[], [], []];
  for (let i = 0; i < n; i++) {
    const optimizer = pick(rng, ['adam', 'sgd', 'rmsprop'] as const);
    const params: Record<string, string | number | boolean> = {
      learningRate: 10 ** (-5 + 4 * rng()),
      batchSize: pick(rng, [32, 64, 128, 256]),
      optimizer,
      filters: 16 + Math.floor(rng() * 113),
      kernelSize: pick(rng, [3, 5, 7, 9]),
      dropout: Math.round(rng() * 50) / 100,
      windowLength: pick(rng, [1024, 2048, 4096]),
    };
    if (optimizer === 'sgd') params.momentum = Math.round((0.5 + 0.49 * rng()) * 100) / 100;
    const lr = Math.log10(params.learningRate as number);
    const quality = 0.97 - 0.045 * (lr + 2.7) ** 2 - 0.15 * ((params.dropout as number) - 0.2) ** 2 - (optimizer === 'sgd' ? 0.04 : 0) + 0.01 * normal(rng);
    const intermediate: Record<string, number> = {};
    let status = 'COMPLETED';
    let value: number | undefined;
    if (i === 11 || i === 29) {
      status = 'FAILED';
    } else {
      for (let r = 0; r < rungs.length; r++) {
        const acc = Math.min(0.995, Math.max(0.2, quality - 0.25 / (1 + rungs[r]) + 0.008 * normal(rng)));
        intermediate[String(rungs[r])] = Number(acc.toFixed(4));
        value = intermediate[String(rungs[r])];
        rungBest[r].push(acc);
        if (i === n - 1 && r === 1) {
          status = 'RUNNING';
          value = undefined;
          break;
        }
        // ASHA-like (gentler than η = 3 so the picture has enough completed trials): continue
        // only if in the top half of the rung so far, after a few trials.
        const sorted = [...rungBest[r]].sort((a, b) => b - a);
        const k = Math.max(1, Math.floor(sorted.length / 2));
        if (r < rungs.length - 1 && sorted.length >= 3 && acc < sorted[k - 1]) {
          status = 'PRUNED';
          break;
        }
      }
    }
    trials.push({ number: i, params, status, value, intermediate });
  }
  return {
    campaignId: 'bearing-cnn-2024-q3',
    datasetId: 'cwru-12k-de',
    metric: 'valAccuracy',
    direction: 'maximize',
    rungs,
    trials,
    generatedAt: '2025-01-15T10:42:00Z',
  };
}

function readPolyline(svg: string, cls: string): [number, number][] {
  const m = new RegExp(`<polyline class="${cls}" points="([^"]*)"`).exec(svg);
  if (!m) return [];
  return m[1].split(' ').map((p) => p.split(',').map(Number) as [number, number]);
}

// ---------------------------------------------------------------------------------------------

describe('svg helpers', () => {
  it('escape, ticks, number format and the log-axis rule', () => {
    expect(escapeXml(`<a href="x">&'\u0001`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;');
    expect(niceTicks(0.12, 0.97, 5)).toEqual([0.2, 0.4, 0.6, 0.8]);
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(logTicks(3e-5, 0.08)).toEqual([1e-4, 1e-3, 1e-2]);
    expect(formatNumber(3.2e-5)).toBe('3.2e-5');
    expect(formatNumber(0.95837)).toBe('0.9584');
    const rng = mulberry32(1);
    const logUniform = Array.from({ length: 50 }, () => 10 ** (-5 + 4 * rng()));
    const uniform = [0.0004, ...Array.from({ length: 50 }, () => 0.5 * rng())];
    expect(wantsLog(logUniform)).toBe(true);
    expect(wantsLog(uniform)).toBe(false); // spans > 2 decades but was sampled uniformly
    expect(wantsLog([32, 64, 128, 256])).toBe(false);
    expect(wantsLog([0, 1e-5, 1e-1])).toBe(false); // zero: no log axis
  });
});

describe('parameterImportance', () => {
  function synthetic(n: number, seed: number, driver: 'lr' | 'optimizer'): HpoReportTrial[] {
    const rng = mulberry32(seed);
    return Array.from({ length: n }, (_, i) => {
      const lr = 10 ** (-5 + 4 * rng());
      const optimizer = pick(rng, ['adam', 'sgd', 'rmsprop']);
      const params = { lr, batchSize: pick(rng, [16, 32, 64, 128]), optimizer, dropout: rng() * 0.5, bn: rng() < 0.5 };
      const value =
        driver === 'lr' ? -((Math.log10(lr) + 3) ** 2) + 0.3 * normal(rng) : (optimizer === 'adam' ? 1 : optimizer === 'sgd' ? 0.5 : 0) + 0.1 * normal(rng);
      return { number: i, params, status: 'COMPLETED', value, intermediate: {} };
    });
  }

  it('ranks the parameter that drives the objective first, and sums to 1', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      for (const [driver, name] of [
        ['lr', 'lr'],
        ['optimizer', 'optimizer'],
      ] as const) {
        const imp = parameterImportance(synthetic(120, seed, driver), 'maximize');
        expect(imp.map((i) => i.param).sort()).toEqual(['batchSize', 'bn', 'dropout', 'lr', 'optimizer']);
        expect(imp[0].param).toBe(name);
        expect(imp[0].importance).toBeGreaterThan(0.6);
        expect(imp.reduce((s, i) => s + i.importance, 0)).toBeCloseTo(1, 10);
        for (let k = 1; k < imp.length; k++) expect(imp[k].importance).toBeLessThanOrEqual(imp[k - 1].importance);
      }
    }
  });

  it('ignores non-finite values and non-completed trials; direction does not matter', () => {
    const base = synthetic(80, 9, 'lr');
    const junk: HpoReportTrial[] = [NaN, Infinity, -Infinity].flatMap((value, j) =>
      Array.from({ length: 10 }, (_, i) => ({
        number: 1000 + j * 10 + i,
        params: { lr: 1e-3, batchSize: 16, optimizer: 'adam', dropout: 0.1, bn: true },
        status: 'COMPLETED',
        value,
        intermediate: {},
      })),
    );
    const pruned = base.map((t) => ({ ...t, number: t.number + 5000, status: 'PRUNED', value: t.params.bn ? 100 : -100 }));
    const failed = base.map((t) => ({ ...t, number: t.number + 9000, status: 'FAILED', value: undefined }));
    const clean = parameterImportance(base, 'maximize');
    expect(parameterImportance([...base, ...junk, ...pruned, ...failed], 'maximize')).toEqual(clean);
    expect(parameterImportance(base, 'minimize')).toEqual(clean);
  });

  it('judges a conditional parameter only where it is present; degenerate inputs', () => {
    expect(parameterImportance([], 'maximize')).toEqual([]);
    expect(parameterImportance([{ number: 0, params: { a: 1 }, status: 'FAILED', intermediate: {} }], 'maximize')).toEqual([]);
    // One trial, or no variance: no evidence, equal shares.
    expect(parameterImportance([{ number: 0, params: { a: 1, b: 'x' }, status: 'COMPLETED', value: 1, intermediate: {} }], 'maximize')).toEqual([
      { param: 'a', importance: 0.5 },
      { param: 'b', importance: 0.5 },
    ]);
    const rng = mulberry32(3);
    const trials: HpoReportTrial[] = Array.from({ length: 150 }, (_, i) => {
      const sgd = i % 2 === 0;
      const momentum = rng();
      const params: Record<string, string | number> = { optimizer: sgd ? 'sgd' : 'adam', noise: rng() };
      if (sgd) params.momentum = momentum;
      return { number: i, params, status: 'COMPLETED', value: (sgd ? 4 * momentum : 2) + 0.05 * normal(rng), intermediate: {} };
    });
    const imp = parameterImportance(trials, 'maximize');
    expect(imp[0].param).toBe('momentum');
    expect(imp.find((i) => i.param === 'noise')?.importance).toBeLessThan(0.05);
  });
});

describe('renderHpoReport', () => {
  it('renders a well-formed SVG with the four panels, one history point per finished trial and a monotone best-so-far', () => {
    for (const direction of ['maximize', 'minimize'] as const) {
      const input = fakeCampaign(40);
      input.direction = direction;
      const { svg, html } = renderHpoReport(input);
      expect(xmlErrors(svg)).toEqual([]);
      expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 \d+ \d+"/);
      for (const title of Object.values(PANEL_TITLES)) expect(svg).toContain(`>${title}</text>`);
      // Self-contained: nothing loaded from elsewhere.
      expect(svg).not.toMatch(/<script|@import|@font-face|xlink:href|href=|url\(/);

      const finished = input.trials.filter((t) => t.status !== 'RUNNING');
      expect(input.trials.some((t) => t.status === 'RUNNING')).toBe(true);
      expect(svg.match(/class="hist-pt"/g)?.length).toBe(finished.length);
      for (const s of ['COMPLETED', 'PRUNED', 'FAILED']) {
        expect(svg.match(new RegExp(`class="hist-pt" data-trial="\\d+" data-status="${s}"`, 'g'))?.length).toBe(finished.filter((t) => t.status === s).length);
      }

      const best = readPolyline(svg, 'best-so-far');
      expect(best.length).toBeGreaterThan(1);
      for (let i = 1; i < best.length; i++) {
        expect(best[i][0]).toBeGreaterThanOrEqual(best[i - 1][0]);
        // SVG y grows downwards: maximising, the line may only go up (y falls); minimising, only down.
        if (direction === 'maximize') expect(best[i][1]).toBeLessThanOrEqual(best[i - 1][1]);
        else expect(best[i][1]).toBeGreaterThanOrEqual(best[i - 1][1]);
      }
      // It ends at the best completed trial's marker height.
      const completed = input.trials.filter((t) => t.status === 'COMPLETED') as Required<HpoReportTrial>[];
      const bestTrial = completed.reduce((a, b) => ((direction === 'maximize' ? b.value > a.value : b.value < a.value) ? b : a));
      const cy = new RegExp(`data-trial="${bestTrial.number}" data-status="COMPLETED"><title>[^<]*</title><circle cx="[\\d.]+" cy="([\\d.]+)"`).exec(svg);
      expect(Number(cy?.[1])).toBeCloseTo(best[best.length - 1][1], 5);

      // Parallel coordinates: learning rate spans 4 decades → log axis; optimizer categorical ticks.
      expect(svg).toMatch(/data-param="learningRate">[^]*?>\(log\)<\/text>/);
      expect(svg).toMatch(/data-param="optimizer">(?:(?!<\/g>)[^])*>adam<(?:(?!<\/g>)[^])*>rmsprop<(?:(?!<\/g>)[^])*>sgd</);
      expect(svg.match(/class="pc-line"/g)?.length).toBe(completed.length);
      expect(svg.match(/class="iv-line"/g)?.length).toBe(input.trials.filter((t) => Object.keys(t.intermediate).length > 0).length);

      expect(html).toContain(svg);
      expect(html).toContain(`<td>#${bestTrial.number}</td>`);
      expect(html.match(/<tr(?: class="best")?><td>\d+<\/td>/g)?.length).toBe(input.trials.length);
      if (direction === 'maximize') writeFileSync('/tmp/hpo-report.svg', svg);
      if (direction === 'maximize') writeFileSync('/tmp/hpo-report.html', html);
    }
  });

  it('escapes <&> and quotes in every text it prints', () => {
    const input = fakeCampaign(12);
    input.campaignId = 'camp<&>"\'x';
    input.metric = 'val<acc>&';
    input.datasetId = '<script>alert(1)</script>';
    input.trials[0].params['a<b&c'] = 'x>y&z"';
    input.trials[1].params['a<b&c'] = 'q';
    input.trials[2].status = 'WEIRD<&>';
    input.trials[3].params.ctrl = 'bad\u0001char';
    const { svg, html } = renderHpoReport(input);
    expect(xmlErrors(svg)).toEqual([]);
    expect(svg).toContain('camp&lt;&amp;&gt;&quot;&apos;x');
    expect(svg).toContain('val&lt;acc&gt;&amp;');
    expect(svg).not.toContain('<script');
    expect(svg).not.toContain('a<b');
    expect(html).not.toContain('<script');
    expect(html).toContain('x&gt;y&amp;z&quot;');
    expect(html).not.toContain('\u0001');
  });

  it('handles 0 trials, only failed trials, non-finite values and 1,000 trials', () => {
    const empty = renderHpoReport({ campaignId: 'c', datasetId: 'd', metric: 'valLoss', direction: 'minimize', rungs: [], trials: [], generatedAt: 'now' });
    expect(xmlErrors(empty.svg)).toEqual([]);
    for (const title of Object.values(PANEL_TITLES)) expect(empty.svg).toContain(title);
    expect(empty.svg).not.toContain('hist-pt');

    const failedOnly = renderHpoReport({
      campaignId: 'c',
      datasetId: 'd',
      metric: 'valLoss',
      direction: 'minimize',
      rungs: [1, 3],
      trials: Array.from({ length: 5 }, (_, i) => ({ number: i, params: { lr: 0.01 * (i + 1) }, status: 'FAILED', intermediate: {} })),
      generatedAt: 'now',
    });
    expect(xmlErrors(failedOnly.svg)).toEqual([]);
    expect(failedOnly.svg.match(/class="hist-pt"/g)?.length).toBe(5);
    expect(failedOnly.svg).not.toContain('best-so-far');
    expect(failedOnly.html).toContain('none completed');

    const weird = fakeCampaign(20);
    weird.trials[3].value = NaN;
    weird.trials[4].value = Infinity;
    weird.trials[5].intermediate = { '1': NaN, x: 0.5, '3': 0.7 };
    weird.trials[6].params.learningRate = NaN;
    const w = renderHpoReport(weird);
    expect(xmlErrors(w.svg)).toEqual([]);
    expect(w.svg).not.toMatch(/NaN|Infinity/);

    const started = performance.now();
    const bigInput = fakeCampaign(1000, 11);
    const big = renderHpoReport(bigInput);
    const ms = performance.now() - started;
    expect(xmlErrors(big.svg)).toEqual([]);
    expect(big.svg.match(/class="hist-pt"/g)?.length).toBe(bigInput.trials.filter((t) => t.status !== 'RUNNING').length);
    expect(ms).toBeLessThan(5_000);
    expect(big.svg.length).toBeLessThan(3_000_000);
  });

  it('is deterministic', () => {
    expect(renderHpoReport(fakeCampaign(40))).toEqual(renderHpoReport(fakeCampaign(40)));
  });
});
