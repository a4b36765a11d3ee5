/**
 * Chart primitives the campaign reports share: panel frames, axes, legends and the house style.
 * Pure string building (no DOM, no I/O), like the reports themselves.
 */
import { escapeXml, formatNumber, num, tag, text, truncate, type Scale } from './svg.js';

export const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';
export const INK = '#222';
export const MUTED = '#666';
export const GRID = '#e6e6e6';

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Plot {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** A panel's white card with its title and optional subtitle. */
export function frame(box: Box, title: string, subtitle?: string): string {
  return (
    tag('rect', { x: box.x, y: box.y, width: box.w, height: box.h, fill: '#fff', stroke: '#d0d0d0', rx: 6 }) +
    text(box.x + 14, box.y + 24, title, { 'font-size': 16, 'font-weight': 'bold', fill: INK, class: 'panel-title' }) +
    (subtitle ? text(box.x + 14, box.y + 42, subtitle, { 'font-size': 11.5, fill: MUTED }) : '')
  );
}

export function emptyMessage(box: Box, message: string): string {
  return text(box.x + box.w / 2, box.y + box.h / 2, message, { 'font-size': 14, fill: MUTED, 'text-anchor': 'middle', 'font-style': 'italic' });
}

/** Left value axis with horizontal grid lines. */
export function yAxis(scale: Scale, plot: Plot, label: string): string {
  const parts: string[] = [];
  for (const t of scale.ticks(6)) {
    const y = scale(t);
    if (y < plot.top - 0.5 || y > plot.bottom + 0.5) continue;
    parts.push(tag('line', { x1: plot.left, x2: plot.right, y1: y, y2: y, stroke: GRID }));
    parts.push(text(plot.left - 6, y + 4, formatNumber(t), { 'font-size': 11, fill: MUTED, 'text-anchor': 'end' }));
  }
  const cy = (plot.top + plot.bottom) / 2;
  parts.push(
    text(plot.left - 46, cy, label, { 'font-size': 12, fill: INK, 'text-anchor': 'middle', transform: `rotate(-90 ${num(plot.left - 46)} ${num(cy)})` }),
  );
  parts.push(tag('line', { x1: plot.left, x2: plot.left, y1: plot.top, y2: plot.bottom, stroke: '#999' }));
  return parts.join('');
}

export function xAxis(scale: Scale, ticks: readonly number[], plot: Plot, label: string, grid: boolean, format: (v: number) => string = formatNumber): string {
  const y = plot.bottom;
  const parts: string[] = [tag('line', { x1: plot.left, x2: plot.right, y1: y, y2: y, stroke: '#999' })];
  for (const t of ticks) {
    const x = scale(t);
    if (x < plot.left - 0.5 || x > plot.right + 0.5) continue;
    if (grid) parts.push(tag('line', { x1: x, x2: x, y1: plot.top, y2: y, stroke: GRID }));
    parts.push(tag('line', { x1: x, x2: x, y1: y, y2: y + 4, stroke: '#999' }));
    parts.push(text(x, y + 16, format(t), { 'font-size': 11, fill: MUTED, 'text-anchor': 'middle' }));
  }
  parts.push(text((plot.left + plot.right) / 2, y + 34, label, { 'font-size': 12, fill: INK, 'text-anchor': 'middle' }));
  return parts.join('');
}

/** A legend entry: [swatch markup drawn at (x, y), label]. */
export type LegendItem = [swatch: (x: number, y: number) => string, label: string];

/** A one-row legend. */
export function legend(x: number, y: number, items: readonly LegendItem[]): string {
  let cx = x;
  const parts: string[] = [];
  for (const [swatch, label] of items) {
    parts.push(swatch(cx + 6, y - 4));
    parts.push(text(cx + 16, y, label, { 'font-size': 11.5, fill: INK }));
    // Rough DejaVu Sans advance at 11.5 px; exactness is not needed, only no overlap.
    cx += 26 + label.length * 6.6;
  }
  return tag('g', { class: 'legend' }, parts.join(''));
}

export const lineSwatch =
  (color: string, dash?: string, width = 2) =>
  (x: number, y: number): string =>
    tag('line', { x1: x - 7, x2: x + 7, y1: y, y2: y, stroke: color, 'stroke-width': width, 'stroke-dasharray': dash });

/** The report's header: `<kind> <id>` in bold and `generated …` on the first line, a summary line under them. */
export function reportHeader(width: number, kind: string, id: string, generatedAt: string, line: string): string {
  return [
    text(20, 34, `${kind} ${truncate(id, 70)}`, { 'font-size': 22, 'font-weight': 'bold', fill: INK }),
    text(width - 20, 34, `generated ${truncate(generatedAt, 40)}`, { 'font-size': 12, fill: MUTED, 'text-anchor': 'end' }),
    text(20, 60, line, { 'font-size': 14, fill: INK }),
  ].join('');
}

/** A standalone SVG document in the house font on a white background; `body` is its markup. */
export function svgDocument(width: number, height: number, title: string, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="${FONT}">\n` +
    `${tag('title', {}, escapeXml(title))}\n` +
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>\n` +
    `${body}\n</svg>\n`
  );
}
