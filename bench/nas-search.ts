/**
 * NAS: aging evolution vs random search at equal candidate budgets, with the
 * hand-designed reference CNN as a baseline. One synthetic dataset; per seed, two real NAS
 * campaigns (`nasCampaignWorkflow`, every candidate a child trainModelWorkflow trained for the same
 * short budget) that differ only in the strategy, and the reference CNN (`REFERENCE_ARCHITECTURE`)
 * trained once through `startTraining` with the same training settings, seed and epochs.
 *
 *   npx tsx bench/nas-search.ts            # 4 classes × 10 signals × 32,768 samples (16 windows of 2048), SNR −4…4 dB;
 *                                          # seeds 1, 2, 3; 12 candidates each, 2 in flight, 3 epochs; P 4, S 2
 *   npx tsx bench/nas-search.ts --quick    # 1 seed, 6 candidates, 6 signals × 16,384 samples, 2 epochs; results file untouched
 *
 * Figures per campaign (then per strategy: the median over seeds):
 *   best acc       best validation accuracy over the campaign's trained candidates (bestValAccuracy
 *                  of the candidate's training run, the figure the campaign itself ranks by)
 *   acc/log10(p)   accuracy per parameter, defined as valAccuracy / log10(params): a tenfold
 *                  smaller model is worth one "decade" of the denominator (4.1 → 3.1 around the
 *                  reference's 13,620 parameters, i.e. ~+30%), rather than accuracy per raw
 *                  parameter, which a chance-level 300-parameter model would win. The best value
 *                  over the campaign's candidates (it always lies on the Pareto front).
 *   mean acc       mean validation accuracy of the candidates the campaign trained: how much of
 *                  the budget went to good architectures
 *   test acc       test accuracy of the best-accuracy candidate (its own run's held-out split):
 *                  the best of N on validation is optimistic, the test split is not selected on
 *   wall           campaign start → result (training, orchestration, the report)
 *   rejected/dup   candidates rejected before training (limits) / identical genomes reused; both
 *                  count against the budget (maxCandidates), as the workflow counts them
 * The reference row: the same figures for its one run (wall = start → training result).
 *
 * Stack as in bench/hpo-asha.ts (bench/lib/stack.ts): dev server, PGlite (or Postgres with
 * DATABASE_URL), all workers in this process with the default slots (train: min(cores, 2)).
 * Prints a table, then the report as JSON on the last stdout line (bench/run.ts parses it);
 * writes bench/results/nas-search.json except with --quick. Not part of npm test.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { count, eq, inArray, sum } from 'drizzle-orm';
import { getTrainingResult, startTraining } from '../client/api.js';
import type { NasCampaignResult, NasPoint } from '../contracts/index.js';
import { NasCampaignInputSchema, workflowIds, WORKFLOW_TASK_QUEUE } from '../contracts/index.js';
import { listTrials } from '../db/repos/campaigns.js';
import { epochMetrics, experiments } from '../db/schema.js';
import { REFERENCE_ARCHITECTURE } from '../ml/model/index.js';
import { generateBenchDataset, loadavg, startBenchStack, type BenchStack } from './lib/stack.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const QUICK = process.argv.includes('--quick');

const SETUP = QUICK
  ? { seeds: [1], candidates: 6, concurrency: 2, epochs: 2, signalsPerClass: 6, signalLength: 16_384 }
  : { seeds: [1, 2, 3], candidates: 12, concurrency: 2, epochs: 3, signalsPerClass: 10, signalLength: 32_768 };
/** SNR range of the dataset (dB): at 3 epochs candidates spread from chance to ~0.95, none saturate. */
const SNR_DB: [number, number] = [-4, 4];
const DATASET_SEED = 11;
const POPULATION_SIZE = 4;
const SAMPLE_SIZE = 2;
/**
 * The default parameter cap, plus a multiply-accumulate cap (about 9× the reference CNN's 430k)
 * so that no candidate's training dominates the run; about a fifth of random genomes pass both.
 */
const LIMITS = { maxParams: 200_000, maxMacs: 4_000_000, minOutputLength: 1 };
/**
 * Training shared by every candidate and the reference (plus seed and epochs). Early stopping is
 * off so every run trains exactly the budget; lr 3e-3 at batch 16 because at 1e-3 / 32 three
 * epochs leave the reference CNN at chance.
 */
const TRAINING = { learningRate: 3e-3, batchSize: 16, patience: 0, maxWindowsPerSignal: 16 };

type StrategyKind = 'aging-evolution' | 'random';
const STRATEGIES: readonly StrategyKind[] = ['aging-evolution', 'random'];

interface Point {
  candidate: number;
  valAccuracy: number;
  params: number;
  latencyMs: number | null;
  experimentId: string | null;
}

interface CampaignFigures {
  strategy: StrategyKind;
  seed: number;
  campaignId: string;
  wallSec: number;
  status: NasCampaignResult['status'];
  candidates: NasCampaignResult['candidates'];
  /** Candidates actually trained (rows with objectives, duplicates excluded). */
  trained: number;
  bestAccuracy: number | null;
  bestAccuracyParams: number | null;
  bestAccuracyCandidate: number | null;
  /** Test accuracy of the best-accuracy candidate's run. */
  bestTestAccuracy: number | null;
  /** max valAccuracy / log10(params), and the candidate that has it. */
  bestEfficiency: number | null;
  bestEfficiencyPoint: { candidate: number; valAccuracy: number; params: number } | null;
  meanAccuracy: number | null;
  /** The campaign's own single best (its scalarisation) and Pareto-front size. */
  campaignBest: NasPoint | null;
  frontSize: number;
  epochsTrained: number;
  trainingSec: number;
  /** Best validation accuracy so far after each candidate number (trained candidates only). */
  history: { candidate: number; valAccuracy: number | null; bestSoFar: number | null }[];
}

interface ReferenceFigures {
  seed: number;
  experimentId: string;
  wallSec: number;
  valAccuracy: number;
  testAccuracy: number;
  params: number;
  efficiency: number;
  latencyMs: number;
}

interface StrategySummary {
  /** Medians over seeds. */
  bestAccuracy: number | null;
  bestAccuracyParams: number | null;
  bestEfficiency: number | null;
  meanAccuracy: number | null;
  bestTestAccuracy: number | null;
  wallSec: number | null;
  /** Totals over seeds. */
  trained: number;
  rejected: number;
  duplicates: number;
  failed: number;
}

interface ReferenceSummary {
  valAccuracy: number | null;
  testAccuracy: number | null;
  params: number;
  efficiency: number | null;
  wallSec: number | null;
}

interface Report {
  dataset: { id: string; classes: number; signalsPerClass: number; signalLength: number; snrDb: [number, number]; generationSec: number };
  setup: {
    seeds: number[];
    candidates: number;
    concurrency: number;
    epochs: number;
    populationSize: number;
    sampleSize: number;
    limits: typeof LIMITS;
    training: typeof TRAINING;
  };
  efficiencyDefinition: string;
  stack: { database: string; slots: { control: number; cpu: number; train: number } };
  campaigns: CampaignFigures[];
  references: ReferenceFigures[];
  summary: { evolution: StrategySummary; random: StrategySummary; reference: ReferenceSummary };
  /** Per seed, by best validation accuracy: which strategy found the better architecture. */
  headToHead: { evolutionWins: number; randomWins: number; ties: number };
  totalSec: number;
  loadAverage: { start: number[]; end: number[] };
}

/** Accuracy per parameter, as defined in the header. */
const efficiency = (valAccuracy: number, params: number): number => valAccuracy / Math.log10(Math.max(params, 10));

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function median(xs: readonly (number | null)[]): number | null {
  const v = xs.filter((x): x is number => x !== null).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? v[m] : (v[m - 1] + v[m]) / 2;
}

async function runCampaign(stack: BenchStack, campaignId: string, datasetId: string, strategy: StrategyKind, seed: number): Promise<CampaignFigures> {
  // Parsed here so a contract mismatch fails before anything starts, and the workflow receives
  // the complete input (defaults filled) whether or not it parses again.
  const input = NasCampaignInputSchema.parse({
    campaignId,
    datasetId,
    strategy: { kind: strategy, seed, populationSize: POPULATION_SIZE, sampleSize: SAMPLE_SIZE },
    limits: LIMITS,
    epochs: SETUP.epochs,
    training: { ...TRAINING, seed },
    maxCandidates: SETUP.candidates,
    maxConcurrentCandidates: SETUP.concurrency,
    // A failed candidate (e.g. a diverging loss) is a figure, not a reason to stop comparing.
    maxFailedCandidates: SETUP.candidates,
    candidateAttempts: 1,
  });
  const t0 = performance.now();
  const handle = await stack.client.workflow.start('nasCampaignWorkflow', {
    args: [input],
    taskQueue: WORKFLOW_TASK_QUEUE,
    workflowId: workflowIds.nas(campaignId),
  });
  const result = (await handle.result()) as NasCampaignResult;
  const wallSec = (performance.now() - t0) / 1000;

  // Every trained candidate from its row (trials.metrics), the front as a fallback: the best
  // accuracy and the best accuracy/log10(params) are both on the Pareto front anyway.
  const rows = await listTrials(stack.db, campaignId);
  const byCandidate = new Map<number, Point>();
  for (const r of rows) {
    const valAccuracy = num(r.metrics.valAccuracy);
    const params = num(r.metrics.params);
    if (valAccuracy === null || params === null || r.metrics.duplicateOf !== undefined) continue;
    byCandidate.set(r.number, { candidate: r.number, valAccuracy, params, latencyMs: num(r.metrics.latencyMs), experimentId: r.experimentId });
  }
  for (const p of result.front) {
    if (!byCandidate.has(p.candidate)) {
      byCandidate.set(p.candidate, {
        candidate: p.candidate,
        valAccuracy: p.valAccuracy,
        params: p.params,
        latencyMs: p.latencyMs,
        experimentId: p.experimentId ?? null,
      });
    }
  }
  const points = [...byCandidate.values()].sort((a, b) => a.candidate - b.candidate);
  const bestAcc = points.reduce<Point | null>(
    (b, p) => (b === null || p.valAccuracy > b.valAccuracy || (p.valAccuracy === b.valAccuracy && p.params < b.params) ? p : b),
    null,
  );
  const bestEff = points.reduce<Point | null>(
    (b, p) => (b === null || efficiency(p.valAccuracy, p.params) > efficiency(b.valAccuracy, b.params) ? p : b),
    null,
  );

  const experimentIds = rows.map((r) => r.experimentId).filter((id): id is string => id !== null);
  let epochsTrained = 0;
  let trainingSec = 0;
  let bestTestAccuracy: number | null = null;
  if (experimentIds.length > 0) {
    const [e] = await stack.db
      .select({ n: count(), ms: sum(epochMetrics.durationMs) })
      .from(epochMetrics)
      .where(inArray(epochMetrics.experimentId, experimentIds));
    epochsTrained = e?.n ?? 0;
    trainingSec = Number(e?.ms ?? 0) / 1000;
  }
  if (bestAcc?.experimentId) {
    const [x] = await stack.db.select({ t: experiments.testAccuracy }).from(experiments).where(eq(experiments.id, bestAcc.experimentId));
    bestTestAccuracy = x?.t ?? null;
  }

  let bestSoFar: number | null = null;
  const history = rows.map((r) => {
    const p = byCandidate.get(r.number);
    if (p) bestSoFar = bestSoFar === null ? p.valAccuracy : Math.max(bestSoFar, p.valAccuracy);
    return { candidate: r.number, valAccuracy: p?.valAccuracy ?? null, bestSoFar };
  });

  return {
    strategy,
    seed,
    campaignId,
    wallSec,
    status: result.status,
    candidates: result.candidates,
    trained: points.length,
    bestAccuracy: bestAcc?.valAccuracy ?? null,
    bestAccuracyParams: bestAcc?.params ?? null,
    bestAccuracyCandidate: bestAcc?.candidate ?? null,
    bestTestAccuracy,
    bestEfficiency: bestEff ? efficiency(bestEff.valAccuracy, bestEff.params) : null,
    bestEfficiencyPoint: bestEff ? { candidate: bestEff.candidate, valAccuracy: bestEff.valAccuracy, params: bestEff.params } : null,
    meanAccuracy: points.length > 0 ? points.reduce((s, p) => s + p.valAccuracy, 0) / points.length : null,
    campaignBest: result.best,
    frontSize: result.front.length,
    epochsTrained,
    trainingSec,
    history,
  };
}

async function runReference(stack: BenchStack, experimentId: string, datasetId: string, seed: number): Promise<ReferenceFigures> {
  const t0 = performance.now();
  const started = await startTraining(stack.client, {
    experimentId,
    datasetId,
    hyperparameters: { ...TRAINING, seed, epochs: SETUP.epochs, architecture: REFERENCE_ARCHITECTURE },
  });
  const r = await getTrainingResult(stack.client, started.workflowId);
  return {
    seed,
    experimentId,
    wallSec: (performance.now() - t0) / 1000,
    valAccuracy: r.bestValAccuracy,
    testAccuracy: r.testAccuracy,
    params: r.parameterCount,
    efficiency: efficiency(r.bestValAccuracy, r.parameterCount),
    latencyMs: r.inferenceMsPerWindow,
  };
}

function summarize(runs: CampaignFigures[]): StrategySummary {
  return {
    bestAccuracy: median(runs.map((r) => r.bestAccuracy)),
    bestAccuracyParams: median(runs.map((r) => r.bestAccuracyParams)),
    bestEfficiency: median(runs.map((r) => r.bestEfficiency)),
    meanAccuracy: median(runs.map((r) => r.meanAccuracy)),
    bestTestAccuracy: median(runs.map((r) => r.bestTestAccuracy)),
    wallSec: median(runs.map((r) => r.wallSec)),
    trained: runs.reduce((s, r) => s + r.trained, 0),
    rejected: runs.reduce((s, r) => s + r.candidates.rejected, 0),
    duplicates: runs.reduce((s, r) => s + r.candidates.duplicates, 0),
    failed: runs.reduce((s, r) => s + r.candidates.failed, 0),
  };
}

const f = (v: number | null | undefined, d: number): string => (v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(d));
const label = (s: StrategyKind): string => (s === 'aging-evolution' ? 'evolution' : 'random');

async function main(): Promise<void> {
  const loadStart = loadavg();
  const t0 = performance.now();
  console.log(
    `NAS search: aging evolution (P ${POPULATION_SIZE}, S ${SAMPLE_SIZE}) vs random, ${SETUP.candidates} candidates each, ${SETUP.concurrency} in flight, ` +
      `${SETUP.epochs} epochs, seeds ${SETUP.seeds.join(', ')}; reference CNN as baseline; load average ${loadStart.join(' / ')}`,
  );
  const stack = await startBenchStack();
  const tag = Date.now().toString(36);
  let report: Report;
  try {
    const { dataset, generationSec } = await generateBenchDataset(stack, 'bench nas-search', {
      seed: DATASET_SEED,
      signalsPerClass: SETUP.signalsPerClass,
      signalLength: SETUP.signalLength,
      snrDb: SNR_DB,
    });

    const campaigns: CampaignFigures[] = [];
    const references: ReferenceFigures[] = [];
    for (const [i, seed] of SETUP.seeds.entries()) {
      // Alternate which strategy goes first, so a drift in machine load does not favour one.
      const order = i % 2 === 0 ? STRATEGIES : [...STRATEGIES].reverse();
      for (const strategy of order) {
        const c = await runCampaign(stack, `bench-${tag}-s${seed}-${label(strategy)}`, dataset.datasetId, strategy, seed);
        campaigns.push(c);
        console.log(
          `seed ${seed} ${label(c.strategy).padEnd(9)}: wall ${c.wallSec.toFixed(1)} s, best ${f(c.bestAccuracy, 4)} (${c.bestAccuracyParams ?? '-'} params, test ${f(c.bestTestAccuracy, 4)}), ` +
            `best acc/log10(p) ${f(c.bestEfficiency, 4)}, mean ${f(c.meanAccuracy, 4)}; ${c.trained} trained, ${c.candidates.rejected} rejected, ` +
            `${c.candidates.duplicates} duplicates, ${c.candidates.failed} failed; ${c.status}`,
        );
      }
      const ref = await runReference(stack, `bench-${tag}-ref-s${seed}`, dataset.datasetId, seed);
      references.push(ref);
      console.log(
        `seed ${seed} reference: wall ${ref.wallSec.toFixed(1)} s, val ${f(ref.valAccuracy, 4)} (${ref.params} params, test ${f(ref.testAccuracy, 4)}), acc/log10(p) ${f(ref.efficiency, 4)}`,
      );
    }

    const of = (s: StrategyKind) => campaigns.filter((c) => c.strategy === s);
    const headToHead = { evolutionWins: 0, randomWins: 0, ties: 0 };
    for (const seed of SETUP.seeds) {
      const e = campaigns.find((c) => c.seed === seed && c.strategy === 'aging-evolution')?.bestAccuracy ?? null;
      const r = campaigns.find((c) => c.seed === seed && c.strategy === 'random')?.bestAccuracy ?? null;
      if (e === null || r === null) continue;
      if (e > r) headToHead.evolutionWins++;
      else if (r > e) headToHead.randomWins++;
      else headToHead.ties++;
    }
    report = {
      dataset: {
        id: dataset.datasetId,
        classes: Object.keys(dataset.classCounts).length,
        signalsPerClass: SETUP.signalsPerClass,
        signalLength: dataset.signalLength,
        snrDb: SNR_DB,
        generationSec,
      },
      setup: {
        seeds: SETUP.seeds,
        candidates: SETUP.candidates,
        concurrency: SETUP.concurrency,
        epochs: SETUP.epochs,
        populationSize: POPULATION_SIZE,
        sampleSize: SAMPLE_SIZE,
        limits: LIMITS,
        training: TRAINING,
      },
      efficiencyDefinition: 'valAccuracy / log10(params)',
      stack: { database: stack.database, slots: stack.slots },
      campaigns,
      references,
      summary: {
        evolution: summarize(of('aging-evolution')),
        random: summarize(of('random')),
        reference: {
          valAccuracy: median(references.map((r) => r.valAccuracy)),
          testAccuracy: median(references.map((r) => r.testAccuracy)),
          params: references[0]?.params ?? 0,
          efficiency: median(references.map((r) => r.efficiency)),
          wallSec: median(references.map((r) => r.wallSec)),
        },
      },
      headToHead,
      totalSec: (performance.now() - t0) / 1000,
      loadAverage: { start: loadStart, end: loadavg() },
    };
  } catch (err) {
    console.error(`worker log tail (${stack.logFile}):\n${stack.logTail()}`);
    throw err;
  } finally {
    await stack.stop();
  }

  const s = report.summary;
  console.log(`\nmedian over ${SETUP.seeds.length} seed(s); acc/log10(p) = validation accuracy / log10(parameters); chance = 0.25`);
  console.log(
    `${'row'.padEnd(10)} ${'best acc'.padStart(9)} ${'params'.padStart(8)} ${'test acc'.padStart(9)} ${'acc/log10(p)'.padStart(13)} ${'mean acc'.padStart(9)} ${'wall s'.padStart(8)} ${'trained/rej/dup/fail'.padStart(21)}`,
  );
  for (const [name, x] of [
    ['evolution', s.evolution],
    ['random', s.random],
  ] as const) {
    console.log(
      `${name.padEnd(10)} ${f(x.bestAccuracy, 4).padStart(9)} ${f(x.bestAccuracyParams, 0).padStart(8)} ${f(x.bestTestAccuracy, 4).padStart(9)} ${f(x.bestEfficiency, 4).padStart(13)} ` +
        `${f(x.meanAccuracy, 4).padStart(9)} ${f(x.wallSec, 1).padStart(8)} ${`${x.trained}/${x.rejected}/${x.duplicates}/${x.failed}`.padStart(21)}`,
    );
  }
  const r = s.reference;
  console.log(
    `${'reference'.padEnd(10)} ${f(r.valAccuracy, 4).padStart(9)} ${String(r.params).padStart(8)} ${f(r.testAccuracy, 4).padStart(9)} ${f(r.efficiency, 4).padStart(13)} ` +
      `${f(r.valAccuracy, 4).padStart(9)} ${f(r.wallSec, 1).padStart(8)} ${'1 run'.padStart(21)}`,
  );
  const h = report.headToHead;
  console.log(
    `best accuracy per seed: evolution better ${h.evolutionWins}, random better ${h.randomWins}, tied ${h.ties}; total ${report.totalSec.toFixed(0)} s; ` +
      `load average at end ${report.loadAverage.end.join(' / ')}`,
  );
  if (!QUICK) {
    mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(path.join(ROOT, 'bench/results/nas-search.json'), JSON.stringify(report, null, 2) + '\n');
  }
  console.log(JSON.stringify(report));
}

await main();
