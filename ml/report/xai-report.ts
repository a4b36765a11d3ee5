/**
 * Pictures for batch XAI explanations: one per explained signal (waveform and one attribution
 * strip per method, window by window) and one per batch (per class × method: which time segments
 * and which frequency bands drive the class).
 *
 * Pure: no I/O, no clock, no randomness, no Node built-ins (same rules as hpo-report.ts), so a
 * retried activity stores byte-identical output.
 *
 * Size: a vibration window has thousands of samples and a batch picture may be stored for every
 * signal, so nothing is drawn per sample. The waveform is a min/max envelope of at most 300
 * columns (≤ 600 points); an attribution strip has at most 300 columns, quantised to 10 colour
 * levels per sign, and each colour level is one `<path>` holding the merged runs of columns at
 * that level (≈ 8 bytes per run instead of ≈ 50 for a `<rect>`).
 */
import { emptyMessage, frame, INK, MUTED, svgDocument, xAxis, yAxis, type Box, type Plot } from './chart.js';
import { figure, htmlPage, summaryTable, titledTable } from './html.js';
import { escapeXml, formatNumber, linearScale, num, points, rampColor, tag, text, truncate } from './svg.js';

// ---------------------------------------------------------------------------------------------
// Inputs

export interface SignalPictureWindow {
  /** Offset of the window in the recording, samples. */
  start: number;
  /** The explained window as the model saw it (z-normalised), length L. */
  samples: Float32Array;
  /** One attribution map per method, each of length L (signed; Grad-CAM is >= 0). */
  methods: { method: string; attributions: Float32Array; faithfulness: number }[];
}

export interface SignalPictureInput {
  /** e.g. "ds-abc:17" */
  signal: string;
  /** True label of the signal. */
  label: string;
  /** Class explained. */
  targetLabel: string;
  /** Model probability of targetLabel (0..1). */
  probability: number;
  samplingRateHz: number;
  /** At least one; the first MAX_WINDOWS are drawn. */
  windows: SignalPictureWindow[];
}

export interface XaiClassSummaryMethod {
  method: string;
  /** Completed signals of this class for this method. */
  signals: number;
  /** Mean share of |attribution| per time segment of the window (length = segments, sums ≈ 1). */
  segmentProfile: number[];
  /** Mean share of the attribution-weighted spectrum per frequency band (length = bands.length, sums ≈ 1). */
  bandProfile: number[];
  meanFaithfulness: number;
}

export interface XaiClassSummaryInput {
  batchId: string;
  modelId: string;
  /** Samples. */
  windowLength: number;
  samplingRateHz: number;
  bands: { lowHz: number; highHz: number }[];
  classes: { label: string; signals: number; failed: number; methods: XaiClassSummaryMethod[] }[];
  /** Optional footnote lines, e.g. failures. */
  notes?: string[];
}

// ---------------------------------------------------------------------------------------------
// Shared: colours, numbers

/** Windows drawn in the signal picture; the rest are counted in a note. */
export const MAX_WINDOWS = 4;
/** Columns of an attribution strip (and of the waveform envelope). */
export const MAX_STRIP_COLUMNS = 300;
/** Colour levels per sign; level 0 is the background. */
export const ATTRIBUTION_LEVELS = 10;

/** ColorBrewer RdBu halves, from the shared near-white centre outwards: diverging, colour-blind safe. */
const CENTER = '#f7f7f7';
const POSITIVE = [CENTER, '#fddbc7', '#f4a582', '#d6604d', '#b2182b', '#67001f'] as const;
const NEGATIVE = [CENTER, '#d1e5f0', '#92c5de', '#4393c3', '#2166ac', '#053061'] as const;
const WAVE = '#1f4e79';
const BAR = '#9ecae1';
const BAR_TOP = '#2171b5';
const STRIP_EDGE = '#b8b8b8';

/** Colour of a signed level in [-ATTRIBUTION_LEVELS, ATTRIBUTION_LEVELS]. */
export function attributionColor(level: number): string {
  const t = Math.min(1, Math.abs(level) / ATTRIBUTION_LEVELS);
  return level < 0 ? rampColor(t, NEGATIVE) : rampColor(t, POSITIVE);
}

const finiteOr0 = (v: number): number => (Number.isFinite(v) ? v : 0);

/** Faithfulness / shares as 2 significant decimals: "0.21", "-0.05"; "n/a" when missing. */
function fmt2(v: number): string {
  if (!Number.isFinite(v)) return 'n/a';
  return Math.abs(v) >= 0.01 || v === 0 ? v.toFixed(2) : formatNumber(v, 2);
}

const pct = (share: number): string => `${(share * 100).toFixed(share >= 0.1 ? 0 : 1)}%`;
const kHz = (hz: number): string => formatNumber(hz / 1000, 3);

// ---------------------------------------------------------------------------------------------
// Downsampling (exported for the tests and for callers that want the same numbers)

/**
 * An attribution map reduced to `columns` columns: each column's mean |a| with the sign of the
 * column's sum, then quantised to signed levels against the largest column magnitude (so the
 * strongest column is always the most saturated colour, whatever the method's units).
 */
export function attributionColumns(a: ArrayLike<number>, columns: number): { values: number[]; levels: number[]; max: number; signed: boolean } {
  const n = a.length;
  const values: number[] = [];
  let max = 0;
  let signed = false;
  for (let c = 0; c < columns && n > 0; c++) {
    const lo = Math.min(n - 1, Math.floor((c * n) / columns));
    const hi = Math.max(lo + 1, Math.floor(((c + 1) * n) / columns));
    let abs = 0;
    let sum = 0;
    for (let i = lo; i < hi; i++) {
      const v = finiteOr0(a[i]);
      if (v < 0) signed = true;
      abs += Math.abs(v);
      sum += v;
    }
    const v = (sum < 0 ? -1 : 1) * (abs / (hi - lo));
    values.push(v);
    max = Math.max(max, Math.abs(v));
  }
  const levels = values.map((v) => (max > 0 ? Math.round((v / max) * ATTRIBUTION_LEVELS) : 0));
  return { values, levels, max, signed };
}

/**
 * Min/max envelope of a waveform over `columns` columns: [sampleIndexCentre, min, max] each.
 * Every sample belongs to exactly one column, so no spike is lost.
 */
export function waveformEnvelope(samples: ArrayLike<number>, columns: number): [number, number, number][] {
  const n = samples.length;
  const out: [number, number, number][] = [];
  for (let c = 0; c < columns && n > 0; c++) {
    const lo = Math.min(n - 1, Math.floor((c * n) / columns));
    const hi = Math.max(lo + 1, Math.floor(((c + 1) * n) / columns));
    let mn = Infinity;
    let mx = -Infinity;
    for (let i = lo; i < hi; i++) {
      const v = finiteOr0(samples[i]);
      if (v < mn) mn = v;
      if (v > mx) mx = v;
    }
    out.push([(lo + hi - 1) / 2, mn, mx]);
  }
  return out;
}

/**
 * A heat strip from signed levels: a background rect (level 0), one `<path>` per non-zero level
 * and an outline. A level's path is one horizontal stroke segment per run of columns at that
 * level, in column units (`M12 .5h3m4 0h1`: about 7 bytes a run); a transform maps columns to
 * pixels and the unit stroke width to the strip height, and butt caps end each run exactly at its
 * column edge. Paths are painted in level order, and where two runs meet, the one painted first
 * reaches one column under the other: two anti-aliased edges on the same fractional pixel would
 * otherwise let the background show through as a light seam.
 */
function heatStrip(levels: readonly number[], box: Box, attrs: Record<string, string | number | undefined>, tooltip: string): string {
  const columns = levels.length;
  const sx = columns > 0 ? box.w / columns : 1;
  const runs = new Map<number, { d: string; pen: number }>();
  for (let c = 0; c < columns;) {
    const level = levels[c];
    let e = c + 1;
    while (e < columns && levels[e] === level) e++;
    if (level !== 0) {
      const from = c > 0 && levels[c - 1] > level ? c - 1 : c;
      const to = e < columns && levels[e] > level ? e + 1 : e;
      const run = runs.get(level);
      if (run) {
        run.d += `m${from - run.pen} 0h${to - from}`;
        run.pen = to;
      } else runs.set(level, { d: `M${from} .5h${to - from}`, pen: to });
    }
    c = e;
  }
  const paths = [...runs]
    .sort(([a], [b]) => a - b)
    .map(([level, { d }]) => tag('path', { 'data-level': level, stroke: attributionColor(level), d }))
    .join('');
  const transform = `translate(${num(box.x)} ${num(box.y)}) scale(${sx.toFixed(4).replace(/\.?0+$/, '')} ${num(box.h)})`;
  return tag(
    'g',
    { class: 'strip', ...attrs, 'data-columns': columns },
    tag('title', {}, escapeXml(tooltip)) +
      tag('rect', { x: box.x, y: box.y, width: box.w, height: box.h, fill: CENTER }) +
      (paths ? tag('g', { transform, fill: 'none', 'stroke-width': 1 }, paths) : '') +
      tag('rect', { x: box.x, y: box.y, width: box.w, height: box.h, fill: 'none', stroke: STRIP_EDGE, 'stroke-width': 0.8 }),
  );
}

/** A small horizontal colour key: `levels` swatches from -max to +max (or 0 to +max). */
function colourKey(x: number, y: number, signed: boolean, w = 9, h = 10): string {
  const from = signed ? -ATTRIBUTION_LEVELS : 0;
  const parts: string[] = [];
  for (let l = from; l <= ATTRIBUTION_LEVELS; l++) parts.push(tag('rect', { x: x + (l - from) * w, y, width: w, height: h, fill: attributionColor(l) }));
  const n = ATTRIBUTION_LEVELS - from + 1;
  parts.push(tag('rect', { x, y, width: n * w, height: h, fill: 'none', stroke: STRIP_EDGE, 'stroke-width': 0.8 }));
  return parts.join('');
}

// ---------------------------------------------------------------------------------------------
// 1. Per-signal picture

const SIGNAL_WIDTH = 1200;
const PANEL_X = 12;
const PANEL_W = SIGNAL_WIDTH - 24;
/** Left gutter of a window panel: waveform y axis, strip labels (right-aligned). */
const GUTTER = 186;
const WAVE_H = 120;
const STRIP_H = 20;
const STRIP_PITCH = 30;

/**
 * The picture of one explained signal: a header (signal, true label, explained class and its
 * probability, colour key), then one panel per window (at most MAX_WINDOWS): the waveform as the
 * model saw it on a millisecond axis from the window start, and under it one attribution strip
 * per method on the same time axis, labelled with the method and its faithfulness.
 */
export function renderSignalExplanationSvg(input: SignalPictureInput): string {
  const fs = input.samplingRateHz > 0 && Number.isFinite(input.samplingRateHz) ? input.samplingRateHz : 1;
  const windows = input.windows ?? [];
  const drawn = windows.slice(0, MAX_WINDOWS);
  const hidden = windows.length - drawn.length;

  const prob = Number.isFinite(input.probability) ? input.probability.toFixed(3) : 'n/a';
  const sameClass = input.label === input.targetLabel;
  const parts: string[] = [
    text(20, 34, `Signal ${truncate(input.signal, 60)}`, { 'font-size': 22, 'font-weight': 'bold', fill: INK }),
    text(
      20,
      58,
      `true label ${truncate(input.label, 30)} · explained class ${truncate(input.targetLabel, 30)}${sameClass ? '' : ' (not the true label)'} · p(${truncate(input.targetLabel, 30)}) = ${prob} · ${formatNumber(fs / 1000)} kHz · ${windows.length} window${windows.length === 1 ? '' : 's'}`,
      { 'font-size': 14, fill: INK },
    ),
    colourKey(20, 72, true),
    text(20, 94, '−', { 'font-size': 11, fill: MUTED }),
    text(20 + 10.5 * 9, 94, '0', { 'font-size': 11, fill: MUTED, 'text-anchor': 'middle' }),
    text(20 + 21 * 9, 94, '+', { 'font-size': 11, fill: MUTED, 'text-anchor': 'end' }),
    text(
      222,
      81,
      `blue = against ${truncate(input.targetLabel, 24)}, red = for it, grey = none · each strip scaled to its own strongest column · maps ≥ 0 (Grad-CAM) use the red half`,
      { 'font-size': 11.5, fill: MUTED },
    ),
  ];

  let y = 106;
  if (drawn.length === 0) {
    const box = { x: PANEL_X, y, w: PANEL_W, h: 120 };
    parts.push(frame(box, 'No windows'), emptyMessage(box, 'no explained windows'));
    y += box.h + 12;
  }
  drawn.forEach((w, k) => {
    const h = windowPanelHeight(w);
    parts.push(windowPanel(w, k, windows.length, fs, { x: PANEL_X, y, w: PANEL_W, h }));
    y += h + 12;
  });
  if (hidden > 0) {
    parts.push(
      text(20, y + 10, `+${hidden} more window${hidden === 1 ? '' : 's'} not drawn (the first ${MAX_WINDOWS} are shown)`, {
        'font-size': 13,
        fill: MUTED,
        'font-style': 'italic',
        class: 'note',
      }),
    );
    y += 26;
  }
  const height = Math.ceil(y + 4);
  return svgDocument(SIGNAL_WIDTH, height, `Explanation of ${input.signal} for ${input.targetLabel}`, parts.join('\n'));
}

function windowPanelHeight(w: SignalPictureWindow): number {
  const strips = Math.max(1, (w.methods ?? []).length);
  return 56 + WAVE_H + 10 + strips * STRIP_PITCH + 46;
}

function windowPanel(w: SignalPictureWindow, k: number, total: number, fs: number, box: Box): string {
  const samples = w.samples ?? new Float32Array(0);
  const L = samples.length;
  const methods = w.methods ?? [];
  const start = Number.isFinite(w.start) ? w.start : 0;
  const durMs = (L / fs) * 1000;
  const subtitle = `samples ${start}–${start + L} (${L}) · ${formatNumber(start / fs)}–${formatNumber((start + L) / fs)} s in the recording · ${formatNumber(durMs)} ms`;
  const parts = [frame(box, `Window ${k + 1} of ${total}`, subtitle)];
  const attrs = { class: 'window', 'data-window': k, 'data-start': start };
  if (L === 0) return tag('g', attrs, parts.join('') + emptyMessage(box, 'empty window'));

  const plot: Plot = { left: box.x + GUTTER, right: box.x + box.w - 20, top: box.y + 56, bottom: box.y + 56 + WAVE_H };
  const stripTop = plot.bottom + 10;
  const axisY = stripTop + Math.max(1, methods.length) * STRIP_PITCH - (STRIP_PITCH - STRIP_H) + 4;
  const xs = linearScale([0, durMs], [plot.left, plot.right]);
  const xOf = (sample: number): number => xs((sample / fs) * 1000);

  // Time axis under the strips, with its grid through waveform and strips (strips paint over it).
  parts.push(
    xAxis(xs, xs.ticks(10), { ...plot, bottom: axisY }, `time from window start, ms (window starts at ${formatNumber(start / fs)} s in the recording)`, true),
  );

  // Waveform: symmetric around 0 (z-normalised input).
  let amp = 0;
  for (let i = 0; i < L; i++) amp = Math.max(amp, Math.abs(finiteOr0(samples[i])));
  const ys = linearScale([-(amp || 1) * 1.05, (amp || 1) * 1.05], [plot.bottom, plot.top]);
  parts.push(yAxis(ys, plot, 'input (z-score)'));
  parts.push(tag('line', { x1: plot.left, x2: plot.right, y1: ys(0), y2: ys(0), stroke: '#bbb', 'stroke-width': 0.8 }));
  if (L <= 2 * MAX_STRIP_COLUMNS) {
    const pts: [number, number][] = [];
    for (let i = 0; i < L; i++) pts.push([xOf(i), ys(finiteOr0(samples[i]))]);
    parts.push(tag('polyline', { class: 'wave', points: points(pts), fill: 'none', stroke: WAVE, 'stroke-width': 1, 'stroke-linejoin': 'round' }));
  } else {
    // Min/max envelope per column: upper edge left to right, lower edge back.
    const env = waveformEnvelope(samples, MAX_STRIP_COLUMNS);
    const pts: [number, number][] = [
      ...env.map(([i, , mx]) => [xOf(i), ys(mx)] as [number, number]),
      ...env.reverse().map(([i, mn]) => [xOf(i), ys(mn)] as [number, number]),
    ];
    parts.push(
      tag('polygon', {
        class: 'wave-envelope',
        points: points(pts),
        fill: WAVE,
        'fill-opacity': 0.55,
        stroke: WAVE,
        'stroke-width': 0.6,
        'stroke-linejoin': 'round',
      }),
    );
  }

  // Strips, one per method, on the same time axis as the waveform.
  if (methods.length === 0) {
    parts.push(
      text((plot.left + plot.right) / 2, stripTop + 14, 'no attribution maps', {
        'font-size': 12,
        fill: MUTED,
        'text-anchor': 'middle',
        'font-style': 'italic',
      }),
    );
  }
  const columns = Math.min(MAX_STRIP_COLUMNS, L);
  methods.forEach((m, j) => {
    const top = stripTop + j * STRIP_PITCH;
    const a = m.attributions ?? new Float32Array(0);
    const col = attributionColumns(a, columns);
    const allZero = col.max === 0;
    const perColumn = Math.max(1, Math.round(L / columns));
    const tip =
      `${m.method}: faithfulness ${fmt2(m.faithfulness)}; ` +
      (allZero
        ? 'all attributions are zero'
        : `full colour = ${col.signed ? '±' : ''}${formatNumber(col.max)} (mean |attribution| over ${perColumn === 1 ? '1 sample' : `~${perColumn} samples`})`) +
      (a.length !== L ? `; map has ${a.length} values for ${L} samples, stretched to fit` : '');
    parts.push(
      heatStrip(
        col.levels,
        { x: plot.left, y: top, w: plot.right - plot.left, h: STRIP_H },
        { 'data-method': m.method, 'data-max': formatNumber(col.max), 'data-signed': col.signed ? 'true' : 'false' },
        tip,
      ),
    );
    parts.push(
      text(plot.left - 10, top + 9, truncate(m.method, 26), { 'font-size': 12, fill: INK, 'text-anchor': 'end', 'font-weight': 'bold', class: 'strip-label' }),
    );
    parts.push(
      text(plot.left - 10, top + 21, `faithfulness ${fmt2(m.faithfulness)}${a.length === 0 ? ' · no map' : allZero ? ' · all zero' : ''}`, {
        'font-size': 10.5,
        fill: MUTED,
        'text-anchor': 'end',
        class: 'strip-faithfulness',
      }),
    );
  });
  return tag('g', attrs, parts.join(''));
}

// ---------------------------------------------------------------------------------------------
// 2. Per-class batch summary

const ROW_HEADER_W = 168;
const CELL_H = 192;
const ROW_GAP = 10;
/** A class without completed signals gets a short row: its label, counts and the message. */
const EMPTY_ROW_H = 76;

const rowHeight = (c: { signals: number }): number => (c.signals > 0 ? CELL_H : EMPTY_ROW_H);
const SUMMARY_TOP = 112;

interface SummaryLayout {
  width: number;
  height: number;
  methods: string[];
  cellW: number;
  /** Largest segment share and band share over all cells: one colour and one bar scale for the whole grid. */
  maxSegment: number;
  maxBand: number;
  notes: string[];
}

function summaryLayout(input: XaiClassSummaryInput): SummaryLayout {
  const methods: string[] = [];
  let maxSegment = 0;
  let maxBand = 0;
  for (const c of input.classes ?? []) {
    for (const m of c.methods ?? []) {
      if (!methods.includes(m.method)) methods.push(m.method);
      if (!(m.signals > 0)) continue;
      for (const v of m.segmentProfile ?? []) maxSegment = Math.max(maxSegment, finiteOr0(v));
      for (const v of m.bandProfile ?? []) maxBand = Math.max(maxBand, finiteOr0(v));
    }
  }
  const cellW = Math.max(230, Math.floor((1200 - 24 - ROW_HEADER_W) / Math.max(1, methods.length)));
  const width = 24 + ROW_HEADER_W + cellW * Math.max(1, methods.length);
  const notes = (input.notes ?? []).slice(0, 12);
  const classes = input.classes ?? [];
  const rows = classes.length > 0 ? classes.reduce((s, c) => s + rowHeight(c) + ROW_GAP, 0) : CELL_H + ROW_GAP;
  const height = SUMMARY_TOP + 30 + rows + (notes.length > 0 ? 10 + notes.length * 17 : 0) + 12;
  return { width, height, methods, cellW, maxSegment, maxBand, notes };
}

/** Index of the largest finite share, or -1. */
function dominant(profile: readonly number[]): number {
  let best = -1;
  for (let i = 0; i < profile.length; i++) if (Number.isFinite(profile[i]) && (best < 0 || profile[i] > profile[best])) best = i;
  return best;
}

const bandLabel = (b: { lowHz: number; highHz: number }): string => `${kHz(b.lowHz)}–${kHz(b.highHz)} kHz`;

/**
 * The batch picture: one row per class (label, signal and failure counts), one column per method.
 * Each cell: a heat strip of the segment profile (which part of the window drives the class), a
 * bar chart of the band profile with band edges in kHz (which frequencies drive it; the dominant
 * band is dark and labelled with its share), and the mean faithfulness with the signal count. One
 * colour scale and one bar scale serve the whole grid, so cells compare directly.
 */
export function renderXaiClassSummarySvg(input: XaiClassSummaryInput): string {
  const lay = summaryLayout(input);
  const classes = input.classes ?? [];
  const fs = input.samplingRateHz > 0 && Number.isFinite(input.samplingRateHz) ? input.samplingRateHz : 1;
  const windowMs = (input.windowLength / fs) * 1000;
  const total = classes.reduce((s, c) => s + (c.signals > 0 ? c.signals : 0), 0);
  const failed = classes.reduce((s, c) => s + (c.failed > 0 ? c.failed : 0), 0);
  const bands = input.bands ?? [];
  const parts: string[] = [
    text(20, 34, `XAI batch ${truncate(input.batchId, 60)}`, { 'font-size': 22, 'font-weight': 'bold', fill: INK }),
    text(
      20,
      58,
      `model ${truncate(input.modelId, 50)} · ${classes.length} classes · ${total} signals explained${failed > 0 ? `, ${failed} failed` : ''} · window ${input.windowLength} samples = ${formatNumber(windowMs)} ms at ${formatNumber(fs / 1000)} kHz · ${bands.length} bands`,
      { 'font-size': 14, fill: INK },
    ),
    colourKey(20, 72, false, 8, 10),
    text(
      20 + 11 * 8 + 10,
      81,
      `time strip: share of |attribution| per window segment (white 0 → dark red ${pct(lay.maxSegment)}) · bars: share of the attribution-weighted spectrum per band (dark = peak)`,
      { 'font-size': 11.5, fill: MUTED },
    ),
    text(20, 100, 'Same colour and bar scale in every cell; mean over the completed signals of the class.', { 'font-size': 11.5, fill: MUTED }),
  ];

  // Column headers.
  const gridX = 12 + ROW_HEADER_W;
  lay.methods.forEach((m, j) => {
    parts.push(
      text(gridX + j * lay.cellW + lay.cellW / 2, SUMMARY_TOP + 20, truncate(m, 30), {
        'font-size': 14,
        'font-weight': 'bold',
        fill: INK,
        'text-anchor': 'middle',
        class: 'col-header',
      }),
    );
  });

  if (classes.length === 0) {
    const box = { x: 12, y: SUMMARY_TOP + 30, w: lay.width - 24, h: CELL_H };
    parts.push(tag('rect', { x: box.x, y: box.y, width: box.w, height: box.h, fill: '#fff', stroke: '#d0d0d0', rx: 6 }), emptyMessage(box, 'no classes'));
  }
  let y = SUMMARY_TOP + 30;
  for (const c of classes) {
    const row: string[] = [
      text(20, y + 28, truncate(c.label, 18), { 'font-size': 15, 'font-weight': 'bold', fill: INK, class: 'row-header' }),
      text(20, y + 48, `${c.signals} signal${c.signals === 1 ? '' : 's'}`, { 'font-size': 12, fill: INK }),
      text(20, y + 66, `${c.failed} failed`, { 'font-size': 12, fill: c.failed > 0 ? '#b2182b' : MUTED }),
    ];
    if (!(c.signals > 0)) {
      const box = { x: gridX + 4, y, w: lay.cellW * Math.max(1, lay.methods.length) - 8, h: EMPTY_ROW_H };
      row.push(
        tag('rect', { x: box.x, y: box.y, width: box.w, height: box.h, fill: '#fafafa', stroke: '#d0d0d0', rx: 6 }),
        emptyMessage(box, 'no completed signals'),
      );
    } else {
      lay.methods.forEach((name, j) => {
        const m = (c.methods ?? []).find((x) => x.method === name);
        row.push(summaryCell(m, { x: gridX + j * lay.cellW + 4, y, w: lay.cellW - 8, h: CELL_H }, lay, bands, windowMs));
      });
    }
    parts.push(tag('g', { class: 'class-row', 'data-class': c.label }, row.join('')));
    y += rowHeight(c) + ROW_GAP;
  }

  let ny = (classes.length > 0 ? y : y + CELL_H + ROW_GAP) + 14;
  for (const note of lay.notes) {
    parts.push(text(20, ny, truncate(note, 190), { 'font-size': 12, fill: MUTED, class: 'note' }));
    ny += 17;
  }
  return svgDocument(lay.width, lay.height, `XAI batch ${input.batchId}`, parts.join('\n'));
}

function summaryCell(
  m: XaiClassSummaryMethod | undefined,
  box: Box,
  lay: SummaryLayout,
  bands: readonly { lowHz: number; highHz: number }[],
  windowMs: number,
): string {
  const attrs = { class: 'cell', 'data-method': m?.method };
  const card = tag('rect', { x: box.x, y: box.y, width: box.w, height: box.h, fill: '#fff', stroke: '#d0d0d0', rx: 6 });
  if (!m || !(m.signals > 0)) return tag('g', attrs, card + emptyMessage(box, 'no completed signals'));
  const parts = [card];
  const left = box.x + 12;
  const right = box.x + box.w - 12;
  const w = right - left;

  // Time segments.
  const seg = (m.segmentProfile ?? []).map(finiteOr0);
  const segTop = seg.length > 0 ? dominant(seg) : -1;
  parts.push(
    text(left, box.y + 18, segTop >= 0 ? `time · peak segment ${segTop + 1}/${seg.length} (${pct(seg[segTop])})` : 'time in window', {
      'font-size': 10.5,
      fill: MUTED,
    }),
  );
  if (seg.length > 0) {
    const levels = seg.map((v) => (lay.maxSegment > 0 ? Math.max(0, Math.round((v / lay.maxSegment) * ATTRIBUTION_LEVELS)) : 0));
    parts.push(
      heatStrip(
        levels,
        { x: left, y: box.y + 25, w, h: 18 },
        { 'data-kind': 'segments' },
        `${m.method}: share of |attribution| per segment: ${seg.map(pct).join(' ')}`,
      ),
    );
    parts.push(text(left, box.y + 55, '0', { 'font-size': 10, fill: MUTED }));
    parts.push(text(right, box.y + 55, `${formatNumber(windowMs)} ms`, { 'font-size': 10, fill: MUTED, 'text-anchor': 'end' }));
  } else {
    parts.push(text(left + w / 2, box.y + 40, 'no segment profile', { 'font-size': 11, fill: MUTED, 'text-anchor': 'middle', 'font-style': 'italic' }));
  }

  // Frequency bands: equal-width bars, band edges in kHz under the bar boundaries.
  const n = Math.min(bands.length, (m.bandProfile ?? []).length);
  const prof = (m.bandProfile ?? []).slice(0, n).map(finiteOr0);
  const top = dominant(prof);
  parts.push(
    text(left, box.y + 74, top >= 0 ? `bands, kHz · peak ${bandLabel(bands[top])} (${pct(prof[top])})` : 'bands, kHz', { 'font-size': 10.5, fill: MUTED }),
  );
  const barTop = box.y + 92;
  const base = box.y + 146;
  if (n > 0) {
    const bw = w / n;
    const hs = linearScale([0, lay.maxBand > 0 ? lay.maxBand : 1], [base, barTop]);
    const bars: string[] = [];
    prof.forEach((v, b) => {
      const yv = hs(Math.max(0, v));
      const title = tag('title', {}, escapeXml(`${bandLabel(bands[b])}: ${pct(v)}`));
      bars.push(
        tag(
          'rect',
          {
            x: left + b * bw + Math.min(1, bw * 0.1),
            y: yv,
            width: Math.max(0.5, bw - 2 * Math.min(1, bw * 0.1)),
            height: base - yv,
            fill: b === top ? BAR_TOP : BAR,
          },
          title,
        ),
      );
    });
    parts.push(tag('g', { class: 'bands' }, bars.join('')));
    parts.push(tag('line', { x1: left, x2: right, y1: base, y2: base, stroke: '#999' }));
    if (top >= 0) parts.push(text(left + (top + 0.5) * bw, hs(prof[top]) - 3, pct(prof[top]), { 'font-size': 10, fill: BAR_TOP, 'text-anchor': 'middle' }));
    // Edge labels: every k-th boundary so they do not collide (~ 6.5 px per character at 9.5 px).
    const edges: { x: number; label: string }[] = [];
    for (let b = 0; b <= n; b++) {
      const prev = bands[b - 1];
      const cur = bands[b];
      let label: string;
      if (b === n) label = kHz(prev.highHz);
      else if (prev && prev.highHz !== cur.lowHz) label = `${kHz(prev.highHz)}|${kHz(cur.lowHz)}`;
      else label = kHz(cur.lowHz);
      edges.push({ x: left + b * bw, label });
    }
    const widest = Math.max(...edges.map((e) => e.label.length)) * 5.6 + 6;
    const every = Math.max(1, Math.ceil(widest / bw));
    edges.forEach((e, b) => {
      if (b % every !== 0 && b !== n) return;
      if (b === n && n % every !== 0 && (n - Math.floor(n / every) * every) * bw < widest) return;
      parts.push(tag('line', { x1: e.x, x2: e.x, y1: base, y2: base + 3, stroke: '#999' }));
      parts.push(text(e.x, base + 13, e.label, { 'font-size': 9.5, fill: MUTED, 'text-anchor': b === 0 ? 'start' : b === n ? 'end' : 'middle' }));
    });
  } else {
    parts.push(text(left + w / 2, (barTop + base) / 2, 'no band profile', { 'font-size': 11, fill: MUTED, 'text-anchor': 'middle', 'font-style': 'italic' }));
  }

  parts.push(
    text(left, box.y + box.h - 12, `faithfulness ${fmt2(m.meanFaithfulness)} · ${m.signals} signal${m.signals === 1 ? '' : 's'}`, {
      'font-size': 12,
      fill: INK,
      class: 'cell-facts',
    }),
  );
  return tag('g', attrs, parts.join(''));
}

/**
 * A standalone HTML page: the summary SVG and two tables with the same numbers (mean faithfulness
 * and the dominant band, per class × method). Every user string is escaped.
 */
export function renderXaiClassSummaryHtml(input: XaiClassSummaryInput): string {
  const e = escapeXml;
  const svg = renderXaiClassSummarySvg(input);
  const { methods } = summaryLayout(input);
  const classes = input.classes ?? [];
  const bands = input.bands ?? [];
  const fs = input.samplingRateHz > 0 && Number.isFinite(input.samplingRateHz) ? input.samplingRateHz : 1;
  const row = (k: string, v: string): string => `<tr><th>${e(k)}</th><td>${v}</td></tr>`;
  const summary = [
    row('batch', e(input.batchId)),
    row('model', e(input.modelId)),
    row('window', `${input.windowLength} samples = ${e(formatNumber((input.windowLength / fs) * 1000))} ms at ${e(formatNumber(fs))} Hz`),
    row('bands', e(bands.map(bandLabel).join(', ') || '—')),
    row('signals explained', String(classes.reduce((s, c) => s + (c.signals > 0 ? c.signals : 0), 0))),
    row('failed', String(classes.reduce((s, c) => s + (c.failed > 0 ? c.failed : 0), 0))),
  ].join('\n');
  const head = `<tr><th>class</th><th>signals</th><th>failed</th>${methods.map((m) => `<th>${e(m)}</th>`).join('')}</tr>`;
  const table = (cell: (m: XaiClassSummaryMethod) => string): string =>
    classes
      .map((c) => {
        const cells = methods
          .map((name) => {
            const m = (c.methods ?? []).find((x) => x.method === name);
            const ok = c.signals > 0 && m !== undefined && m.signals > 0;
            return `<td data-class="${e(c.label)}" data-method="${e(name)}">${ok ? cell(m) : '—'}</td>`;
          })
          .join('');
        return `<tr><th>${e(c.label)}</th><td>${c.signals}</td><td>${c.failed}</td>${cells}</tr>`;
      })
      .join('\n');
  const faithfulness = table(
    (m) => `${e(Number.isFinite(m.meanFaithfulness) ? formatNumber(m.meanFaithfulness, 3) : 'n/a')} <span class="n">(n = ${m.signals})</span>`,
  );
  const dominantBand = table((m) => {
    const prof = (m.bandProfile ?? []).slice(0, bands.length).map(finiteOr0);
    const b = dominant(prof);
    return b < 0 ? '—' : `${e(bandLabel(bands[b]))} (${e(pct(prof[b]))})`;
  });
  const notes = (input.notes ?? []).length > 0 ? `<h2>Notes</h2>\n<ul>\n${(input.notes ?? []).map((n) => `<li>${e(n)}</li>`).join('\n')}\n</ul>\n` : '';
  return htmlPage({
    title: `XAI batch ${input.batchId}`,
    css: ['th { background: #f6f6f6; }', 'td { font-variant-numeric: tabular-nums; }', `span.n { color: ${MUTED}; }`],
    body:
      summaryTable(summary) +
      figure(svg) +
      titledTable('Mean faithfulness per class and method', 'faithfulness', head, faithfulness) +
      titledTable('Dominant frequency band per class and method', 'dominant-band', head, dominantBand) +
      notes,
  });
}
