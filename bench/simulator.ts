/**
 * Simulator throughput: signals/s at the default 12 kHz × 102,400 samples, per class, and the
 * cost of one envelope spectrum. Not a test (timings depend on the machine).
 *   npx tsx bench/simulator.ts [signalsPerClass] [--quick]
 * --quick: 5 signals per class unless a count is given (a smoke check). The last stdout line is
 * the figures as JSON (bench/run.ts parses it).
 */
import { SimulatorConfigSchema } from '../contracts/index.js';
import { countSignals, envelopeBandHz, envelopeSpectrum, planSignal, simulateSignal } from '../ml/signal/index.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
// The positional count is the first non-flag argument, so `--quick` may come before or after it.
const signalsPerClass = Number(args.find((a) => !a.startsWith('--')) ?? (quick ? 5 : 25));
const config = SimulatorConfigSchema.parse({ signalsPerClass });
const { samplingRateHz: fs, signalLength: n } = config;

// Warm up the JIT and fft.js's twiddle tables so the first measurement is not a compile.
for (let i = 0; i < 8; i++) envelopeSpectrum(simulateSignal(planSignal(config, i % countSignals(config)), fs, n), fs, envelopeBandHz(fs));

const perClass = new Map<string, number[]>();
const start = performance.now();
// CPU time too: on a shared, loaded machine wall time mostly measures the other processes.
const cpuStart = process.cpuUsage();
let last: Float32Array = new Float32Array(0);
for (let i = 0; i < countSignals(config); i++) {
  const spec = planSignal(config, i);
  const t0 = performance.now();
  last = simulateSignal(spec, fs, n);
  const ms = performance.now() - t0;
  perClass.set(spec.label, [...(perClass.get(spec.label) ?? []), ms]);
}
const totalMs = performance.now() - start;
const cpu = process.cpuUsage(cpuStart);
const cpuMs = (cpu.user + cpu.system) / 1000;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`simulateSignal, ${n} samples at ${fs} Hz, ${countSignals(config)} signals:`);
console.log(
  `  ${((countSignals(config) / totalMs) * 1000).toFixed(1)} signals/s, ${(totalMs / countSignals(config)).toFixed(2)} ms/signal mean (wall), ${(cpuMs / countSignals(config)).toFixed(2)} ms/signal CPU`,
);
for (const [label, ms] of perClass) {
  console.log(`  ${label.padEnd(11)} median ${median(ms).toFixed(2)} ms, max ${Math.max(...ms).toFixed(2)} ms`);
}

const envMs: number[] = [];
for (let i = 0; i < 20; i++) {
  const t0 = performance.now();
  envelopeSpectrum(last, fs, envelopeBandHz(fs));
  envMs.push(performance.now() - t0);
}
console.log(`envelopeSpectrum of one signal: median ${median(envMs).toFixed(2)} ms`);
// Last stdout line, one line of JSON: the contract with bench/run.ts.
console.log(
  JSON.stringify({
    quick,
    signals: countSignals(config),
    samplesPerSignal: n,
    samplingRateHz: fs,
    signalsPerSec: (countSignals(config) / totalMs) * 1000,
    msPerSignalWall: totalMs / countSignals(config),
    msPerSignalCpu: cpuMs / countSignals(config),
    medianMsByClass: Object.fromEntries([...perClass].map(([label, ms]) => [label, median(ms)])),
    envelopeSpectrumMedianMs: median(envMs),
  }),
);
