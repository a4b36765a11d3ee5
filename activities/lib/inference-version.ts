import { listModelVersions } from '../../db/repos/model-versions.js';
import type { Database } from '../../db/types.js';

/** Exported forms that compute what the tfjs model computes (within the export's 1e-4 parity check). */
const EXACT_KINDS = new Set(['onnx-optimized', 'onnx-fp32']);
const USABLE_STATUSES = new Set(['published', 'validated', 'retired']);

interface EngineFigure {
  engine?: unknown;
  versionId?: unknown;
  threads?: unknown;
  throughput64?: unknown;
}

/** Windows/s at batch 64 of one engine in a version's recorded benchmark (deployModelWorkflow's benchmark step). */
function throughput(benchmark: unknown, match: (e: EngineFigure) => boolean): number | undefined {
  if (!Array.isArray(benchmark)) return undefined;
  const hit = (benchmark as EngineFigure[]).find((e) => e && typeof e === 'object' && match(e));
  return typeof hit?.throughput64 === 'number' && Number.isFinite(hit.throughput64) ? hit.throughput64 : undefined;
}

/**
 * The exported version batch inference should run on instead of tfjs, if any: an fp32 or
 * optimised export of this experiment's model that passed validation, whose own benchmark (same
 * machine, same run) measured onnxruntime on one thread faster than the worker's tfjs backend.
 * Quantized versions never qualify: their predictions differ from the model's by design. The
 * published version comes first, then the optimised form, then the newest.
 */
export async function inferenceVersion(db: Database, experimentId: string): Promise<{ uri: string; versionId: string; speedup: number } | undefined> {
  const rows = await listModelVersions(db, experimentId);
  const candidates = rows
    .filter((r) => EXACT_KINDS.has(r.kind) && USABLE_STATUSES.has(r.status))
    .map((r) => {
      const bench = r.metrics.benchmark;
      const ort = throughput(bench, (e) => e.versionId === r.id && e.threads === 1);
      const tfjs = throughput(bench, (e) => e.versionId === null);
      return { row: r, speedup: ort !== undefined && tfjs !== undefined && tfjs > 0 ? ort / tfjs : undefined };
    })
    .filter((c): c is { row: (typeof rows)[number]; speedup: number } => c.speedup !== undefined && c.speedup > 1);
  candidates.sort(
    (a, b) =>
      Number(b.row.published) - Number(a.row.published) ||
      Number(b.row.kind === 'onnx-optimized') - Number(a.row.kind === 'onnx-optimized') ||
      b.row.createdAt.getTime() - a.row.createdAt.getTime(),
  );
  const best = candidates[0];
  return best ? { uri: best.row.artifactUri, versionId: best.row.id, speedup: best.speedup } : undefined;
}
