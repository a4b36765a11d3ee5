/**
 * The HPO campaign report: one self-contained SVG with four panels, and an HTML
 * page that wraps it with a summary and the trial table.
 *
 * Pure: no I/O, no clock, no randomness, no Node built-ins. The activity that calls it stores the
 * strings as artifacts (and rasterises the SVG if it wants a PNG); a retried activity renders
 * byte-identical output, so the artifact key does not change under retries.
 *
 * Layout (viewBox 1200 × 960, designed to be read at ~1200 px wide):
 *   header: campaign, dataset, objective, counts, best trial
 *   (a) optimisation history      | (c) intermediate values per rung
 *   (b) parameter importance      | (d) parallel coordinates
 * History and intermediate values are both x–y line charts, so they share the top row; the
 * parallel-coordinates plot gets the widest cell because it needs one axis per parameter.
 */
import { emptyMessage, frame, INK, legend, lineSwatch, MUTED, reportHeader, svgDocument, xAxis, yAxis, type Box, type LegendItem, type Plot } from './chart.js';
import { campaignCss, figure, htmlPage, summaryRow, summaryTable, titledTable } from './html.js';
import { parameterImportance, type ParameterImportance } from './importance.js';
import { escapeXml, extent, formatNumber, linearScale, logScale, points, rampColor, tag, text, truncate, wantsLog } from './svg.js';
import { historyPanel as historyPanelOf } from './history.js';
import { statusPalette } from './status.js';
import type { HpoReportInput, HpoReportTrial, ParamValue } from './types.js';

export const PANEL_TITLES = {
  history: 'Optimisation history',
  importance: 'Parameter importance',
  intermediate: 'Intermediate values per rung',
  parallel: 'Parallel coordinates',
} as const;

const WIDTH = 1200;
const HEIGHT = 960;

/** Known statuses in display order; unknown ones are drawn like STOPPED. */
const STATUS = statusPalette(
  {
    COMPLETED: { color: '#1f77b4', label: 'completed', marker: 'dot' },
    PRUNED: { color: '#ff7f0e', label: 'pruned', marker: 'ring' },
    FAILED: { color: '#d62728', label: 'failed', marker: 'cross' },
    STOPPED: { color: '#7f7f7f', label: 'stopped', marker: 'square' },
    CANCELLED: { color: '#7f7f7f', label: 'cancelled', marker: 'square' },
    RUNNING: { color: '#9467bd', label: 'running', marker: 'square' },
  },
  { dotOpacity: 0.85 },
);
const { styleOf } = STATUS;

/** A trial with its data cleaned: non-finite values dropped, intermediate values as sorted (epoch, value) pairs. */
interface Trial {
  number: number;
  params: Record<string, ParamValue>;
  status: string;
  value?: number;
  steps: [number, number][];
}

interface Context {
  input: HpoReportInput;
  trials: Trial[];
  best?: Trial;
  importance: ParameterImportance[];
  /** Line opacity: dense campaigns need faint lines or the panels turn into a solid block. */
  opacity: number;
}

export function renderHpoReport(input: HpoReportInput): { svg: string; html: string } {
  const trials = normaliseTrials(input.trials ?? []);
  const best = bestTrial(trials, input.direction);
  const importance = parameterImportance(trials, input.direction);
  const opacity = Math.min(0.85, Math.max(0.15, 6 / Math.sqrt(Math.max(1, trials.length))));
  const ctx: Context = { input, trials, best, importance, opacity };
  const svg = renderSvg(ctx);
  return { svg, html: renderHtml(ctx, svg) };
}

function normaliseTrials(raw: readonly HpoReportTrial[]): Trial[] {
  return raw
    .map((t) => {
      const steps: [number, number][] = [];
      for (const [k, v] of Object.entries(t.intermediate ?? {})) {
        const epoch = Number(k);
        if (Number.isFinite(epoch) && typeof v === 'number' && Number.isFinite(v)) steps.push([epoch, v]);
      }
      steps.sort((a, b) => a[0] - b[0]);
      const value = typeof t.value === 'number' && Number.isFinite(t.value) ? t.value : undefined;
      return { number: t.number, params: t.params ?? {}, status: String(t.status).toUpperCase(), value, steps };
    })
    .sort((a, b) => a.number - b.number);
}

const better = (direction: 'maximize' | 'minimize', a: number, b: number): boolean => (direction === 'maximize' ? a > b : a < b);

/** Best COMPLETED trial (pruned values come from a smaller budget and are not comparable); ties go to the earlier trial. */
function bestTrial(trials: readonly Trial[], direction: 'maximize' | 'minimize'): Trial | undefined {
  let best: Trial | undefined;
  for (const t of trials) {
    if (t.status !== 'COMPLETED' || t.value === undefined) continue;
    if (!best || better(direction, t.value, best.value as number)) best = t;
  }
  return best;
}

function formatParam(v: ParamValue): string {
  return typeof v === 'number' ? formatNumber(v) : String(v);
}

// ---------------------------------------------------------------------------------------------
// SVG

function renderSvg(ctx: Context): string {
  const { input, trials, best } = ctx;
  const counts = STATUS.countsText(trials.map((t) => t.status));
  const bestText = best ? `best: trial #${best.number} = ${formatNumber(best.value as number)}` : 'no completed trial yet';
  const header = reportHeader(
    WIDTH,
    'HPO campaign',
    input.campaignId,
    input.generatedAt,
    `dataset ${truncate(input.datasetId, 40)} · objective ${truncate(input.metric, 30)} (${input.direction}) · ${trials.length} trials${counts ? `: ${counts}` : ''} · ${bestText}`,
  );

  const body = [
    header,
    historyPanel(ctx, { x: 12, y: 78, w: 588, h: 400 }),
    intermediatePanel(ctx, { x: 612, y: 78, w: 576, h: 400 }),
    importancePanel(ctx, { x: 12, y: 490, w: 360, h: 458 }),
    parallelPanel(ctx, { x: 384, y: 490, w: 804, h: 458 }),
  ].join('\n');

  return svgDocument(WIDTH, HEIGHT, `HPO campaign ${input.campaignId}`, body);
}

// (a) Optimisation history ----------------------------------------------------------------------

/**
 * One marker per finished (non-RUNNING) trial at its objective value; trials without a value
 * (failed, cancelled early) get their marker on a "no value" strip under the plot, so every
 * finished trial is visible. The best-so-far line is a step over COMPLETED trials only, in trial
 * order, extended to the last trial.
 */
function historyPanel(ctx: Context, box: Box): string {
  const { input } = ctx;
  return historyPanelOf(box, ctx.trials, {
    title: PANEL_TITLES.history,
    emptyMessage: 'no finished trials yet',
    value: (t) => t.value,
    xLabel: 'trial number',
    yLabel: input.metric,
    noValueMessage: 'no trial has an objective value yet',
    improves: (a, b) => better(input.direction, a, b),
    pad: padded,
    palette: STATUS,
    point: (t) => ({
      attrs: { 'data-trial': t.number, 'data-status': t.status },
      tip: `trial #${t.number} · ${t.status}${t.value !== undefined ? ` · ${formatNumber(t.value)}` : ''}`,
    }),
    legendExtras: (hasBestLine) => (hasBestLine ? [[lineSwatch(INK), `best so far (${input.direction === 'maximize' ? 'max' : 'min'})`]] : []),
  });
}

/** Pads a value range by 5 % each side so markers at the extremes are not cut by the frame. */
function padded([lo, hi]: [number, number]): [number, number] {
  const pad = hi > lo ? (hi - lo) * 0.05 : Math.abs(lo) * 0.05 || 0.5;
  return [lo - pad, hi + pad];
}

// (b) Parameter importance ----------------------------------------------------------------------

const MAX_BARS = 16;

function importancePanel(ctx: Context, box: Box): string {
  const parts = [frame(box, PANEL_TITLES.importance, 'share of objective variance explained (ε², completed trials)')];
  const items = ctx.importance;
  if (items.length === 0) return tag('g', { class: 'panel', id: 'panel-importance' }, parts.join('') + emptyMessage(box, 'needs completed trials'));

  const shown = items.slice(0, MAX_BARS);
  const plot: Plot = { left: box.x + 132, right: box.x + box.w - 52, top: box.y + 62, bottom: box.y + box.h - 30 };
  const slot = Math.min(34, (plot.bottom - plot.top) / shown.length);
  const barH = Math.max(4, slot * 0.68);
  const max = Math.max(...shown.map((i) => i.importance), 1e-12);
  const xs = linearScale([0, max], [plot.left, plot.right]);
  parts.push(tag('line', { x1: plot.left, x2: plot.left, y1: plot.top - 4, y2: plot.top + slot * shown.length, stroke: '#999' }));
  shown.forEach((it, i) => {
    const y = plot.top + i * slot + (slot - barH) / 2;
    const label = truncate(it.param, 18);
    parts.push(
      tag(
        'g',
        { class: 'imp-bar', 'data-param': it.param },
        tag('title', {}, escapeXml(`${it.param}: ${(it.importance * 100).toFixed(1)} %`)) +
          tag('rect', { x: plot.left, y, width: Math.max(1, xs(it.importance) - plot.left), height: barH, fill: '#4c72b0' }) +
          text(plot.left - 8, y + barH / 2 + 4, label, { 'font-size': 12, fill: INK, 'text-anchor': 'end' }) +
          text(xs(it.importance) + 5, y + barH / 2 + 4, `${(it.importance * 100).toFixed(1)} %`, { 'font-size': 11, fill: MUTED }),
      ),
    );
  });
  if (items.length > shown.length) {
    parts.push(
      text(plot.left, plot.top + slot * shown.length + 16, `+ ${items.length - shown.length} more (see the HTML report)`, { 'font-size': 11, fill: MUTED }),
    );
  }
  return tag('g', { class: 'panel', id: 'panel-importance' }, parts.join(''));
}

// (c) Intermediate values per rung ------------------------------------------------------------

/** Draw order: faint statuses first, completed on top, the best trial last. */
const DRAW_ORDER = ['RUNNING', 'FAILED', 'STOPPED', 'CANCELLED', 'PRUNED', 'COMPLETED'];

function intermediatePanel(ctx: Context, box: Box): string {
  const { input, trials, best, opacity } = ctx;
  const parts = [frame(box, PANEL_TITLES.intermediate)];
  const withSteps = trials.filter((t) => t.steps.length > 0);
  const rungs = [...new Set((input.rungs ?? []).filter((r) => Number.isFinite(r) && r > 0))].sort((a, b) => a - b);
  if (withSteps.length === 0) return tag('g', { class: 'panel', id: 'panel-intermediate' }, parts.join('') + emptyMessage(box, 'no rung results yet'));

  const plot: Plot = { left: box.x + 66, right: box.x + box.w - 24, top: box.y + 62, bottom: box.y + box.h - 48 };
  const epochs = [...rungs, ...withSteps.flatMap((t) => t.steps.map(([e]) => e))];
  const [e0, e1] = extent(epochs) as [number, number];
  // ASHA rungs are geometric (1, 3, 9, 27): a log axis spaces them evenly.
  const logX = e0 > 0 && e1 / e0 >= 8;
  const xRange: [number, number] = [plot.left + 14, plot.right - 14];
  const xs = logX ? logScale([e0, e1], xRange) : linearScale([e0, e1], xRange);
  const xTicks = rungs.length > 0 && rungs.length <= 12 ? rungs : xs.ticks(6);
  const ys = linearScale(padded(extent(withSteps.flatMap((t) => t.steps.map(([, v]) => v))) as [number, number]), [plot.bottom, plot.top]);

  parts.push(yAxis(ys, plot, input.metric));
  parts.push(xAxis(xs, xTicks, plot, `epochs${logX ? ' (log scale)' : ''}, rung boundaries marked`, true));

  const rank = (t: Trial): number => (t === best ? DRAW_ORDER.length + 1 : DRAW_ORDER.indexOf(t.status) + 1);
  const ordered = [...withSteps].sort((a, b) => rank(a) - rank(b) || a.number - b.number);
  const lines: string[] = [];
  for (const t of ordered) {
    const isBest = t === best;
    const color = isBest ? INK : styleOf(t.status).color;
    const pts = t.steps.map(([e, v]) => [xs(e), ys(v)] as [number, number]);
    const tip = tag('title', {}, escapeXml(`trial #${t.number} · ${t.status}`));
    const dash = t.status === 'RUNNING' ? '4 3' : undefined;
    const shape =
      pts.length > 1
        ? tag('polyline', {
            points: points(pts),
            fill: 'none',
            stroke: color,
            'stroke-width': isBest ? 2.6 : 1.3,
            'stroke-opacity': isBest ? 1 : opacity,
            'stroke-dasharray': dash,
          })
        : '';
    // An end dot makes a trial that stopped at the first rung visible, and marks where pruned trials ended.
    const [ex, ey] = pts[pts.length - 1];
    const end = tag('circle', { cx: ex, cy: ey, r: isBest ? 3.5 : 2.2, fill: color, 'fill-opacity': isBest ? 1 : opacity });
    lines.push(tag('g', { class: 'iv-line', 'data-trial': t.number, 'data-status': t.status }, tip + shape + end));
  }
  parts.push(lines.join(''));

  const present = new Set(withSteps.map((t) => t.status));
  const items: LegendItem[] = [];
  for (const s of DRAW_ORDER.slice().reverse())
    if (present.has(s)) items.push([lineSwatch(styleOf(s).color, s === 'RUNNING' ? '4 3' : undefined), styleOf(s).label]);
  if (best) items.push([lineSwatch(INK, undefined, 2.6), `best trial #${best.number}`]);
  parts.push(legend(box.x + 14, box.y + 46, items));
  return tag('g', { class: 'panel', id: 'panel-intermediate' }, parts.join(''));
}

// (d) Parallel coordinates ----------------------------------------------------------------------

interface Axis {
  name: string;
  x: number;
  /** Position of a value on this axis, or undefined when the trial lacks the parameter. */
  y(v: ParamValue | undefined): number | undefined;
  ticks: { y: number; label: string }[];
  log: boolean;
  hasMissing: boolean;
}

function parallelPanel(ctx: Context, box: Box): string {
  const { input, trials, importance, best, opacity } = ctx;
  const parts = [frame(box, PANEL_TITLES.parallel, `completed trials; colour = rank by ${input.metric}, darker = better; parameters ordered by importance`)];
  const done = trials.filter((t) => t.status === 'COMPLETED' && t.value !== undefined);
  if (done.length === 0) return tag('g', { class: 'panel', id: 'panel-parallel' }, parts.join('') + emptyMessage(box, 'needs completed trials'));

  const ranked = importance.map((i) => i.param);
  const names = [...new Set([...ranked, ...done.flatMap((t) => Object.keys(t.params)).sort()])];
  const plot: Plot = { left: box.x + 78, right: box.x + box.w - 110, top: box.y + 100, bottom: box.y + box.h - 44 };
  const nAxes = names.length + 1;
  const gap = nAxes > 1 ? (plot.right - plot.left) / (nAxes - 1) : 0;
  const axisX = (i: number): number => (nAxes > 1 ? plot.left + i * gap : (plot.left + plot.right) / 2);
  const naY = plot.bottom + 22;

  const axes: Axis[] = names.map((name, i) => paramAxis(name, axisX(i), done, plot));
  const values = done.map((t) => t.value as number);
  const [v0, v1] = extent(values) as [number, number];
  const vs = linearScale(padded([v0, v1]), [plot.bottom, plot.top]);
  axes.push({
    name: input.metric,
    x: axisX(names.length),
    y: (v) => (typeof v === 'number' ? vs(v) : undefined),
    ticks: vs.ticks(6).map((t) => ({ y: vs(t), label: formatNumber(t) })),
    log: false,
    hasMissing: false,
  });
  // Colour by rank, not by value: objectives are usually skewed (most trials near the best, a
  // few diverged far below), and a linear map would paint nearly every line the same colour.
  // Goodness in [0, 1], 1 = best, whichever the direction; ties share a colour.
  const order = [...new Set(values)].sort((a, b) => (input.direction === 'maximize' ? a - b : b - a));
  const rankOf = new Map(order.map((v, i) => [v, order.length > 1 ? i / (order.length - 1) : 1]));

  const lines = done
    .map((t) => ({ t, g: rankOf.get(t.value as number) as number }))
    .sort((a, b) => a.g - b.g || a.t.number - b.t.number)
    .map(({ t, g }) => {
      const pts = axes.map((a, i) => [a.x, (i === axes.length - 1 ? a.y(t.value) : a.y(t.params[a.name])) ?? naY] as [number, number]);
      const isBest = t === best;
      return tag(
        'polyline',
        {
          class: 'pc-line',
          'data-trial': t.number,
          points: points(pts),
          fill: 'none',
          stroke: rampColor(g),
          'stroke-width': isBest ? 2.8 : 1.4,
          'stroke-opacity': isBest ? 1 : opacity,
        },
        tag('title', {}, escapeXml(`trial #${t.number} · ${formatNumber(t.value as number)}`)),
      );
    });
  parts.push(tag('g', { class: 'pc-lines' }, lines.join('')));

  // Axes over the lines so tick labels stay legible; a white halo (paint-order stroke) keeps them readable over dense lines.
  // Names that do not fit the gap between axes alternate between two rows, which doubles the
  // room each gets; only what still does not fit is truncated (the full name is in the tooltip).
  const charW = 7.4;
  const fits = (chars: number): boolean => names.every((n) => n.length <= chars) && input.metric.length <= chars;
  const stagger = gap > 0 && !fits(Math.floor(gap / charW));
  const maxChars = gap > 0 ? Math.max(4, Math.floor(((stagger ? 2 : 1) * gap) / charW) - 1) : 40;
  axes.forEach((a, i) => {
    const isObjective = a === axes[axes.length - 1];
    const g: string[] = [tag('line', { x1: a.x, x2: a.x, y1: plot.top, y2: plot.bottom, stroke: '#555', 'stroke-width': 1.2 })];
    g.push(tag('title', {}, escapeXml(a.name)));
    const nameY = stagger && i % 2 === 0 ? plot.top - 40 : plot.top - 25;
    g.push(text(a.x, nameY, truncate(a.name, maxChars), { 'font-size': 12, 'font-weight': 'bold', fill: INK, 'text-anchor': 'middle' }));
    if (a.log || isObjective)
      g.push(text(a.x, plot.top - 10, isObjective ? `(${input.direction})` : '(log)', { 'font-size': 10.5, fill: MUTED, 'text-anchor': 'middle' }));
    for (const t of a.ticks) {
      g.push(tag('line', { x1: a.x - 3, x2: a.x, y1: t.y, y2: t.y, stroke: '#555' }));
      g.push(
        text(a.x - 5, t.y + 3.5, truncate(t.label, 10), {
          'font-size': 10,
          fill: INK,
          'text-anchor': 'end',
          stroke: '#fff',
          'stroke-width': 3,
          'paint-order': 'stroke',
        }),
      );
    }
    if (a.hasMissing) g.push(text(a.x - 5, naY + 3.5, 'n/a', { 'font-size': 10, fill: MUTED, 'text-anchor': 'end', 'font-style': 'italic' }));
    parts.push(tag('g', { class: 'pc-axis', 'data-param': a.name }, g.join('')));
  });

  // Colour bar: the legend for line colours (rank, best at the top).
  const barX = axisX(names.length) + 48;
  const steps = 30;
  const bar: string[] = [];
  for (let i = 0; i < steps; i++) {
    const y0 = plot.top + ((plot.bottom - plot.top) * i) / steps;
    bar.push(tag('rect', { x: barX, y: y0, width: 12, height: (plot.bottom - plot.top) / steps + 0.5, fill: rampColor(1 - (i + 0.5) / steps) }));
  }
  bar.push(text(barX + 6, plot.top - 22, 'rank', { 'font-size': 10.5, fill: MUTED, 'text-anchor': 'middle' }));
  bar.push(text(barX + 6, plot.top - 8, 'best', { 'font-size': 10.5, fill: MUTED, 'text-anchor': 'middle' }));
  bar.push(text(barX + 6, plot.bottom + 14, 'worst', { 'font-size': 10.5, fill: MUTED, 'text-anchor': 'middle' }));
  parts.push(tag('g', { class: 'legend colour-bar' }, bar.join('')));
  return tag('g', { class: 'panel', id: 'panel-parallel' }, parts.join(''));
}

/**
 * Axis of one parameter: numbers on a linear scale, or log when their positive values span more
 * than two decades and bunch up at the bottom of a linear axis (learning rates; see `wantsLog`);
 * anything else (strings, booleans, mixed) as categories at
 * evenly spaced ticks. Trials without the parameter (inactive conditionals) go to an "n/a" slot
 * below the axis rather than breaking the line.
 */
function paramAxis(name: string, x: number, trials: readonly Trial[], plot: Plot): Axis {
  const present = trials
    .map((t) => t.params[name])
    .filter((v): v is ParamValue => v !== undefined && v !== null && !(typeof v === 'number' && !Number.isFinite(v)));
  const hasMissing = present.length < trials.length;
  const numeric = present.length > 0 && present.every((v) => typeof v === 'number');
  if (numeric) {
    const nums = present as number[];
    const [lo, hi] = extent(nums) as [number, number];
    const log = wantsLog(nums);
    const s = log ? logScale([lo, hi], [plot.bottom, plot.top]) : linearScale([lo, hi], [plot.bottom, plot.top]);
    const ticks = (log ? s.ticks() : s.ticks(5)).map((t) => ({ y: s(t), label: formatNumber(t) }));
    return { name, x, y: (v) => (typeof v === 'number' && Number.isFinite(v) ? s(v) : undefined), ticks, log, hasMissing };
  }
  const keyOf = (v: ParamValue): string => `${typeof v}:${String(v)}`;
  const cats = [...new Map(present.map((v) => [keyOf(v), v])).values()].sort((a, b) => {
    if (typeof a === 'number' && typeof b === 'number') return a - b;
    const sa = String(a);
    const sb = String(b);
    return sa < sb ? -1 : sa > sb ? 1 : 0;
  });
  const pos = new Map(
    cats.map((c, i) => [keyOf(c), cats.length > 1 ? plot.bottom - ((plot.bottom - plot.top) * i) / (cats.length - 1) : (plot.top + plot.bottom) / 2]),
  );
  return {
    name,
    x,
    y: (v) => (v === undefined || v === null ? undefined : pos.get(keyOf(v))),
    ticks: cats.map((c) => ({ y: pos.get(keyOf(c)) as number, label: formatParam(c) })),
    log: false,
    hasMissing,
  };
}

// ---------------------------------------------------------------------------------------------
// HTML

function renderHtml(ctx: Context, svg: string): string {
  const { input, trials, best, importance } = ctx;
  const e = escapeXml;
  const paramNames = [...new Set([...importance.map((i) => i.param), ...trials.flatMap((t) => Object.keys(t.params)).sort()])];
  const row = summaryRow;
  const summary = [
    row('campaign', e(input.campaignId)),
    row('dataset', e(input.datasetId)),
    row('objective', `${e(input.metric)} (${e(input.direction)})`),
    row('rungs (epochs)', e(input.rungs.join(', ') || '—')),
    row('trials', String(trials.length)),
    ...STATUS.countRows(trials.map((t) => t.status)),
    row('best trial', best ? `#${best.number}` : 'none completed'),
    row('best value', best ? e(formatNumber(best.value as number, 6)) : '—'),
    row(
      'best parameters',
      best
        ? Object.entries(best.params)
            .map(([k, v]) => `<code>${e(k)} = ${e(formatParam(v))}</code>`)
            .join('<br>')
        : '—',
    ),
    row('parameter importance', importance.map((i) => `${e(i.param)} ${(i.importance * 100).toFixed(1)} %`).join(', ') || '—'),
    row('generated', e(input.generatedAt)),
  ].join('\n');

  const head = `<tr><th>#</th><th>status</th><th>${e(input.metric)}</th>${paramNames.map((p) => `<th>${e(p)}</th>`).join('')}<th>intermediate (epoch: value)</th></tr>`;
  const body = trials
    .map((t) => {
      const cls = t === best ? ' class="best"' : '';
      const cells = paramNames.map((p) => `<td>${t.params[p] === undefined ? '' : e(formatParam(t.params[p]))}</td>`).join('');
      const inter = t.steps.map(([ep, v]) => `${formatNumber(ep)}: ${formatNumber(v)}`).join(' · ');
      return `<tr${cls}><td>${t.number}</td><td>${e(t.status)}</td><td>${t.value === undefined ? '' : e(formatNumber(t.value, 6))}</td>${cells}<td>${e(inter)}</td></tr>`;
    })
    .join('\n');

  return htmlPage({
    title: `HPO campaign ${input.campaignId}`,
    css: campaignCss('trials'),
    body: summaryTable(summary) + figure(svg) + paretoTable(input, paramNames) + titledTable('Trials', 'trials', head, body),
  });
}

/** Multi-objective campaigns: the non-dominated trials, one column per objective (sorted by the first). */
function paretoTable(input: HpoReportInput, paramNames: readonly string[]): string {
  const p = input.pareto;
  if (!p) return '';
  const e = escapeXml;
  const head = `<tr><th>#</th>${p.objectives.map((o) => `<th>${e(o.metric)} (${o.direction === 'maximize' ? 'max' : 'min'})</th>`).join('')}${paramNames.map((n) => `<th>${e(n)}</th>`).join('')}</tr>`;
  const first = p.objectives[0];
  const sign = first?.direction === 'maximize' ? -1 : 1;
  const rows = [...p.front]
    .sort((a, b) => sign * ((a.values[0] ?? 0) - (b.values[0] ?? 0)) || a.trial - b.trial)
    .map(
      (t) =>
        `<tr><td>${t.trial}</td>${t.values.map((v) => `<td>${e(formatNumber(v, 6))}</td>`).join('')}${paramNames.map((n) => `<td>${t.params[n] === undefined ? '' : e(formatParam(t.params[n]))}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return titledTable(`Pareto front (${p.front.length} trial${p.front.length === 1 ? '' : 's'})`, 'pareto', head, rows);
}
