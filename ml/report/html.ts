/**
 * The standalone HTML page the reports wrap their SVG in: doctype, head, the house base style and
 * an <h1> repeating the title. Pure string building, like the reports themselves.
 */
import { FONT, INK } from './chart.js';
import { escapeXml } from './svg.js';

/** Rules every report page starts its style block with: page font, figure and table basics. */
const BASE_CSS = [
  `body { font-family: ${FONT}; color: ${INK}; margin: 24px; }`,
  'figure { margin: 0 0 24px; } svg { max-width: 100%; height: auto; }',
  'table { border-collapse: collapse; margin-bottom: 24px; font-size: 13px; }',
  'th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }',
];

export interface HtmlPage {
  /** Plain text (escaped here), used for both <title> and the <h1>. */
  title: string;
  /** The report's own style rules, one per entry, after the base rules. */
  css: readonly string[];
  /** Markup between the <h1> line and </body>; ends with a newline unless empty. */
  body: string;
}

export function htmlPage({ title, css, body }: HtmlPage): string {
  const t = escapeXml(title);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${t}</title>
<style>
${[...BASE_CSS, ...css].join('\n')}
</style>
</head>
<body>
<h1>${t}</h1>
${body}</body>
</html>
`;
}

/** Style rules of the campaign pages (HPO, NAS): indented summary headers, numeric columns of `table.<table>` from the third on, the best row. */
export const campaignCss = (table: string): string[] => [
  'table.summary th { background: #f6f6f6; white-space: pre; }',
  `table.${table} td:nth-child(n+3) { font-variant-numeric: tabular-nums; }`,
  'tr.best { background: #fff4c2; }',
];

/** The key–value summary table; `rows` are rendered `<tr>` lines. */
export const summaryTable = (rows: string): string => `<table class="summary">\n${rows}\n</table>\n`;

/** The report's SVG (which ends with its own newline) as a figure. */
export const figure = (svg: string): string => `<figure>\n${svg}</figure>\n`;

/** A section heading and a table of class `cls`: one header row, then rendered `<tr>` body lines. */
export function titledTable(heading: string, cls: string, head: string, rows: string): string {
  return `<h2>${escapeXml(heading)}</h2>\n<table class="${escapeXml(cls)}">\n<thead>${head}</thead>\n<tbody>\n${rows}\n</tbody>\n</table>\n`;
}

/** One row of the key–value summary table; `value` is markup (escape it first), the key is escaped here. */
export const summaryRow = (key: string, value: string): string => `<tr><th>${escapeXml(key)}</th><td>${value}</td></tr>`;
