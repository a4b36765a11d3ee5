/**
 * Orchestration overhead of an HPO campaign: a campaign whose trials are an
 * instant synthetic objective (Branin, the `evaluateSyntheticObjective` activity), random
 * sampler, no pruning, so what is measured is everything around the evaluation — workflow tasks,
 * activity dispatch on the dev server, the trial rows written to the database, the sampler. The
 * peer is the same fan-out as Celery tasks on the local Redis (bench/peers/celery_fanout/).
 *
 *   npx tsx bench/hpo-orchestration.ts            # 500 trials at 8, 1 and 32 concurrent trials
 *   npx tsx bench/hpo-orchestration.ts --quick    # 100 trials; results file untouched
 *   BENCH_CONCURRENCY=8 npx tsx bench/hpo-orchestration.ts   # only that concurrency (comma list)
 *
 * Figures per concurrency C (same definitions for the peer, with C = its in-flight window):
 *   wall          client start of the campaign → its result (includes registering the campaign,
 *                 continue-as-new, and finalizing: report rendering and the last rows)
 *   trials/s      trials / wall
 *   ms/trial      wall / trials: the amortised cost of one trial at that concurrency (1000 / trials/s)
 *   slot ms/trial wall × C / trials − mean evaluation time: how long a trial holds one of the C
 *                 slots beyond the evaluation itself (its round trip; includes queueing when C
 *                 exceeds what the workers run at once)
 *
 * Stack: the project's dev-server launcher (in-memory, free port, no UI), PGlite in a temporary
 * directory (Postgres if DATABASE_URL is set), workers for all queues in this process with the
 * default slots (bench/lib/stack.ts). A 16-trial warm-up campaign runs first, untimed, on both sides.
 * Celery peer: FAULTLINE_BENCH_PYTHON, then .venv/bin/python, then python3 (the first with celery
 * and redis); Redis at FAULTLINE_BENCH_REDIS_URL (default redis://127.0.0.1:6379/0). Without
 * either the peer is reported as skipped with how to get it, never estimated.
 *
 * Prints a table, then the report as JSON on the last stdout line (bench/run.ts parses it);
 * writes bench/results/hpo-orchestration.json except with --quick. Not part of npm test.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { HpoCampaignRequest, HpoCampaignResult } from '../contracts/index.js';
import { workflowIds, WORKFLOW_TASK_QUEUE } from '../contracts/index.js';
import { listTrials } from '../db/repos/campaigns.js';
import { BRANIN } from '../workflows/search/index.js';
import { profileHistory, type HistoryProfile } from './lib/history-profile.js';
import { findPython, loadavg, startBenchStack, type BenchStack } from './lib/stack.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const QUICK = process.argv.includes('--quick');
const TRIALS = QUICK ? 100 : 500;
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '8,1,32').split(',').map(Number);
const WARMUP_TRIALS = 16;
const SEED = 0;
const CELERY_HINT =
  '.venv/bin/pip install celery redis (or set FAULTLINE_BENCH_PYTHON to a python with both), and a Redis on 127.0.0.1:6379: ' +
  'redis-server --daemonize yes --port 6379 --save "" --appendonly no (or set FAULTLINE_BENCH_REDIS_URL)';

if (CONCURRENCY.some((c) => !Number.isInteger(c) || c < 1 || c > 200)) {
  console.error(`BENCH_CONCURRENCY must be a comma list of integers 1..200, got ${JSON.stringify(process.env.BENCH_CONCURRENCY)}`);
  process.exit(2);
}

interface Row {
  concurrency: number;
  trials: number;
  wallSec: number;
  trialsPerSec: number;
  msPerTrialWall: number;
  msPerTrialPerSlot: number;
  overheadMsPerTrial: number;
}

interface OursRow extends Row {
  /** First trial row started → last trial row finished (database clock); wall minus this is set-up and finalizing. */
  trialsPhaseSec: number | null;
  /** Workflow runs of the campaign (more than 1: it continued as new). */
  workflowRuns: number;
  best: number | null;
  /** Where the time went, from the campaign's history (bench/lib/history-profile.ts). */
  history: HistoryProfile;
}

/** What bench/peers/celery_fanout/driver.py prints on its last line. */
const CeleryOutput = z.object({
  celery: z.string(),
  redisPy: z.string(),
  pool: z.string(),
  workerConcurrency: z.number(),
  results: z.array(
    z.object({
      window: z.number(),
      trials: z.number(),
      wallSec: z.number(),
      trialsPerSec: z.number(),
      msPerTrialWall: z.number(),
      msPerTrialPerSlot: z.number(),
      evalMsMean: z.number(),
      overheadMsPerTrial: z.number(),
      best: z.number(),
    }),
  ),
});

type CeleryReport =
  | {
      status: 'ok';
      python: string;
      celery: string;
      redisPy: string;
      pool: string;
      workerConcurrency: number;
      results: (Row & { evalMsMean: number; best: number })[];
    }
  | { status: 'skipped'; python: string | null; reason: string; hint: string };

type OptunaReport =
  | {
      status: 'ok';
      python: string;
      optuna: string;
      sqlalchemy: string;
      results: { concurrency: number; trials: number; wallSec: number; trialsPerSec: number; msPerTrialWall: number }[];
    }
  | { status: 'skipped'; python: string | null; reason: string; hint: string };

const OptunaOutput = z.object({
  optuna: z.string(),
  sqlalchemy: z.string(),
  results: z.array(z.object({ window: z.number(), trials: z.number(), wallSec: z.number(), trialsPerSec: z.number(), msPerTrialWall: z.number() })),
});
const OPTUNA_HINT =
  'python3 -m venv bench/.venv-optuna && bench/.venv-optuna/bin/pip install optuna==5.0.0 psycopg2-binary (or set FAULTLINE_BENCH_PYTHON), and Postgres on 127.0.0.1:5432 (or FAULTLINE_BENCH_OPTUNA_URL)';

/**
 * Runs a Python peer script with its arguments as one JSON string; its last stdout line is its
 * report: the declared shape, or `{"skipped": why}` when it could not run (no Redis, no database).
 */
function runPeer<T>(python: string, script: string, args: string, shape: z.ZodType<T>, what: string): { output: T } | { reason: string } {
  const r = spawnSync(python, [path.join(ROOT, script), args], { encoding: 'utf8', timeout: 10 * 60_000, stdio: ['ignore', 'pipe', 'inherit'] });
  const last = r.stdout?.trim().split('\n').pop() ?? '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(last);
  } catch {
    parsed = undefined;
  }
  const skipped = z.object({ skipped: z.string() }).safeParse(parsed);
  const out = shape.safeParse(parsed);
  if (r.status === 0 && !skipped.success && out.success) return { output: out.data };
  return { reason: skipped.success ? skipped.data.skipped : `${what} peer failed (exit ${r.status ?? r.signal ?? r.error?.message}): ${last.slice(-300)}` };
}

/**
 * Optuna's RDB storage on Postgres: the same 500 instant trials, n_jobs = C threads, a durable
 * study (every trial's state in the database, like ours). Its own database on the local server.
 */
function runOptuna(): OptunaReport {
  const venv = path.join(ROOT, 'bench/.venv-optuna/bin/python');
  const found =
    !process.env.FAULTLINE_BENCH_PYTHON && existsSync(venv) && spawnSync(venv, ['-c', 'import optuna, psycopg2'], { encoding: 'utf8' }).status === 0
      ? { python: venv }
      : findPython(ROOT, ['optuna', 'psycopg2']);
  if ('reason' in found) return { status: 'skipped', python: found.python, reason: found.reason, hint: OPTUNA_HINT };
  const url = process.env.FAULTLINE_BENCH_OPTUNA_URL ?? 'postgresql://postgres@127.0.0.1:5432/faultline_bench_optuna';
  const args = JSON.stringify({ trials: TRIALS, windows: CONCURRENCY, seed: SEED, warmup: WARMUP_TRIALS, url });
  const run = runPeer(found.python, 'bench/peers/optuna_rdb.py', args, OptunaOutput, 'optuna');
  if ('reason' in run) return { status: 'skipped', python: found.python, reason: run.reason, hint: OPTUNA_HINT };
  const data = run.output;
  return {
    status: 'ok',
    python: found.python,
    optuna: data.optuna,
    sqlalchemy: data.sqlalchemy,
    results: data.results.map(({ window, ...x }) => ({ concurrency: window, ...x })),
  };
}

interface Report {
  trials: number;
  concurrency: number[];
  objective: string;
  sampler: string;
  stack: { temporal: string; database: string; slots: { control: number; cpu: number; train: number }; startupSec: number };
  /** Mean time of one Branin evaluation in this process (the activity's useful work). */
  evalMsMean: number;
  ours: OursRow[];
  celery: CeleryReport;
  /** The durable Python peer: Optuna with RDBStorage on the local Postgres (bench/peers/optuna_rdb.py). */
  optuna: OptunaReport;
  /** Per concurrency: ours ÷ Celery. trials/s above 1 = we are faster; ms/trial above 1 = we are slower. */
  ratio: { concurrency: number; trialsPerSecOursOverCelery: number; msPerTrialOursOverCelery: number }[];
  loadAverage: { start: number[]; end: number[] };
}

function measureEvalMs(): number {
  const n = 20_000;
  let sink = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) sink += BRANIN.evaluate({ x1: -5 + (15 * i) / n, x2: (15 * (n - i)) / n });
  const ms = (performance.now() - t0) / n;
  return Number.isFinite(sink) ? ms : Number.NaN;
}

function campaignInput(campaignId: string, trials: number, concurrency: number): HpoCampaignRequest {
  return {
    campaignId,
    // The synthetic evaluator reads no dataset; the id is only recorded on the campaign row.
    datasetId: 'synthetic',
    sampler: { kind: 'random', seed: SEED },
    pruner: { kind: 'none', minEpochs: 1, maxEpochs: 1, reductionFactor: 3 },
    objective: { metric: 'valLoss', direction: 'minimize' },
    evaluator: { kind: 'synthetic', function: 'branin' },
    maxTrials: trials,
    maxConcurrentTrials: concurrency,
    maxFailedTrials: 0,
  };
}

async function runCampaign(stack: BenchStack, campaignId: string, trials: number, concurrency: number, evalMs: number): Promise<OursRow> {
  const workflowId = workflowIds.hpo(campaignId);
  const t0 = performance.now();
  // Started by type name (client/api.ts gets a startHpoCampaign separately); result() follows continue-as-new.
  const handle = await stack.client.workflow.start('hpoCampaignWorkflow', {
    args: [campaignInput(campaignId, trials, concurrency)],
    taskQueue: WORKFLOW_TASK_QUEUE,
    workflowId,
  });
  const result = (await handle.result()) as HpoCampaignResult;
  const wallSec = (performance.now() - t0) / 1000;
  if (result.trials.completed !== trials) {
    throw new Error(`campaign ${campaignId}: ${result.trials.completed} of ${trials} trials completed (${JSON.stringify(result.trials)})`);
  }
  const rows = await listTrials(stack.db, campaignId);
  const starts = rows.map((r) => r.startedAt?.getTime()).filter((t): t is number => t !== undefined);
  const ends = rows.map((r) => r.completedAt?.getTime()).filter((t): t is number => t !== undefined);
  const trialsPhaseSec = starts.length > 0 && ends.length > 0 ? (Math.max(...ends) - Math.min(...starts)) / 1000 : null;
  if (rows.length !== trials) throw new Error(`campaign ${campaignId}: ${rows.length} trial rows, expected ${trials}`);
  const history = await profileHistory(stack.client, workflowId, stack.workflowBundle);
  const workflowRuns = history.runs;
  const slot = (wallSec * 1000 * concurrency) / trials;
  return {
    concurrency,
    trials,
    wallSec,
    trialsPerSec: trials / wallSec,
    msPerTrialWall: (wallSec * 1000) / trials,
    msPerTrialPerSlot: slot,
    overheadMsPerTrial: slot - evalMs,
    trialsPhaseSec,
    workflowRuns,
    best: result.best?.value ?? null,
    history,
  };
}

function runCelery(): CeleryReport {
  const found = findPython(ROOT, ['celery', 'redis']);
  if ('reason' in found) return { status: 'skipped', python: found.python, reason: found.reason, hint: CELERY_HINT };
  const args = JSON.stringify({ trials: TRIALS, windows: CONCURRENCY, seed: SEED, workerConcurrency: 2, warmup: WARMUP_TRIALS });
  const run = runPeer(found.python, 'bench/peers/celery_fanout/driver.py', args, CeleryOutput, 'celery');
  if ('reason' in run) return { status: 'skipped', python: found.python, reason: run.reason, hint: CELERY_HINT };
  const obj = run.output;
  const results = obj.results.map((x) => ({
    concurrency: x.window,
    trials: x.trials,
    wallSec: x.wallSec,
    trialsPerSec: x.trialsPerSec,
    msPerTrialWall: x.msPerTrialWall,
    msPerTrialPerSlot: x.msPerTrialPerSlot,
    overheadMsPerTrial: x.overheadMsPerTrial,
    evalMsMean: x.evalMsMean,
    best: x.best,
  }));
  return {
    status: 'ok',
    python: found.python,
    celery: obj.celery,
    redisPy: obj.redisPy,
    pool: obj.pool,
    workerConcurrency: obj.workerConcurrency,
    results,
  };
}

const f = (v: number | null | undefined, d: number): string => (v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(d));

async function main(): Promise<void> {
  const loadStart = loadavg();
  const evalMs = measureEvalMs();
  console.log(
    `HPO orchestration overhead: ${TRIALS} trials of Branin (random sampler, no pruning) at concurrency ${CONCURRENCY.join(', ')}; load average ${loadStart.join(' / ')}`,
  );

  const stack = await startBenchStack();
  const ours: OursRow[] = [];
  const runTag = Date.now().toString(36);
  try {
    console.log(
      `stack up in ${stack.startupSec.toFixed(1)} s (dev server in-memory, ${stack.database}, slots control ${stack.slots.control} / cpu ${stack.slots.cpu} / train ${stack.slots.train})`,
    );
    await runCampaign(stack, `bench-orch-warmup-${runTag}`, WARMUP_TRIALS, Math.max(...CONCURRENCY), evalMs);
    for (const c of CONCURRENCY) {
      const row = await runCampaign(stack, `bench-orch-c${c}-${runTag}`, TRIALS, c, evalMs);
      ours.push(row);
      console.log(
        `ours   concurrency ${String(c).padStart(2)}: ${f(row.trialsPerSec, 1)} trials/s, ${f(row.msPerTrialWall, 2)} ms/trial, slot ${f(row.overheadMsPerTrial, 1)} ms/trial` +
          ` (wall ${f(row.wallSec, 1)} s, trials phase ${f(row.trialsPhaseSec, 1)} s, ${row.workflowRuns} workflow run${row.workflowRuns === 1 ? '' : 's'})`,
      );
      const h = row.history;
      console.log(
        `       history: ${f(h.workflowTasks / row.trials, 2)} workflow tasks/trial (wait ${f(h.workflowTaskWaitMsMean, 1)} ms, run ${f(h.workflowTaskRunMsMean, 1)} ms, busy ${f(h.workflowTaskBusyShare * 100, 0)} %),` +
          ` ${f(h.activityTasks / row.trials, 2)} activity tasks/trial (wait ${f(h.activityWaitMsMean, 1)} ms, run ${f(h.activityRunMsMean, 1)} ms), ${f(h.localActivities / row.trials, 2)} local/trial,` +
          ` ${f(h.events / row.trials, 1)} events and ${f(h.bytes / row.trials / 1024, 2)} KiB/trial; replayed: ${f(h.replayMsPerWorkflowTask, 1)} ms per workflow task`,
      );
    }
  } catch (err) {
    console.error(`worker log tail (${stack.logFile}):\n${stack.logTail()}`);
    throw err;
  } finally {
    await stack.stop();
  }

  // Our stack is down before the peer starts, so the two never share the cores.
  const celery = runCelery();
  const optuna = runOptuna();
  const report: Report = {
    trials: TRIALS,
    concurrency: CONCURRENCY,
    objective: 'branin (synthetic evaluator)',
    sampler: `random, seed ${SEED}`,
    stack: { temporal: 'dev server, in-memory', database: stack.database, slots: stack.slots, startupSec: stack.startupSec },
    evalMsMean: evalMs,
    ours,
    celery,
    optuna,
    ratio: [],
    loadAverage: { start: loadStart, end: loadavg() },
  };
  if (celery.status === 'ok') {
    for (const o of ours) {
      const p = celery.results.find((r) => r.concurrency === o.concurrency);
      if (p)
        report.ratio.push({
          concurrency: o.concurrency,
          trialsPerSecOursOverCelery: o.trialsPerSec / p.trialsPerSec,
          msPerTrialOursOverCelery: o.msPerTrialWall / p.msPerTrialWall,
        });
    }
  }

  console.log(
    `\n${'system'.padEnd(34)} ${'C'.padStart(3)} ${'wall s'.padStart(8)} ${'trials/s'.padStart(9)} ${'ms/trial'.padStart(9)} ${'slot ms/trial'.padStart(14)}`,
  );
  const line = (name: string, r: Row) =>
    console.log(
      `${name.padEnd(34)} ${String(r.concurrency).padStart(3)} ${f(r.wallSec, 2).padStart(8)} ${f(r.trialsPerSec, 1).padStart(9)} ${f(r.msPerTrialWall, 2).padStart(9)} ${f(r.overheadMsPerTrial, 1).padStart(14)}`,
    );
  for (const r of ours) line(`faultline (temporal, ${stack.database})`, r);
  if (celery.status === 'ok') {
    for (const r of celery.results) line(`celery ${celery.celery} (redis, ${celery.workerConcurrency} procs)`, r);
    for (const r of report.ratio) {
      console.log(
        `ratio at C=${r.concurrency}: trials/s ours/celery ×${f(r.trialsPerSecOursOverCelery, 3)}, ms/trial ours/celery ×${f(r.msPerTrialOursOverCelery, 2)}`,
      );
    }
  } else {
    console.log(`celery peer skipped: ${celery.reason}\n  to run it: ${celery.hint}`);
  }
  if (optuna.status === 'ok') {
    for (const r of optuna.results)
      console.log(
        `${`optuna ${optuna.optuna} (RDB, postgres)`.padEnd(34)} ${String(r.concurrency).padStart(3)} ${f(r.wallSec, 2).padStart(8)} ${f(r.trialsPerSec, 1).padStart(9)} ${f(r.msPerTrialWall, 2).padStart(9)}`,
      );
  } else {
    console.log(`optuna peer skipped: ${optuna.reason}\n  to run it: ${optuna.hint}`);
  }
  console.log(`Branin evaluation: ${f(evalMs * 1000, 2)} µs; load average at end ${report.loadAverage.end.join(' / ')}`);

  if (!QUICK) {
    mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(path.join(ROOT, 'bench/results/hpo-orchestration.json'), JSON.stringify(report, null, 2) + '\n');
  }
  console.log(JSON.stringify(report));
}

await main();
