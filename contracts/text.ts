/**
 * Plain-text renderings of contract shapes, shared by the reports (ml/report) and the command
 * line (client/cli) — both may import contracts/, neither may import the other.
 * Pure: no I/O, no clock.
 */
import { ArchitectureSchema } from './training.js';

/** A number in at most `digits` significant digits, exponent form when very small or large. */
export function formatNumber(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e5)
    return v
      .toExponential(Math.max(0, digits - 2))
      .replace(/\.?0+e/, 'e')
      .replace('e+', 'e');
  return String(Number(v.toPrecision(digits)));
}

/** Counts as 950, 2k, 45.9k, 1.2M: parameter counts read better that way than as 1e5. */
export function compactNumber(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e6) return `${Number((n / 1e6).toPrecision(3))}M`;
  if (a >= 1e3) return `${Number((n / 1e3).toPrecision(3))}k`;
  return formatNumber(n);
}

const POOL_LABEL = { max: 'max-pool', avg: 'avg-pool', none: 'no pool' } as const;

/**
 * An architecture as text, one line per block then the head:
 *
 *   block 1  conv 32×7   /1  dilation 1  BN  max-pool 2  residual
 *   head     global-avg → dense 64 → dropout 0.2 → softmax
 *
 * Columns are padded to one width so the lines read as a table in a monospace font. Undefined
 * when `genome` is not an architecture.
 */
export function architectureLines(genome: unknown): string[] | undefined {
  const parsed = ArchitectureSchema.safeParse(genome);
  if (!parsed.success) return undefined;
  const a = parsed.data;
  const cells = a.blocks.map((b, i) => [
    `block ${i + 1}`,
    `conv ${b.filters}×${b.kernelSize}`,
    `/${b.stride}`,
    `dilation ${b.dilation}`,
    b.batchNorm ? 'BN' : '--',
    b.pool === 'none' ? POOL_LABEL.none : `${POOL_LABEL[b.pool]} ${b.poolSize}`,
    b.residual ? 'residual' : '',
  ]);
  const widths = cells[0].map((_, k) => Math.max(...cells.map((row) => row[k].length)));
  const lines = cells.map((row) =>
    row
      .map((c, k) => c.padEnd(widths[k]))
      .join('  ')
      .trimEnd(),
  );
  const head = [a.head, ...(a.denseUnits > 0 ? [`dense ${a.denseUnits}`] : []), ...(a.dropout > 0 ? [`dropout ${formatNumber(a.dropout)}`] : []), 'softmax'];
  lines.push(`${'head'.padEnd(widths[0])}  ${head.join(' → ')}`);
  return lines;
}
