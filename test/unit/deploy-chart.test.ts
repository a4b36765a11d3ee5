import { describe, expect, it } from 'vitest';
import type { EngineBenchmark } from '../../contracts/deploy.js';
import { renderBenchmarkSvg } from '../../ml/onnx/benchmark-chart.js';

const engine = (versionId: string | null, threads: number, throughput64: number): EngineBenchmark => ({
  engine: versionId === null ? 'tfjs-wasm' : 'onnxruntime-cpu',
  versionId,
  threads,
  p50Ms: 0.1,
  p95Ms: 0.2,
  p99Ms: 0.3,
  throughput64,
  throughput256: throughput64,
  coldStartMs: 5,
  bytes: 2048,
  peakRssMb: 100,
});

describe('deployment benchmark chart', () => {
  it('draws one bar per engine run, as long as its throughput, with the ratio to tfjs', () => {
    const svg = renderBenchmarkSvg([engine(null, 1, 1000), engine('d.onnx-fp32', 1, 4000), engine('d.onnx-int8-static', 1, 8000)], 'deployment d');
    const widths = [...svg.matchAll(/<rect x="280" y="\d+" width="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(widths).toEqual([52.5, 210, 420]);
    expect(svg).toContain('4,000 windows/s (4.0× tfjs)');
    expect(svg).toContain('8,000 windows/s (8.0× tfjs)');
    expect(svg).toContain('<title>deployment d</title>');
  });

  it('escapes names and survives a non-finite figure', () => {
    const svg = renderBenchmarkSvg([engine(null, 1, Number.NaN), engine('a<b>&"c', 2, 10)], 'x & y');
    expect(svg).toContain('a&lt;b&gt;&amp;');
    expect(svg).not.toContain('NaN');
  });
});
