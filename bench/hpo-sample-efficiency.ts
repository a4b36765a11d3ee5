/**
 * Sample efficiency of our samplers (TPE, TPE with groups, GP; random as the floor) against
 * Optuna 5's (TPE multivariate+group, GPSampler, CMA-ES, random) on the suite of
 * bench/lib/hpo-functions.ts: seven box functions of 2–10 dimensions and two conditional spaces.
 * Same functions, budget and seeds on both sides, sequential ask/tell. Figures per function: the
 * median over seeds of the regret (best value found − global minimum) after the budget; our best
 * sampler against Optuna's best one (lowest median regret each): the probability that ours ends
 * lower on a random pair of seeds, with a two-sided Mann–Whitney U test; and ask+tell time per
 * trial.
 *
 *   npx tsx bench/hpo-sample-efficiency.ts            # 20 seeds × 100 trials (hours: Optuna's GPSampler is ~0.3–1 s/trial)
 *   npx tsx bench/hpo-sample-efficiency.ts --quick    # 3 seeds × 40 trials, results file untouched
 *   BENCH_SEEDS=10 BENCH_TRIALS=50 npx tsx bench/hpo-sample-efficiency.ts   # a smaller budget (the file says which)
 *
 * Prints a table, then the report as JSON on the last stdout line (bench/run.ts parses it);
 * writes bench/results/hpo-sample-efficiency.json except with --quick. Not part of npm test.
 * Optuna peer (bench/peers/optuna_samplers.py), run alongside ours: FAULTLINE_BENCH_PYTHON, then
 * bench/.venv-optuna (created on first use: python3 -m venv + pip install optuna 5, cmaes, scipy,
 * torch for GPSampler), then .venv/bin/python — the first with optuna; without one the peer is
 * reported as skipped, never estimated.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GpSampler, RandomSampler, TpeSampler, type Sampler } from '../workflows/search/index.js';
import { BENCH_FUNCTIONS, type BenchFunction } from './lib/hpo-functions.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const QUICK = process.argv.includes('--quick');
const SEEDS = Array.from({ length: Number(process.env.BENCH_SEEDS ?? (QUICK ? 3 : 20)) }, (_, i) => i);
const TRIALS = Number(process.env.BENCH_TRIALS ?? (QUICK ? 40 : 100));
const BENCH_VENV = path.join(ROOT, 'bench/.venv-optuna');
const PEER_PACKAGES = ['optuna==5.0.0', 'cmaes', 'scipy', 'torch==2.13.0'];
const OPTUNA_HINT = `python3 -m venv bench/.venv-optuna && bench/.venv-optuna/bin/pip install ${PEER_PACKAGES.join(' ')}, or set FAULTLINE_BENCH_PYTHON`;

type OursName = 'tpe' | 'tpeGroup' | 'gp' | 'random';
type OptunaName = 'tpe' | 'gp' | 'cmaes' | 'random';
const OPTUNA_SAMPLERS: OptunaName[] = ['tpe', 'gp', 'cmaes', 'random'];

const OURS: Record<OursName, { label: string; make: (f: BenchFunction, seed: number) => Sampler; appliesTo?: BenchFunction['kind'] }> = {
  tpe: { label: 'TPE (no groups)', make: (f, seed) => new TpeSampler(f.space, { seed, group: false }) },
  // Identical to `tpe` on a box space (no conditionals, no groups): run on conditional spaces only.
  tpeGroup: { label: 'TPE + groups', make: (f, seed) => new TpeSampler(f.space, { seed }), appliesTo: 'conditional' },
  gp: { label: 'GP', make: (f, seed) => new GpSampler(f.space, { seed }) },
  random: { label: 'random', make: (f, seed) => new RandomSampler(f.space, { seed }) },
};

interface Summary {
  medianRegret: number;
  q1Regret: number;
  q3Regret: number;
}
interface Run extends Summary {
  regrets: number[];
  msPerTrial: number;
}

interface Comparison {
  ours: OursName;
  optuna: OptunaName;
  /** P(our regret < Optuna's) over all seed pairs, ties counting half. */
  winProbability: number;
  /** Two-sided Mann–Whitney U test (normal approximation, tie-corrected). */
  pValue: number;
  oursOverOptunaMedianRegret: number | null;
}

type PeerReport =
  | { status: 'ok'; python: string; optuna: string; samplers: Record<string, string>; seconds: number }
  | { status: 'skipped'; python: string | null; reason: string; hint: string };

interface FunctionReport {
  kind: BenchFunction['kind'];
  dims: number;
  optimum: number;
  ours: Partial<Record<OursName, Run>>;
  optuna: Partial<Record<OptunaName, Run>>;
  comparison: Comparison | null;
}

interface Report {
  trials: number;
  seeds: number;
  loadAverageAtStart: number[];
  functions: Record<string, FunctionReport>;
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

/** Abramowitz & Stegun 26.2.17 upper tail of the standard normal (|error| < 7.5e-8). */
function normalUpperTail(z: number): number {
  const t = 1 / (1 + 0.2316419 * Math.abs(z));
  const d = Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI);
  const p = d * t * (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  return z >= 0 ? p : 1 - p;
}

/** Mann–Whitney U of a (lower is better): P(a < b) and the two-sided p-value. */
export function mannWhitney(a: readonly number[], b: readonly number[]): { winProbability: number; pValue: number } {
  const all = [...a.map((v) => ({ v, g: 0 })), ...b.map((v) => ({ v, g: 1 }))].sort((x, y) => x.v - y.v);
  const ranks = new Array<number>(all.length);
  let tieTerm = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j + 1 < all.length && all[j + 1].v === all[i].v) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[k] = r;
    const t = j - i + 1;
    tieTerm += t ** 3 - t;
    i = j + 1;
  }
  const n1 = a.length;
  const n2 = b.length;
  const r1 = all.reduce((s, x, i) => s + (x.g === 0 ? ranks[i] : 0), 0);
  const u1 = r1 - (n1 * (n1 + 1)) / 2; // pairs where a > b (plus half ties)
  const winProbability = 1 - u1 / (n1 * n2);
  const n = n1 + n2;
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  const z = sigma > 0 ? (Math.abs(u1 - (n1 * n2) / 2) - 0.5) / sigma : 0;
  return { winProbability, pValue: Math.min(1, 2 * normalUpperTail(Math.max(0, z))) };
}

function runOurs(name: OursName, f: BenchFunction): Run {
  const regrets: number[] = [];
  let askTellMs = 0;
  for (const seed of SEEDS) {
    const s = OURS[name].make(f, seed);
    for (let i = 0; i < TRIALS; i++) {
      const t0 = performance.now();
      const { trialId, params } = s.ask();
      askTellMs += performance.now() - t0;
      const value = f.evaluate(params);
      const t1 = performance.now();
      s.tell(trialId, { status: 'complete', value });
      askTellMs += performance.now() - t1;
    }
    regrets.push((s.best()?.value ?? Number.NaN) - f.optimum);
  }
  return { ...summary(regrets), regrets, msPerTrial: askTellMs / (SEEDS.length * TRIALS) };
}

function hasOptuna(python: string): boolean {
  return spawnSync(python, ['-c', 'import optuna, cmaes, scipy, torch'], { encoding: 'utf8' }).status === 0;
}

/** The first python with the peer's packages; creates bench/.venv-optuna once if none has them. */
function findPython(): { python: string } | { python: string | null; reason: string } {
  const explicit = process.env.FAULTLINE_BENCH_PYTHON;
  if (explicit)
    return hasOptuna(explicit) ? { python: explicit } : { python: explicit, reason: `FAULTLINE_BENCH_PYTHON=${explicit} lacks optuna/cmaes/scipy/torch` };
  const venvPython = path.join(BENCH_VENV, 'bin/python');
  for (const p of [venvPython, path.join(ROOT, '.venv/bin/python')]) if (existsSync(p) && hasOptuna(p)) return { python: p };
  console.error(`creating ${path.relative(ROOT, BENCH_VENV)} (${PEER_PACKAGES.join(' ')}) for the Optuna peer…`);
  const mk = existsSync(venvPython) ? { status: 0, stderr: '' } : spawnSync('python3', ['-m', 'venv', BENCH_VENV], { encoding: 'utf8' });
  const pip =
    mk.status === 0 ? spawnSync(path.join(BENCH_VENV, 'bin/pip'), ['install', '-q', ...PEER_PACKAGES], { encoding: 'utf8', timeout: 20 * 60_000 }) : mk;
  if (pip.status === 0 && hasOptuna(venvPython)) return { python: venvPython };
  return { python: venvPython, reason: `could not install the peer's packages: ${(pip.stderr || '').trim().slice(-300)}` };
}

interface PeerOutput {
  optuna: string;
  samplers: Record<string, string>;
  best: Record<string, Record<string, number[]>>;
  secondsPerTrial: Record<string, Record<string, number>>;
}

/**
 * Starts the Optuna peer in the background, as two processes (GPSampler alone, being by far the
 * slowest, and the others), so they use the cores while ours run; merges their outputs.
 */
async function startOptuna(): Promise<{ peer: PeerReport; out?: PeerOutput }> {
  const found = findPython();
  if ('reason' in found) return { peer: { status: 'skipped', python: found.python, reason: found.reason, hint: OPTUNA_HINT } };
  const t0 = performance.now();
  const parts = await Promise.all([['gp'], OPTUNA_SAMPLERS.filter((s) => s !== 'gp')].map((samplers) => runPeer(found.python, samplers)));
  const failed = parts.find((p) => p.peer.status === 'skipped');
  if (failed) return failed;
  const outs = parts.map((p) => p.out as PeerOutput);
  const out: PeerOutput = {
    optuna: outs[0].optuna,
    samplers: Object.assign({}, ...outs.map((o) => o.samplers)) as Record<string, string>,
    best: Object.assign({}, ...outs.map((o) => o.best)) as PeerOutput['best'],
    secondsPerTrial: Object.assign({}, ...outs.map((o) => o.secondsPerTrial)) as PeerOutput['secondsPerTrial'],
  };
  return { peer: { status: 'ok', python: found.python, optuna: out.optuna, samplers: out.samplers, seconds: (performance.now() - t0) / 1000 }, out };
}

function runPeer(python: string, samplers: readonly string[]): Promise<{ peer: PeerReport; out?: PeerOutput }> {
  const found = { python };
  const args = JSON.stringify({ functions: BENCH_FUNCTIONS.map((f) => f.name), samplers, seeds: SEEDS, trials: TRIALS });
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(found.python, [path.join(ROOT, 'bench/peers/optuna_samplers.py'), args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      const seconds = (performance.now() - t0) / 1000;
      if (code !== 0) {
        resolve({ peer: { status: 'skipped', python: found.python, reason: `optuna peer failed: ${stderr.trim().slice(-500)}`, hint: OPTUNA_HINT } });
        return;
      }
      const out = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as PeerOutput;
      resolve({ peer: { status: 'ok', python: found.python, optuna: out.optuna, samplers: out.samplers, seconds }, out });
    });
  });
}

const bestOf = <K extends string>(runs: Partial<Record<K, Run>>, exclude: K[] = []): K | undefined =>
  (Object.entries(runs) as [K, Run][])
    .filter(([k]) => !exclude.includes(k))
    .sort((a, b) => a[1].medianRegret - b[1].medianRegret || a[0].localeCompare(b[0]))[0]?.[0];

async function main(): Promise<void> {
  const loadAverageAtStart = (await import('node:os')).loadavg().map((v) => Math.round(v * 100) / 100);
  const optunaDone = startOptuna();
  const ours: Record<string, Partial<Record<OursName, Run>>> = {};
  for (const f of BENCH_FUNCTIONS) {
    ours[f.name] = {};
    for (const name of Object.keys(OURS) as OursName[]) {
      const applies = OURS[name].appliesTo;
      if (applies && applies !== f.kind) continue;
      ours[f.name][name] = runOurs(name, f);
      console.error(`ours ${name} ${f.name} done`);
    }
  }
  const { peer, out } = await optunaDone;
  const report: Report = { trials: TRIALS, seeds: SEEDS.length, loadAverageAtStart, functions: {}, optuna: peer };
  for (const f of BENCH_FUNCTIONS) {
    const optuna: Partial<Record<OptunaName, Run>> = {};
    for (const s of OPTUNA_SAMPLERS) {
      const best = out?.best[s]?.[f.name];
      if (!best) continue;
      const regrets = best.map((v) => v - f.optimum);
      optuna[s] = { ...summary(regrets), regrets, msPerTrial: (out?.secondsPerTrial[s]?.[f.name] ?? Number.NaN) * 1000 };
    }
    // Random search is the floor, not a contender: the comparison is between model-based samplers.
    const o = bestOf(ours[f.name], ['random']);
    const p = bestOf(optuna, ['random']);
    let comparison: Comparison | null = null;
    if (o && p) {
      const a = ours[f.name][o] as Run;
      const b = optuna[p] as Run;
      comparison = {
        ours: o,
        optuna: p,
        ...mannWhitney(a.regrets, b.regrets),
        oursOverOptunaMedianRegret: b.medianRegret > 0 ? a.medianRegret / b.medianRegret : null,
      };
    }
    report.functions[f.name] = { kind: f.kind, dims: f.dims, optimum: f.optimum, ours: ours[f.name], optuna, comparison };
  }
  printTable(report);
  if (!QUICK) {
    mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(path.join(ROOT, 'bench/results/hpo-sample-efficiency.json'), JSON.stringify(report, null, 2) + '\n');
  }
  console.log(JSON.stringify(report));
}

function printTable(r: Report): void {
  const fmt = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? '—' : v.toPrecision(3)).padStart(9);
  console.log(`median regret after ${r.trials} trials over ${r.seeds} seeds (lower is better); P(win) = P(our best < Optuna's best), Mann–Whitney p`);
  const cols = ['ours TPE', 'TPE+grp', 'ours GP', 'random', 'Opt TPE', 'Opt GP', 'Opt CMA', 'Opt rnd'];
  console.log(`${'function'.padEnd(16)} ${cols.map((c) => c.padStart(9)).join(' ')}   best vs best`);
  for (const [name, f] of Object.entries(r.functions)) {
    const cells = [f.ours.tpe, f.ours.tpeGroup, f.ours.gp, f.ours.random, f.optuna.tpe, f.optuna.gp, f.optuna.cmaes, f.optuna.random].map((x) =>
      fmt(x?.medianRegret),
    );
    const c = f.comparison;
    const cmp = c ? `${c.ours} vs ${c.optuna}: P(win) ${c.winProbability.toFixed(2)}, p ${c.pValue.toPrecision(2)}` : '—';
    console.log(`${name.padEnd(16)} ${cells.join(' ')}   ${cmp}`);
  }
  const ms = (pick: (f: FunctionReport) => Run | undefined): string => {
    const xs = Object.values(r.functions)
      .map(pick)
      .filter((x): x is Run => x !== undefined)
      .map((x) => x.msPerTrial);
    return xs.length ? (xs.reduce((a, b) => a + b, 0) / xs.length).toPrecision(3) : '—';
  };
  console.log(
    `ask+tell ms/trial (mean over functions): ours TPE ${ms((f) => f.ours.tpe)}, GP ${ms((f) => f.ours.gp)}; Optuna TPE ${ms((f) => f.optuna.tpe)}, GP ${ms((f) => f.optuna.gp)}, CMA-ES ${ms((f) => f.optuna.cmaes)} (Optuna: whole trial incl. the objective)`,
  );
  if (r.optuna.status === 'skipped') console.log(`Optuna peer skipped: ${r.optuna.reason}\n  ${r.optuna.hint}`);
  else console.log(`Optuna ${r.optuna.optuna} (${r.optuna.python}), ${Object.values(r.optuna.samplers).join('; ')}`);
}

await main();
