/**
 * Timing of one engine on one machine: latency percentiles at batch 1, throughput at batch 64
 * and 256, cold start, size and peak RSS. Figures, not assertions: the deadlines live in bench/.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { EngineBenchmark } from '../../contracts/index.js';
import { deserializeModel, disposeModel } from '../../ml/model/index.js';
import { createSession, INPUT_NAME, OUTPUT_NAME, runWindows } from '../../ml/onnx/index.js';

export interface BenchWindows {
  x: Float32Array;
  count: number;
  windowLength: number;
}

type Predict = (x: Float32Array, n: number) => Promise<void>;

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

const rssMb = (): number => process.memoryUsage().rss / 2 ** 20;

async function measure(predict: Predict, w: BenchWindows, runs: number, beat: (what: string) => void, what: string) {
  const L = w.windowLength;
  let peak = rssMb();
  const latencies: number[] = [];
  for (let i = 0; i < runs; i++) {
    const j = i % w.count;
    const t0 = performance.now();
    await predict(w.x.subarray(j * L, (j + 1) * L), 1);
    latencies.push(performance.now() - t0);
    if (i % 50 === 0) beat(`${what}: latency ${i}/${runs}`);
  }
  peak = Math.max(peak, rssMb());
  latencies.sort((a, b) => a - b);
  const throughput = async (batch: number): Promise<number> => {
    const n = Math.min(batch, w.count);
    await predict(w.x.subarray(0, n * L), n); // warm this batch shape
    // At least 512 windows and a quarter of a second: a fast engine finishes 512 windows in a few
    // milliseconds, where one scheduler hiccup on a shared machine would be most of the figure.
    const minReps = Math.max(2, Math.ceil(512 / n));
    const t0 = performance.now();
    let reps = 0;
    while (reps < minReps || (performance.now() - t0 < 250 && reps < 100_000)) {
      await predict(w.x.subarray(0, n * L), n);
      reps++;
      if (reps % 64 === 0) beat(`${what}: throughput at batch ${batch}, ${reps} batches`);
    }
    const seconds = (performance.now() - t0) / 1000;
    peak = Math.max(peak, rssMb());
    beat(`${what}: throughput at batch ${batch}`);
    return (n * reps) / seconds;
  };
  const throughput64 = await throughput(64);
  const throughput256 = await throughput(256);
  return { p50Ms: percentile(latencies, 50), p95Ms: percentile(latencies, 95), p99Ms: percentile(latencies, 99), throughput64, throughput256, peakRssMb: peak };
}

export async function benchmarkTfjs(modelBytes: Uint8Array, w: BenchWindows, opts: { runs: number; beat: (what: string) => void }): Promise<EngineBenchmark> {
  const t0 = performance.now();
  const model = await deserializeModel(modelBytes);
  const L = w.windowLength;
  const predict: Predict = async (x, n) => {
    const out = tf.tidy(() => model.predict(tf.tensor3d(x, [n, L, 1])) as tf.Tensor);
    await out.data();
    out.dispose();
  };
  try {
    await predict(w.x.subarray(0, L), 1);
    const coldStartMs = performance.now() - t0;
    const figures = await measure(predict, w, opts.runs, opts.beat, 'tfjs');
    return { engine: `tfjs-${tf.getBackend()}`, versionId: null, threads: 1, coldStartMs, bytes: modelBytes.length, ...figures };
  } finally {
    disposeModel(model);
  }
}

export async function benchmarkOrt(
  bytes: Uint8Array,
  w: BenchWindows,
  opts: { runs: number; threads: number; versionId: string; beat: (what: string) => void },
): Promise<EngineBenchmark> {
  const t0 = performance.now();
  const session = await createSession(bytes, { threads: opts.threads });
  const L = w.windowLength;
  const predict: Predict = async (x, n) => {
    await runWindows(session, x, n, L, { inputName: INPUT_NAME, outputNames: [OUTPUT_NAME], batchSize: n });
  };
  try {
    await predict(w.x.subarray(0, L), 1);
    const coldStartMs = performance.now() - t0;
    const figures = await measure(predict, w, opts.runs, opts.beat, `onnxruntime ${opts.versionId} x${opts.threads}`);
    return { engine: 'onnxruntime-cpu', versionId: opts.versionId, threads: opts.threads, coldStartMs, bytes: bytes.length, ...figures };
  } finally {
    await session.release();
  }
}
