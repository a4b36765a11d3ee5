/**
 * Sample efficiency of our TPE (workflows/search) against Optuna's TPESampler, with random
 * search as the floor: same functions (Branin, Hartmann-6), same budget, same seeds; the figure
 * is the median over seeds of the regret (best value found − global optimum) after the budget.
 *
 *   npx tsx bench/hpo-sample-efficiency.ts            # 20 seeds × 60 trials
 *   npx tsx bench/hpo-sample-efficiency.ts --quick    # 5 seeds, results file untouched
 *   BENCH_SEEDS=100 npx tsx bench/hpo-sample-efficiency.ts --quick   # tighter medians, file untouched
 *
 * Prints a table, then the report as JSON on the last stdout line (bench/run.ts parses it);
 * writes bench/results/hpo-sample-efficiency.json except with --quick. Not part of npm test.
 * Optuna peer: FAULTLINE_BENCH_PYTHON, then .venv/bin/python, then python3 (the first with
 * optuna); without one the peer is reported as skipped, never estimated.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RandomSampler, TEST_FUNCTIONS, TpeSampler, type Sampler, type TestFunction } from '../workflows/search/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const QUICK = process.argv.includes('--quick');
// BENCH_SEEDS overrides the seed count (more seeds, tighter medians); --quick only changes the default.
const SEEDS = Array.from({ length: Number(process.env.BENCH_SEEDS ?? (QUICK ? 5 : 20)) }, (_, i) => i);
const TRIALS = 60;
const OPTUNA_HINT = 'python3 -m venv .venv && .venv/bin/pip install optuna, or set FAULTLINE_BENCH_PYTHON to a python with optuna';

interface Summary {
  medianRegret: number;
  q1Regret: number;
  q3Regret: number;
}

type PeerReport =
  | { status: 'ok'; python: string; optuna: string; sampler: string; seconds: number; functions: Record<string, Summary> }
  | { status: 'skipped'; python: string | null; reason: string; hint: string };

interface Report {
  trials: number;
  seeds: number;
  functions: Record<
    string,
    { optimum: number; ours: Summary & { seconds: number }; random: Summary; optuna: Summary | null; oursOverOptunaMedianRegret: number | null }
  >;
  optuna: PeerReport;
}

function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  return s[lo] + (s[Math.ceil(pos)] - s[lo]) * (pos - lo);
}

const summary = (regrets: readonly number[]): Summary => ({
  medianRegret: quantile(regrets, 0.5),
  q1Regret: quantile(regrets, 0.25),
  q3Regret: quantile(regrets, 0.75),
});

function bestAfter(sampler: Sampler, f: TestFunction): number {
  for (let i = 0; i < TRIALS; i++) {
    const { trialId, params } = sampler.ask();
    sampler.tell(trialId, { status: 'complete', value: f.evaluate(params) });
  }
  return sampler.best()?.value ?? Number.NaN;
}

function findPython(): { python: string } | { python: string | null; reason: string } {
  const candidates = [process.env.FAULTLINE_BENCH_PYTHON, path.join(ROOT, '.venv/bin/python'), 'python3'].filter(
    (p): p is string => typeof p === 'string' && p.length > 0 && (!p.includes('/') || existsSync(p)),
  );
  for (const python of candidates) {
    const r = spawnSync(python, ['-c', 'import optuna'], { encoding: 'utf8' });
    if (r.status === 0) return { python };
  }
  return { python: candidates[0] ?? null, reason: `no python with optuna among ${candidates.join(', ') || '(none found)'}` };
}

function runOptuna(): { peer: PeerReport; best: Record<string, number[]> } {
  const found = findPython();
  if ('reason' in found) return { peer: { status: 'skipped', python: found.python, reason: found.reason, hint: OPTUNA_HINT }, best: {} };
  const args = JSON.stringify({ functions: TEST_FUNCTIONS.map((f) => f.name), seeds: SEEDS, trials: TRIALS });
  const t0 = performance.now();
  const r = spawnSync(found.python, [path.join(ROOT, 'bench/peers/optuna_tpe.py'), args], { encoding: 'utf8', timeout: 15 * 60_000 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) {
    return {
      peer: { status: 'skipped', python: found.python, reason: `optuna peer failed: ${(r.stderr || String(r.error)).trim().slice(-500)}`, hint: OPTUNA_HINT },
      best: {},
    };
  }
  const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { optuna: string; sampler: string; best: Record<string, number[]> };
  const functions = Object.fromEntries(TEST_FUNCTIONS.map((f) => [f.name, summary((out.best[f.name] ?? []).map((v) => v - f.optimum))]));
  return { peer: { status: 'ok', python: found.python, optuna: out.optuna, sampler: out.sampler, seconds, functions }, best: out.best };
}

function main(): void {
  const { peer } = runOptuna();
  const report: Report = { trials: TRIALS, seeds: SEEDS.length, functions: {}, optuna: peer };
  const fmt = (v: number | undefined): string => (v === undefined ? '—' : v.toPrecision(3)).padStart(10);
  console.log(`median regret after ${TRIALS} trials over ${SEEDS.length} seeds (lower is better)`);
  console.log(`${'function'.padEnd(10)} ${'ours TPE'.padStart(10)} ${'Optuna TPE'.padStart(10)} ${'random'.padStart(10)}`);
  for (const f of TEST_FUNCTIONS) {
    const t0 = performance.now();
    const ours = summary(SEEDS.map((seed) => bestAfter(new TpeSampler(f.space, { seed }), f) - f.optimum));
    const seconds = (performance.now() - t0) / 1000;
    const random = summary(SEEDS.map((seed) => bestAfter(new RandomSampler(f.space, { seed }), f) - f.optimum));
    const optuna = peer.status === 'ok' ? (peer.functions[f.name] ?? null) : null;
    report.functions[f.name] = {
      optimum: f.optimum,
      ours: { ...ours, seconds },
      random,
      optuna,
      oursOverOptunaMedianRegret: optuna && optuna.medianRegret > 0 ? ours.medianRegret / optuna.medianRegret : null,
    };
    console.log(`${f.name.padEnd(10)} ${fmt(ours.medianRegret)} ${fmt(optuna?.medianRegret)} ${fmt(random.medianRegret)}`);
  }
  if (peer.status === 'skipped') console.log(`Optuna peer skipped: ${peer.reason}\n  ${peer.hint}`);
  else console.log(`Optuna ${peer.optuna} (${peer.python}), ${peer.sampler}`);
  if (!QUICK) {
    mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(path.join(ROOT, 'bench/results/hpo-sample-efficiency.json'), JSON.stringify(report, null, 2) + '\n');
  }
  console.log(JSON.stringify(report));
}

main();
