/**
 * ASHA vs no pruning on a real small campaign: the same dataset, the same
 * random sampler and seed (so both campaigns draw the same configurations in the same order), the
 * same trial budget and concurrency, real training (a child trainModelWorkflow per trial and rung,
 * tfjs on this machine); one campaign prunes with ASHA, the other trains every trial to the full
 * budget.
 *
 *   npx tsx bench/hpo-asha.ts            # 4 classes × 10 signals × 65,536 samples (32 windows of 2048); 12 trials, 2 at a time, 9 epochs, ASHA rungs 1/3/9
 *   npx tsx bench/hpo-asha.ts --quick    # 6 signals per class, 4 trials, 3 epochs (rungs 1/3); results file untouched
 *
 * Figures per campaign:
 *   best           best validation accuracy of a trial that trained the full budget (the campaign's result)
 *   target         the lower of the two bests: a value both campaigns reached
 *   time-to-target seconds from the campaign's start to the completion of its first full-budget
 *                  trial at or above the target (trial rows: completed_at)
 *   wall           start → result (includes the report)
 *   epochs         epochs actually trained, counted in epoch_metrics over the campaign's
 *                  experiments (a promoted ASHA trial resumes from its checkpoint, so a rung run
 *                  trains only the epochs between rungs)
 * Early stopping is off (patience 0) so a trial trains exactly its budget.
 *
 * Stack as in bench/hpo-orchestration.ts (bench/lib/stack.ts): dev server, PGlite (or Postgres with
 * DATABASE_URL), all workers in this process with the default slots (train: min(cores, 2)).
 * Prints a table, then the report as JSON on the last stdout line (bench/run.ts parses it);
 * writes bench/results/hpo-asha.json except with --quick. Not part of npm test.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { and, count, eq, sum } from 'drizzle-orm';
import type { HpoCampaignRequest, HpoCampaignResult, SearchSpaceInput } from '../contracts/index.js';
import { workflowIds, WORKFLOW_TASK_QUEUE } from '../contracts/index.js';
import { listTrials } from '../db/repos/campaigns.js';
import { epochMetrics, experiments } from '../db/schema.js';
import { generateBenchDataset, loadavg, startBenchStack, type BenchStack } from './lib/stack.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const QUICK = process.argv.includes('--quick');

const SETUP = QUICK
  ? { signalsPerClass: 6, signalLength: 16_384, trials: 4, concurrency: 2, minEpochs: 1, maxEpochs: 3, reductionFactor: 3 }
  : { signalsPerClass: 10, signalLength: 65_536, trials: 12, concurrency: 2, minEpochs: 1, maxEpochs: 9, reductionFactor: 3 };
/** SNR range of the dataset (dB): hard enough that the configurations differ. */
const SNR_DB: [number, number] = [-3, 5];
const SAMPLER_SEED = 3;

/** A small space: learning rate and the width/kernel of a two-block CNN. */
const SPACE = {
  learningRate: { type: 'float', low: 3e-4, high: 3e-2, log: true },
  filters1: { type: 'int', low: 8, high: 32, log: true },
  kernelSize1: { type: 'int', low: 16, high: 64, step: 16 },
  filters2: { type: 'int', low: 8, high: 64, log: true },
  kernelSize2: { type: 'categorical', choices: [3, 5] },
} satisfies SearchSpaceInput;
const BASE = { patience: 0, maxWindowsPerSignal: 32, batchSize: 32, seed: 1 };

type PrunerKind = 'asha' | 'none';

interface TrialPoint {
  number: number;
  status: string;
  rung: number;
  value: number | null;
  /** Seconds from the campaign's start to the trial's completion. */
  completedSec: number | null;
}

interface CampaignFigures {
  pruner: PrunerKind;
  campaignId: string;
  wallSec: number;
  best: number | null;
  trials: HpoCampaignResult['trials'];
  epochsTrained: number;
  /** Sum of the epochs' own durations (training compute, both slots added up). */
  trainingSec: number;
  timeToTargetSec: number | null;
  trialPoints: TrialPoint[];
}

interface Report {
  dataset: { id: string; classes: number; signalsPerClass: number; signalLength: number; generationSec: number };
  campaign: {
    trials: number;
    concurrency: number;
    sampler: string;
    space: typeof SPACE;
    base: typeof BASE;
    asha: { minEpochs: number; maxEpochs: number; reductionFactor: number };
  };
  stack: { database: string; slots: { control: number; cpu: number; train: number } };
  /** The validation accuracy both campaigns reached (the lower best). */
  target: number | null;
  asha: CampaignFigures;
  none: CampaignFigures;
  /** none ÷ asha: above 1 means ASHA got there faster / trained fewer epochs. */
  speedup: { timeToTarget: number | null; wall: number; epochs: number | null };
  loadAverage: { start: number[]; end: number[] };
}

async function runCampaign(
  stack: BenchStack,
  campaignId: string,
  datasetId: string,
  pruner: PrunerKind,
): Promise<Omit<CampaignFigures, 'timeToTargetSec'> & { startedAtMs: number }> {
  const input: HpoCampaignRequest = {
    campaignId,
    datasetId,
    space: SPACE,
    base: BASE,
    sampler: { kind: 'random', seed: SAMPLER_SEED },
    pruner:
      pruner === 'asha'
        ? { kind: 'asha', minEpochs: SETUP.minEpochs, maxEpochs: SETUP.maxEpochs, reductionFactor: SETUP.reductionFactor }
        : { kind: 'none', minEpochs: SETUP.maxEpochs, maxEpochs: SETUP.maxEpochs, reductionFactor: SETUP.reductionFactor },
    objective: { metric: 'valAccuracy', direction: 'maximize' },
    evaluator: { kind: 'training' },
    maxTrials: SETUP.trials,
    maxConcurrentTrials: SETUP.concurrency,
    maxFailedTrials: 0,
    trialAttempts: 1,
  };
  const startedAtMs = Date.now();
  const t0 = performance.now();
  const handle = await stack.client.workflow.start('hpoCampaignWorkflow', {
    args: [input],
    taskQueue: WORKFLOW_TASK_QUEUE,
    workflowId: workflowIds.hpo(campaignId),
  });
  const result = (await handle.result()) as HpoCampaignResult;
  const wallSec = (performance.now() - t0) / 1000;
  const rows = await listTrials(stack.db, campaignId);
  const [epochs] = await stack.db
    .select({ n: count(), ms: sum(epochMetrics.durationMs) })
    .from(epochMetrics)
    .innerJoin(experiments, eq(epochMetrics.experimentId, experiments.id))
    .where(and(eq(experiments.campaignId, campaignId)));
  return {
    pruner,
    campaignId,
    wallSec,
    best: result.best?.value ?? null,
    trials: result.trials,
    epochsTrained: epochs?.n ?? 0,
    trainingSec: Number(epochs?.ms ?? 0) / 1000,
    trialPoints: rows.map((r) => ({
      number: r.number,
      status: r.status,
      rung: r.rung,
      value: r.value,
      completedSec: r.completedAt ? (r.completedAt.getTime() - startedAtMs) / 1000 : null,
    })),
    startedAtMs,
  };
}

function timeToTarget(points: TrialPoint[], target: number | null): number | null {
  if (target === null) return null;
  const hits = points
    .filter((p) => p.status === 'COMPLETED' && p.value !== null && p.value >= target && p.completedSec !== null)
    .map((p) => p.completedSec as number);
  return hits.length > 0 ? Math.min(...hits) : null;
}

const f = (v: number | null | undefined, d: number): string => (v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(d));

async function main(): Promise<void> {
  const loadStart = loadavg();
  console.log(
    `ASHA vs no pruning: ${SETUP.trials} trials, ${SETUP.concurrency} at a time, ${SETUP.maxEpochs} epochs full budget (ASHA rungs from ${SETUP.minEpochs}, η ${SETUP.reductionFactor}); load average ${loadStart.join(' / ')}`,
  );
  const stack = await startBenchStack();
  const tag = Date.now().toString(36);
  let report: Report;
  try {
    const { dataset, generationSec } = await generateBenchDataset(stack, 'bench hpo-asha', {
      seed: 11,
      signalsPerClass: SETUP.signalsPerClass,
      signalLength: SETUP.signalLength,
      snrDb: SNR_DB,
    });

    const runs: Record<PrunerKind, Awaited<ReturnType<typeof runCampaign>>> = {} as Record<PrunerKind, Awaited<ReturnType<typeof runCampaign>>>;
    for (const pruner of ['asha', 'none'] as const) {
      const r = await runCampaign(stack, `bench-${tag}-${pruner}`, dataset.datasetId, pruner);
      runs[pruner] = r;
      console.log(
        `${pruner.padEnd(4)}: wall ${r.wallSec.toFixed(1)} s, best ${f(r.best, 4)}, ${r.epochsTrained} epochs trained (${r.trainingSec.toFixed(1)} s of epochs), ` +
          `trials ${r.trials.completed} completed / ${r.trials.pruned} pruned / ${r.trials.failed} failed`,
      );
    }
    const bests = [runs.asha.best, runs.none.best].filter((b): b is number => b !== null);
    const target = bests.length === 2 ? Math.min(...bests) : null;
    const figures = (k: PrunerKind): CampaignFigures => {
      const { startedAtMs: _, ...rest } = runs[k];
      return { ...rest, timeToTargetSec: timeToTarget(rest.trialPoints, target) };
    };
    const asha = figures('asha');
    const none = figures('none');
    report = {
      dataset: {
        id: dataset.datasetId,
        classes: Object.keys(dataset.classCounts).length,
        signalsPerClass: SETUP.signalsPerClass,
        signalLength: dataset.signalLength,
        generationSec,
      },
      campaign: {
        trials: SETUP.trials,
        concurrency: SETUP.concurrency,
        sampler: `random, seed ${SAMPLER_SEED}`,
        space: SPACE,
        base: BASE,
        asha: { minEpochs: SETUP.minEpochs, maxEpochs: SETUP.maxEpochs, reductionFactor: SETUP.reductionFactor },
      },
      stack: { database: stack.database, slots: stack.slots },
      target,
      asha,
      none,
      speedup: {
        timeToTarget: asha.timeToTargetSec && none.timeToTargetSec ? none.timeToTargetSec / asha.timeToTargetSec : null,
        wall: none.wallSec / asha.wallSec,
        epochs: asha.epochsTrained > 0 ? none.epochsTrained / asha.epochsTrained : null,
      },
      loadAverage: { start: loadStart, end: loadavg() },
    };
  } catch (err) {
    console.error(`worker log tail (${stack.logFile}):\n${stack.logTail()}`);
    throw err;
  } finally {
    await stack.stop();
  }

  console.log(`\ntarget: validation accuracy ${f(report.target, 4)} (the lower of the two campaigns' bests)`);
  console.log(
    `${'pruner'.padEnd(8)} ${'best'.padStart(7)} ${'time-to-target s'.padStart(17)} ${'wall s'.padStart(8)} ${'epochs'.padStart(7)} ${'completed/pruned'.padStart(17)}`,
  );
  for (const c of [report.asha, report.none]) {
    console.log(
      `${c.pruner.padEnd(8)} ${f(c.best, 4).padStart(7)} ${f(c.timeToTargetSec, 1).padStart(17)} ${f(c.wallSec, 1).padStart(8)} ${String(c.epochsTrained).padStart(7)} ${`${c.trials.completed}/${c.trials.pruned}`.padStart(17)}`,
    );
  }
  console.log(
    `none ÷ asha: time-to-target ×${f(report.speedup.timeToTarget, 2)}, wall ×${f(report.speedup.wall, 2)}, epochs ×${f(report.speedup.epochs, 2)}; load average at end ${report.loadAverage.end.join(' / ')}`,
  );
  if (!QUICK) {
    mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(path.join(ROOT, 'bench/results/hpo-asha.json'), JSON.stringify(report, null, 2) + '\n');
  }
  console.log(JSON.stringify(report));
}

await main();
