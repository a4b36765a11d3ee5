import { z } from 'zod';
import { defineBench, num } from '../lib/bench.js';
import { fmt } from '../lib/table.js';

const AshaCampaign = z.object({
  best: num,
  timeToTargetSec: num,
  wallSec: z.number(),
  epochsTrained: z.number(),
  trials: z.object({ completed: z.number(), pruned: z.number() }),
});
const AshaReport = z.object({
  campaign: z.object({
    trials: z.number(),
    concurrency: z.number(),
    asha: z.object({ minEpochs: z.number(), maxEpochs: z.number(), reductionFactor: z.number() }),
  }),
  target: num,
  asha: AshaCampaign,
  none: AshaCampaign,
  speedup: z.object({ timeToTarget: num, wall: z.number(), epochs: num }),
});

interface AshaFigures {
  kind: 'hpo-asha';
  trials: number;
  concurrency: number;
  maxEpochs: number;
  /** Validation accuracy both campaigns reached (the lower best). */
  target: number | null;
  campaigns: {
    pruner: 'asha' | 'none';
    best: number | null;
    timeToTargetSec: number | null;
    wallSec: number;
    epochs: number;
    completed: number;
    pruned: number;
  }[];
  /** none ÷ asha: above 1 means ASHA was faster / trained fewer epochs. */
  speedup: { timeToTarget: number | null; wall: number; epochs: number | null };
}

function ashaFigures(r: z.infer<typeof AshaReport>): AshaFigures {
  const c = (pruner: 'asha' | 'none', x: z.infer<typeof AshaCampaign>) => ({
    pruner,
    best: x.best,
    timeToTargetSec: x.timeToTargetSec,
    wallSec: x.wallSec,
    epochs: x.epochsTrained,
    completed: x.trials.completed,
    pruned: x.trials.pruned,
  });
  return {
    kind: 'hpo-asha',
    trials: r.campaign.trials,
    concurrency: r.campaign.concurrency,
    maxEpochs: r.campaign.asha.maxEpochs,
    target: r.target,
    campaigns: [c('asha', r.asha), c('none', r.none)],
    speedup: r.speedup,
  };
}

function ashaTable(f: AshaFigures): string[] {
  const out = [
    `  ${f.trials} trials, ${f.concurrency} at a time, ${f.maxEpochs} epochs full budget; target val accuracy ${fmt(f.target, 4)} (the lower best)`,
    `  ${'pruner'.padEnd(7)} ${'best'.padStart(7)} ${'time-to-target s'.padStart(17)} ${'wall s'.padStart(8)} ${'epochs'.padStart(7)} ${'completed/pruned'.padStart(17)}`,
  ];
  for (const c of f.campaigns) {
    out.push(
      `  ${c.pruner.padEnd(7)} ${fmt(c.best, 4).padStart(7)} ${fmt(c.timeToTargetSec, 1).padStart(17)} ${fmt(c.wallSec, 1).padStart(8)} ${String(c.epochs).padStart(7)} ${`${c.completed}/${c.pruned}`.padStart(17)}`,
    );
  }
  out.push(`  none / asha: time-to-target x${fmt(f.speedup.timeToTarget, 2)}, wall x${fmt(f.speedup.wall, 2)}, epochs x${fmt(f.speedup.epochs, 2)}`);
  return out;
}

export const bench = defineBench({
  name: 'hpo-asha',
  description: 'two real HPO campaigns, ASHA against no pruner: best, time to target, epochs trained',
  file: 'bench/hpo-asha.ts',
  timeoutMs: { full: 20 * 60_000, quick: 6 * 60_000 },
  report: AshaReport,
  figures: ashaFigures,
  table: ashaTable,
});
