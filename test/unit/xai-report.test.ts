import { describe, expect, it } from 'vitest';
import {
  ATTRIBUTION_LEVELS,
  attributionColor,
  attributionColumns,
  MAX_STRIP_COLUMNS,
  renderSignalExplanationSvg,
  renderXaiClassSummaryHtml,
  renderXaiClassSummarySvg,
  type SignalPictureInput,
  type SignalPictureWindow,
  type XaiClassSummaryInput,
} from '../../ml/report/index.js';
import { mulberry32 } from '../../ml/random.js';
import { xmlErrors } from '../support/xml.js';

// ---------------------------------------------------------------------------------------------
// Fixtures: a bearing-like window (shaft tone, decaying 3 kHz impulses every ~9.3 ms, noise) and
// four maps shaped like the four methods (noisy signed IG, smooth non-negative Grad-CAM, blocky
// occlusion, piecewise-constant SHAP segments).

const FS = 12_000;
const METHODS = ['integrated-gradients', 'grad-cam', 'occlusion', 'kernel-shap'] as const;

function fakeWindow(L: number, start: number, seed = 3): SignalPictureWindow {
  const rng = mulberry32(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(rng() + 1e-12)) * Math.cos(2 * Math.PI * rng());
  const x = new Float32Array(L);
  const env = new Float32Array(L);
  for (let i = 0; i < L; i++) {
    const t = (start + i) / FS;
    env[i] = Math.exp(-((start + i) % 112) / 40);
    x[i] = 0.4 * Math.sin(2 * Math.PI * 30 * t) + 2.5 * env[i] * Math.sin(2 * Math.PI * 3000 * t) + 0.3 * gauss();
  }
  const maps = METHODS.map(() => new Float32Array(L));
  for (let i = 0; i < L; i++) {
    maps[0][i] = x[i] * env[i] * 0.02 + 0.003 * gauss();
    maps[1][i] = Math.max(0, env[i] - 0.2);
    maps[2][i] = env[Math.floor(i / 64) * 64] - 0.25;
    maps[3][i] = Math.floor((i * 16) / L) % 3 === 0 ? -0.1 : 0.2;
  }
  return { start, samples: x, methods: METHODS.map((method, j) => ({ method, attributions: maps[j], faithfulness: 0.1 * (j + 1) + 0.0123 })) };
}

function fakeSignal(windows: number, L = 2048): SignalPictureInput {
  return {
    signal: 'cwru-demo:17',
    label: 'outer_race',
    targetLabel: 'outer_race',
    probability: 0.9342,
    samplingRateHz: FS,
    windows: Array.from({ length: windows }, (_, k) => fakeWindow(L, 1000 + k * 4096, k + 1)),
  };
}

interface Strip {
  method: string;
  columns: number;
  signed: boolean;
  /** Level and fill of every column (0 / background where no run covers it). */
  levels: number[];
  fills: string[];
  runs: number;
}

/** Reads the attribution strips back from the SVG: which level (and colour) covers each column. */
function readStrips(svg: string): Strip[] {
  const out: Strip[] = [];
  for (const m of svg.matchAll(/<g class="strip"([^>]*)>([\s\S]*?)<rect[^>]*fill="none"[^>]*\/><\/g>/g)) {
    const attr = (name: string): string => new RegExp(`${name}="([^"]*)"`).exec(m[1])?.[1] ?? '';
    const columns = Number(attr('data-columns'));
    const levels = new Array<number>(columns).fill(0);
    const fills = new Array<string>(columns).fill(attributionColor(0));
    let runs = 0;
    for (const p of m[2].matchAll(/<path data-level="(-?\d+)" stroke="(#[0-9a-f]{6})" d="([^"]*)"\/>/g)) {
      // Horizontal segments: M<x> .5h<len> then m<dx> 0h<len>, in column units.
      // Paths come in paint order (ascending level) and a run may reach one column under a later
      // one, so painting them in order gives each column its visible level.
      let pen = 0;
      for (const r of p[3].matchAll(/([Mm])(-?\d+) (?:\.5|0)h(\d+)/g)) {
        runs++;
        const start = r[1] === 'M' ? Number(r[2]) : pen + Number(r[2]);
        pen = start + Number(r[3]);
        for (let c = start; c < pen; c++) {
          levels[c] = Number(p[1]);
          fills[c] = p[2];
        }
      }
    }
    out.push({ method: attr('data-method'), columns, signed: attr('data-signed') === 'true', levels, fills, runs });
  }
  return out;
}

/** Number of coordinate pairs in every polyline/polygon `points` attribute. */
function polyPoints(svg: string): number[] {
  return [...svg.matchAll(/<(?:polyline|polygon)[^>]*points="([^"]*)"/g)].map((m) => m[1].trim().split(/\s+/).length);
}

const count = (svg: string, re: RegExp): number => svg.match(re)?.length ?? 0;

/** Perceived lightness of a #rrggbb colour (lower = more saturated on these ramps). */
const lightness = (hex: string): number => {
  const n = parseInt(hex.slice(1), 16);
  return 0.299 * ((n >> 16) & 255) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255);
};

// ---------------------------------------------------------------------------------------------

describe('renderSignalExplanationSvg', () => {
  it('draws each window with its waveform and one labelled strip per method, well-formed and self-contained', () => {
    const input = fakeSignal(4);
    const svg = renderSignalExplanationSvg(input);
    expect(xmlErrors(svg)).toEqual([]);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 1200 \d+"/);
    expect(svg).not.toMatch(/<script|<image|href=|url\(|NaN|Infinity/);
    expect(svg).toContain('>Signal cwru-demo:17</text>');
    expect(svg).toContain('true label outer_race · explained class outer_race · p(outer_race) = 0.934');
    expect(count(svg, /<g class="window"/g)).toBe(4);
    expect(svg).not.toContain('not drawn');
    const strips = readStrips(svg);
    expect(strips.map((s) => s.method)).toEqual([...METHODS, ...METHODS, ...METHODS, ...METHODS]);
    for (const [j, m] of METHODS.entries()) {
      expect(count(svg, new RegExp(`class="strip-label"[^>]*>${m}</text>`, 'g'))).toBe(4);
      expect(svg).toContain(`>faithfulness ${(0.1 * (j + 1) + 0.0123).toFixed(2)}</text>`);
    }
    // The time axis is labelled in ms from the window start and says where the window is.
    expect(svg).toContain('time from window start, ms (window starts at 0.08333 s in the recording)');
    // Grad-CAM (>= 0) is drawn on the sequential half; the others are signed.
    expect(strips.filter((s) => s.method === 'grad-cam').every((s) => !s.signed && s.levels.every((l) => l >= 0))).toBe(true);
    expect(strips.filter((s) => s.method === 'kernel-shap').every((s) => s.signed && s.levels.some((l) => l < 0))).toBe(true);
  });

  it('is deterministic', () => {
    expect(renderSignalExplanationSvg(fakeSignal(2))).toBe(renderSignalExplanationSvg(fakeSignal(2)));
  });

  it('draws a single window without a note, and at most 4 of 6 windows with a note about the 2 others', () => {
    const one = renderSignalExplanationSvg(fakeSignal(1));
    expect(xmlErrors(one)).toEqual([]);
    expect(count(one, /<g class="window"/g)).toBe(1);
    expect(one).not.toContain('class="note"');

    const six = renderSignalExplanationSvg(fakeSignal(6));
    expect(xmlErrors(six)).toEqual([]);
    expect(count(six, /<g class="window"/g)).toBe(4);
    expect([...six.matchAll(/data-window="(\d+)"/g)].map((m) => Number(m[1]))).toEqual([0, 1, 2, 3]);
    expect(six).toContain('+2 more windows not drawn');
    expect(six).toContain('of 6</text>');
  });

  it('puts the most saturated colour where the attribution mass is: all mass in the last 10 % → only the last columns are coloured, the last one darkest red', () => {
    const input = fakeSignal(1);
    const L = input.windows[0].samples.length;
    const a = new Float32Array(L);
    for (let i = Math.floor(L * 0.9); i < L; i++) a[i] = 0.5 + (i - L * 0.9) / L; // rising towards the end
    input.windows[0].methods = [{ method: 'occlusion', attributions: a, faithfulness: 0.21 }];
    const svg = renderSignalExplanationSvg(input);
    expect(xmlErrors(svg)).toEqual([]);
    const [strip] = readStrips(svg);
    expect(strip.columns).toBe(MAX_STRIP_COLUMNS);
    const last = strip.columns - 1;
    expect(strip.levels[last]).toBe(ATTRIBUTION_LEVELS);
    expect(strip.fills[last]).toBe(attributionColor(ATTRIBUTION_LEVELS));
    const darkest = Math.min(...strip.fills.map(lightness));
    expect(lightness(strip.fills[last])).toBe(darkest);
    // Red, not blue: the red channel dominates.
    const n = parseInt(strip.fills[last].slice(1), 16);
    expect((n >> 16) & 255).toBeGreaterThan(n & 255);
    // Nothing before the last 10 % of the window is coloured.
    const firstColoured = strip.levels.findIndex((l) => l !== 0);
    expect(firstColoured).toBeGreaterThanOrEqual(Math.floor(strip.columns * 0.9) - 1);
    expect(strip.levels.slice(0, Math.floor(strip.columns * 0.9) - 1).every((l) => l === 0)).toBe(true);
    expect(svg).toContain('>faithfulness 0.21</text>');
  });

  it('draws negative attributions in blue, the most negative column darkest', () => {
    const input = fakeSignal(1, 1024);
    const L = 1024;
    const a = new Float32Array(L);
    for (let i = 0; i < L; i++) a[i] = -Math.exp(-(((i - 200) / 40) ** 2)); // all <= 0, peak magnitude at sample 200
    input.windows[0].methods = [{ method: 'integrated-gradients', attributions: a, faithfulness: -0.05 }];
    const svg = renderSignalExplanationSvg(input);
    expect(xmlErrors(svg)).toEqual([]);
    const [strip] = readStrips(svg);
    expect(strip.signed).toBe(true);
    expect(strip.levels.every((l) => l <= 0)).toBe(true);
    const peak = Math.floor((200 / L) * strip.columns);
    expect(strip.levels[peak]).toBe(-ATTRIBUTION_LEVELS);
    const n = parseInt(strip.fills[peak].slice(1), 16);
    expect(n & 255).toBeGreaterThan((n >> 16) & 255); // blue, not red
    expect(lightness(strip.fills[peak])).toBe(Math.min(...strip.fills.map(lightness)));
    expect(svg).toContain('>faithfulness -0.05</text>');
  });

  it('draws an all-zero map as an empty (background) strip and says so, without dividing by zero', () => {
    const input = fakeSignal(1);
    const L = input.windows[0].samples.length;
    input.windows[0].methods[1] = { method: 'grad-cam', attributions: new Float32Array(L), faithfulness: 0 };
    const svg = renderSignalExplanationSvg(input);
    expect(xmlErrors(svg)).toEqual([]);
    expect(svg).not.toMatch(/NaN|Infinity/);
    const cam = readStrips(svg).find((s) => s.method === 'grad-cam') as Strip;
    expect(cam.runs).toBe(0);
    expect(cam.levels.every((l) => l === 0)).toBe(true);
    expect(svg).toContain('>faithfulness 0.00 · all zero</text>');
    expect(svg).toMatch(/<g class="strip" data-method="grad-cam" data-max="0"/);
  });

  it('escapes <&>" in the signal, labels and method names', () => {
    const input = fakeSignal(1, 256);
    input.signal = 'ds<&>"x:1';
    input.label = 'in<ner>&"race';
    input.targetLabel = 'out&er';
    input.windows[0].methods[0].method = 'ig<b>"&';
    const svg = renderSignalExplanationSvg(input);
    expect(xmlErrors(svg)).toEqual([]);
    expect(svg).toContain('Signal ds&lt;&amp;&gt;&quot;x:1');
    expect(svg).toContain('true label in&lt;ner&gt;&amp;&quot;race');
    expect(svg).toContain('explained class out&amp;er');
    expect(svg).toContain('data-method="ig&lt;b&gt;&quot;&amp;"');
    expect(svg).toContain('>ig&lt;b&gt;&quot;&amp;</text>');
    expect(svg).not.toContain('<b>');
  });

  it('keeps the element count bounded for long windows (L = 16384): ≤ 600 waveform points and ≤ 300 runs per strip', () => {
    const input = fakeSignal(4, 16_384);
    const svg = renderSignalExplanationSvg(input);
    expect(xmlErrors(svg)).toEqual([]);
    const pts = polyPoints(svg);
    expect(pts).toHaveLength(4);
    for (const n of pts) expect(n).toBeLessThanOrEqual(600);
    const strips = readStrips(svg);
    expect(strips).toHaveLength(16);
    for (const s of strips) {
      expect(s.columns).toBe(MAX_STRIP_COLUMNS);
      expect(s.runs).toBeLessThanOrEqual(MAX_STRIP_COLUMNS);
    }
    // Rects: panel cards, backgrounds/outlines of strips, colour key, grid — not one per sample.
    expect(count(svg, /<rect/g)).toBeLessThan(200);
    expect(count(svg, /<path/g)).toBeLessThanOrEqual(16 * 2 * ATTRIBUTION_LEVELS);
    expect(svg.length).toBeLessThan(150_000);
  });

  it('draws short windows sample by sample (a polyline of L points) and stays small', () => {
    const svg = renderSignalExplanationSvg(fakeSignal(1, 400));
    expect(svg).toContain('<polyline class="wave"');
    expect(polyPoints(svg)).toEqual([400]);
    expect(readStrips(svg).every((s) => s.columns === 300)).toBe(true);
    const tiny = renderSignalExplanationSvg(fakeSignal(1, 64));
    expect(xmlErrors(tiny)).toEqual([]);
    expect(readStrips(tiny).every((s) => s.columns === 64)).toBe(true);
  });

  it('stays under 150 KB for 4 windows × 4 methods × 2048 samples, even when every map is white noise', () => {
    const typical = renderSignalExplanationSvg(fakeSignal(4));
    const noisy = fakeSignal(4);
    const rng = mulberry32(11);
    for (const w of noisy.windows) for (const m of w.methods) for (let i = 0; i < m.attributions.length; i++) m.attributions[i] = rng() * 2 - 1;
    const worst = renderSignalExplanationSvg(noisy);
    expect(xmlErrors(worst)).toEqual([]);
    expect(typical.length).toBeLessThan(150_000);
    expect(worst.length).toBeLessThan(150_000);
  });

  it('handles an empty window list, an empty window and a window without maps', () => {
    const none = renderSignalExplanationSvg({ ...fakeSignal(1), windows: [] });
    expect(xmlErrors(none)).toEqual([]);
    expect(none).toContain('no explained windows');
    const input = fakeSignal(2);
    input.windows[0] = { start: 0, samples: new Float32Array(0), methods: [] };
    input.windows[1].methods = [];
    const svg = renderSignalExplanationSvg(input);
    expect(xmlErrors(svg)).toEqual([]);
    expect(svg).toContain('empty window');
    expect(svg).toContain('no attribution maps');
  });
});

describe('attributionColumns', () => {
  it('averages |a| per column, keeps the sign of the column sum and scales levels to the strongest column', () => {
    const col = attributionColumns(Float32Array.from([1, 1, -3, -1, 0, 0, 2, -4]), 4);
    expect(col.values).toEqual([1, -2, 0, -3]);
    expect(col.max).toBe(3);
    expect(col.signed).toBe(true);
    expect(col.levels).toEqual([Math.round(ATTRIBUTION_LEVELS / 3), Math.round((-2 / 3) * ATTRIBUTION_LEVELS), 0, -ATTRIBUTION_LEVELS]);
    expect(attributionColumns(new Float32Array(10), 5)).toMatchObject({ max: 0, levels: [0, 0, 0, 0, 0], signed: false });
  });
});

// ---------------------------------------------------------------------------------------------

function fakeSummary(): XaiClassSummaryInput {
  const rng = mulberry32(21);
  const bands = [
    [0, 500],
    [500, 1000],
    [1000, 2000],
    [2000, 3000],
    [3000, 4000],
    [4000, 6000],
  ].map(([lowHz, highHz]) => ({ lowHz, highHz }));
  const norm = (a: number[]): number[] => {
    const s = a.reduce((x, y) => x + y, 0);
    return a.map((v) => v / s);
  };
  const spec = [
    { label: 'normal', signals: 40, failed: 0, band: 0 },
    { label: 'inner_race', signals: 38, failed: 2, band: 4 },
    { label: 'outer_race', signals: 41, failed: 0, band: 3 },
    { label: 'ball', signals: 0, failed: 5, band: 5 },
  ];
  return {
    batchId: 'xb-1',
    modelId: 'cnn1d-v3',
    windowLength: 2048,
    samplingRateHz: FS,
    bands,
    classes: spec.map((c) => ({
      label: c.label,
      signals: c.signals,
      failed: c.failed,
      methods: METHODS.map((method, j) => ({
        method,
        signals: Math.max(0, c.signals - j),
        segmentProfile: norm(Array.from({ length: 16 }, (_, s) => 0.2 + Math.exp(-(((s - 4 - j) / 1.5) ** 2)) + 0.1 * rng())),
        bandProfile: norm(bands.map((_, b) => 0.2 + 3 * Math.exp(-((b - c.band) ** 2)) + 0.2 * rng())),
        meanFaithfulness: 0.1 + 0.3 * rng(),
      })),
    })),
    notes: ['5 signals of class ball failed: window longer than the recording'],
  };
}

describe('renderXaiClassSummarySvg', () => {
  it('draws one row per class and one cell per method with a segment strip, band bars and the faithfulness', () => {
    const input = fakeSummary();
    const svg = renderXaiClassSummarySvg(input);
    expect(xmlErrors(svg)).toEqual([]);
    expect(svg).not.toMatch(/<script|NaN|Infinity/);
    expect([...svg.matchAll(/class="col-header"[^>]*>([^<]*)</g)].map((m) => m[1])).toEqual([...METHODS]);
    expect([...svg.matchAll(/class="row-header"[^>]*>([^<]*)</g)].map((m) => m[1])).toEqual(['normal', 'inner_race', 'outer_race', 'ball']);
    // Three classes with signals × four methods.
    expect(count(svg, /<g class="cell"/g)).toBe(12);
    expect(count(svg, /<g class="strip" data-kind="segments"/g)).toBe(12);
    expect(count(svg, /<g class="bands">/g)).toBe(12);
    for (const c of input.classes.filter((c) => c.signals > 0)) {
      for (const m of c.methods) expect(svg).toContain(`>faithfulness ${m.meanFaithfulness.toFixed(2)} · ${m.signals} signals</text>`);
    }
    // Band edges in kHz under the bars, and the peak band named.
    for (const edge of ['>0<', '>0.5<', '>1<', '>2<', '>3<', '>4<', '>6<']) expect(svg).toContain(edge);
    expect(svg).toContain('peak 3–4 kHz');
    expect(svg).toContain('5 signals of class ball failed');
  });

  it('shows "no completed signals" for a class without signals and for a method without signals', () => {
    const input = fakeSummary();
    input.classes[1].methods[2].signals = 0;
    const svg = renderXaiClassSummarySvg(input);
    expect(xmlErrors(svg)).toEqual([]);
    const row = (label: string): string => new RegExp(`<g class="class-row" data-class="${label}">([\\s\\S]*?)</g>\\n`).exec(svg)?.[1] ?? '';
    expect(row('ball')).toContain('font-style="italic">no completed signals</text>');
    expect(row('ball')).not.toContain('class="cell"');
    expect(count(row('inner_race'), /no completed signals/g)).toBe(1);
    expect(count(row('normal'), /no completed signals/g)).toBe(0);
  });

  it('escapes user strings and survives empty and ragged inputs', () => {
    const input = fakeSummary();
    input.batchId = 'b<&>"1';
    input.classes[0].label = 'nor<m>&"al';
    input.classes[0].methods[0].method = 'm<&>"';
    input.classes[2].methods[1].bandProfile = [];
    input.classes[2].methods[1].segmentProfile = [NaN, 1];
    const svg = renderXaiClassSummarySvg(input);
    expect(xmlErrors(svg)).toEqual([]);
    expect(svg).toContain('XAI batch b&lt;&amp;&gt;&quot;1');
    expect(svg).toContain('>nor&lt;m&gt;&amp;&quot;al</text>');
    expect(svg).toContain('>m&lt;&amp;&gt;&quot;</text>');
    expect(svg).toContain('no band profile');
    expect(svg).not.toMatch(/NaN/);
    const empty = renderXaiClassSummarySvg({ ...input, classes: [], bands: [], notes: undefined });
    expect(xmlErrors(empty)).toEqual([]);
    expect(empty).toContain('no classes');
  });
});

describe('renderXaiClassSummaryHtml', () => {
  it('wraps the SVG and tabulates mean faithfulness and the dominant band per class × method, with the input numbers', () => {
    const input = fakeSummary();
    const html = renderXaiClassSummaryHtml(input);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain(renderXaiClassSummarySvg(input));
    const cells = (table: string): Map<string, string> => {
      const body = new RegExp(`<table class="${table}">([\\s\\S]*?)</table>`).exec(html)?.[1] ?? '';
      return new Map([...body.matchAll(/<td data-class="([^"]*)" data-method="([^"]*)">(.*?)<\/td>/g)].map((m) => [`${m[1]}/${m[2]}`, m[3]]));
    };
    const faith = cells('faithfulness');
    const band = cells('dominant-band');
    expect(faith.size).toBe(16);
    for (const c of input.classes) {
      for (const m of c.methods) {
        const key = `${c.label}/${m.method}`;
        if (c.signals === 0) {
          expect(faith.get(key)).toBe('—');
          expect(band.get(key)).toBe('—');
          continue;
        }
        const shown = /^(-?[\d.]+) <span class="n">\(n = (\d+)\)<\/span>$/.exec(faith.get(key) ?? '');
        expect(shown, key).not.toBeNull();
        expect(Number(shown?.[1])).toBeCloseTo(m.meanFaithfulness, 3);
        expect(Number(shown?.[2])).toBe(m.signals);
        const top = m.bandProfile.indexOf(Math.max(...m.bandProfile));
        const b = input.bands[top];
        expect(band.get(key)).toBe(`${b.lowHz / 1000}–${b.highHz / 1000} kHz (${(m.bandProfile[top] * 100).toFixed(0)}%)`);
      }
    }
    // Class rows carry the counts.
    expect(html).toContain('<tr><th>inner_race</th><td>38</td><td>2</td>');
    expect(html).toContain('<li>5 signals of class ball failed: window longer than the recording</li>');
  });

  it('escapes every user string', () => {
    const input = fakeSummary();
    input.batchId = '<script>alert(1)</script>';
    input.modelId = 'm&"';
    input.classes[0].label = '<b>x</b>';
    input.notes = ['<img src=x onerror=alert(1)>'];
    const html = renderXaiClassSummaryHtml(input);
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<b>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('m&amp;&quot;');
    expect(html).toContain('data-class="&lt;b&gt;x&lt;/b&gt;"');
  });
});
