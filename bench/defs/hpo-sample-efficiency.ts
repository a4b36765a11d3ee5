import { z } from 'zod';
import { defineBench } from '../lib/bench.js';
import { fmt } from '../lib/table.js';

const Regret = z.object({ medianRegret: z.number(), q1Regret: z.number(), q3Regret: z.number() });
const HpoReport = z.object({
  trials: z.number(),
  seeds: z.number(),
  functions: z.record(z.string(), z.object({ ours: Regret, random: Regret, optuna: Regret.nullable() })),
  optuna: z.object({ status: z.enum(['ok', 'skipped']), reason: z.string().optional(), hint: z.string().optional() }),
});

interface HpoFigures {
  kind: 'hpo-sample-efficiency';
  trials: number;
  seeds: number;
  /** Median regret after `trials` trials, per test function (lower is better). */
  functions: Record<string, { ours: number; random: number; optuna: number | null }>;
  optuna: { status: 'ok' | 'skipped'; reason?: string; hint?: string };
}

function hpoFigures(r: z.infer<typeof HpoReport>): HpoFigures {
  return {
    kind: 'hpo-sample-efficiency',
    trials: r.trials,
    seeds: r.seeds,
    functions: Object.fromEntries(
      Object.entries(r.functions).map(([name, f]) => [
        name,
        { ours: f.ours.medianRegret, random: f.random.medianRegret, optuna: f.optuna?.medianRegret ?? null },
      ]),
    ),
    optuna: r.optuna,
  };
}

function hpoTable(f: HpoFigures): string[] {
  const out = [
    `  median regret after ${f.trials} trials over ${f.seeds} seeds (lower is better)`,
    `  ${'function'.padEnd(14)} ${'our TPE'.padStart(10)} ${'Optuna TPE'.padStart(11)} ${'random'.padStart(10)}`,
  ];
  for (const [name, v] of Object.entries(f.functions)) {
    out.push(`  ${name.padEnd(14)} ${fmt(v.ours, 3).padStart(10)} ${fmt(v.optuna, 3).padStart(11)} ${fmt(v.random, 3).padStart(10)}`);
  }
  if (f.optuna.status === 'skipped') out.push(`  optuna skipped: ${f.optuna.reason ?? ''}${f.optuna.hint ? ` (${f.optuna.hint})` : ''}`);
  return out;
}

export const bench = defineBench({
  name: 'hpo-sample-efficiency',
  description: 'regret of our TPE against Optuna TPE and random search on test functions',
  file: 'bench/hpo-sample-efficiency.ts',
  timeoutMs: { full: 10 * 60_000, quick: 3 * 60_000 },
  report: HpoReport,
  figures: hpoFigures,
  table: hpoTable,
});
