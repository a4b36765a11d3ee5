/**
 * Pictures of the evaluations, as self-contained SVG: ROC and precision–recall curves, the
 * error analysis (normalised confusion matrix, reliability diagram, error rate by condition)
 * and the comparison of experiments (accuracy with intervals, accuracy vs size with the Pareto
 * front, pairwise McNemar p-values). Pure string building with the report helpers, so a retried
 * activity stores the same bytes.
 */
import { emptyMessage, FONT, frame, INK, legend, lineSwatch, MUTED, xAxis, yAxis, type Box, type Plot } from '../report/chart.js';
import { escapeXml, extent, formatNumber, linearScale, logScale, num, points, tag, text, truncate } from '../report/svg.js';
import type { Comparison } from './compare.js';
import type { ErrorAnalysis } from './errors.js';
import type { RocAnalysis } from './roc.js';

/** Tableau-10: distinct hues for up to ten classes. */
export const CLASS_COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'] as const;
const colorOf = (i: number): string => CLASS_COLORS[i % CLASS_COLORS.length];

function svgDocument(width: number, height: number, title: string, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="${FONT}">\n` +
    `${tag('title', {}, escapeXml(title))}\n` +
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>\n` +
    `${body}\n</svg>\n`
  );
}

function header(title: string, subtitle: string, width: number): string {
  return (
    text(20, 32, truncate(title, 110), { 'font-size': 20, 'font-weight': 'bold', fill: INK }) +
    text(20, 54, truncate(subtitle, Math.floor(width / 7)), { 'font-size': 13, fill: MUTED })
  );
}

const plotOf = (box: Box, left = 64, bottom = 56, top = 56, right = 16): Plot => ({
  left: box.x + left,
  right: box.x + box.w - right,
  top: box.y + top,
  bottom: box.y + box.h - bottom,
});
const fmt3 = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(3));
const ciText = (ci: { low: number; high: number } | null): string => (ci ? ` [${ci.low.toFixed(3)}, ${ci.high.toFixed(3)}]` : '');

/** Unit-square panel (ROC or PR) with the curves drawn as polylines. */
function unitPanel(
  box: Box,
  title: string,
  subtitle: string,
  xLabel: string,
  yLabel: string,
  series: { color: string; dash?: string; pts: [number, number][]; width?: number }[],
  diagonal: boolean,
): string {
  const plot = plotOf(box);
  const x = linearScale([0, 1], [plot.left, plot.right]);
  const y = linearScale([0, 1], [plot.bottom, plot.top]);
  const parts = [frame(box, title, subtitle), yAxis(y, plot, yLabel), xAxis(x, x.ticks(5), plot, xLabel, true)];
  if (diagonal) parts.push(tag('line', { x1: x(0), y1: y(0), x2: x(1), y2: y(1), stroke: '#bbb', 'stroke-dasharray': '4 4' }));
  for (const s of series) {
    const finite = s.pts.filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
    if (finite.length < 2) continue;
    parts.push(
      tag('polyline', {
        points: points(finite.map(([a, b]) => [x(a), y(b)])),
        fill: 'none',
        stroke: s.color,
        'stroke-width': s.width ?? 1.8,
        'stroke-dasharray': s.dash,
        'stroke-linejoin': 'round',
      }),
    );
  }
  return parts.join('');
}

/** Legend lines (class name and its figures) below the panels, in two columns. */
function columnLegend(x: number, y: number, items: { color: string; dash?: string; label: string }[]): string {
  const perColumn = Math.ceil(items.length / 2);
  return tag(
    'g',
    { class: 'legend' },
    items
      .map((it, i) => {
        const cx = x + (i >= perColumn ? 588 : 0);
        const cy = y + (i % perColumn) * 17;
        return lineSwatch(it.color, it.dash)(cx + 8, cy - 4) + text(cx + 22, cy, truncate(it.label, 86), { 'font-size': 11.5, fill: INK });
      })
      .join(''),
  );
}

export interface RocPictureInput {
  title: string;
  subtitle: string;
  analysis: RocAnalysis;
}

export function renderRocSvg({ title, subtitle, analysis: a }: RocPictureInput): string {
  const W = 1200;
  const legendRows = Math.ceil((a.perClass.length + 2) / 2);
  const H = 96 + 470 + legendRows * 17 + 20;
  const roc = a.perClass.map((c, i) => ({ color: colorOf(i), pts: c.roc.fpr.map((f, j) => [f, c.roc.tpr[j]] as [number, number]) }));
  roc.push({ color: INK, pts: a.microRoc.fpr.map((f, j) => [f, a.microRoc.tpr[j]] as [number, number]), dash: '6 3', width: 2.2 } as (typeof roc)[number]);
  const pr = a.perClass.map((c, i) => ({ color: colorOf(i), pts: c.pr.recall.map((r, j) => [r, c.pr.precision[j]] as [number, number]) }));
  const rocBox = { x: 12, y: 76, w: 582, h: 470 };
  const prBox = { x: 606, y: 76, w: 582, h: 470 };
  const items = [
    ...a.perClass.map((c, i) => ({
      color: colorOf(i),
      label: `${c.class} (n=${c.positives}): AUC ${fmt3(c.auc)}${ciText(c.aucCi)}, AP ${fmt3(c.averagePrecision)}`,
    })),
    { color: INK, dash: '6 3', label: `micro average: AUC ${fmt3(a.aucMicro)}${ciText(a.ci.aucMicro)}, AP ${fmt3(a.apMicro)}` },
    { color: 'none', label: `macro average: AUC ${fmt3(a.aucMacro)}${ciText(a.ci.aucMacro)}, AP ${fmt3(a.apMacro)}` },
  ];
  const body = [
    header(
      title,
      `${subtitle} · ${a.count} samples · accuracy ${fmt3(a.accuracy)}${ciText(a.ci.accuracy)} · ${a.bootstrap.replicates} bootstrap replicates (seed ${a.bootstrap.seed})`,
      W,
    ),
    unitPanel(rocBox, 'ROC, one vs rest', 'true positive rate against false positive rate', 'false positive rate', 'true positive rate', roc, true),
    unitPanel(prBox, 'Precision–recall, one vs rest', 'precision against recall', 'recall', 'precision', pr, false),
    columnLegend(24, 96 + 470 + 4, items),
  ].join('\n');
  return svgDocument(W, H, title, body);
}

export interface ErrorsPictureInput {
  title: string;
  subtitle: string;
  classes: readonly string[];
  errors: ErrorAnalysis;
}

function heat(v: number): string {
  // White → dark blue; readable in greyscale.
  const t = Math.min(1, Math.max(0, v));
  const c = (a: number, b: number) => Math.round(a + (b - a) * t);
  return `#${[c(255, 8), c(255, 48), c(255, 107)].map((x) => x.toString(16).padStart(2, '0')).join('')}`;
}

function confusionPanel(box: Box, classes: readonly string[], e: ErrorAnalysis): string {
  const k = classes.length;
  const left = 130;
  const top = 70;
  const size = Math.min(box.w - left - 20, box.h - top - 60);
  const cell = size / k;
  const parts = [
    frame(
      box,
      'Confusion matrix (rows: true class; cells: % of the row)',
      `accuracy ${fmt3(e.classification.accuracy)} · macro F1 ${fmt3(e.classification.macroF1)} · ${e.errors} errors of ${e.classification.count}`,
    ),
  ];
  const x0 = box.x + left;
  const y0 = box.y + top;
  for (let r = 0; r < k; r++) {
    parts.push(text(x0 - 6, y0 + r * cell + cell / 2 + 4, truncate(classes[r], 18), { 'font-size': 11, fill: INK, 'text-anchor': 'end' }));
    for (let c = 0; c < k; c++) {
      const v = e.classification.confusionNormalized[r][c];
      const n = e.classification.confusion[r][c];
      parts.push(
        tag(
          'rect',
          { x: x0 + c * cell, y: y0 + r * cell, width: cell, height: cell, fill: heat(v), stroke: '#fff' },
          tag('title', {}, escapeXml(`${classes[r]} → ${classes[c]}: ${n} (${(v * 100).toFixed(1)} %)`)),
        ),
      );
      if (cell >= 26)
        parts.push(
          text(x0 + c * cell + cell / 2, y0 + r * cell + cell / 2 + 4, n === 0 ? '' : (v * 100).toFixed(v >= 0.995 || v < 0.1 ? 0 : 1), {
            'font-size': Math.min(12, cell / 3),
            fill: v > 0.5 ? '#fff' : INK,
            'text-anchor': 'middle',
          }),
        );
    }
  }
  for (let c = 0; c < k; c++) {
    const cx = x0 + c * cell + cell / 2;
    const cy = y0 + size + 8;
    parts.push(text(cx, cy, truncate(classes[c], 14), { 'font-size': 10.5, fill: INK, 'text-anchor': 'end', transform: `rotate(-40 ${num(cx)} ${num(cy)})` }));
  }
  return parts.join('');
}

function reliabilityPanel(box: Box, e: ErrorAnalysis): string {
  const plot = plotOf(box, 64, 56, 76);
  const x = linearScale([0, 1], [plot.left, plot.right]);
  const y = linearScale([0, 1], [plot.bottom, plot.top]);
  const c = e.calibration;
  const parts = [
    frame(box, 'Reliability diagram', `ECE ${fmt3(c.ece)} · MCE ${fmt3(c.mce)} · mean confidence ${fmt3(c.meanConfidence)}`),
    yAxis(y, plot, 'accuracy'),
    xAxis(x, x.ticks(5), plot, 'confidence (winning probability)', true),
  ];
  parts.push(tag('line', { x1: x(0), y1: y(0), x2: x(1), y2: y(1), stroke: '#bbb', 'stroke-dasharray': '4 4' }));
  const maxCount = Math.max(1, ...c.bins.map((b) => b.count));
  for (const b of c.bins) {
    const w = x(b.high) - x(b.low);
    if (b.accuracy === null) continue;
    parts.push(
      tag(
        'rect',
        { x: x(b.low) + 3, y: y(b.accuracy), width: w - 6, height: plot.bottom - y(b.accuracy), fill: '#1f77b4', 'fill-opacity': 0.75 },
        tag(
          'title',
          {},
          escapeXml(`(${b.low.toFixed(1)}, ${b.high.toFixed(1)}]: ${b.count} samples, accuracy ${fmt3(b.accuracy)}, confidence ${fmt3(b.confidence)}`),
        ),
      ),
    );
    parts.push(tag('circle', { cx: x(b.confidence ?? 0), cy: y(b.accuracy), r: 3, fill: '#d62728' }));
  }
  // Bin populations on top, as narrow dark bars scaled to a quarter of the plot, so they show over the accuracy bars.
  for (const b of c.bins) {
    if (b.count === 0) continue;
    const hBar = (b.count / maxCount) * (plot.bottom - plot.top) * 0.25;
    const mid = (x(b.low) + x(b.high)) / 2;
    parts.push(
      tag(
        'rect',
        { x: mid - 3, y: plot.bottom - hBar, width: 6, height: hBar, fill: '#333', 'fill-opacity': 0.55 },
        tag('title', {}, escapeXml(`${b.count} samples`)),
      ),
    );
  }
  parts.push(
    legend(plot.left + 8, plot.top - 8, [
      [(px, py) => tag('rect', { x: px - 6, y: py - 5, width: 12, height: 10, fill: '#1f77b4', 'fill-opacity': 0.75 }), 'accuracy per bin'],
      [(px, py) => tag('circle', { cx: px, cy: py, r: 3, fill: '#d62728' }), 'mean confidence'],
      [(px, py) => tag('rect', { x: px - 3, y: py - 5, width: 6, height: 10, fill: '#333', 'fill-opacity': 0.55 }), 'samples per bin (relative)'],
    ]),
  );
  return parts.join('');
}

function conditionsPanel(box: Box, e: ErrorAnalysis): string {
  const names = Object.keys(e.byCondition);
  const parts = [frame(box, 'Error rate by condition', 'share of misclassified samples per value (count in brackets)')];
  if (names.length === 0) return parts.join('') + emptyMessage(box, 'no conditions recorded for these signals');
  const rows = names.flatMap((name) => [{ heading: name }, ...e.byCondition[name].map((g) => ({ name, g }))]);
  const top = box.y + 60;
  const pitch = Math.min(18, (box.h - 80) / Math.max(1, rows.length));
  const barX = box.x + 230;
  const barW = box.w - 230 - 90;
  const maxRate = Math.max(0.05, ...names.flatMap((n) => e.byCondition[n].map((g) => g.errorRate)));
  rows.forEach((r, i) => {
    const yy = top + i * pitch + pitch * 0.7;
    if ('heading' in r) {
      parts.push(text(box.x + 14, yy, r.heading ?? '', { 'font-size': 12, 'font-weight': 'bold', fill: INK }));
      return;
    }
    parts.push(text(barX - 8, yy, `${truncate(r.g.value, 28)} (${r.g.count})`, { 'font-size': 11, fill: INK, 'text-anchor': 'end' }));
    const w = (r.g.errorRate / maxRate) * barW;
    parts.push(
      tag('rect', {
        x: barX,
        y: yy - pitch * 0.6,
        width: Math.max(0.5, w),
        height: pitch * 0.7,
        fill: r.g.errors > 0 ? '#d62728' : '#2ca02c',
        'fill-opacity': 0.8,
      }),
    );
    parts.push(text(barX + w + 6, yy, `${(r.g.errorRate * 100).toFixed(1)} %`, { 'font-size': 11, fill: MUTED }));
  });
  return parts.join('');
}

export function renderErrorsSvg({ title, subtitle, classes, errors }: ErrorsPictureInput): string {
  const W = 1200;
  const condRows = Object.values(errors.byCondition).reduce((a, g) => a + g.length + 1, 0);
  const condH = Math.max(160, 90 + condRows * 18);
  const H = 76 + 520 + 12 + condH + 12;
  const body = [
    header(title, subtitle, W),
    confusionPanel({ x: 12, y: 76, w: 640, h: 520 }, classes, errors),
    reliabilityPanel({ x: 664, y: 76, w: 524, h: 520 }, errors),
    conditionsPanel({ x: 12, y: 608, w: 1176, h: condH }, errors),
  ].join('\n');
  return svgDocument(W, H, title, body);
}

export interface ComparisonPictureInput {
  title: string;
  subtitle: string;
  comparison: Comparison;
}

function accuracyPanel(box: Box, c: Comparison): string {
  const parts = [frame(box, 'Accuracy on the shared test set', `${c.samples} paired samples · Wilson 95 % intervals`)];
  if (c.rows.length === 0 || c.samples === 0) return parts.join('') + emptyMessage(box, 'no shared samples');
  const labelW = 200;
  const lo = Math.max(0, Math.min(...c.rows.map((r) => r.ci.low)) - 0.02);
  const plot = { left: box.x + labelW, right: box.x + box.w - 24, top: box.y + 60, bottom: box.y + box.h - 50 };
  const x = linearScale([lo, 1], [plot.left, plot.right]);
  parts.push(xAxis(x, x.ticks(5), plot, 'accuracy', true));
  const pitch = (plot.bottom - plot.top) / c.rows.length;
  c.rows.forEach((r, i) => {
    const yy = plot.top + pitch * (i + 0.5);
    parts.push(
      text(plot.left - 8, yy + 4, truncate(r.id, 26), { 'font-size': 11.5, fill: INK, 'text-anchor': 'end', 'font-weight': r.pareto ? 'bold' : undefined }),
    );
    parts.push(tag('line', { x1: x(r.ci.low), x2: x(r.ci.high), y1: yy, y2: yy, stroke: colorOf(i), 'stroke-width': 2 }));
    parts.push(
      tag(
        'circle',
        { cx: x(r.accuracy), cy: yy, r: 4.5, fill: colorOf(i) },
        tag('title', {}, escapeXml(`${r.id}: ${fmt3(r.accuracy)} [${fmt3(r.ci.low)}, ${fmt3(r.ci.high)}]`)),
      ),
    );
  });
  return parts.join('');
}

function paretoPanel(box: Box, c: Comparison): string {
  const pts = c.rows.map((r, i) => ({ r, i })).filter(({ r }) => r.parameters !== null && r.parameters > 0 && Number.isFinite(r.accuracy));
  const parts = [frame(box, 'Accuracy vs size (Pareto front)', 'bold ring: not beaten on both accuracy and parameters')];
  if (pts.length === 0) return parts.join('') + emptyMessage(box, 'no parameter counts');
  const plot = plotOf(box, 64, 56, 60, 20);
  const [pLo, pHi] = extent(pts.map(({ r }) => r.parameters!)) ?? [1, 10];
  const x = logScale([pLo / 1.5, pHi * 1.5], [plot.left, plot.right]);
  const [aLo, aHi] = extent(pts.map(({ r }) => r.accuracy)) ?? [0, 1];
  const y = linearScale([Math.max(0, aLo - 0.05), Math.min(1, aHi + 0.02)], [plot.bottom, plot.top]);
  parts.push(
    yAxis(y, plot, 'accuracy'),
    xAxis(x, x.ticks(), plot, 'parameters', true, (v) => formatNumber(v, 3)),
  );
  const front = pts.filter(({ r }) => r.pareto).sort((a, b) => a.r.parameters! - b.r.parameters!);
  if (front.length > 1)
    parts.push(
      tag('polyline', {
        points: points(front.map(({ r }) => [x(r.parameters!), y(r.accuracy)])),
        fill: 'none',
        stroke: '#d95f02',
        'stroke-width': 1.5,
        'stroke-dasharray': '5 3',
      }),
    );
  for (const { r, i } of pts) {
    parts.push(
      tag(
        'circle',
        { cx: x(r.parameters!), cy: y(r.accuracy), r: 5, fill: colorOf(i), stroke: r.pareto ? '#d95f02' : '#fff', 'stroke-width': r.pareto ? 2.5 : 1 },
        tag('title', {}, escapeXml(`${r.id}: ${fmt3(r.accuracy)}, ${r.parameters} parameters`)),
      ),
    );
    parts.push(text(x(r.parameters!) + 8, y(r.accuracy) - 6, truncate(r.id, 22), { 'font-size': 10.5, fill: MUTED }));
  }
  return parts.join('');
}

function pValuePanel(box: Box, c: Comparison): string {
  const parts = [frame(box, 'Pairwise McNemar tests', `Holm-adjusted p-values; shaded: significant at ${c.alpha} (exact binomial below 25 discordant pairs)`)];
  const ids = c.rows.map((r) => r.id);
  if (ids.length < 2) return parts.join('') + emptyMessage(box, 'one experiment: nothing to compare');
  const left = 190;
  const top = 64;
  const cell = Math.min(70, (box.w - left - 20) / ids.length, (box.h - top - 20) / ids.length);
  const idx = new Map(ids.map((id, i) => [id, i]));
  ids.forEach((id, i) => {
    parts.push(
      text(box.x + left - 8, box.y + top + i * cell + cell / 2 + 4, `${truncate(id, 22)}  ${i + 1}`, { 'font-size': 11, fill: INK, 'text-anchor': 'end' }),
    );
    parts.push(text(box.x + left + i * cell + cell / 2, box.y + top - 6, String(i + 1), { 'font-size': 11, fill: MUTED, 'text-anchor': 'middle' }));
  });
  for (const p of c.pairs) {
    const i = idx.get(p.first)!;
    const j = idx.get(p.second)!;
    for (const [r, col] of [
      [i, j],
      [j, i],
    ] as const) {
      const xx = box.x + left + col * cell;
      const yy = box.y + top + r * cell;
      parts.push(
        tag(
          'rect',
          { x: xx, y: yy, width: cell, height: cell, fill: p.significant ? '#fdd0a2' : '#f4f4f4', stroke: '#fff' },
          tag(
            'title',
            {},
            escapeXml(
              `${p.first} vs ${p.second}: only first right ${p.b}, only second right ${p.c}, ${p.method} p = ${formatNumber(p.pValue)}, adjusted ${formatNumber(p.adjustedP)}`,
            ),
          ),
        ),
      );
      parts.push(text(xx + cell / 2, yy + cell / 2 + 4, formatNumber(p.adjustedP, 2), { 'font-size': 10.5, fill: INK, 'text-anchor': 'middle' }));
    }
  }
  return parts.join('');
}

export function renderComparisonSvg({ title, subtitle, comparison }: ComparisonPictureInput): string {
  const W = 1200;
  const accH = Math.max(220, 120 + comparison.rows.length * 26);
  const H = 76 + accH + 12 + 460 + 12;
  const body = [
    header(title, subtitle, W),
    accuracyPanel({ x: 12, y: 76, w: 1176, h: accH }, comparison),
    paretoPanel({ x: 12, y: 88 + accH, w: 582, h: 460 }, comparison),
    pValuePanel({ x: 606, y: 88 + accH, w: 582, h: 460 }, comparison),
  ].join('\n');
  return svgDocument(W, H, title, body);
}
