import { z } from 'zod';
import { defineBench, num } from '../lib/bench.js';
import { fmt } from '../lib/table.js';

const TrainingReport = z.object({
  seconds: z.number(),
  backendSelection: z.object({ name: z.string() }),
  tfjs: z.array(z.object({ backend: z.string(), trainSamplesPerSec: num, predictSamplesPerSec: num, note: z.string().optional() })),
  torch: z.object({
    python: z.string(),
    torch: z.string().optional(),
    threads: z.number().optional(),
    trainSamplesPerSec: z.number().optional(),
    predictSamplesPerSec: z.number().optional(),
    skipped: z.string().optional(),
    hint: z.string().optional(),
  }),
  ratio: z.object({ trainTorchOverTfjs: num, predictTorchOverTfjs: num }).optional(),
});

interface TrainingFigures {
  kind: 'training-throughput';
  loopSeconds: number;
  selectedBackend: string;
  tfjs: { backend: string; trainSamplesPerSec: number | null; predictSamplesPerSec: number | null; note?: string }[];
  pytorch:
    | { status: 'ok'; python: string; torch: string; threads: number | null; trainSamplesPerSec: number; predictSamplesPerSec: number | null }
    | { status: 'skipped'; python: string; reason: string; hint: string | null };
  /** PyTorch over the selected tfjs backend: above 1 means PyTorch is faster. */
  ratio: { trainPytorchOverTfjs: number | null; predictPytorchOverTfjs: number | null } | null;
}

function trainingFigures(r: z.infer<typeof TrainingReport>): TrainingFigures {
  const t = r.torch;
  return {
    kind: 'training-throughput',
    loopSeconds: r.seconds,
    selectedBackend: r.backendSelection.name,
    tfjs: r.tfjs,
    pytorch:
      t.skipped === undefined && t.trainSamplesPerSec !== undefined
        ? {
            status: 'ok',
            python: t.python,
            torch: t.torch ?? 'unknown',
            threads: t.threads ?? null,
            trainSamplesPerSec: t.trainSamplesPerSec,
            predictSamplesPerSec: t.predictSamplesPerSec ?? null,
          }
        : { status: 'skipped', python: t.python, reason: t.skipped ?? 'no figures reported', hint: t.hint ?? null },
    ratio: r.ratio ? { trainPytorchOverTfjs: r.ratio.trainTorchOverTfjs, predictPytorchOverTfjs: r.ratio.predictTorchOverTfjs } : null,
  };
}

function trainingTable(f: TrainingFigures): string[] {
  const rows: [string, string, string][] = f.tfjs.map((r, i) => [
    `tfjs ${r.backend}${i === 0 ? ' (selected)' : ''}`,
    fmt(r.trainSamplesPerSec),
    fmt(r.predictSamplesPerSec),
  ]);
  const p = f.pytorch;
  if (p.status === 'ok') rows.push([`pytorch ${p.torch} (${p.threads ?? '?'} threads)`, fmt(p.trainSamplesPerSec), fmt(p.predictSamplesPerSec)]);
  else rows.push(['pytorch: skipped (reason below)', '-', '-']);
  if (f.ratio) {
    rows.push([`ratio pytorch / tfjs ${f.selectedBackend}`, `x${fmt(f.ratio.trainPytorchOverTfjs, 2)}`, `x${fmt(f.ratio.predictPytorchOverTfjs, 2)}`]);
  }
  const out = [`  ${'runtime'.padEnd(46)} ${'train samples/s'.padStart(16)} ${'predict samples/s'.padStart(18)}`];
  for (const [a, b, c] of rows) out.push(`  ${a.padEnd(46)} ${b.padStart(16)} ${c.padStart(18)}`);
  if (p.status === 'skipped') {
    // The reason lists every interpreter tried: too long for a table cell.
    out.push(`  pytorch skipped: ${p.reason}`);
    if (p.hint) out.push(`  to run the PyTorch peer: ${p.hint}`);
  }
  return out;
}

export const bench = defineBench({
  name: 'training-throughput',
  description: 'the reference CNN: train and predict samples/s per tfjs backend, and PyTorch on the same model',
  file: 'bench/training-throughput.ts',
  timeoutMs: { full: 15 * 60_000, quick: 5 * 60_000 },
  report: TrainingReport,
  figures: trainingFigures,
  table: trainingTable,
});
