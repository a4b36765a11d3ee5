import { z } from 'zod';
import { defineBench } from '../lib/bench.js';

const Comparison = z.object({
  name: z.string(),
  classes: z.number(),
  signals: z.object({ train: z.number(), validation: z.number(), test: z.number() }),
  cnn: z.object({ testAccuracy: z.number(), bestValAccuracy: z.number(), epochs: z.number(), testWindows: z.number(), seconds: z.number() }),
  forest: z.object({
    testAccuracy: z.number(),
    validationAccuracy: z.number(),
    macroF1: z.number(),
    testRows: z.number(),
    features: z.number(),
    fitSeconds: z.number(),
  }),
  forestMrmr10: z.object({ testAccuracy: z.number(), validationAccuracy: z.number(), features: z.array(z.string()) }),
  forestScaleFree: z.object({ testAccuracy: z.number(), validationAccuracy: z.number(), features: z.number() }),
});
const BaselineReport = z.object({ backend: z.string(), epochs: z.number(), simulated: Comparison, crossLoad: Comparison, cwru: Comparison });

interface BaselineFigures extends z.infer<typeof BaselineReport> {
  kind: 'features-baseline';
}

const pct = (v: number) => `${(100 * v).toFixed(1).padStart(5)} %`;
const line = (c: z.infer<typeof Comparison>) =>
  `    ${c.name.padEnd(30)} CNN ${pct(c.cnn.testAccuracy)}  forest ${pct(c.forest.testAccuracy)}  forest mRMR-10 ${pct(c.forestMrmr10.testAccuracy)}  scale-free ${pct(c.forestScaleFree.testAccuracy)}  (${c.cnn.testWindows} test windows from ${c.signals.test} signals)`;

export const bench = defineBench({
  name: 'features-baseline',
  description:
    'test accuracy of the reference CNN and of a random forest on features, same split and windows: simulated, simulated cross-load, CWRU 10-class time split',
  file: 'bench/features-baseline.ts',
  timeoutMs: { full: 20 * 60_000, quick: 10 * 60_000 },
  report: BaselineReport,
  figures: (r): BaselineFigures => ({ kind: 'features-baseline', ...r }),
  table: (f) => [
    `  CNN (${f.epochs} epochs, ${f.backend}) vs random forest (100 trees, 40 features) on the same split, per window:`,
    ...[f.simulated, f.crossLoad, f.cwru].map(line),
  ],
});
