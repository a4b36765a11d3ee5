/**
 * `npm run bench`: runs the benchmarks of bench/lib/registry.ts in sequence, each in its own child
 * process, prints one summary table and writes bench/results/summary.json. Never part of `npm test`.
 *
 *   npm run bench                               # full run (about 20–30 minutes on 2 cores; the HPO and NAS campaigns are most of it)
 *   npm run bench -- --quick                    # smoke check: short loops, writes summary.quick.json
 *   npm run bench -- simulator                  # one benchmark (several: `a b`, or --only a,b)
 *   npm run bench -- --list                     # what there is; runs nothing
 *   npm run bench -- --only simulator --out /tmp/x.json   # write this run's summary there, not into bench/results/
 *
 * Each child is `node --import tsx bench/<name>.ts [--quick]` and prints its figures as one line
 * of JSON on its last stdout line; everything before that line is passed through as it comes.
 * Each bench's definition (bench/defs/<name>.ts) declares that line's shape, the figures kept of
 * it and its table. Environment (TFJS_BACKEND, BENCH_SECONDS, FAULTLINE_BENCH_PYTHON) is
 * inherited by the children.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Bench } from './lib/bench.js';
import { BENCHES, findBench } from './lib/registry.js';
import { loadavg, ROOT, runBench, type BenchResult, type Ran } from './lib/runner.js';
import { summaryTable, type Machine } from './lib/summary.js';

const RESULTS_DIR = path.join(ROOT, 'bench/results');

interface Options {
  quick: boolean;
  list: boolean;
  help: boolean;
  /** Where to write this run's summary (only its benches) instead of bench/results/; runBenchmarksWorkflow's runs must not touch the recorded files. */
  out: string | null;
  /** Benchmarks to run, in the registry's order; null for all. */
  only: Bench[] | null;
}

function usage(): string {
  return `usage: npm run bench -- [--quick] [--list] [<name>...] [--only <name>[,...]] [--out <file>]
  names: ${BENCHES.map((b) => b.name).join(', ')}`;
}

function readOptions(argv: string[]): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        quick: { type: 'boolean', default: false },
        list: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        only: { type: 'string', multiple: true, default: [] },
        out: { type: 'string' },
      },
      allowPositionals: true,
    });
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n${usage()}`);
  }
  const { values, positionals } = parsed;
  const names = [...values.only, ...positionals].flatMap((v) => v.split(',')).map((s) => s.trim());
  if (values.only.some((v) => v.trim() === '') || names.some((n) => n === '')) throw new Error(`--only needs a benchmark name\n${usage()}`);
  const unknown = names.filter((n) => !findBench(n));
  if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(', ')}\n${usage()}`);
  if (values.out !== undefined && values.out.trim() === '') throw new Error(`--out needs a file\n${usage()}`);
  return {
    quick: values.quick,
    list: values.list,
    help: values.help,
    out: values.out ?? null,
    only: names.length > 0 ? BENCHES.filter((b) => names.includes(b.name)) : null,
  };
}

async function main(): Promise<void> {
  let opts: Options;
  try {
    opts = readOptions(process.argv.slice(2));
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(2);
  }
  if (opts.help) {
    console.log(usage());
    return;
  }
  if (opts.list) {
    const width = Math.max(...BENCHES.map((b) => b.name.length));
    for (const b of opts.only ?? BENCHES) console.log(`${b.name.padEnd(width)}  ${b.description} (${b.file})`);
    return;
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
  const ran: Ran[] = [];
  // Strictly one after another: on 2 cores two benches at once would measure each other.
  for (const def of opts.only ?? BENCHES) ran.push(await runBench(def, opts.quick));

  console.log(`\n${summaryTable(machine, ran)}`);
  // A quick run's figures are noise: keep them out of the recorded summary.json (and out of git).
  const file = opts.out !== null ? path.resolve(opts.out) : path.join(RESULTS_DIR, opts.quick ? 'summary.quick.json' : 'summary.json');
  mkdirSync(path.dirname(file), { recursive: true });
  const benches = opts.out !== null ? ran.map((r) => r.result) : mergedResults(file, ran, opts.only !== undefined);
  writeFileSync(file, JSON.stringify({ machine, benches }, null, 2) + '\n');
  console.log(`\nwrote ${path.relative(ROOT, file)}`);
  if (ran.some((r) => r.result.status === 'failed')) process.exitCode = 1;
}

/**
 * A run of some benches (`--only`, names) updates their entries in the recorded summary and keeps
 * the others' last figures, instead of overwriting the whole file with the subset.
 */
function mergedResults(file: string, ran: Ran[], subset: boolean): BenchResult[] {
  const fresh = ran.map((r) => r.result);
  if (!subset || !existsSync(file)) return fresh;
  let previous: BenchResult[] = [];
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { benches?: BenchResult[] };
    previous = Array.isArray(parsed.benches) ? parsed.benches : [];
  } catch {
    return fresh;
  }
  const names = new Set(fresh.map((r) => r.name));
  const order = BENCHES.map((b) => b.name);
  return [...previous.filter((r) => !names.has(r.name)), ...fresh].sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
}

await main();
