/**
 * The status palette the campaign reports share: one style (colour, label, marker shape) per
 * known status, the display order, and the markers, legend entries and counts drawn from them.
 * Each report declares its own statuses; how they are ordered and drawn is the same everywhere.
 */
import type { LegendItem } from './chart.js';
import { summaryRow } from './html.js';
import { num, tag } from './svg.js';

export type MarkerShape = 'dot' | 'ring' | 'cross' | 'triangle' | 'square';

export interface StatusStyle {
  color: string;
  label: string;
  marker: MarkerShape;
}

export interface StatusPalette {
  /** The status's style; an unknown status is drawn grey, as a square, labelled in lower case. */
  styleOf(status: string): StatusStyle;
  /** The distinct statuses of `statuses` in display order: known ones in palette order, then the others sorted. */
  ordered(statuses: Iterable<string>): string[];
  /** [status, count] in display order. */
  counts(statuses: Iterable<string>): [string, number][];
  /** `12 completed, 3 pruned` (empty when there are none). */
  countsText(statuses: Iterable<string>): string;
  /** The summary table's indented per-status count rows. */
  countRows(statuses: Iterable<string>): string[];
  /** The status's marker centred at (x, y), `r` its half-width. */
  marker(status: string, x: number, y: number, r: number): string;
  /** One legend entry (marker, label) per status present, in display order. */
  legendItems(statuses: Iterable<string>, r: number): LegendItem[];
}

export interface PaletteOptions {
  /** Fill opacity of the filled `dot` marker. */
  dotOpacity: number;
}

export function statusPalette(styles: Readonly<Record<string, StatusStyle>>, options: PaletteOptions): StatusPalette {
  const order = Object.keys(styles);
  const rank = (s: string): number => (order.includes(s) ? order.indexOf(s) : order.length);
  const styleOf = (status: string): StatusStyle => styles[status] ?? { color: '#7f7f7f', label: status.toLowerCase(), marker: 'square' };
  const counts = (statuses: Iterable<string>): [string, number][] => {
    const n = new Map<string, number>();
    for (const s of statuses) n.set(s, (n.get(s) ?? 0) + 1);
    return [...n].sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : 1));
  };
  const marker = (status: string, x: number, y: number, r: number): string => drawMarker(styleOf(status), x, y, r, options.dotOpacity);
  return {
    styleOf,
    ordered: (statuses) => counts(statuses).map(([s]) => s),
    counts,
    countsText: (statuses) =>
      counts(statuses)
        .map(([s, n]) => `${n} ${styleOf(s).label}`)
        .join(', '),
    countRows: (statuses) => counts(statuses).map(([s, n]) => summaryRow(`  ${styleOf(s).label}`, String(n))),
    marker,
    legendItems: (statuses, r) => counts(statuses).map(([s]) => [(x: number, y: number) => marker(s, x, y, r), styleOf(s).label]),
  };
}

function drawMarker({ color, marker }: StatusStyle, x: number, y: number, r: number, dotOpacity: number): string {
  switch (marker) {
    case 'dot':
      return tag('circle', { cx: x, cy: y, r, fill: color, 'fill-opacity': dotOpacity });
    case 'ring':
      return tag('circle', { cx: x, cy: y, r, fill: '#fff', stroke: color, 'stroke-width': 1.6 });
    case 'cross':
      return tag('path', {
        d: `M${num(x - r)},${num(y - r)}L${num(x + r)},${num(y + r)}M${num(x - r)},${num(y + r)}L${num(x + r)},${num(y - r)}`,
        stroke: color,
        'stroke-width': 1.8,
      });
    case 'triangle':
      return tag('path', {
        d: `M${num(x)},${num(y - r)}L${num(x + r)},${num(y + r)}L${num(x - r)},${num(y + r)}Z`,
        fill: '#fff',
        stroke: color,
        'stroke-width': 1.4,
      });
    case 'square':
      return tag('rect', { x: x - r, y: y - r, width: 2 * r, height: 2 * r, fill: '#fff', stroke: color, 'stroke-width': 1.4 });
  }
}
