import { z } from 'zod';
import { defineBench } from '../lib/bench.js';
import { fmt } from '../lib/table.js';

const SimulatorReport = z.object({
  signals: z.number(),
  signalsPerSec: z.number(),
  msPerSignalWall: z.number(),
  msPerSignalCpu: z.number(),
  envelopeSpectrumMedianMs: z.number(),
});

interface SimulatorFigures {
  kind: 'simulator';
  signals: number;
  signalsPerSec: number;
  msPerSignalWall: number;
  msPerSignalCpu: number;
  envelopeSpectrumMedianMs: number;
}

function simulatorFigures(r: z.infer<typeof SimulatorReport>): SimulatorFigures {
  return { kind: 'simulator', ...r };
}

function simulatorTable(f: SimulatorFigures): string[] {
  return [
    `  ${fmt(f.signalsPerSec, 1)} signals/s (${f.signals} signals; ${fmt(f.msPerSignalWall, 2)} ms/signal wall, ${fmt(f.msPerSignalCpu, 2)} ms/signal CPU)`,
    `  envelope spectrum of one signal: ${fmt(f.envelopeSpectrumMedianMs, 1)} ms median`,
  ];
}

export const bench = defineBench({
  name: 'simulator',
  description: 'simulated bearing signals per second, and the envelope spectrum of one signal',
  file: 'bench/simulator.ts',
  timeoutMs: { full: 5 * 60_000, quick: 2 * 60_000 },
  report: SimulatorReport,
  figures: simulatorFigures,
  table: simulatorTable,
});
