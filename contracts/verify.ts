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
