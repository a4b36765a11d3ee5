import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  COVERAGE_METRICS,
  type CoverageFigures,
  type CoverageMetricName,
  type CoverageSummary,
  type RunTestSuiteConfig,
  type TestRunProgress,
  VERIFY_PROGRESS_PREFIX,
} from '../../../contracts/verify.js';
import { checkNamePattern, resolveTestFiles, type SandboxCommand } from '../sandbox/index.js';

export const REPORTER_PATH = fileURLToPath(new URL('./vitest-reporter.ts', import.meta.url));
export const VERIFY_CONFIG = 'vitest.verify.config.ts';

/** Where a run writes what it produces (a fresh temporary directory per attempt). */
export interface RunOutputs {
  dir: string;
  report: string;
  junit: string;
  coverageDir: string;
}

export function outputsIn(dir: string): RunOutputs {
  return { dir, report: path.join(dir, 'report.json'), junit: path.join(dir, 'junit.xml'), coverageDir: path.join(dir, 'coverage') };
}

/**
 * The vitest command for a request, every caller-supplied piece checked first (files against
 * test/ on disk, the name pattern against its charset). Throws InvalidInput before anything runs.
 */
export function planTestRun(config: Pick<RunTestSuiteConfig, 'files' | 'namePattern' | 'coverage'>, root: string, out: RunOutputs): SandboxCommand {
  const files = resolveTestFiles('files', config.files, root);
  const args = ['run', '--config', VERIFY_CONFIG, `--reporter=${REPORTER_PATH}`, '--reporter=junit', `--outputFile.junit=${out.junit}`];
  if (config.namePattern !== undefined) args.push(`--testNamePattern=${checkNamePattern('namePattern', config.namePattern)}`);
  if (config.coverage) {
    args.push(
      '--coverage.enabled',
      '--coverage.provider=v8',
      '--coverage.reportOnFailure',
      '--coverage.reporter=json-summary',
      '--coverage.reporter=html',
      '--coverage.reporter=text-summary',
      `--coverage.reportsDirectory=${out.coverageDir}`,
    );
  }
  // Every file starts with `test/`, so none can read as an option (vitest drops filters after `--`).
  args.push(...files);
  return { program: 'vitest', args };
}

/** A progress line of the reporter, or undefined for any other output. */
export function parseProgressLine(line: string): TestRunProgress | undefined {
  if (!line.startsWith(VERIFY_PROGRESS_PREFIX)) return undefined;
  try {
    const p = JSON.parse(line.slice(VERIFY_PROGRESS_PREFIX.length)) as Partial<TestRunProgress>;
    const n = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : 0);
    return { filesTotal: n(p.filesTotal), filesDone: n(p.filesDone), testsTotal: n(p.testsTotal), testsDone: n(p.testsDone), failed: n(p.failed) };
  } catch {
    return undefined;
  }
}

interface IstanbulMetric {
  total: number;
  covered: number;
  pct: number | string;
}
type IstanbulSummary = Record<string, Record<CoverageMetricName, IstanbulMetric>>;

function figures(m: Record<CoverageMetricName, IstanbulMetric>): CoverageFigures {
  const f = {} as CoverageFigures;
  for (const k of COVERAGE_METRICS) {
    const x = m[k];
    // istanbul prints "Unknown" for a metric with nothing to count; 100 % of nothing is covered.
    f[k] = { total: x.total, covered: x.covered, pct: typeof x.pct === 'number' ? x.pct : 100 };
  }
  return f;
}

/** The runner's own coverage-summary.json, as totals against the threshold and per-file rows. */
export function readCoverage(
  coverageDir: string,
  root: string,
  threshold: CoverageSummary['threshold'],
): { summary: CoverageSummary; files: { file: string; figures: CoverageFigures }[] } {
  const raw = JSON.parse(readFileSync(path.join(coverageDir, 'coverage-summary.json'), 'utf8')) as IstanbulSummary;
  const totals = figures(raw.total);
  const files = Object.entries(raw)
    .filter(([k]) => k !== 'total')
    .map(([k, v]) => ({ file: path.relative(root, k), figures: figures(v) }));
  const below = COVERAGE_METRICS.filter((k) => totals[k].pct < threshold[k]);
  return { summary: { totals, threshold, meetsThreshold: below.length === 0, below, files: files.length }, files };
}

/** Every file of the HTML report, for one bundle artifact (binary files base64, text as is). */
export function bundleDirectory(dir: string): { format: 'faultline-files/1'; files: Record<string, { encoding: 'utf8' | 'base64'; data: string }> } {
  const files: Record<string, { encoding: 'utf8' | 'base64'; data: string }> = {};
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(dir, rel))) {
      const r = rel ? `${rel}/${name}` : name;
      const full = path.join(dir, r);
      if (statSync(full).isDirectory()) walk(r);
      else {
        const bytes = readFileSync(full);
        const text = /\.(html|css|js|json|txt)$/.test(name);
        files[r] = text ? { encoding: 'utf8', data: bytes.toString('utf8') } : { encoding: 'base64', data: bytes.toString('base64') };
      }
    }
  };
  walk('');
  return { format: 'faultline-files/1', files };
}
