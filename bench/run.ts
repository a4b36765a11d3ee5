/**
 * `npm run bench`: runs every benchmark in sequence, each in its own child process, prints one
 * summary table and writes bench/results/summary.json. Never part of `npm test`.
 *
 *   npm run bench                               # full run (about 20–30 minutes on 2 cores; the HPO and NAS campaigns are most of it)
 *   npm run bench -- --quick                    # smoke check: short loops, writes summary.quick.json
 *   npm run bench -- --only simulator           # one benchmark (comma-separate for several)
 *
 * Each child is `node --import tsx bench/<name>.ts [--quick]` and prints its figures as one line
 * of JSON on its last stdout line; everything before that line is passed through as it comes.
 * Environment (TFJS_BACKEND, BENCH_SECONDS, FAULTLINE_BENCH_PYTHON) is inherited by the children.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS_DIR = path.join(ROOT, 'bench/results');

// ---------------------------------------------------------------------------------------------
// What the children print on their last line. Only the fields the summary uses are declared; zod
// drops the rest, so a bench can report more without breaking the runner. NaN becomes null in JSON.

const num = z.number().nullable();

const TrainingReport = z.object({
  seconds: z.number(),
  backendSelection: z.object({ name: z.string() }),
  tfjs: z.array(z.object({ backend: z.string(), trainSamplesPerSec: num, predictSamplesPerSec: num, note: z.string().optional() })),
  torch: z.object({
    python: z.string(),
    torch: z.string().optional(),
    threads: z.number().optional(),
    trainSamplesPerSec: z.number().optional(),
    predictSamplesPerSec: z.number().optional(),
    skipped: z.string().optional(),
    hint: z.string().optional(),
  }),
  ratio: z.object({ trainTorchOverTfjs: num, predictTorchOverTfjs: num }).optional(),
});

const SimulatorReport = z.object({
  signals: z.number(),
  signalsPerSec: z.number(),
  msPerSignalWall: z.number(),
  msPerSignalCpu: z.number(),
  envelopeSpectrumMedianMs: z.number(),
});

interface TrainingFigures {
  kind: 'training-throughput';
  loopSeconds: number;
  selectedBackend: string;
  tfjs: { backend: string; trainSamplesPerSec: number | null; predictSamplesPerSec: number | null; note?: string }[];
  pytorch:
    | { status: 'ok'; python: string; torch: string; threads: number | null; trainSamplesPerSec: number; predictSamplesPerSec: number | null }
    | { status: 'skipped'; python: string; reason: string; hint: string | null };
  /** PyTorch over the selected tfjs backend: above 1 means PyTorch is faster. */
  ratio: { trainPytorchOverTfjs: number | null; predictPytorchOverTfjs: number | null } | null;
}

interface SimulatorFigures {
  kind: 'simulator';
  signals: number;
  signalsPerSec: number;
  msPerSignalWall: number;
  msPerSignalCpu: number;
  envelopeSpectrumMedianMs: number;
}

const Regret = z.object({ medianRegret: z.number(), q1Regret: z.number(), q3Regret: z.number() });
const HpoReport = z.object({
  trials: z.number(),
  seeds: z.number(),
  functions: z.record(z.string(), z.object({ ours: Regret, random: Regret, optuna: Regret.nullable() })),
  optuna: z.object({ status: z.enum(['ok', 'skipped']), reason: z.string().optional(), hint: z.string().optional() }),
});

interface HpoFigures {
  kind: 'hpo-sample-efficiency';
  trials: number;
  seeds: number;
  /** Median regret after `trials` trials, per test function (lower is better). */
  functions: Record<string, { ours: number; random: number; optuna: number | null }>;
  optuna: { status: 'ok' | 'skipped'; reason?: string; hint?: string };
}

const OrchRow = z.object({ concurrency: z.number(), trialsPerSec: z.number(), msPerTrialWall: z.number(), overheadMsPerTrial: z.number() });
const OrchestrationReport = z.object({
  trials: z.number(),
  ours: z.array(OrchRow),
  celery: z.discriminatedUnion('status', [
    z.object({ status: z.literal('ok'), celery: z.string(), workerConcurrency: z.number(), results: z.array(OrchRow) }),
    z.object({ status: z.literal('skipped'), reason: z.string(), hint: z.string() }),
  ]),
  ratio: z.array(z.object({ concurrency: z.number(), trialsPerSecOursOverCelery: z.number(), msPerTrialOursOverCelery: z.number() })),
});

interface OrchestrationFigures {
  kind: 'hpo-orchestration';
  trials: number;
  /** Per concurrency (trials in flight): trials/s, ms/trial (= wall / trials) and slot overhead ms/trial. */
  rows: {
    concurrency: number;
    ours: { trialsPerSec: number; msPerTrial: number; slotMsPerTrial: number };
    celery: { trialsPerSec: number; msPerTrial: number; slotMsPerTrial: number } | null;
    /** Ours ÷ Celery trials/s: above 1 means we are faster. */
    trialsPerSecOursOverCelery: number | null;
  }[];
  celery: { status: 'ok'; version: string; workerConcurrency: number } | { status: 'skipped'; reason: string; hint: string };
}

const AshaCampaign = z.object({
  best: num,
  timeToTargetSec: num,
  wallSec: z.number(),
  epochsTrained: z.number(),
  trials: z.object({ completed: z.number(), pruned: z.number() }),
});
const AshaReport = z.object({
  campaign: z.object({ trials: z.number(), concurrency: z.number(), asha: z.object({ minEpochs: z.number(), maxEpochs: z.number(), reductionFactor: z.number() }) }),
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
  campaigns: { pruner: 'asha' | 'none'; best: number | null; timeToTargetSec: number | null; wallSec: number; epochs: number; completed: number; pruned: number }[];
  /** none ÷ asha: above 1 means ASHA was faster / trained fewer epochs. */
  speedup: { timeToTarget: number | null; wall: number; epochs: number | null };
}

const NasStrategy = z.object({
  bestAccuracy: num,
  bestAccuracyParams: num,
  bestEfficiency: num,
  meanAccuracy: num,
  bestTestAccuracy: num,
  wallSec: num,
  trained: z.number(),
  rejected: z.number(),
  duplicates: z.number(),
  failed: z.number(),
});
const NasReport = z.object({
  setup: z.object({ seeds: z.array(z.number()), candidates: z.number(), concurrency: z.number(), epochs: z.number() }),
  summary: z.object({
    evolution: NasStrategy,
    random: NasStrategy,
    reference: z.object({ valAccuracy: num, testAccuracy: num, params: z.number(), efficiency: num, wallSec: num }),
  }),
  headToHead: z.object({ evolutionWins: z.number(), randomWins: z.number(), ties: z.number() }),
});

interface NasFigures {
  kind: 'nas-search';
  seeds: number;
  candidates: number;
  concurrency: number;
  epochs: number;
  /** Medians over seeds; efficiency = validation accuracy / log10(parameters). */
  rows: {
    row: 'evolution' | 'random' | 'reference';
    bestAccuracy: number | null;
    params: number | null;
    testAccuracy: number | null;
    efficiency: number | null;
    wallSec: number | null;
    /** Totals over seeds (null for the reference, one run per seed). */
    rejected: number | null;
    duplicates: number | null;
  }[];
  headToHead: { evolutionWins: number; randomWins: number; ties: number };
}

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
  methods: { method: string; msPerWindowMethod: number | null; msPerWindowExplain: number | null; signalsPerSec: number | null; pool1SignalsPerSec: number | null; pool2SignalsPerSec: number | null }[];
  /** explainSignalsWorkflow over the same signals per (method set, maxInFlight). */
  workflow: { signals: number; cpuSlots: number; xaiProcesses: number; runs: { methods: string; maxInFlight: number; wallSec: number; signalsPerSec: number; poolBusy: number | null }[] };
}

type Figures = TrainingFigures | SimulatorFigures | HpoFigures | OrchestrationFigures | AshaFigures | NasFigures | XaiFigures | MatFigures | EvalFigures;

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
function evalFigures(json: unknown): EvalFigures {
  return { kind: 'eval', ...EvalReport.parse(json) };
}

const MatRate = z.object({ mbPerSec: z.number(), seconds: z.number() });
const MatReport = z.object({
  ours: z.record(z.string(), MatRate),
  peer: z.union([
    z.object({ status: z.literal('ok'), scipy: z.string(), formats: z.record(z.string(), MatRate) }),
    z.object({ status: z.literal('skipped'), reason: z.string(), hint: z.string() }),
  ]),
  hostile: z.object({ cases: z.number(), worstMs: z.number(), rejected: z.number() }),
});
interface MatFigures extends z.infer<typeof MatReport> {
  kind: 'mat-reader';
}
function matFigures(json: unknown): MatFigures {
  return { kind: 'mat-reader', ...MatReport.parse(json) };
}

function xaiFigures(json: unknown): XaiFigures {
  const r = XaiReport.parse(json);
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
      runs: r.workflow.runs.map((x) => ({ methods: x.methods, maxInFlight: x.maxInFlight, wallSec: x.wallSec, signalsPerSec: x.signalsPerSec, poolBusy: x.poolBusy })),
    },
  };
}

function orchestrationFigures(json: unknown): OrchestrationFigures {
  const r = OrchestrationReport.parse(json);
  const pick = (x: z.infer<typeof OrchRow>) => ({ trialsPerSec: x.trialsPerSec, msPerTrial: x.msPerTrialWall, slotMsPerTrial: x.overheadMsPerTrial });
  return {
    kind: 'hpo-orchestration',
    trials: r.trials,
    rows: r.ours.map((o) => {
      const p = r.celery.status === 'ok' ? r.celery.results.find((c) => c.concurrency === o.concurrency) : undefined;
      return {
        concurrency: o.concurrency,
        ours: pick(o),
        celery: p ? pick(p) : null,
        trialsPerSecOursOverCelery: r.ratio.find((x) => x.concurrency === o.concurrency)?.trialsPerSecOursOverCelery ?? null,
      };
    }),
    celery:
      r.celery.status === 'ok'
        ? { status: 'ok', version: r.celery.celery, workerConcurrency: r.celery.workerConcurrency }
        : { status: 'skipped', reason: r.celery.reason, hint: r.celery.hint },
  };
}

function ashaFigures(json: unknown): AshaFigures {
  const r = AshaReport.parse(json);
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

function nasFigures(json: unknown): NasFigures {
  const r = NasReport.parse(json);
  const row = (name: 'evolution' | 'random', x: z.infer<typeof NasStrategy>) => ({
    row: name,
    bestAccuracy: x.bestAccuracy,
    params: x.bestAccuracyParams,
    testAccuracy: x.bestTestAccuracy,
    efficiency: x.bestEfficiency,
    wallSec: x.wallSec,
    rejected: x.rejected,
    duplicates: x.duplicates,
  });
  const ref = r.summary.reference;
  return {
    kind: 'nas-search',
    seeds: r.setup.seeds.length,
    candidates: r.setup.candidates,
    concurrency: r.setup.concurrency,
    epochs: r.setup.epochs,
    rows: [
      row('evolution', r.summary.evolution),
      row('random', r.summary.random),
      { row: 'reference', bestAccuracy: ref.valAccuracy, params: ref.params, testAccuracy: ref.testAccuracy, efficiency: ref.efficiency, wallSec: ref.wallSec, rejected: null, duplicates: null },
    ],
    headToHead: r.headToHead,
  };
}

function hpoFigures(json: unknown): HpoFigures {
  const r = HpoReport.parse(json);
  return {
    kind: 'hpo-sample-efficiency',
    trials: r.trials,
    seeds: r.seeds,
    functions: Object.fromEntries(
      Object.entries(r.functions).map(([name, f]) => [name, { ours: f.ours.medianRegret, random: f.random.medianRegret, optuna: f.optuna?.medianRegret ?? null }]),
    ),
    optuna: r.optuna,
  };
}

function trainingFigures(json: unknown): TrainingFigures {
  const r = TrainingReport.parse(json);
  const t = r.torch;
  return {
    kind: 'training-throughput',
    loopSeconds: r.seconds,
    selectedBackend: r.backendSelection.name,
    tfjs: r.tfjs,
    pytorch:
      t.skipped === undefined && t.trainSamplesPerSec !== undefined
        ? {
            status: 'ok',
            python: t.python,
            torch: t.torch ?? 'unknown',
            threads: t.threads ?? null,
            trainSamplesPerSec: t.trainSamplesPerSec,
            predictSamplesPerSec: t.predictSamplesPerSec ?? null,
          }
        : { status: 'skipped', python: t.python, reason: t.skipped ?? 'no figures reported', hint: t.hint ?? null },
    ratio: r.ratio ? { trainPytorchOverTfjs: r.ratio.trainTorchOverTfjs, predictPytorchOverTfjs: r.ratio.predictTorchOverTfjs } : null,
  };
}

function simulatorFigures(json: unknown): SimulatorFigures {
  return { kind: 'simulator', ...SimulatorReport.parse(json) };
}

// ---------------------------------------------------------------------------------------------

interface BenchDef {
  name: string;
  file: string;
  /** A hung child (e.g. a stuck Python) must not hang the whole run. */
  timeoutMs: { full: number; quick: number };
  figures: (json: unknown) => Figures;
}

const BENCHES: readonly BenchDef[] = [
  { name: 'training-throughput', file: 'bench/training-throughput.ts', timeoutMs: { full: 15 * 60_000, quick: 5 * 60_000 }, figures: trainingFigures },
  { name: 'simulator', file: 'bench/simulator.ts', timeoutMs: { full: 5 * 60_000, quick: 2 * 60_000 }, figures: simulatorFigures },
  { name: 'hpo-sample-efficiency', file: 'bench/hpo-sample-efficiency.ts', timeoutMs: { full: 10 * 60_000, quick: 3 * 60_000 }, figures: hpoFigures },
  { name: 'hpo-orchestration', file: 'bench/hpo-orchestration.ts', timeoutMs: { full: 15 * 60_000, quick: 5 * 60_000 }, figures: orchestrationFigures },
  { name: 'hpo-asha', file: 'bench/hpo-asha.ts', timeoutMs: { full: 20 * 60_000, quick: 6 * 60_000 }, figures: ashaFigures },
  { name: 'nas-search', file: 'bench/nas-search.ts', timeoutMs: { full: 20 * 60_000, quick: 6 * 60_000 }, figures: nasFigures },
  { name: 'xai', file: 'bench/xai.ts', timeoutMs: { full: 20 * 60_000, quick: 5 * 60_000 }, figures: xaiFigures },
  { name: 'mat-reader', file: 'bench/mat-reader.ts', timeoutMs: { full: 5 * 60_000, quick: 2 * 60_000 }, figures: matFigures },
  { name: 'eval', file: 'bench/eval.ts', timeoutMs: { full: 10 * 60_000, quick: 4 * 60_000 }, figures: evalFigures },
];

interface BenchResult {
  name: string;
  status: 'ok' | 'failed';
  exitCode: number | null;
  durationSec: number;
  /** 1/5/15-minute load average when this bench started (includes the tail of the previous bench). */
  loadAverageAtStart: number[];
  figures?: Figures;
  error?: string;
}

interface Options {
  quick: boolean;
  only: string[] | null;
}

function usage(): string {
  return `usage: npm run bench -- [--quick] [--only <${BENCHES.map((b) => b.name).join('|')}>[,...]]`;
}

function parseArgs(argv: string[]): Options {
  let quick = false;
  const only: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') quick = true;
    else if (a === '--only' || a.startsWith('--only=')) {
      const value = a === '--only' ? argv[++i] : a.slice('--only='.length);
      if (!value) throw new Error(`--only needs a benchmark name\n${usage()}`);
      only.push(...value.split(',').map((s) => s.trim()).filter((s) => s.length > 0));
    } else if (a === '--help' || a === '-h') {
      console.log(usage());
      process.exit(0);
    } else throw new Error(`unknown argument ${a}\n${usage()}`);
  }
  const unknown = only.filter((n) => !BENCHES.some((b) => b.name === n));
  if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(', ')}\n${usage()}`);
  return { quick, only: only.length > 0 ? only : null };
}

const loadavg = (): number[] => os.loadavg().map((v) => Math.round(v * 100) / 100);

/**
 * Runs one bench, passing its output through live but holding back each latest stdout line: the
 * last one is the JSON report, which is parsed rather than echoed (it is long and unreadable).
 */
function runChild(def: BenchDef, quick: boolean): Promise<{ exitCode: number | null; lastLine: string; error?: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', def.file, ...(quick ? ['--quick'] : [])], {
      cwd: ROOT, // `--import tsx` resolves from the working directory
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let pending = '';
    let held: string | null = null;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (held !== null) process.stdout.write(held + '\n');
        held = line;
      }
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, quick ? def.timeoutMs.quick : def.timeoutMs.full);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ exitCode: null, lastLine: '', error: err.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      // Output may end without a newline; then the unterminated rest is the last line.
      const tail = pending.trim();
      let lastLine = held ?? '';
      if (tail.length > 0) {
        if (held !== null) process.stdout.write(held + '\n');
        lastLine = tail;
      }
      resolve({ exitCode: code, lastLine, ...(timedOut ? { error: `timed out after ${(quick ? def.timeoutMs.quick : def.timeoutMs.full) / 1000} s` } : {}) });
    });
  });
}

async function runBench(def: BenchDef, quick: boolean): Promise<BenchResult> {
  const loadAverageAtStart = loadavg();
  console.log(`\n=== ${def.name}${quick ? ' (quick)' : ''} — load average ${loadAverageAtStart.join(' / ')} ===`);
  const t0 = performance.now();
  const { exitCode, lastLine, error } = await runChild(def, quick);
  const base = { name: def.name, exitCode, durationSec: Math.round((performance.now() - t0) / 100) / 10, loadAverageAtStart };
  if (error !== undefined || exitCode !== 0) {
    if (lastLine && !lastLine.startsWith('{')) console.log(lastLine);
    return { ...base, status: 'failed', error: error ?? `exited with code ${exitCode}` };
  }
  try {
    return { ...base, status: 'ok', figures: def.figures(JSON.parse(lastLine) as unknown) };
  } catch (e) {
    console.log(lastLine);
    const why = e instanceof z.ZodError ? e.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') : e instanceof Error ? e.message : String(e);
    return { ...base, status: 'failed', error: `last stdout line is not the expected JSON report: ${why}` };
  }
}

// ---------------------------------------------------------------------------------------------
// Summary table

const fmt = (v: number | null | undefined, digits = 0): string => (v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits));

function trainingTable(f: TrainingFigures): string[] {
  const rows: [string, string, string][] = f.tfjs.map((r, i) => [
    `tfjs ${r.backend}${i === 0 ? ' (selected)' : ''}`,
    fmt(r.trainSamplesPerSec),
    fmt(r.predictSamplesPerSec),
  ]);
  const p = f.pytorch;
  if (p.status === 'ok') rows.push([`pytorch ${p.torch} (${p.threads ?? '?'} threads)`, fmt(p.trainSamplesPerSec), fmt(p.predictSamplesPerSec)]);
  else rows.push(['pytorch: skipped (reason below)', '-', '-']);
  if (f.ratio) {
    rows.push([`ratio pytorch / tfjs ${f.selectedBackend}`, `x${fmt(f.ratio.trainPytorchOverTfjs, 2)}`, `x${fmt(f.ratio.predictPytorchOverTfjs, 2)}`]);
  }
  const out = [`  ${'runtime'.padEnd(46)} ${'train samples/s'.padStart(16)} ${'predict samples/s'.padStart(18)}`];
  for (const [a, b, c] of rows) out.push(`  ${a.padEnd(46)} ${b.padStart(16)} ${c.padStart(18)}`);
  if (p.status === 'skipped') {
    // The reason lists every interpreter tried: too long for a table cell.
    out.push(`  pytorch skipped: ${p.reason}`);
    if (p.hint) out.push(`  to run the PyTorch peer: ${p.hint}`);
  }
  return out;
}

function simulatorTable(f: SimulatorFigures): string[] {
  return [
    `  ${fmt(f.signalsPerSec, 1)} signals/s (${f.signals} signals; ${fmt(f.msPerSignalWall, 2)} ms/signal wall, ${fmt(f.msPerSignalCpu, 2)} ms/signal CPU)`,
    `  envelope spectrum of one signal: ${fmt(f.envelopeSpectrumMedianMs, 1)} ms median`,
  ];
}

function hpoTable(f: HpoFigures): string[] {
  const out = [`  median regret after ${f.trials} trials over ${f.seeds} seeds (lower is better)`, `  ${'function'.padEnd(14)} ${'our TPE'.padStart(10)} ${'Optuna TPE'.padStart(11)} ${'random'.padStart(10)}`];
  for (const [name, v] of Object.entries(f.functions)) {
    out.push(`  ${name.padEnd(14)} ${fmt(v.ours, 3).padStart(10)} ${fmt(v.optuna, 3).padStart(11)} ${fmt(v.random, 3).padStart(10)}`);
  }
  if (f.optuna.status === 'skipped') out.push(`  optuna skipped: ${f.optuna.reason ?? ''}${f.optuna.hint ? ` (${f.optuna.hint})` : ''}`);
  return out;
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
  if (f.celery.status === 'ok') out.push(`  celery ${f.celery.version}, prefork, ${f.celery.workerConcurrency} worker processes, Redis broker and backend`);
  else out.push(`  celery skipped: ${f.celery.reason}`, `  to run the Celery peer: ${f.celery.hint}`);
  return out;
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

function nasTable(f: NasFigures): string[] {
  const out = [
    `  ${f.candidates} candidates per campaign, ${f.concurrency} in flight, ${f.epochs} epochs each; median over ${f.seeds} seed(s); acc/log10(p) = val accuracy / log10(params)`,
    `  ${'row'.padEnd(10)} ${'best acc'.padStart(9)} ${'params'.padStart(8)} ${'test acc'.padStart(9)} ${'acc/log10(p)'.padStart(13)} ${'wall s'.padStart(8)} ${'rejected/dup'.padStart(13)}`,
  ];
  for (const r of f.rows) {
    const rd = r.rejected === null ? '-' : `${r.rejected}/${r.duplicates ?? 0}`;
    out.push(
      `  ${r.row.padEnd(10)} ${fmt(r.bestAccuracy, 4).padStart(9)} ${fmt(r.params).padStart(8)} ${fmt(r.testAccuracy, 4).padStart(9)} ${fmt(r.efficiency, 4).padStart(13)} ${fmt(r.wallSec, 1).padStart(8)} ${rd.padStart(13)}`,
    );
  }
  const h = f.headToHead;
  out.push(`  best accuracy per seed: evolution better ${h.evolutionWins}, random better ${h.randomWins}, tied ${h.ties}`);
  return out;
}

function matTable(f: MatFigures): string[] {
  const out = [`  ${'format'.padEnd(14)} ${'ours MB/s'.padStart(10)} ${'scipy/h5py MB/s'.padStart(16)}`];
  for (const [fmt, r] of Object.entries(f.ours)) {
    const peer = f.peer.status === 'ok' ? f.peer.formats[fmt]?.mbPerSec ?? null : null;
    out.push(`  ${fmt.padEnd(14)} ${fmt0(r.mbPerSec).padStart(10)} ${(peer === null ? '—' : fmt0(peer)).padStart(16)}`);
  }
  if (f.peer.status === 'skipped') out.push(`  peer skipped: ${f.peer.reason} (${f.peer.hint})`);
  out.push(`  damaged files: ${f.hostile.rejected}/${f.hostile.cases} rejected, worst ${f.hostile.worstMs.toFixed(1)} ms`);
  return out;
}
const fmt0 = (x: number) => x.toFixed(0);

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

function summaryTable(machine: Machine, results: BenchResult[]): string {
  const lines = [
    `Summary${machine.quick ? ' (QUICK run: smoke check, not for comparison)' : ''} — ${machine.date}`,
    `  ${machine.cpuCount} × ${machine.cpuModel}, node ${machine.node}; load average at start ${machine.loadAverageAtStart.join(' / ')} (1/5/15 min)`,
  ];
  if (machine.loadAverageAtStart[0] >= machine.cpuCount / 2) {
    lines.push(`  WARNING: other processes were busy at start (load ${machine.loadAverageAtStart[0]} on ${machine.cpuCount} cores): figures are likely low.`);
  }
  for (const r of results) {
    lines.push('', `${r.name} — ${r.status}, ${r.durationSec} s, load average at its start ${r.loadAverageAtStart.join(' / ')}`);
    if (r.status === 'failed') lines.push(`  FAILED: ${r.error}`);
    else if (r.figures?.kind === 'training-throughput') lines.push(...trainingTable(r.figures));
    else if (r.figures?.kind === 'simulator') lines.push(...simulatorTable(r.figures));
    else if (r.figures?.kind === 'hpo-sample-efficiency') lines.push(...hpoTable(r.figures));
    else if (r.figures?.kind === 'hpo-orchestration') lines.push(...orchestrationTable(r.figures));
    else if (r.figures?.kind === 'hpo-asha') lines.push(...ashaTable(r.figures));
    else if (r.figures?.kind === 'nas-search') lines.push(...nasTable(r.figures));
    else if (r.figures?.kind === 'xai') lines.push(...xaiTable(r.figures));
    else if (r.figures?.kind === 'mat-reader') lines.push(...matTable(r.figures));
    else if (r.figures?.kind === 'eval') lines.push(...evalTable(r.figures));
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------

interface Machine {
  date: string;
  quick: boolean;
  hostname: string;
  platform: string;
  arch: string;
  cpuModel: string;
  cpuCount: number;
  totalMemGiB: number;
  node: string;
  /** Before any bench runs, so it is other processes' load only. */
  loadAverageAtStart: number[];
}

async function main(): Promise<void> {
  let opts: Options;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(2);
  }
  const machine: Machine = {
    date: new Date().toISOString(),
    quick: opts.quick,
    hostname: os.hostname(),
    platform: os.platform(),
    arch: os.arch(),
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cpuCount: os.cpus().length,
    totalMemGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    loadAverageAtStart: loadavg(),
  };
  const selected = BENCHES.filter((b) => opts.only === null || opts.only.includes(b.name));

  const results: BenchResult[] = [];
  // Strictly one after another: on 2 cores two benches at once would measure each other.
  for (const def of selected) results.push(await runBench(def, opts.quick));

  console.log(`\n${summaryTable(machine, results)}`);
  // A quick run's figures are noise: keep them out of the recorded summary.json (and out of git).
  const file = path.join(RESULTS_DIR, opts.quick ? 'summary.quick.json' : 'summary.json');
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(file, JSON.stringify({ machine, benches: results }, null, 2) + '\n');
  console.log(`\nwrote ${path.relative(ROOT, file)}`);
  if (results.some((r) => r.status === 'failed')) process.exitCode = 1;
}

await main();
