import ort from 'onnxruntime-node';

/**
 * onnxruntime-node sessions on the CPU execution provider. One place decides the session
 * options, so the parity check, the benchmark and batch inference run the model alike.
 */
export type GraphOptimization = 'disabled' | 'basic' | 'extended' | 'all';

export interface SessionOptions {
  /** Intra-op threads; 1 for a latency figure that does not depend on the machine's load. */
  threads?: number;
  optimization?: GraphOptimization;
  /** Write the graph as optimised by onnxruntime to this path (offline optimisation). */
  optimizedModelPath?: string;
}

export type OrtSession = ort.InferenceSession;

export async function createSession(bytes: Uint8Array, opts: SessionOptions = {}): Promise<OrtSession> {
  return ort.InferenceSession.create(bytes, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: opts.optimization ?? 'all',
    intraOpNumThreads: opts.threads ?? 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    ...(opts.optimizedModelPath ? { optimizedModelFilePath: opts.optimizedModelPath } : {}),
  });
}

/**
 * Runs `count` windows of `windowLength` samples (row-major in `x`) through the session in
 * batches; returns every requested output, concatenated over the batches.
 */
export async function runWindows(
  session: OrtSession,
  x: Float32Array,
  count: number,
  windowLength: number,
  opts: { inputName: string; outputNames: string[]; batchSize?: number; channels?: number },
): Promise<Map<string, { data: Float32Array; dims: number[] }>> {
  const channels = opts.channels ?? 1;
  const batchSize = opts.batchSize ?? 64;
  const per = windowLength * channels;
  if (x.length !== count * per) throw new Error(`runWindows: x holds ${x.length} values, expected ${count} x ${per}`);
  const parts = new Map<string, Float32Array[]>(opts.outputNames.map((n) => [n, []]));
  const dims = new Map<string, number[]>();
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const input = new ort.Tensor('float32', x.subarray(start * per, (start + n) * per), [n, windowLength, channels]);
    const out = await session.run({ [opts.inputName]: input }, opts.outputNames);
    for (const name of opts.outputNames) {
      const t = out[name];
      parts.get(name)?.push(Float32Array.from(t.data as Float32Array));
      dims.set(name, [...t.dims]);
      t.dispose();
    }
    input.dispose();
  }
  const result = new Map<string, { data: Float32Array; dims: number[] }>();
  for (const [name, chunks] of parts) {
    const total = chunks.reduce((a, c) => a + c.length, 0);
    const data = new Float32Array(total);
    let off = 0;
    for (const c of chunks) {
      data.set(c, off);
      off += c.length;
    }
    const d = dims.get(name) ?? [];
    result.set(name, { data, dims: [count, ...d.slice(1)] });
  }
  return result;
}

/** The onnxruntime-node version, for the record of what computed a prediction. */
export function ortVersion(): string {
  return ort.env.versions.node ?? ort.env.versions.common ?? 'unknown';
}
