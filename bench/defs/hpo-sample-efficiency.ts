import { z } from 'zod';
import { defineBench, num } from '../lib/bench.js';
import { fmt } from '../lib/table.js';

/** Regrets span 1e-5…1e2: three significant digits, not three decimals. */
const sig = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toPrecision(3));

const Run = z.object({ medianRegret: num, msPerTrial: num });
const HpoReport = z.object({
  trials: z.number(),
  seeds: z.number(),
  functions: z.record(
    z.string(),
    z.object({
      kind: z.enum(['box', 'conditional']),
      ours: z.record(z.string(), Run),
      optuna: z.record(z.string(), Run),
      comparison: z.object({ ours: z.string(), optuna: z.string(), winProbability: num, pValue: num }).nullable(),
    }),
  ),
  optuna: z.object({ status: z.enum(['ok', 'skipped']), reason: z.string().optional(), hint: z.string().optional() }),
});

interface HpoFigures {
  kind: 'hpo-sample-efficiency';
  trials: number;
  seeds: number;
  /** Per test function: median regret of each sampler (ours / Optuna's), and our best vs Optuna's best. */
  functions: Record<
    string,
    {
      ours: Record<string, number | null>;
      optuna: Record<string, number | null>;
      best: { ours: string; optuna: string; winProbability: number | null; pValue: number | null } | null;
    }
  >;
  optuna: { status: 'ok' | 'skipped'; reason?: string; hint?: string };
}

function hpoFigures(r: z.infer<typeof HpoReport>): HpoFigures {
  const medians = (runs: Record<string, z.infer<typeof Run>>) => Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, v.medianRegret]));
  return {
    kind: 'hpo-sample-efficiency',
    trials: r.trials,
    seeds: r.seeds,
    functions: Object.fromEntries(
      Object.entries(r.functions).map(([name, f]) => [name, { ours: medians(f.ours), optuna: medians(f.optuna), best: f.comparison }]),
    ),
    optuna: r.optuna,
  };
}

function hpoTable(f: HpoFigures): string[] {
  const out = [
    `  median regret after ${f.trials} trials over ${f.seeds} seeds (lower is better); our best vs Optuna's best: P(win), Mann–Whitney p`,
    `  ${'function'.padEnd(16)} ${'ours best'.padStart(16)} ${'Optuna best'.padStart(16)} ${'P(win)'.padStart(7)} ${'p'.padStart(8)}`,
  ];
  for (const [name, v] of Object.entries(f.functions)) {
    const b = v.best;
    const ours = b ? `${b.ours} ${sig(v.ours[b.ours])}` : '—';
    const optuna = b ? `${b.optuna} ${sig(v.optuna[b.optuna])}` : '—';
    out.push(
      `  ${name.padEnd(16)} ${ours.padStart(16)} ${optuna.padStart(16)} ${fmt(b?.winProbability ?? null, 2).padStart(7)} ${fmt(b?.pValue ?? null, 2).padStart(8)}`,
    );
  }
  if (f.optuna.status === 'skipped') out.push(`  optuna skipped: ${f.optuna.reason ?? ''}${f.optuna.hint ? ` (${f.optuna.hint})` : ''}`);
  return out;
}

export const bench = defineBench({
  name: 'hpo-sample-efficiency',
  description: 'regret of our TPE / TPE+groups / GP against Optuna TPE, GP, CMA-ES and random on 9 test functions',
  file: 'bench/hpo-sample-efficiency.ts',
  timeoutMs: { full: 90 * 60_000, quick: 15 * 60_000 },
  report: HpoReport,
  figures: hpoFigures,
  table: hpoTable,
});
