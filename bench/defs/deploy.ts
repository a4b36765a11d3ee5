import { z } from 'zod';
import { defineBench, num } from '../lib/bench.js';
import { fmt0 } from '../lib/table.js';

const DeployReport = z.object({
  backend: z.string(),
  cpus: z.number(),
  loadAverage: z.number(),
  windows: z.object({ train: z.number(), test: z.number() }),
  engines: z.array(
    z.object({
      engine: z.string(),
      version: z.string().nullable(),
      threads: z.number(),
      p50Ms: num,
      p99Ms: num,
      throughput64: num,
      throughput256: num,
      bytes: z.number(),
      accuracy: z.number(),
    }),
  ),
  speedup: z.object({ fp32: num, optimized: num, int8Static: num, int8Dynamic: num }),
  int8AccuracyLossPp: num,
});

interface DeployFigures {
  kind: 'deploy';
  backend: string;
  cpus: number;
  loadAverage: number;
  testWindows: number;
  /** One row per engine × version × threads: what the README table shows. */
  rows: {
    engine: string;
    threads: number;
    p50Ms: number | null;
    p99Ms: number | null;
    throughput64: number | null;
    throughput256: number | null;
    bytes: number;
    accuracy: number;
  }[];
  /** ORT (1 thread) over tfjs throughput at batch 64. */
  int8StaticSpeedup: number | null;
  fp32Speedup: number | null;
  int8AccuracyLossPp: number | null;
}

function deployFigures(r: z.infer<typeof DeployReport>): DeployFigures {
  return {
    kind: 'deploy',
    backend: r.backend,
    cpus: r.cpus,
    loadAverage: r.loadAverage,
    testWindows: r.windows.test,
    rows: r.engines.map((e) => ({
      engine: e.version ? `onnxruntime ${e.version.replace(/^onnx-/, '')}` : e.engine,
      threads: e.threads,
      p50Ms: e.p50Ms,
      p99Ms: e.p99Ms,
      throughput64: e.throughput64,
      throughput256: e.throughput256,
      bytes: e.bytes,
      accuracy: e.accuracy,
    })),
    int8StaticSpeedup: r.speedup.int8Static,
    fp32Speedup: r.speedup.fp32,
    int8AccuracyLossPp: r.int8AccuracyLossPp,
  };
}

const ms = (v: number | null) => (v === null ? '—' : v.toFixed(3));

function deployTable(f: DeployFigures): string[] {
  return [
    `  reference CNN, ${f.testWindows} held-out windows, ${f.cpus} cpus, load ${f.loadAverage.toFixed(1)}; int8 static ${f.int8StaticSpeedup?.toFixed(1) ?? '—'}x tfjs at batch 64 (fp32 ${f.fp32Speedup?.toFixed(1) ?? '—'}x), accuracy loss ${f.int8AccuracyLossPp?.toFixed(2) ?? '—'} pp`,
    `  ${'engine'.padEnd(28)} thr  p50 ms  p99 ms  win/s@64 win/s@256   bytes  acc %`,
    ...f.rows.map(
      (r) =>
        `  ${r.engine.padEnd(28)} ${String(r.threads).padStart(3)} ${ms(r.p50Ms).padStart(7)} ${ms(r.p99Ms).padStart(7)} ${(r.throughput64 === null ? '—' : fmt0(r.throughput64)).padStart(9)} ${(r.throughput256 === null ? '—' : fmt0(r.throughput256)).padStart(9)} ${String(r.bytes).padStart(7)} ${(r.accuracy * 100).toFixed(2).padStart(6)}`,
    ),
  ];
}

export const bench = defineBench({
  name: 'deploy',
  description: 'deployment: tfjs vs onnxruntime fp32 / optimised / int8 static / int8 dynamic / float16, latency, throughput, size, accuracy (~3 min)',
  file: 'bench/deploy.ts',
  timeoutMs: { full: 15 * 60_000, quick: 5 * 60_000 },
  report: DeployReport,
  figures: deployFigures,
  table: deployTable,
});
