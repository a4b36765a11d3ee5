import { defineSignal } from '@temporalio/workflow';
import { z } from 'zod';

/**
 * Verification runs (issue 13; the seed's TestingService tasks): the project's own tests with
 * optional coverage, quality checks and benchmarks, each a sandboxed child process. The text
 * checks here refuse bad input at the workflow's start; the sandbox (activities/lib/sandbox/)
 * repeats them and adds the checks on disk (symlinks) before any process starts.
 */

const RUN_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
/** Relative path text with `*` globs: the sandbox's charset. */
const GLOB_TEXT = /^[A-Za-z0-9._\-/*]+$/;
const PATTERN_TEXT = /^[A-Za-z0-9 _.,:|-]+$/;

const relativeGlob = z
  .string()
  .min(1)
  .max(200)
  .regex(GLOB_TEXT, 'may contain only letters, digits and ._-/* (no spaces, quotes, shell or control characters)')
  .refine((s) => !s.startsWith('/'), 'must be relative, not an absolute path')
  .refine((s) => s.split('/').every((seg) => seg !== '..' && seg !== '.'), 'must not contain "." or ".." segments')
  .refine((s) => s.split('/').every((seg) => !seg.startsWith('-')), 'segments must not start with "-"');

/** Workflow ids derive from the run id: starting the same run twice does not run it twice. */
export const VERIFY_WORKFLOW_IDS = {
  tests: (runId: string) => `verify-tests-${runId}`,
  quality: (runId: string) => `verify-quality-${runId}`,
  bench: (runId: string) => `verify-bench-${runId}`,
} as const;

export const runIdSchema = z.string().regex(RUN_ID, 'lower-case letters, digits and "-", at most 64 characters');

const pct = z.number().min(0).max(100);
export const CoverageThresholdSchema = z.strictObject({
  lines: pct.default(0),
  branches: pct.default(0),
  functions: pct.default(0),
  statements: pct.default(0),
});

export const RunTestSuiteInputSchema = z.strictObject({
  runId: runIdSchema,
  /** Test files or globs relative to test/ (`unit`, `unit/*.test.ts`, `integration/eval.test.ts`). */
  files: z.array(relativeGlob).min(1).max(32),
  /** Only tests whose full name matches (vitest -t, a regular expression); the seed's `markers`. */
  namePattern: z
    .string()
    .min(1)
    .max(200)
    .regex(PATTERN_TEXT, 'may contain only letters, digits, spaces and _.,:|-')
    .refine((s) => s.trim() === s, 'must not start or end with a space')
    .optional(),
  coverage: z.boolean().default(false),
  /** Percentages the coverage totals must reach; the run's `coverage.meetsThreshold` says whether they did. */
  coverageThreshold: CoverageThresholdSchema.default({ lines: 0, branches: 0, functions: 0, statements: 0 }),
  /** The child process's start-to-close limit. */
  timeoutMinutes: z.number().int().min(1).max(180).default(30),
});
export type RunTestSuiteInput = z.input<typeof RunTestSuiteInputSchema>;
export type RunTestSuiteConfig = z.output<typeof RunTestSuiteInputSchema>;

export const TEST_CASE_STATUSES = ['passed', 'failed', 'skipped', 'todo'] as const;
export type TestCaseStatus = (typeof TEST_CASE_STATUSES)[number];

/** One test as the runner reported it. */
export interface TestCaseResult {
  /** Relative to the project root. */
  file: string;
  /** Describe blocks and test name, joined by " > ". */
  name: string;
  status: TestCaseStatus;
  durationMs: number;
  failureMessage?: string;
}

/** A file that failed as a whole (did not load, or a hook threw), apart from its tests. */
export interface TestFileError {
  file: string;
  message: string;
}

/** What the reporter (activities/lib/verify/vitest-reporter.ts) writes when the run ends. */
export interface VitestReport {
  reason: 'passed' | 'failed' | 'interrupted';
  files: { file: string; state: string; durationMs: number }[];
  tests: TestCaseResult[];
  fileErrors: TestFileError[];
  unhandledErrors: string[];
}

export interface TestTotals {
  files: number;
  tests: number;
  passed: number;
  failed: number;
  skipped: number;
  todo: number;
  /** Files that failed as a whole plus unhandled errors. */
  errors: number;
  durationMs: number;
}

export interface CoverageMetric {
  total: number;
  covered: number;
  /** 0..100, as the runner's own summary prints it. */
  pct: number;
}
export const COVERAGE_METRICS = ['lines', 'branches', 'functions', 'statements'] as const;
export type CoverageMetricName = (typeof COVERAGE_METRICS)[number];
export type CoverageFigures = Record<CoverageMetricName, CoverageMetric>;

export interface CoverageSummary {
  totals: CoverageFigures;
  threshold: z.output<typeof CoverageThresholdSchema>;
  meetsThreshold: boolean;
  /** Metrics under their threshold. */
  below: CoverageMetricName[];
  /** Number of files; each file's figures are rows in verify_coverage_files. */
  files: number;
}

/** Live progress, streamed by the reporter while the runner works. */
export interface TestRunProgress {
  filesTotal: number;
  filesDone: number;
  testsTotal: number;
  testsDone: number;
  failed: number;
}

export const VERIFY_STATUSES = ['PASSED', 'FAILED', 'ERROR', 'TIMED_OUT', 'CANCELLED'] as const;
export type VerifyStatus = (typeof VERIFY_STATUSES)[number];
/** A row is RUNNING until its run ends with one of VERIFY_STATUSES. */
export const VERIFY_ROW_STATUSES = ['RUNNING', ...VERIFY_STATUSES] as const;
export const VERIFY_KINDS = ['tests', 'quality', 'bench'] as const;
export type VerifyKind = (typeof VERIFY_KINDS)[number];
export const FINDING_SEVERITIES = ['error', 'warning', 'info'] as const;
export type FindingSeverity = (typeof FINDING_SEVERITIES)[number];

export interface RunTestSuiteResult {
  runId: string;
  /** PASSED: every test passed (or skipped) and coverage met its threshold; FAILED: a test failed or coverage fell short; ERROR: the runner itself failed. */
  status: VerifyStatus;
  totals: TestTotals;
  /** The first failures (all are rows in verify_test_results). */
  failures: TestCaseResult[];
  coverage?: CoverageSummary;
  junitUri?: string;
  /** A JSON manifest { files: { "index.html": "artifact:sha256/…", … } } of the HTML coverage report. */
  coverageHtmlUri?: string;
  exitCode: number | null;
  /** The runner's stderr tail when it failed without a report. */
  runnerError?: string;
}

/** The activity's progress, signalled to its own workflow (feeds the `progress` query). */
export const verifyProgressSignal = defineSignal<[TestRunProgress]>('verifyProgress');

/** Lines the reporter prints for the activity to parse while the runner works. */
export const VERIFY_PROGRESS_PREFIX = '@@faultline-verify-progress ';
/** Environment variable naming the file the reporter writes its final VitestReport to. */
export const VERIFY_REPORT_ENV = 'FAULTLINE_VERIFY_REPORT';

// ---------------------------------------------------------------------------------------------
// Quality checks (runQualityChecksWorkflow): the type checker, the linter and the formatter's check.

export const QUALITY_TOOLS = ['tsc', 'eslint', 'prettier'] as const;
export type QualityTool = (typeof QUALITY_TOOLS)[number];

/** A relative path (no globs) inside the project; hidden folders and node_modules are not the project's code. */
const relativePath = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9._\-/]+$/, 'may contain only letters, digits and ._-/ (no spaces, quotes, shell or control characters)')
  .refine((s) => !s.startsWith('/'), 'must be relative, not an absolute path')
  .refine((s) => s.split('/').every((seg) => seg !== '..' && seg !== '.'), 'must not contain "." or ".." segments')
  .refine((s) => s.split('/').every((seg) => !seg.startsWith('-')), 'segments must not start with "-"');

export const RunQualityChecksInputSchema = z.strictObject({
  runId: runIdSchema,
  /**
   * A file or folder relative to the project root; omitted: the whole project. Each tool uses the
   * configuration nearest to it (tsconfig.json, eslint.config.js, .prettierignore in the folder or
   * its closest parent), so a folder with its own configuration is checked by its own rules.
   */
  path: relativePath.optional(),
  tools: z
    .array(z.enum(QUALITY_TOOLS))
    .min(1)
    .max(QUALITY_TOOLS.length)
    .refine((t) => new Set(t).size === t.length, 'must not repeat a tool')
    .default([...QUALITY_TOOLS]),
  /** The limit of each tool's child process. */
  timeoutMinutes: z.number().int().min(1).max(60).default(15),
});
export type RunQualityChecksInput = z.input<typeof RunQualityChecksInputSchema>;
export type RunQualityChecksConfig = z.output<typeof RunQualityChecksInputSchema>;

/** One finding, as a row of verify_findings. `line`/`column` are 1-based; 0 when the tool names no place. */
export interface QualityFinding {
  tool: QualityTool;
  /** Relative to the project root; '' for a finding about no file (a tsc option error). */
  file: string;
  line: number;
  column: number;
  /** `TS2322`, an eslint rule id, `prettier/format`; `eslint/parse` for a file eslint could not parse. */
  rule: string;
  severity: FindingSeverity;
  message: string;
}

export interface QualityToolResult {
  tool: QualityTool;
  /** The configuration it ran with, relative to the project root. */
  config: string;
  exitCode: number | null;
  findings: number;
  errors: number;
  warnings: number;
  /** No error-severity finding and the tool did not fail on its own. */
  passed: boolean;
  durationMs: number;
  /** The tool failed without findings to show for it (crashed, timed out, output unreadable). */
  error?: string;
}

export interface RunQualityChecksResult {
  runId: string;
  /** PASSED: no error finding; FAILED: at least one; ERROR: a tool itself failed; TIMED_OUT: a tool hit its limit. */
  status: VerifyStatus;
  path: string;
  tools: QualityToolResult[];
  /** `tool:rule` → number of findings. */
  countsByRule: Record<string, number>;
  totals: { findings: number; errors: number; warnings: number };
  /** The first findings (all are rows in verify_findings). */
  findings: QualityFinding[];
}

// ---------------------------------------------------------------------------------------------
// Benchmarks (runBenchmarksWorkflow): bench/run.ts --only <list>, compared with the last stored run.

/**
 * The benchmarks of bench/lib/registry.ts, by name (test/unit/bench-registry.test.ts keeps the two
 * lists equal). Here so the client, the workflow and the JSON Schema refuse an unknown name before
 * anything starts; contracts/ may not import bench/.
 */
export const BENCH_NAMES = [
  'training-throughput',
  'training-backends',
  'simulator',
  'hpo-sample-efficiency',
  'hpo-orchestration',
  'hpo-asha',
  'nas-search',
  'xai',
  'mat-reader',
  'eval',
  'real-data',
  'features',
  'features-baseline',
  'deploy',
] as const;
export type BenchName = (typeof BENCH_NAMES)[number];

export const RunBenchmarksInputSchema = z.strictObject({
  runId: runIdSchema,
  benches: z
    .array(z.enum(BENCH_NAMES))
    .min(1)
    .max(BENCH_NAMES.length)
    .refine((b) => new Set(b).size === b.length, 'must not repeat a benchmark'),
  /** bench/run.ts --quick: short loops; compared only with earlier quick runs. */
  quick: z.boolean().default(false),
  /** A figure worse than its baseline by more than this fraction (0.2: 20 %) is flagged a regression. */
  regressionThreshold: z.number().min(0).max(10).default(0.2),
  /** The limit of the whole bench/run.ts process. */
  timeoutMinutes: z.number().int().min(1).max(240).default(60),
});
export type RunBenchmarksInput = z.input<typeof RunBenchmarksInputSchema>;
export type RunBenchmarksConfig = z.output<typeof RunBenchmarksInputSchema>;

/** Which way is better for a figure, read off its name (activities/lib/verify/bench-compare.ts). */
export type FigureDirection = 'higher' | 'lower' | 'unknown';

export interface BenchFigureComparison {
  /** Dotted path into the bench's figures, e.g. `ours.seconds.all`. */
  figure: string;
  baseline: number;
  current: number;
  /** current / baseline (null when the baseline is 0). */
  ratio: number | null;
  direction: FigureDirection;
  /** Worse than the baseline by more than the threshold, in the figure's better direction. */
  regression: boolean;
}

export interface BenchOutcome {
  name: BenchName;
  status: 'ok' | 'failed';
  durationSec: number;
  error?: string;
  /** The run compared with (the last stored run of this benchmark, same quick flag); absent for the first one. */
  baselineRunId?: string;
  comparisons: BenchFigureComparison[];
  regressions: number;
}

export interface RunBenchmarksResult {
  runId: string;
  /** PASSED: every bench ran and none regressed; FAILED: one failed or regressed; ERROR: no summary; TIMED_OUT. */
  status: VerifyStatus;
  quick: boolean;
  benches: BenchOutcome[];
  regressions: number;
  /** The summary JSON bench/run.ts wrote ({ machine, benches }), in the artifact store. */
  summaryUri?: string;
  exitCode: number | null;
  runnerError?: string;
}

/** Progress of a quality or bench run: steps (tools, benchmarks) done of total, signalled by its activity. */
export interface VerifyStepProgress {
  completed: number;
  total: number;
  /** The step now running. */
  current?: string;
  findings?: number;
}
export const verifyStepSignal = defineSignal<[VerifyStepProgress]>('verifyStepProgress');
