import { z } from 'zod';
import { defineBench } from '../lib/bench.js';
import { fmt0 } from '../lib/table.js';

const MatRate = z.object({ mbPerSec: z.number(), seconds: z.number() });
const MatReport = z.object({
  ours: z.record(z.string(), MatRate),
  peer: z.union([
    z.object({ status: z.literal('ok'), scipy: z.string(), formats: z.record(z.string(), MatRate) }),
    z.object({ status: z.literal('skipped'), reason: z.string(), hint: z.string() }),
  ]),
  hostile: z.object({ cases: z.number(), worstMs: z.number(), rejected: z.number() }),
});

interface MatFigures extends z.infer<typeof MatReport> {
  kind: 'mat-reader';
}

function matFigures(r: z.infer<typeof MatReport>): MatFigures {
  return { kind: 'mat-reader', ...r };
}

function matTable(f: MatFigures): string[] {
  const out = [`  ${'format'.padEnd(14)} ${'ours MB/s'.padStart(10)} ${'scipy/h5py MB/s'.padStart(16)}`];
  for (const [fmt, r] of Object.entries(f.ours)) {
    const peer = f.peer.status === 'ok' ? (f.peer.formats[fmt]?.mbPerSec ?? null) : null;
    out.push(`  ${fmt.padEnd(14)} ${fmt0(r.mbPerSec).padStart(10)} ${(peer === null ? '—' : fmt0(peer)).padStart(16)}`);
  }
  if (f.peer.status === 'skipped') out.push(`  peer skipped: ${f.peer.reason} (${f.peer.hint})`);
  out.push(`  damaged files: ${f.hostile.rejected}/${f.hostile.cases} rejected, worst ${f.hostile.worstMs.toFixed(1)} ms`);
  return out;
}

export const bench = defineBench({
  name: 'mat-reader',
  description: '.mat reading MB/s per format, ours and scipy/h5py, and damaged files rejected',
  file: 'bench/mat-reader.ts',
  timeoutMs: { full: 5 * 60_000, quick: 2 * 60_000 },
  report: MatReport,
  figures: matFigures,
  table: matTable,
});
