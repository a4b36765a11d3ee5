/**
 * The per-experiment page: everything known about one trained model in one self-contained HTML
 * file — its training curves, then every completed evaluation that involves it (ROC, errors,
 * comparisons, on any dataset) with its headline numbers and its picture inlined. Pure string
 * building like the other reports: the activity that stores it passes the clock in.
 */
import { emptyMessage, frame, INK, legend, lineSwatch, xAxis, yAxis, type Box } from '../report/chart.js';
import { figure, htmlPage, summaryTable } from '../report/html.js';
import { escapeXml, extent, formatNumber, linearScale, points, tag } from '../report/svg.js';

export interface PageEpoch {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
}

export interface PageEvaluation {
  id: string;
  kind: 'roc' | 'errors' | 'compare';
  datasetId: string | null;
  split: string;
  /** Headline numbers as stored with the evaluation. */
  summary: Record<string, unknown>;
  /** The evaluation's SVG picture (inlined), when it could be read. */
  svg: string | null;
  completedAt: string | null;
}

export interface ExperimentPageInput {
  experimentId: string;
  datasetId: string;
  facts: Record<string, string | number | null>;
  epochs: PageEpoch[];
  evaluations: PageEvaluation[];
  /** ISO timestamp printed as given. */
  generatedAt: string;
}

const KIND_TITLE: Record<PageEvaluation['kind'], string> = { roc: 'ROC analysis', errors: 'Error analysis', compare: 'Comparison' };

function curvePanel(box: Box, title: string, label: string, series: { name: string; color: string; dash?: string; pts: [number, number][] }[]): string {
  const all = series.flatMap((s) => s.pts);
  const parts = [frame(box, title)];
  if (all.length === 0) return parts.join('') + emptyMessage(box, 'no epochs recorded');
  const plot = { left: box.x + 64, right: box.x + box.w - 16, top: box.y + 56, bottom: box.y + box.h - 50 };
  const [e0, e1] = extent(all.map(([e]) => e)) ?? [0, 1];
  const [v0, v1] = extent(all.map(([, v]) => v)) ?? [0, 1];
  const x = linearScale([e0, e1], [plot.left, plot.right]);
  const y = linearScale([Math.min(0, v0), v1], [plot.bottom, plot.top]);
  parts.push(yAxis(y, plot, label), xAxis(x, x.ticks(6).filter(Number.isInteger), plot, 'epoch', true));
  for (const s of series) {
    const pts = s.pts.filter(([, v]) => Number.isFinite(v));
    if (pts.length === 1) parts.push(tag('circle', { cx: x(pts[0][0]), cy: y(pts[0][1]), r: 3, fill: s.color }));
    if (pts.length > 1)
      parts.push(
        tag('polyline', { points: points(pts.map(([e, v]) => [x(e), y(v)])), fill: 'none', stroke: s.color, 'stroke-width': 2, 'stroke-dasharray': s.dash }),
      );
  }
  parts.push(
    legend(
      plot.left + 8,
      box.y + 44,
      series.map((s) => [lineSwatch(s.color, s.dash), s.name] as [(x: number, y: number) => string, string]),
    ),
  );
  return parts.join('');
}

/** Loss and accuracy per epoch, training and validation, side by side. */
export function renderTrainingCurvesSvg(experimentId: string, epochs: readonly PageEpoch[]): string {
  const W = 1200;
  const H = 380;
  const fin = (v: number | null): number => (v === null ? NaN : v);
  const body = [
    curvePanel({ x: 12, y: 12, w: 582, h: 356 }, 'Loss per epoch', 'loss', [
      { name: 'training', color: '#1f77b4', pts: epochs.map((e) => [e.epoch, e.loss]) },
      { name: 'validation', color: '#ff7f0e', dash: '6 3', pts: epochs.map((e) => [e.epoch, fin(e.valLoss)]) },
    ]),
    curvePanel({ x: 606, y: 12, w: 582, h: 356 }, 'Accuracy per epoch', 'accuracy', [
      { name: 'training', color: '#1f77b4', pts: epochs.map((e) => [e.epoch, e.accuracy]) },
      { name: 'validation', color: '#ff7f0e', dash: '6 3', pts: epochs.map((e) => [e.epoch, fin(e.valAccuracy)]) },
    ]),
  ].join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}">\n${tag('title', {}, escapeXml(`Training curves of ${experimentId}`))}\n<rect x="0" y="0" width="${W}" height="${H}" fill="#fff"/>\n${body}\n</svg>\n`;
}

const cell = (v: unknown): string => (typeof v === 'number' ? formatNumber(v) : v === null || v === undefined ? '–' : String(v));
const row = (k: string, v: unknown): string => `<tr><th>${escapeXml(k)}</th><td>${escapeXml(cell(v))}</td></tr>`;

/** An SVG stored by us, inlined: the document's own XML prolog-free markup. */
const inline = (svg: string): string => (svg.endsWith('\n') ? svg : `${svg}\n`);

export function renderExperimentPage(input: ExperimentPageInput): string {
  const facts = summaryTable(
    [
      row('experiment', input.experimentId),
      row('trained on', input.datasetId),
      ...Object.entries(input.facts).map(([k, v]) => row(k, v)),
      row('generated', input.generatedAt),
    ].join('\n'),
  );
  const sections: string[] = [facts, '<h2>Training</h2>\n', figure(renderTrainingCurvesSvg(input.experimentId, input.epochs))];
  const order: PageEvaluation['kind'][] = ['roc', 'errors', 'compare'];
  const evaluations = [...input.evaluations].sort(
    (a, b) => order.indexOf(a.kind) - order.indexOf(b.kind) || (a.completedAt ?? '').localeCompare(b.completedAt ?? '') || a.id.localeCompare(b.id),
  );
  if (evaluations.length === 0) sections.push('<p>No evaluation yet: <code>faultline eval roc ' + escapeXml(input.experimentId) + '</code>.</p>\n');
  for (const e of evaluations) {
    sections.push(`<h2 id="${escapeXml(e.id)}">${escapeXml(`${KIND_TITLE[e.kind]} on ${e.datasetId ?? '?'} (${e.split} split)`)}</h2>\n`);
    sections.push(summaryTable([row('evaluation', e.id), ...Object.entries(e.summary).map(([k, v]) => row(k, v)), row('completed', e.completedAt)].join('\n')));
    sections.push(e.svg ? figure(inline(e.svg)) : '<p><em>picture not available</em></p>\n');
  }
  return htmlPage({
    title: `Experiment ${input.experimentId}`,
    css: ['table.summary th { background: #f6f6f6; }', `h2 { color: ${INK}; margin-top: 32px; }`],
    body: sections.join(''),
  });
}
