/**
 * The optimisation-history chart both campaign reports draw: one marker per finished run at its
 * value (runs without one on a "no value" strip under the plot, so every finished run is
 * visible) and the best-so-far step over COMPLETED runs, in run order, extended to the last run.
 */
import { emptyMessage, frame, INK, legend, MUTED, xAxis, yAxis, type Box, type LegendItem, type Plot } from './chart.js';
import type { StatusPalette } from './status.js';
import { escapeXml, extent, linearScale, points, tag, text, type AttrValue } from './svg.js';

export interface HistoryRun {
  number: number;
  status: string;
}

export interface HistoryChart<R extends HistoryRun> {
  /** The run's value (objective, accuracy); undefined when it has none. */
  value(run: R): number | undefined;
  xLabel: string;
  yLabel: string;
  /** Shown in the plot when no finished run has a value. */
  noValueMessage: string;
  /** True when `a` is better than the best so far `b`. */
  improves(a: number, b: number): boolean;
  /** The value range padded so markers at its ends stay inside the frame. */
  pad(range: [number, number]): [number, number];
  /** Draws the markers and the status legend entries. */
  palette: StatusPalette;
  /** A run's point: its data attributes, hover text, and any markup drawn over its marker. */
  point(run: R, x: number, y: number, r: number): { attrs: Record<string, AttrValue>; tip: string; overlay?: string };
}

/** The chart's markup inside `box` (below the panel title and legend) for the finished runs, in number order. */
export function historyChart<R extends HistoryRun>(box: Box, finished: readonly R[], chart: HistoryChart<R>): { markup: string; hasBestLine: boolean } {
  const parts: string[] = [];
  const values = finished.map((t) => chart.value(t));
  const withValue = values.filter((v): v is number => v !== undefined);
  const noValue = finished.length > withValue.length;
  const plot: Plot = { left: box.x + 66, right: box.x + box.w - 18, top: box.y + 62, bottom: box.y + box.h - 48 };
  const valueBottom = noValue ? plot.bottom - 24 : plot.bottom;
  const r = finished.length > 300 ? 2 : finished.length > 100 ? 2.8 : 4;
  const [n0, n1] = extent(finished.map((t) => t.number)) as [number, number];
  const xs = linearScale([n0 - 0.5, n1 + 0.5], [plot.left + 6, plot.right - 6]);
  const xTicks = xs.ticks(8).filter((t) => Number.isInteger(t));
  const vRange = extent(withValue);
  const ys = vRange ? linearScale(chart.pad(vRange), [valueBottom, plot.top]) : undefined;

  if (ys) parts.push(yAxis(ys, { ...plot, bottom: valueBottom }, chart.yLabel));
  else
    parts.push(
      text((plot.left + plot.right) / 2, (plot.top + valueBottom) / 2, chart.noValueMessage, {
        'font-size': 13,
        fill: MUTED,
        'text-anchor': 'middle',
        'font-style': 'italic',
      }),
    );
  parts.push(xAxis(xs, xTicks, plot, chart.xLabel, false));
  if (noValue) {
    const ry = plot.bottom - 11;
    parts.push(tag('rect', { x: plot.left, y: ry - 9, width: plot.right - plot.left, height: 18, fill: '#f6f6f6' }));
    parts.push(text(plot.left - 6, ry + 4, 'no value', { 'font-size': 10.5, fill: MUTED, 'text-anchor': 'end' }));
  }

  // Best so far: a step that only moves in the direction of improvement.
  let hasBestLine = false;
  if (ys) {
    const steps: [number, number][] = [];
    let best: number | undefined;
    finished.forEach((t, i) => {
      const v = values[i];
      if (t.status !== 'COMPLETED' || v === undefined) return;
      if (best === undefined) steps.push([xs(t.number), ys(v)]);
      else if (chart.improves(v, best)) steps.push([xs(t.number), ys(best)], [xs(t.number), ys(v)]);
      else return;
      best = v;
    });
    if (best !== undefined) {
      steps.push([xs(n1), ys(best)]);
      hasBestLine = true;
      parts.push(tag('polyline', { class: 'best-so-far', points: points(steps), fill: 'none', stroke: INK, 'stroke-width': 2, 'stroke-linejoin': 'round' }));
    }
  }

  const pts: string[] = [];
  finished.forEach((t, i) => {
    const v = values[i];
    const x = xs(t.number);
    const y = v !== undefined && ys ? ys(v) : plot.bottom - 11;
    const { attrs, tip, overlay = '' } = chart.point(t, x, y, r);
    pts.push(tag('g', { class: 'hist-pt', ...attrs }, tag('title', {}, escapeXml(tip)) + chart.palette.marker(t.status, x, y, r) + overlay));
  });
  parts.push(tag('g', { class: 'history-points' }, pts.join('')));
  return { markup: parts.join(''), hasBestLine };
}

export interface HistoryPanel<R extends HistoryRun> extends HistoryChart<R> {
  title: string;
  /** Shown instead of the chart while no run has finished. */
  emptyMessage: string;
  /** Legend entries after the statuses' (the best-so-far line, when drawn, and the like). */
  legendExtras(hasBestLine: boolean): LegendItem[];
}

/** The history panel: its frame and title, the chart of the finished (non-RUNNING) runs, and its legend. */
export function historyPanel<R extends HistoryRun>(box: Box, runs: readonly R[], panel: HistoryPanel<R>): string {
  const finished = runs.filter((t) => t.status !== 'RUNNING');
  const parts = [frame(box, panel.title)];
  if (finished.length === 0) return tag('g', { class: 'panel', id: 'panel-history' }, parts.join('') + emptyMessage(box, panel.emptyMessage));
  const chart = historyChart(box, finished, panel);
  parts.push(chart.markup);
  const items = panel.palette.legendItems(new Set(finished.map((t) => t.status)), 4);
  items.push(...panel.legendExtras(chart.hasBestLine));
  parts.push(legend(box.x + 14, box.y + 46, items));
  return tag('g', { class: 'panel', id: 'panel-history' }, parts.join(''));
}
