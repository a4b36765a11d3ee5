/**
 * Small, dependency-free SVG helpers for the reports: XML escaping, linear and log scales, tick
 * choice, number formatting, polyline points and a colour ramp.
 *
 * Pure string building on purpose: the report is rendered inside an activity and stored as an
 * artifact, so it must not need a DOM, a canvas or a font file, and the same input must always
 * give the same bytes (artifacts are content-addressed and tests compare output).
 */

/** Characters that are not allowed in XML 1.0 at all, even escaped (C0 controls except tab/LF/CR, lone surrogates, U+FFFE/U+FFFF). */
// eslint-disable-next-line no-control-regex
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Escapes text for XML content and attribute values. Quotes are escaped too so the same function
 * serves both; characters XML cannot carry (a parameter value is user input) are dropped rather
 * than making the whole document unparseable.
 */
export function escapeXml(text: string): string {
  return text.replace(XML_INVALID, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

export type AttrValue = string | number | undefined;

/** Builds an element; attribute values are escaped, `content` is trusted (already escaped markup). */
export function tag(name: string, attrs: Record<string, AttrValue>, content?: string): string {
  let s = `<${name}`;
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined) continue;
    s += ` ${k}="${escapeXml(typeof v === 'number' ? num(v) : v)}"`;
  }
  return content === undefined ? `${s}/>` : `${s}>${content}</${name}>`;
}

/** A `<text>` element with escaped content. */
export function text(x: number, y: number, content: string, attrs: Record<string, AttrValue> = {}): string {
  return tag('text', { x, y, ...attrs }, escapeXml(content));
}

/** Coordinates rounded to 0.1 px: plenty for the eye, and keeps 1,000-trial reports small. */
export function num(v: number): string {
  if (!Number.isFinite(v)) return '0';
  const r = Math.round(v * 10) / 10;
  return Object.is(r, -0) ? '0' : String(r);
}

/** `points` attribute of a polyline. */
export function points(pts: readonly (readonly [number, number])[]): string {
  return pts.map(([x, y]) => `${num(x)},${num(y)}`).join(' ');
}

/** Truncates a label to `max` characters with an ellipsis, so long parameter names do not overlap. */
export function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, Math.max(1, max - 1))}…`;
}

export { formatNumber } from '../../contracts/text.js';

export interface Scale {
  (v: number): number;
  readonly domain: readonly [number, number];
  readonly log: boolean;
  ticks(count?: number): number[];
}

/** Widens a zero-width domain (a single value) so it maps to the middle of the range instead of dividing by zero. */
function widen(lo: number, hi: number): [number, number] {
  if (hi > lo) return [lo, hi];
  const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
  return [lo - pad, hi + pad];
}

export function linearScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = widen(domain[0], domain[1]);
  const [r0, r1] = range;
  const f = (v: number): number => r0 + ((v - d0) / (d1 - d0)) * (r1 - r0);
  return Object.assign(f, { domain: [d0, d1] as const, log: false, ticks: (count = 5) => niceTicks(d0, d1, count) });
}

/** Log10 scale; the domain must be positive (callers choose it only for positive data). */
export function logScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const lo = Math.log10(domain[0]);
  const hi = Math.log10(domain[1]);
  const [l0, l1] = widen(lo, hi);
  const [r0, r1] = range;
  const f = (v: number): number => r0 + ((Math.log10(v) - l0) / (l1 - l0)) * (r1 - r0);
  return Object.assign(f, { domain: [10 ** l0, 10 ** l1] as const, log: true, ticks: () => logTicks(10 ** l0, 10 ** l1) });
}

/** "Nice" ticks (steps of 1, 2 or 5 × 10^k) covering [lo, hi], about `count` of them. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo) || !Number.isFinite(lo) || !Number.isFinite(hi)) return Number.isFinite(lo) ? [lo] : [];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => raw <= s) ?? 10 * mag;
  const out: number[] = [];
  // Rounding to the step's decimals avoids 0.30000000000000004-style labels.
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Number(t.toFixed(decimals)));
  return out;
}

/** Powers of ten inside [lo, hi]; with fewer than two, the 1-2-5 sequence, so an axis always has labels. */
export function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.ceil(Math.log10(lo) - 1e-9); e <= Math.floor(Math.log10(hi) + 1e-9); e++) out.push(Number((10 ** e).toPrecision(1)));
  if (out.length >= 2) return out;
  const dense: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const t = Number((m * 10 ** e).toPrecision(1));
      if (t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9)) dense.push(t);
    }
  }
  return dense;
}

/**
 * True when positive values span more than two decades *and* sit bunched at the bottom of a
 * linear axis (median in its lowest 20 %): the signature of a log-sampled parameter such as a
 * learning rate. The second condition keeps a uniform parameter that merely came close to 0
 * (dropout 0.0004 … 0.5, median mid-range) on the linear axis it was sampled on; the report does
 * not receive the search space, so the data has to tell.
 */
export function wantsLog(values: readonly number[]): boolean {
  if (values.length < 2) return false;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (!(lo > 0 && hi / lo > 100)) return false;
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  return (median - lo) / (hi - lo) < 0.2;
}

/** Min and max of finite values, or undefined when there are none. */
export function extent(values: Iterable<number>): [number, number] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : undefined;
}

/**
 * Colour of t in [0, 1] on a ramp of hex stops. The objective ramp runs from a light
 * yellow-green (poor trials, drawn first and faint) to dark purple (good trials, drawn last),
 * a viridis segment: perceptually ordered and readable by colour-blind viewers and in greyscale.
 */
export const OBJECTIVE_RAMP = ['#c2df23', '#52c569', '#21918c', '#3b528b', '#440154'] as const;

export function rampColor(t: number, stops: readonly string[] = OBJECTIVE_RAMP): string {
  const c = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(c));
  const f = c - i;
  const a = hexRgb(stops[i]);
  const b = hexRgb(stops[i + 1]);
  const mix = a.map((x, k) => Math.round(x + (b[k] - x) * f));
  return `#${mix.map((x) => x.toString(16).padStart(2, '0')).join('')}`;
}

function hexRgb(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}
