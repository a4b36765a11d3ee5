import { z } from 'zod';
import { defineBench } from '../lib/bench.js';
import { fmt } from '../lib/table.js';

const OrchRow = z.object({ concurrency: z.number(), trialsPerSec: z.number(), msPerTrialWall: z.number(), overheadMsPerTrial: z.number() });
const OrchestrationReport = z.object({
  trials: z.number(),
  ours: z.array(OrchRow),
  celery: z.discriminatedUnion('status', [
    z.object({ status: z.literal('ok'), celery: z.string(), workerConcurrency: z.number(), results: z.array(OrchRow) }),
    z.object({ status: z.literal('skipped'), reason: z.string(), hint: z.string() }),
  ]),
  ratio: z.array(z.object({ concurrency: z.number(), trialsPerSecOursOverCelery: z.number(), msPerTrialOursOverCelery: z.number() })),
  // Absent in reports written before the Optuna peer existed.
  optuna: z
    .discriminatedUnion('status', [
      z.object({
        status: z.literal('ok'),
        optuna: z.string(),
        results: z.array(z.object({ concurrency: z.number(), trialsPerSec: z.number(), msPerTrialWall: z.number() })),
      }),
      z.object({ status: z.literal('skipped'), reason: z.string(), hint: z.string() }),
    ])
    .optional(),
});

interface OrchestrationFigures {
  kind: 'hpo-orchestration';
  trials: number;
  /** Per concurrency (trials in flight): trials/s, ms/trial (= wall / trials) and slot overhead ms/trial. */
  rows: {
    concurrency: number;
    ours: { trialsPerSec: number; msPerTrial: number; slotMsPerTrial: number };
    celery: { trialsPerSec: number; msPerTrial: number; slotMsPerTrial: number } | null;
    /** Optuna, RDBStorage on the local Postgres, n_jobs = C. */
    optuna: { trialsPerSec: number; msPerTrial: number } | null;
    /** Ours ÷ Celery trials/s: above 1 means we are faster. */
    trialsPerSecOursOverCelery: number | null;
  }[];
  celery: { status: 'ok'; version: string; workerConcurrency: number } | { status: 'skipped'; reason: string; hint: string };
  optuna: { status: 'ok'; version: string } | { status: 'skipped'; reason: string; hint: string } | null;
}

function orchestrationFigures(r: z.infer<typeof OrchestrationReport>): OrchestrationFigures {
  const pick = (x: z.infer<typeof OrchRow>) => ({ trialsPerSec: x.trialsPerSec, msPerTrial: x.msPerTrialWall, slotMsPerTrial: x.overheadMsPerTrial });
  return {
    kind: 'hpo-orchestration',
    trials: r.trials,
    rows: r.ours.map((o) => {
      const p = r.celery.status === 'ok' ? r.celery.results.find((c) => c.concurrency === o.concurrency) : undefined;
      const q = r.optuna?.status === 'ok' ? r.optuna.results.find((c) => c.concurrency === o.concurrency) : undefined;
      return {
        concurrency: o.concurrency,
        ours: pick(o),
        celery: p ? pick(p) : null,
        optuna: q ? { trialsPerSec: q.trialsPerSec, msPerTrial: q.msPerTrialWall } : null,
        trialsPerSecOursOverCelery: r.ratio.find((x) => x.concurrency === o.concurrency)?.trialsPerSecOursOverCelery ?? null,
      };
    }),
    celery:
      r.celery.status === 'ok'
        ? { status: 'ok', version: r.celery.celery, workerConcurrency: r.celery.workerConcurrency }
        : { status: 'skipped', reason: r.celery.reason, hint: r.celery.hint },
    optuna: !r.optuna
      ? null
      : r.optuna.status === 'ok'
        ? { status: 'ok', version: r.optuna.optuna }
        : { status: 'skipped', reason: r.optuna.reason, hint: r.optuna.hint },
  };
}

function orchestrationTable(f: OrchestrationFigures): string[] {
  const out = [
    `  ${f.trials} Branin trials per campaign; ms/trial = wall / trials; slot = wall × C / trials − evaluation time`,
    `  ${'C'.padStart(3)} ${'ours trials/s'.padStart(14)} ${'ms/trial'.padStart(9)} ${'slot ms'.padStart(8)}   ${'celery trials/s'.padStart(15)} ${'ms/trial'.padStart(9)} ${'slot ms'.padStart(8)}   ${'ours/celery'.padStart(11)}`,
  ];
  for (const r of f.rows) {
    out.push(
      `  ${String(r.concurrency).padStart(3)} ${fmt(r.ours.trialsPerSec, 1).padStart(14)} ${fmt(r.ours.msPerTrial, 2).padStart(9)} ${fmt(r.ours.slotMsPerTrial, 1).padStart(8)}   ` +
        `${fmt(r.celery?.trialsPerSec, 1).padStart(15)} ${fmt(r.celery?.msPerTrial, 2).padStart(9)} ${fmt(r.celery?.slotMsPerTrial, 1).padStart(8)}   ${`x${fmt(r.trialsPerSecOursOverCelery, 3)}`.padStart(11)}`,
    );
  }
  for (const r of f.rows) {
    if (r.optuna)
      out.push(
        `  ${String(r.concurrency).padStart(3)} optuna (RDB on postgres) ${fmt(r.optuna.trialsPerSec, 1)} trials/s, ${fmt(r.optuna.msPerTrial, 2)} ms/trial`,
      );
  }
  if (f.optuna?.status === 'ok') out.push(`  optuna ${f.optuna.version}, RDBStorage on the local Postgres, study.optimize(n_jobs = C)`);
  else if (f.optuna) out.push(`  optuna skipped: ${f.optuna.reason}`, `  to run the Optuna peer: ${f.optuna.hint}`);
  if (f.celery.status === 'ok') out.push(`  celery ${f.celery.version}, prefork, ${f.celery.workerConcurrency} worker processes, Redis broker and backend`);
  else out.push(`  celery skipped: ${f.celery.reason}`, `  to run the Celery peer: ${f.celery.hint}`);
  return out;
}

export const bench = defineBench({
  name: 'hpo-orchestration',
  description: 'HPO campaign throughput per concurrency: trials/s and slot overhead, ours and Celery',
  file: 'bench/hpo-orchestration.ts',
  timeoutMs: { full: 15 * 60_000, quick: 5 * 60_000 },
  report: OrchestrationReport,
  figures: orchestrationFigures,
  table: orchestrationTable,
});
