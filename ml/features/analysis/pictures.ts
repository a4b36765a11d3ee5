/**
 * Pictures of the feature analyses, as self-contained SVG (ml/report/svg.ts helpers): the ranked
 * importance as horizontal bars with ±1 sd whiskers over the repeats, and a correlation heatmap
 * in hierarchical-clustering order (diverging blue–white–red on r ∈ [−1, 1]).
 */
import { escapeXml, formatNumber, linearScale, niceTicks, tag, text, truncate } from '../../report/svg.js';
import { importanceValue, type ImportanceKind, type ImportanceRow } from './index.js';

const FONT = { 'font-family': 'sans-serif', 'font-size': 11 };

function spreadOf(row: ImportanceRow, kind: ImportanceKind): number {
  return kind === 'permutation' ? row.permutationSd : kind === 'impurity' ? row.impuritySd : 0;
}

export function renderImportanceSvg(o: { title: string; rows: readonly ImportanceRow[]; kind: ImportanceKind; max?: number }): string {
  const rows = o.rows.slice(0, o.max ?? 30);
  const barH = 16;
  const left = 170;
  const width = 640;
  const top = 40;
  const height = top + rows.length * barH + 40;
  const hi = Math.max(1e-12, ...rows.map((r) => importanceValue(r, o.kind) + spreadOf(r, o.kind)));
  const lo = Math.min(0, ...rows.map((r) => importanceValue(r, o.kind) - spreadOf(r, o.kind)));
  const x = linearScale([lo, hi], [left, width - 20]);
  const parts: string[] = [text(10, 20, o.title, { ...FONT, 'font-size': 14, 'font-weight': 'bold' })];
  rows.forEach((r, i) => {
    const y = top + i * barH;
    const v = importanceValue(r, o.kind);
    const sd = spreadOf(r, o.kind);
    parts.push(text(left - 6, y + barH - 4, truncate(r.feature, 28), { ...FONT, 'text-anchor': 'end' }));
    parts.push(
      tag(
        'rect',
        { x: Math.min(x(0), x(v)), y: y + 2, width: Math.abs(x(v) - x(0)), height: barH - 4, fill: '#3b528b' },
        `<title>${escapeXml(`${r.feature}: ${formatNumber(v)}`)}</title>`,
      ),
    );
    if (sd > 0) parts.push(tag('line', { x1: x(v - sd), x2: x(v + sd), y1: y + barH / 2, y2: y + barH / 2, stroke: '#222', 'stroke-width': 1.5 }));
  });
  const axisY = top + rows.length * barH + 6;
  parts.push(tag('line', { x1: left, x2: width - 20, y1: axisY, y2: axisY, stroke: '#444' }));
  for (const t of niceTicks(lo, hi, 5)) parts.push(text(x(t), axisY + 14, formatNumber(t), { ...FONT, 'text-anchor': 'middle' }));
  parts.push(
    text(
      left,
      height - 6,
      `${o.kind} importance${o.kind === 'permutation' || o.kind === 'impurity' ? ' (bars: mean, whiskers: ±1 sd over repeats)' : ''}`,
      FONT,
    ),
  );
  return tag('svg', { xmlns: 'http://www.w3.org/2000/svg', width, height, viewBox: `0 0 ${width} ${height}` }, parts.join(''));
}

/** Blue (−1) – white (0) – red (+1). */
function diverging(r: number): string {
  const t = Math.max(-1, Math.min(1, Number.isFinite(r) ? r : 0));
  const a = Math.round(255 * (1 - Math.abs(t)));
  return t >= 0 ? `rgb(255,${a},${a})` : `rgb(${a},${a},255)`;
}

export function renderCorrelationSvg(o: { title: string; names: readonly string[]; matrix: Float64Array; order: readonly number[] }): string {
  const d = o.order.length;
  const cell = Math.max(6, Math.min(18, Math.floor(560 / Math.max(1, d))));
  const left = 170;
  const top = 40;
  const size = left + d * cell + 20;
  const height = top + d * cell + 150;
  const parts: string[] = [text(10, 20, o.title, { ...FONT, 'font-size': 14, 'font-weight': 'bold' })];
  o.order.forEach((i, row) => {
    parts.push(text(left - 4, top + row * cell + cell - 3, truncate(o.names[i], 28), { ...FONT, 'font-size': Math.min(11, cell), 'text-anchor': 'end' }));
    const cx = left + row * cell + cell / 2;
    const cy = top + d * cell + 4;
    parts.push(text(cx, cy, truncate(o.names[i], 28), { ...FONT, 'font-size': Math.min(11, cell), transform: `rotate(90 ${cx} ${cy})` }));
    o.order.forEach((j, col) => {
      const r = o.matrix[i * d + j];
      parts.push(
        tag(
          'rect',
          { x: left + col * cell, y: top + row * cell, width: cell, height: cell, fill: diverging(r) },
          `<title>${escapeXml(`${o.names[i]} × ${o.names[j]}: r = ${formatNumber(r)}`)}</title>`,
        ),
      );
    });
  });
  return tag('svg', { xmlns: 'http://www.w3.org/2000/svg', width: size, height, viewBox: `0 0 ${size} ${height}` }, parts.join(''));
}

/** The baseline's test confusion matrix: rows true class, columns predicted, shaded by the row's share (recall on the diagonal). */
export function renderConfusionSvg(o: { title: string; subtitle: string; classes: readonly string[]; confusion: readonly number[][] }): string {
  const k = o.classes.length;
  const cell = Math.max(24, Math.min(48, Math.floor(480 / Math.max(1, k))));
  const left = 170;
  const top = 60;
  const width = left + k * cell + 20;
  const height = top + k * cell + 150;
  const parts: string[] = [text(10, 20, o.title, { ...FONT, 'font-size': 14, 'font-weight': 'bold' }), text(10, 40, o.subtitle, FONT)];
  o.confusion.forEach((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    parts.push(text(left - 4, top + i * cell + cell / 2 + 4, truncate(o.classes[i], 28), { ...FONT, 'text-anchor': 'end' }));
    row.forEach((n, j) => {
      const share = total > 0 ? n / total : 0;
      const shade = Math.round(255 * (1 - share));
      parts.push(
        tag(
          'rect',
          { x: left + j * cell, y: top + i * cell, width: cell, height: cell, fill: `rgb(${shade},${shade},255)`, stroke: '#ddd' },
          `<title>${escapeXml(`true ${o.classes[i]}, predicted ${o.classes[j]}: ${n}`)}</title>`,
        ),
      );
      if (n > 0)
        parts.push(
          text(left + j * cell + cell / 2, top + i * cell + cell / 2 + 4, String(n), { ...FONT, 'text-anchor': 'middle', fill: share > 0.5 ? '#fff' : '#222' }),
        );
    });
  });
  o.classes.forEach((c, j) => {
    const cx = left + j * cell + cell / 2;
    const cy = top + k * cell + 6;
    parts.push(text(cx, cy, truncate(c, 28), { ...FONT, transform: `rotate(90 ${cx} ${cy})` }));
  });
  parts.push(text(10, height - 6, 'rows: true class · columns: predicted class', FONT));
  return tag('svg', { xmlns: 'http://www.w3.org/2000/svg', width, height, viewBox: `0 0 ${width} ${height}` }, parts.join(''));
}
