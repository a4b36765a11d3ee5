import { z } from 'zod';
import { defineBench } from '../lib/bench.js';

const Cell = z.object({
  system: z.string(),
  version: z.string(),
  threads: z.number(),
  batch: z.number(),
  trainSamplesPerSec: z.number(),
  trainSamplesPerCpuSec: z.number(),
  predictSamplesPerSec: z.number(),
  predictSamplesPerCpuSec: z.number(),
});
const BackendsReport = z.object({ seconds: z.number(), cells: z.array(Cell), skipped: z.array(z.string()).default([]) });

interface BackendsFigures extends z.infer<typeof BackendsReport> {
  kind: 'training-backends';
  /** Per batch size: training samples per CPU-second of each system over PyTorch's (1 thread), null when a side is missing. */
  trainPerCpuSecOverPytorch: { batch: number; system: string; ratio: number | null }[];
}

function figures(r: z.infer<typeof BackendsReport>): BackendsFigures {
  const single = r.cells.filter((c) => c.threads === 1);
  const ratios = single
    .filter((c) => c.system !== 'pytorch cpu')
    .map((c) => {
      const torch = single.find((t) => t.system === 'pytorch cpu' && t.batch === c.batch);
      return { batch: c.batch, system: c.system, ratio: torch ? c.trainSamplesPerCpuSec / torch.trainSamplesPerCpuSec : null };
    });
  return { kind: 'training-backends', ...r, trainPerCpuSecOverPytorch: ratios };
}

function table(f: BackendsFigures): string[] {
  const n = (v: number) => v.toFixed(0).padStart(9);
  return [
    `  reference CNN, ${f.seconds} s per cell: ${'system'.padEnd(12)} thr batch   train/s train/cpu-s    pred/s`,
    ...f.cells.map(
      (c) =>
        `  ${' '.repeat(30)}${c.system.padEnd(12)} ${String(c.threads).padStart(3)} ${String(c.batch).padStart(5)} ${n(c.trainSamplesPerSec)} ${n(c.trainSamplesPerCpuSec).padStart(11)} ${n(c.predictSamplesPerSec)}`,
    ),
    ...f.trainPerCpuSecOverPytorch.map(
      (r) => `  ${r.system} / PyTorch, training per CPU-second at batch ${r.batch}: ${r.ratio === null ? '—' : `${r.ratio.toFixed(2)}×`}`,
    ),
    ...f.skipped.map((s) => `  skipped: ${s}`),
  ];
}

export const bench = defineBench({
  name: 'training-backends',
  description: 'reference CNN training/prediction samples per CPU-second: tfjs-node (native TensorFlow) vs tfjs wasm vs PyTorch, 1–2 threads, batch 32/256',
  file: 'bench/training-backends.ts',
  timeoutMs: { full: 20 * 60_000, quick: 8 * 60_000 },
  report: BackendsReport,
  figures,
  table,
});
