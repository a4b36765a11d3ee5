import { z } from 'zod';
import { defineBench } from '../lib/bench.js';
import { fmt0 } from '../lib/table.js';

const AnalysisCost = z.object({ rocSec: z.number(), errorsSec: z.number(), bootstrapSec: z.number() });
const EvalReport = z.object({
  backend: z.string(),
  windows: z.number(),
  classes: z.number(),
  windowsPerSec: z.object({ inProcess: z.number(), pool1: z.number(), pool2: z.number() }),
  analyses: z.object({
    samples: z.number(),
    classes: z.number(),
    replicates: z.number(),
    ours: AnalysisCost,
    peer: z.union([
      AnalysisCost.extend({ status: z.literal('ok'), sklearn: z.string() }),
      z.object({ status: z.literal('skipped'), reason: z.string(), hint: z.string() }),
    ]),
  }),
});

interface EvalFigures extends z.infer<typeof EvalReport> {
  kind: 'eval';
}

function evalFigures(r: z.infer<typeof EvalReport>): EvalFigures {
  return { kind: 'eval', ...r };
}

function evalTable(f: EvalFigures): string[] {
  const a = f.analyses;
  const peer = a.peer.status === 'ok' ? a.peer : undefined;
  const row = (name: string, key: 'rocSec' | 'errorsSec' | 'bootstrapSec') =>
    `  ${name.padEnd(22)} ${a.ours[key].toFixed(3).padStart(9)} ${(peer ? peer[key].toFixed(3) : '—').padStart(12)}`;
  return [
    `  predictions, ${f.windows} test windows of the ${f.classes}-class CWRU split (${f.backend}): in process ${fmt0(f.windowsPerSec.inProcess)}/s, pool×1 ${fmt0(f.windowsPerSec.pool1)}/s, pool×2 ${fmt0(f.windowsPerSec.pool2)}/s`,
    `  analyses of ${a.samples} × ${a.classes} probabilities, seconds (best of runs): ${'ours'.padStart(9)} ${'scikit-learn'.padStart(12)}`,
    row('ROC + PR curves, AUC/AP', 'rocSec'),
    row('confusion, F1, calibr.', 'errorsSec'),
    row(`bootstrap ×${a.replicates}`, 'bootstrapSec'),
    ...(a.peer.status === 'skipped' ? [`  peer skipped: ${a.peer.reason} (${a.peer.hint})`] : []),
  ];
}

export const bench = defineBench({
  name: 'eval',
  description: 'evaluation: predictions/s on the CWRU 10-class test split, analyses against scikit-learn',
  file: 'bench/eval.ts',
  timeoutMs: { full: 10 * 60_000, quick: 4 * 60_000 },
  report: EvalReport,
  figures: evalFigures,
  table: evalTable,
});
