/**
 * The NAS campaign report: one self-contained SVG and an HTML page that wraps
 * it with a summary, the best architecture and the candidate table.
 *
 * Pure: no I/O, no clock, no randomness, no Node built-ins (same rules as hpo-report.ts), so a
 * retried activity stores byte-identical output.
 *
 * Layout (viewBox 1200 × 910):
 *   header: campaign, dataset, counts, best candidate
 *   (a) accuracy per candidate, best so far   | (d) best architecture as a layer list
 *   (b) Pareto front: accuracy vs parameters  | (c) Pareto front: accuracy vs latency
 */
import { ArchitectureSchema, type Architecture } from '../../contracts/training.js';
import { architectureLines, compactNumber as compact, formatNumber } from '../../contracts/text.js';
import { emptyMessage, frame, INK, legend, lineSwatch, MUTED, reportHeader, svgDocument, xAxis, yAxis, type Box, type LegendItem, type Plot } from './chart.js';
import { campaignCss, figure, htmlPage, summaryRow, summaryTable, titledTable } from './html.js';
import { historyPanel as historyPanelOf } from './history.js';
import { statusPalette } from './status.js';
import { escapeXml, extent, linearScale, logScale, num, points, tag, text, truncate, type Scale } from './svg.js';

export const NAS_PANEL_TITLES = {
  history: 'Validation accuracy per candidate',
  frontParams: 'Pareto front: accuracy vs parameters',
  frontLatency: 'Pareto front: accuracy vs latency',
  architecture: 'Best architecture',
} as const;

export interface NasReportCandidate {
  number: number;
  /** COMPLETED, FAILED, REJECTED, DUPLICATE, STOPPED, RUNNING; STOPPED with an error `rejected: …` counts as rejected. */
  status: string;
  /** The candidate's architecture (the training contract's Architecture); anything else is shown as unreadable. */
  genome?: unknown;
  valAccuracy?: number;
  params?: number;
  latencyMs?: number;
  score?: number;
  /** Failure message or rejection reason. */
  error?: string;
}

export interface NasReportInput {
  campaignId: string;
  datasetId: string;
  candidates: NasReportCandidate[];
  /** Candidate number of the single best by the campaign's scalarisation (default: highest score, then accuracy). */
  best?: number;
  /** ISO timestamp, printed as given: the renderer reads no clock. */
  generatedAt: string;
}

const WIDTH = 1200;
const HEIGHT = 910;
const MONO = 'DejaVu Sans Mono, Menlo, Consolas, monospace';
const FRONT = '#d95f02';

const STATUS = statusPalette(
  {
    COMPLETED: { color: '#1f77b4', label: 'trained', marker: 'dot' },
    DUPLICATE: { color: '#17becf', label: 'duplicate', marker: 'ring' },
    FAILED: { color: '#d62728', label: 'failed', marker: 'cross' },
    REJECTED: { color: '#8c564b', label: 'rejected', marker: 'triangle' },
    STOPPED: { color: '#7f7f7f', label: 'stopped', marker: 'square' },
    CANCELLED: { color: '#7f7f7f', label: 'cancelled', marker: 'square' },
    RUNNING: { color: '#9467bd', label: 'running', marker: 'square' },
  },
  { dotOpacity: 0.8 },
);
const { styleOf } = STATUS;

/** A candidate with its data cleaned: non-finite numbers dropped, status normalised. */
interface Candidate {
  number: number;
  status: string;
  genome?: Architecture;
  hasGenome: boolean;
  accuracy?: number;
  params?: number;
  latencyMs?: number;
  score?: number;
  error?: string;
}

/** A trained candidate with every objective. */
interface Point extends Candidate {
  accuracy: number;
  params: number;
  latencyMs: number;
}

interface Context {
  input: NasReportInput;
  candidates: Candidate[];
  points: Point[];
  best?: Candidate;
  frontParams: Set<number>;
  frontLatency: Set<number>;
}

const finite = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export function renderNasReport(input: NasReportInput): { svg: string; html: string } {
  const candidates = normalise(input.candidates ?? []);
  const pts = candidates.filter((c): c is Point => c.status === 'COMPLETED' && c.accuracy !== undefined && c.params !== undefined && c.latencyMs !== undefined);
  const best = pickBest(candidates, pts, input.best);
  const ctx: Context = {
    input,
    candidates,
    points: pts,
    best,
    frontParams: new Set(paretoFront2(pts, 'params').map((p) => p.number)),
    frontLatency: new Set(paretoFront2(pts, 'latencyMs').map((p) => p.number)),
  };
  const svg = renderSvg(ctx);
  return { svg, html: renderHtml(ctx, svg) };
}

function normalise(raw: readonly NasReportCandidate[]): Candidate[] {
  return raw
    .map((c) => {
      let status = String(c.status).toUpperCase();
      const error = typeof c.error === 'string' && c.error !== '' ? c.error : undefined;
      if (status === 'STOPPED' && error?.startsWith('rejected')) status = 'REJECTED';
      const accuracy = finite(c.valAccuracy);
      // A COMPLETED row without an accuracy is a duplicate whose outcome lives on its original.
      if (status === 'COMPLETED' && accuracy === undefined) status = 'DUPLICATE';
      const parsed = c.genome === undefined ? undefined : ArchitectureSchema.safeParse(c.genome);
      return {
        number: c.number,
        status,
        genome: parsed?.success ? parsed.data : undefined,
        hasGenome: c.genome !== undefined,
        accuracy,
        params: finite(c.params),
        latencyMs: finite(c.latencyMs),
        score: finite(c.score),
        error,
      };
    })
    .sort((a, b) => a.number - b.number);
}

/** The named best if it exists, else the highest score (then accuracy), ties to the earlier candidate. */
function pickBest(candidates: readonly Candidate[], pts: readonly Point[], named: number | undefined): Candidate | undefined {
  if (named !== undefined) {
    const found = candidates.find((c) => c.number === named);
    if (found) return found;
  }
  let best: Point | undefined;
  for (const p of pts) {
    const s = p.score ?? p.accuracy;
    const b = best ? (best.score ?? best.accuracy) : -Infinity;
    if (!best || s > b) best = p;
  }
  return best;
}

/**
 * The non-dominated points for (accuracy ↑, `cost` ↓), sorted by cost ascending. Points with
 * identical objectives are all kept (none dominates the other).
 */
export function paretoFront2<T extends { accuracy: number; params: number; latencyMs: number }>(pts: readonly T[], cost: 'params' | 'latencyMs'): T[] {
  const dominated = (p: T): boolean =>
    pts.some((q) => q !== p && q.accuracy >= p.accuracy && q[cost] <= p[cost] && (q.accuracy > p.accuracy || q[cost] < p[cost]));
  return pts.filter((p) => !dominated(p)).sort((a, b) => a[cost] - b[cost] || b.accuracy - a.accuracy);
}

// ---------------------------------------------------------------------------------------------
// SVG

function bestSummary(best: Candidate | undefined): string {
  if (!best || best.accuracy === undefined) return 'no trained candidate yet';
  const parts = [`best: #${best.number}`, `accuracy ${formatNumber(best.accuracy)}`];
  if (best.params !== undefined) parts.push(`${compact(best.params)} params`);
  if (best.latencyMs !== undefined) parts.push(`${formatNumber(best.latencyMs)} ms`);
  if (best.score !== undefined) parts.push(`score ${formatNumber(best.score)}`);
  return parts.join(' · ');
}

function renderSvg(ctx: Context): string {
  const { input, candidates, best } = ctx;
  const counts = STATUS.countsText(candidates.map((c) => c.status));
  const header = reportHeader(
    WIDTH,
    'NAS campaign',
    input.campaignId,
    input.generatedAt,
    `dataset ${truncate(input.datasetId, 40)} · ${candidates.length} candidates${counts ? `: ${counts}` : ''} · ${bestSummary(best)}`,
  );
  const body = [
    header,
    historyPanel(ctx, { x: 12, y: 78, w: 716, h: 390 }),
    architecturePanel(ctx, { x: 740, y: 78, w: 448, h: 390 }),
    frontPanel(ctx, { x: 12, y: 480, w: 588, h: 418 }, 'params'),
    frontPanel(ctx, { x: 612, y: 480, w: 576, h: 418 }, 'latencyMs'),
  ].join('\n');
  return svgDocument(WIDTH, HEIGHT, `NAS campaign ${input.campaignId}`, body);
}

/** 1-2-5 ticks per decade when the axis spans at most three decades, else powers of ten only. */
function denseLogTicks(lo: number, hi: number): number[] {
  const dense = hi / lo <= 1000;
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of dense ? [1, 2, 5] : [1]) {
      const t = Number((m * 10 ** e).toPrecision(1));
      if (t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9)) out.push(t);
    }
  }
  return out;
}

/** Pads a range by 5 % each side so markers at the extremes are not cut by the frame. */
function padded([lo, hi]: [number, number]): [number, number] {
  const pad = hi > lo ? (hi - lo) * 0.05 : Math.max(Math.abs(lo) * 0.05, 0.01);
  return [lo - pad, hi + pad];
}

/** Log axis for positive values spanning more than a decade (parameter counts usually do). */
function costScale(values: readonly number[], range: [number, number]): Scale {
  const [lo, hi] = extent(values) as [number, number];
  if (lo > 0 && hi / lo > 10) return logScale([lo / 1.15, hi * 1.15], range);
  return linearScale(padded([lo, hi]), range);
}

// (a) Accuracy per candidate ---------------------------------------------------------------------

function historyPanel(ctx: Context, box: Box): string {
  const { best } = ctx;
  const bestRing = (x: number, y: number): string => tag('circle', { cx: x, cy: y, r: 6, fill: 'none', stroke: FRONT, 'stroke-width': 2 });
  return historyPanelOf(box, ctx.candidates, {
    title: NAS_PANEL_TITLES.history,
    emptyMessage: 'no finished candidates yet',
    value: (c) => c.accuracy,
    xLabel: 'candidate number',
    yLabel: 'validation accuracy',
    noValueMessage: 'no candidate has been trained yet',
    improves: (a, b) => a > b,
    pad: padded,
    palette: STATUS,
    point: (c, x, y, r) => ({
      attrs: { 'data-candidate': c.number, 'data-status': c.status },
      tip: `candidate #${c.number} · ${styleOf(c.status).label}${c.accuracy !== undefined ? ` · ${formatNumber(c.accuracy)}` : ''}${c.error ? ` · ${c.error}` : ''}`,
      overlay: c === best && c.accuracy !== undefined ? tag('circle', { cx: x, cy: y, r: r + 4, fill: 'none', stroke: FRONT, 'stroke-width': 2 }) : '',
    }),
    legendExtras: (hasBestLine) => {
      const items: LegendItem[] = [];
      if (hasBestLine) items.push([lineSwatch(INK), 'best accuracy so far']);
      if (best && best.accuracy !== undefined) items.push([bestRing, 'best (scalarised)']);
      return items;
    },
  });
}

// (b), (c) Pareto fronts ------------------------------------------------------------------------

function frontPanel(ctx: Context, box: Box, cost: 'params' | 'latencyMs'): string {
  const { points: pts, best } = ctx;
  const isParams = cost === 'params';
  const id = isParams ? 'panel-front-params' : 'panel-front-latency';
  const cls = isParams ? 'front-params' : 'front-latency';
  const frontSet = isParams ? ctx.frontParams : ctx.frontLatency;
  const parts = [frame(box, isParams ? NAS_PANEL_TITLES.frontParams : NAS_PANEL_TITLES.frontLatency)];
  if (pts.length === 0) return tag('g', { class: 'panel', id }, parts.join('') + emptyMessage(box, 'needs trained candidates'));

  const plot: Plot = { left: box.x + 66, right: box.x + box.w - 22, top: box.y + 62, bottom: box.y + box.h - 48 };
  const xs = costScale(
    pts.map((p) => p[cost]),
    [plot.left + 8, plot.right - 8],
  );
  const ys = linearScale(padded(extent(pts.map((p) => p.accuracy)) as [number, number]), [plot.bottom, plot.top]);
  const label = isParams ? 'parameters' : 'inference latency per window, ms';
  parts.push(yAxis(ys, plot, 'validation accuracy'));
  const ticks = xs.log ? denseLogTicks(xs.domain[0], xs.domain[1]) : xs.ticks(6);
  parts.push(xAxis(xs, ticks, plot, `${label}${xs.log ? ' (log scale)' : ''}`, true, isParams ? compact : formatNumber));

  // The front as a staircase: from each front point, across to the next one's cost, then up.
  const front = pts.filter((p) => frontSet.has(p.number)).sort((a, b) => a[cost] - b[cost] || b.accuracy - a.accuracy);
  const stair: [number, number][] = [];
  front.forEach((p, i) => {
    if (i > 0) stair.push([xs(p[cost]), ys(front[i - 1].accuracy)]);
    stair.push([xs(p[cost]), ys(p.accuracy)]);
  });
  if (front.length > 1)
    parts.push(tag('polyline', { class: `${cls}-line`, points: points(stair), fill: 'none', stroke: FRONT, 'stroke-width': 1.8, 'stroke-linejoin': 'round' }));

  const r = pts.length > 300 ? 2.4 : 4;
  const dots: string[] = [];
  // Dominated points first (faint), front points on top.
  const ordered = [...pts].sort((a, b) => Number(frontSet.has(a.number)) - Number(frontSet.has(b.number)) || a.number - b.number);
  for (const p of ordered) {
    const onFront = frontSet.has(p.number);
    const x = xs(p[cost]);
    const y = ys(p.accuracy);
    const tip = `candidate #${p.number} · accuracy ${formatNumber(p.accuracy)} · ${compact(p.params)} params · ${formatNumber(p.latencyMs)} ms${onFront ? ' · on the front' : ''}`;
    const dot = onFront
      ? tag('circle', { cx: x, cy: y, r: r + 1.5, fill: FRONT, stroke: '#fff', 'stroke-width': 1 })
      : tag('circle', { cx: x, cy: y, r, fill: '#1f77b4', 'fill-opacity': 0.45 });
    const ring = p === best ? tag('circle', { cx: x, cy: y, r: r + 5, fill: 'none', stroke: INK, 'stroke-width': 1.6 }) : '';
    const attrs = {
      class: `${cls}-pt`,
      'data-candidate': p.number,
      'data-front': onFront ? 'true' : 'false',
      'data-accuracy': String(p.accuracy),
      'data-cost': String(p[cost]),
    };
    dots.push(tag('g', attrs, tag('title', {}, escapeXml(tip)) + dot + ring));
  }
  parts.push(tag('g', { class: `${cls}-points` }, dots.join('')));

  // Front members by number, so the panel says which architectures they are.
  const names = front.map((p) => `#${p.number}`).join(' ');
  parts.push(text(box.x + box.w - 14, box.y + 24, truncate(`front: ${names}`, 36), { 'font-size': 11, fill: MUTED, 'text-anchor': 'end' }));

  const items: LegendItem[] = [
    [(x, y) => tag('circle', { cx: x, cy: y, r: 4, fill: '#1f77b4', 'fill-opacity': 0.45 }), 'dominated'],
    [(x, y) => tag('circle', { cx: x, cy: y, r: 5, fill: FRONT }), `Pareto front (${front.length})`],
  ];
  if (best && pts.includes(best as Point))
    items.push([(x, y) => tag('circle', { cx: x, cy: y, r: 6, fill: 'none', stroke: INK, 'stroke-width': 1.6 }), 'best (scalarised)']);
  parts.push(legend(box.x + 14, box.y + 46, items));
  return tag('g', { class: 'panel', id }, parts.join(''));
}

// (d) Best architecture -------------------------------------------------------------------------

function architecturePanel(ctx: Context, box: Box): string {
  const { best } = ctx;
  const parts = [frame(box, NAS_PANEL_TITLES.architecture, best ? `candidate #${best.number}, input → output, top to bottom` : undefined)];
  if (!best) return tag('g', { class: 'panel', id: 'panel-architecture' }, parts.join('') + emptyMessage(box, 'no trained candidate yet'));
  const lines = best.genome ? architectureLines(best.genome) : undefined;
  if (!lines)
    return tag(
      'g',
      { class: 'panel', id: 'panel-architecture' },
      parts.join('') + emptyMessage(box, best.hasGenome ? 'architecture not readable' : 'architecture not recorded'),
    );

  // Monospace at 12 px ≈ 7.2 px per character: shrink the font for wide lines so they fit.
  const longest = Math.max(...lines.map((l) => l.length));
  const size = Math.min(12.5, Math.max(8, (box.w - 28) / (longest * 0.61)));
  const step = Math.min(26, (box.h - 130) / lines.length);
  const rows: string[] = [];
  const y0 = box.y + 76;
  lines.forEach((line, i) => {
    const y = y0 + i * step;
    const isHead = i === lines.length - 1;
    if (!isHead && i % 2 === 0) rows.push(tag('rect', { x: box.x + 10, y: y - step * 0.68, width: box.w - 20, height: step, fill: '#f4f6fa' }));
    rows.push(
      text(box.x + 14, y, line, {
        'font-size': num(size),
        'font-family': MONO,
        fill: isHead ? '#7a3e00' : INK,
        class: 'layer-line',
        'xml:space': 'preserve',
        style: 'white-space: pre',
      }),
    );
  });
  const facts: string[] = [];
  if (best.accuracy !== undefined) facts.push(`accuracy ${formatNumber(best.accuracy)}`);
  if (best.params !== undefined) facts.push(`${compact(best.params)} params`);
  if (best.latencyMs !== undefined) facts.push(`${formatNumber(best.latencyMs)} ms/window`);
  if (best.score !== undefined) facts.push(`score ${formatNumber(best.score)}`);
  rows.push(text(box.x + 14, box.y + box.h - 16, facts.join(' · '), { 'font-size': 12, fill: INK }));
  return tag('g', { class: 'panel', id: 'panel-architecture' }, parts.join('') + tag('g', { class: 'layer-list' }, rows.join('')));
}

// ---------------------------------------------------------------------------------------------
// HTML

function renderHtml(ctx: Context, svg: string): string {
  const { input, candidates, best, frontParams, frontLatency } = ctx;
  const e = escapeXml;
  const fmt = (v: number | undefined, digits = 4): string => (v === undefined ? '' : e(formatNumber(v, digits)));
  const row = summaryRow;
  const layers = best?.genome ? architectureLines(best.genome) : undefined;
  const summary = [
    row('campaign', e(input.campaignId)),
    row('dataset', e(input.datasetId)),
    row('candidates', String(candidates.length)),
    ...STATUS.countRows(candidates.map((c) => c.status)),
    row('best candidate', best ? `#${best.number}` : 'none trained'),
    row('best accuracy', fmt(best?.accuracy, 6) || '—'),
    row('best parameters', fmt(best?.params, 6) || '—'),
    row('best latency (ms)', fmt(best?.latencyMs) || '—'),
    row('best score', fmt(best?.score, 6) || '—'),
    row(
      'front (accuracy vs params)',
      [...frontParams]
        .sort((a, b) => a - b)
        .map((n) => `#${n}`)
        .join(' ') || '—',
    ),
    row(
      'front (accuracy vs latency)',
      [...frontLatency]
        .sort((a, b) => a - b)
        .map((n) => `#${n}`)
        .join(' ') || '—',
    ),
    row('generated', e(input.generatedAt)),
  ].join('\n');
  const architecture = layers
    ? `<pre class="layers">${e(layers.join('\n'))}</pre>`
    : `<p>${best ? 'architecture not recorded' : 'no trained candidate yet'}</p>`;
  const head =
    '<tr><th>#</th><th>status</th><th>accuracy</th><th>params</th><th>latency (ms)</th><th>score</th><th>front</th><th>blocks</th><th>note</th></tr>';
  const body = candidates
    .map((c) => {
      const cls = c === best ? ' class="best"' : '';
      const onFront = [frontParams.has(c.number) ? 'params' : '', frontLatency.has(c.number) ? 'latency' : ''].filter(Boolean).join(', ');
      const blocks = c.genome ? String(c.genome.blocks.length) : '';
      return `<tr${cls}><td>${c.number}</td><td>${e(styleOf(c.status).label)}</td><td>${fmt(c.accuracy, 6)}</td><td>${fmt(c.params, 6)}</td><td>${fmt(c.latencyMs)}</td><td>${fmt(c.score, 6)}</td><td>${onFront}</td><td>${blocks}</td><td>${e(c.error ?? '')}</td></tr>`;
    })
    .join('\n');
  return htmlPage({
    title: `NAS campaign ${input.campaignId}`,
    css: [...campaignCss('candidates'), `pre.layers { font-family: ${MONO}; background: #f4f6fa; padding: 8px 12px; display: inline-block; }`],
    body: summaryTable(summary) + `<h2>Best architecture</h2>\n${architecture}\n` + figure(svg) + titledTable('Candidates', 'candidates', head, body),
  });
}
