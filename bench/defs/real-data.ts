import { z } from 'zod';
import { defineBench } from '../lib/bench.js';

const Run = z.object({
  name: z.string(),
  testAccuracy: z.number(),
  bestValAccuracy: z.number(),
  epochs: z.number(),
  windows: z.object({ train: z.number(), validation: z.number(), test: z.number() }),
  seconds: z.number(),
});
const RealDataReport = z.object({
  backend: z.string(),
  epochs: z.number(),
  cwru10: z.object({ signals: z.number(), runs: z.array(Run) }),
  simCrossLoad: z.object({ signals: z.number(), runs: z.array(Run) }),
});

interface RealDataFigures extends z.infer<typeof RealDataReport> {
  kind: 'real-data';
}

const line = (r: z.infer<typeof Run>) =>
  `    ${r.name.padEnd(34)} test ${(100 * r.testAccuracy).toFixed(1).padStart(5)} %  (${r.windows.train}/${r.windows.validation}/${r.windows.test} windows, ${r.epochs} epochs, ${r.seconds.toFixed(0)} s)`;

export const bench = defineBench({
  name: 'real-data',
  description: 'test accuracy: 10-class CWRU 0 hp time split; simulator cross-load (train 0 hp, test 1–3 hp) with and without each option',
  file: 'bench/real-data.ts',
  timeoutMs: { full: 40 * 60_000, quick: 15 * 60_000 },
  report: RealDataReport,
  figures: (r): RealDataFigures => ({ kind: 'real-data', ...r }),
  table: (f) => [
    `  10-class CWRU 0 hp, time split (${f.cwru10.signals} signals of 4,096; ${f.backend}, reference CNN):`,
    ...f.cwru10.runs.map(line),
    `  simulator cross-load, 4 classes, train load 0, test loads 1–3 (${f.simCrossLoad.signals} signals):`,
    ...f.simCrossLoad.runs.map(line),
  ],
});
