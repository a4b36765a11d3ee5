import { z } from 'zod';
import { defineBench, num } from '../lib/bench.js';
import { fmt } from '../lib/table.js';

const XaiReport = z.object({
  backend: z.string(),
  model: z.object({ heldOutAccuracy: num, heldOutSignals: z.number() }),
  methods: z.array(
    z.object({
      method: z.string(),
      msPerWindowMethod: num,
      msPerWindowExplain: num,
      signalsPerSec: num,
      pool: z.array(z.object({ size: z.number(), signals: z.number(), signalsPerSec: num })),
    }),
  ),
  workflow: z.object({
    signals: z.number(),
    stack: z.object({ slots: z.object({ cpu: z.number() }), xaiProcesses: z.number() }),
    runs: z.array(z.object({ methods: z.string(), maxInFlight: z.number(), wallSec: z.number(), signalsPerSec: z.number(), poolBusy: num })),
  }),
});

interface XaiFigures {
  kind: 'xai';
  backend: string;
  /** Accuracy of the briefly trained reference CNN on the held-out signals it explains. */
  heldOutAccuracy: number | null;
  /** Per method, one 2048-sample window per signal: ms/window alone and with faithfulness (explainSignal), signals/s in process and through the pool. */
  methods: {
    method: string;
    msPerWindowMethod: number | null;
    msPerWindowExplain: number | null;
    signalsPerSec: number | null;
    pool1SignalsPerSec: number | null;
    pool2SignalsPerSec: number | null;
  }[];
  /** explainSignalsWorkflow over the same signals per (method set, maxInFlight). */
  workflow: {
    signals: number;
    cpuSlots: number;
    xaiProcesses: number;
    runs: { methods: string; maxInFlight: number; wallSec: number; signalsPerSec: number; poolBusy: number | null }[];
  };
}

function xaiFigures(r: z.infer<typeof XaiReport>): XaiFigures {
  const pool = (m: z.infer<typeof XaiReport>['methods'][number], size: number) => m.pool.find((p) => p.size === size)?.signalsPerSec ?? null;
  return {
    kind: 'xai',
    backend: r.backend,
    heldOutAccuracy: r.model.heldOutAccuracy,
    methods: r.methods.map((m) => ({
      method: m.method,
      msPerWindowMethod: m.msPerWindowMethod,
      msPerWindowExplain: m.msPerWindowExplain,
      signalsPerSec: m.signalsPerSec,
      pool1SignalsPerSec: pool(m, 1),
      pool2SignalsPerSec: pool(m, 2),
    })),
    workflow: {
      signals: r.workflow.signals,
      cpuSlots: r.workflow.stack.slots.cpu,
      xaiProcesses: r.workflow.stack.xaiProcesses,
      runs: r.workflow.runs.map((x) => ({
        methods: x.methods,
        maxInFlight: x.maxInFlight,
        wallSec: x.wallSec,
        signalsPerSec: x.signalsPerSec,
        poolBusy: x.poolBusy,
      })),
    },
  };
}

function xaiTable(f: XaiFigures): string[] {
  const out = [
    `  reference CNN (held-out accuracy ${fmt(f.heldOutAccuracy, 2)}), one 2048-sample window per signal, ${f.backend}; explain = method + deletion-curve faithfulness + summary`,
    `  ${'method'.padEnd(21)} ${'method ms/w'.padStart(12)} ${'explain ms/w'.padStart(13)} ${'signals/s'.padStart(10)} ${'pool×1 sig/s'.padStart(13)} ${'pool×2 sig/s'.padStart(13)}`,
  ];
  for (const m of f.methods) {
    out.push(
      `  ${m.method.padEnd(21)} ${fmt(m.msPerWindowMethod, 1).padStart(12)} ${fmt(m.msPerWindowExplain, 1).padStart(13)} ${fmt(m.signalsPerSec, 2).padStart(10)} ` +
        `${fmt(m.pool1SignalsPerSec, 2).padStart(13)} ${fmt(m.pool2SignalsPerSec, 2).padStart(13)}`,
    );
  }
  const windows = [...new Set(f.workflow.runs.map((r) => r.maxInFlight))].sort((a, b) => a - b);
  out.push(
    `  explainSignalsWorkflow, ${f.workflow.signals} signals, signals/s per maxInFlight (CPU_SLOTS ${f.workflow.cpuSlots}, XAI_PROCESSES ${f.workflow.xaiProcesses})`,
    `  ${'methods'.padEnd(21)} ${windows.map((w) => `W=${w}`.padStart(7)).join(' ')}`,
  );
  for (const name of [...new Set(f.workflow.runs.map((r) => r.methods))]) {
    const cells = windows.map((w) => fmt(f.workflow.runs.find((r) => r.methods === name && r.maxInFlight === w)?.signalsPerSec, 2).padStart(7));
    out.push(`  ${name.padEnd(21)} ${cells.join(' ')}`);
  }
  return out;
}

export const bench = defineBench({
  name: 'xai',
  description: 'batch XAI: cost per method, the XAI process pool, the workflow per in-flight window',
  file: 'bench/xai.ts',
  timeoutMs: { full: 20 * 60_000, quick: 5 * 60_000 },
  report: XaiReport,
  figures: xaiFigures,
  table: xaiTable,
});
