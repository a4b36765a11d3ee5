import { z } from 'zod';
import { defineBench } from '../lib/bench.js';

const Seconds = z.object({ time: z.number(), frequency: z.number(), envelope: z.number(), wavelet: z.number(), all: z.number() });
const Skipped = z.object({ status: z.literal('skipped'), reason: z.string(), hint: z.string() });
const FeaturesReport = z.object({
  signalLength: z.number(),
  features: z.number(),
  ours: z.object({ seconds: Seconds, featuresPerSec: z.number(), signalsPerSec: z.number() }),
  peer: z.union([z.object({ status: z.literal('ok'), seconds: Seconds, numpy: z.string(), scipy: z.string(), pywt: z.string() }), Skipped]),
  forest: z.object({
    rows: z.number(),
    columns: z.number(),
    trees: z.number(),
    ours: z.object({ fitSec: z.number(), trainAccuracy: z.number() }),
    peer: z.union([z.object({ status: z.literal('ok'), fitSec: z.number(), trainAccuracy: z.number(), sklearn: z.string() }), Skipped]),
  }),
});

interface FeaturesFigures extends z.infer<typeof FeaturesReport> {
  kind: 'features';
}

function featuresTable(f: FeaturesFigures): string[] {
  const ms = (s: number) => `${(s * 1000).toFixed(1)} ms`;
  const peer = f.peer.status === 'ok' ? f.peer.seconds : undefined;
  const row = (d: keyof z.infer<typeof Seconds>) => `  ${d.padEnd(10)} ${ms(f.ours.seconds[d]).padStart(10)} ${(peer ? ms(peer[d]) : '—').padStart(12)}`;
  const fp = f.forest.peer.status === 'ok' ? `${f.forest.peer.fitSec.toFixed(2)} s` : '—';
  return [
    `  features of one ${f.signalLength}-sample signal (${f.features} columns), best of runs: ${'ours'.padStart(6)} ${'numpy/scipy'.padStart(12)}`,
    ...(['time', 'frequency', 'envelope', 'wavelet', 'all'] as const).map(row),
    `  random forest, ${f.forest.trees} trees on ${f.forest.rows} × ${f.forest.columns}: ours ${f.forest.ours.fitSec.toFixed(2)} s, scikit-learn ${fp}`,
  ];
}

export const bench = defineBench({
  name: 'features',
  description: 'feature library: features/s on a 102,400-sample signal vs numpy/scipy; random-forest fit vs scikit-learn',
  file: 'bench/features.ts',
  timeoutMs: { full: 5 * 60_000, quick: 2 * 60_000 },
  report: FeaturesReport,
  figures: (r) => ({ kind: 'features' as const, ...r }),
  table: featuresTable,
});
