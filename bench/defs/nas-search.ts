import { z } from 'zod';
import { defineBench, num } from '../lib/bench.js';
import { fmt } from '../lib/table.js';

const NasStrategy = z.object({
  bestAccuracy: num,
  bestAccuracyParams: num,
  bestEfficiency: num,
  meanAccuracy: num,
  bestTestAccuracy: num,
  wallSec: num,
  trained: z.number(),
  rejected: z.number(),
  duplicates: z.number(),
  failed: z.number(),
});
const NasReport = z.object({
  setup: z.object({ seeds: z.array(z.number()), candidates: z.number(), concurrency: z.number(), epochs: z.number() }),
  summary: z.object({
    evolution: NasStrategy,
    random: NasStrategy,
    reference: z.object({ valAccuracy: num, testAccuracy: num, params: z.number(), efficiency: num, wallSec: num }),
  }),
  headToHead: z.object({ evolutionWins: z.number(), randomWins: z.number(), ties: z.number() }),
});

interface NasFigures {
  kind: 'nas-search';
  seeds: number;
  candidates: number;
  concurrency: number;
  epochs: number;
  /** Medians over seeds; efficiency = validation accuracy / log10(parameters). */
  rows: {
    row: 'evolution' | 'random' | 'reference';
    bestAccuracy: number | null;
    params: number | null;
    testAccuracy: number | null;
    efficiency: number | null;
    wallSec: number | null;
    /** Totals over seeds (null for the reference, one run per seed). */
    rejected: number | null;
    duplicates: number | null;
  }[];
  headToHead: { evolutionWins: number; randomWins: number; ties: number };
}

function nasFigures(r: z.infer<typeof NasReport>): NasFigures {
  const row = (name: 'evolution' | 'random', x: z.infer<typeof NasStrategy>) => ({
    row: name,
    bestAccuracy: x.bestAccuracy,
    params: x.bestAccuracyParams,
    testAccuracy: x.bestTestAccuracy,
    efficiency: x.bestEfficiency,
    wallSec: x.wallSec,
    rejected: x.rejected,
    duplicates: x.duplicates,
  });
  const ref = r.summary.reference;
  return {
    kind: 'nas-search',
    seeds: r.setup.seeds.length,
    candidates: r.setup.candidates,
    concurrency: r.setup.concurrency,
    epochs: r.setup.epochs,
    rows: [
      row('evolution', r.summary.evolution),
      row('random', r.summary.random),
      {
        row: 'reference',
        bestAccuracy: ref.valAccuracy,
        params: ref.params,
        testAccuracy: ref.testAccuracy,
        efficiency: ref.efficiency,
        wallSec: ref.wallSec,
        rejected: null,
        duplicates: null,
      },
    ],
    headToHead: r.headToHead,
  };
}

function nasTable(f: NasFigures): string[] {
  const out = [
    `  ${f.candidates} candidates per campaign, ${f.concurrency} in flight, ${f.epochs} epochs each; median over ${f.seeds} seed(s); acc/log10(p) = val accuracy / log10(params)`,
    `  ${'row'.padEnd(10)} ${'best acc'.padStart(9)} ${'params'.padStart(8)} ${'test acc'.padStart(9)} ${'acc/log10(p)'.padStart(13)} ${'wall s'.padStart(8)} ${'rejected/dup'.padStart(13)}`,
  ];
  for (const r of f.rows) {
    const rd = r.rejected === null ? '-' : `${r.rejected}/${r.duplicates ?? 0}`;
    out.push(
      `  ${r.row.padEnd(10)} ${fmt(r.bestAccuracy, 4).padStart(9)} ${fmt(r.params).padStart(8)} ${fmt(r.testAccuracy, 4).padStart(9)} ${fmt(r.efficiency, 4).padStart(13)} ${fmt(r.wallSec, 1).padStart(8)} ${rd.padStart(13)}`,
    );
  }
  const h = f.headToHead;
  out.push(`  best accuracy per seed: evolution better ${h.evolutionWins}, random better ${h.randomWins}, tied ${h.ties}`);
  return out;
}

export const bench = defineBench({
  name: 'nas-search',
  description: 'NAS: aging evolution against random search and the reference CNN',
  file: 'bench/nas-search.ts',
  timeoutMs: { full: 20 * 60_000, quick: 6 * 60_000 },
  report: NasReport,
  figures: nasFigures,
  table: nasTable,
});
