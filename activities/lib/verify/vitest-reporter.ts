import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Reporter, SerializedError, TestCase, TestModule, TestRunEndReason, TestSpecification } from 'vitest/node';
import { VERIFY_PROGRESS_PREFIX, VERIFY_REPORT_ENV, type TestCaseResult, type TestRunProgress, type VitestReport } from '../../../contracts/verify.js';

/** Failure messages are for a person and a row: the first lines, not a whole diff. */
const MAX_MESSAGE_CHARS = 2_000;

const clip = (s: string) => (s.length > MAX_MESSAGE_CHARS ? `${s.slice(0, MAX_MESSAGE_CHARS)}…` : s);

/**
 * Loaded into a sandboxed vitest by activities/verify.ts: prints one progress line per finished
 * test or file (the activity parses them while the run goes on) and writes the structured report
 * to the file named by FAULTLINE_VERIFY_REPORT when the run ends.
 */
export default class VerifyReporter implements Reporter {
  private readonly root = process.cwd();
  private readonly progress: TestRunProgress = { filesTotal: 0, filesDone: 0, testsTotal: 0, testsDone: 0, failed: 0 };

  private emit(): void {
    process.stdout.write(`\n${VERIFY_PROGRESS_PREFIX}${JSON.stringify(this.progress)}\n`);
  }

  private rel(moduleId: string): string {
    return path.relative(this.root, moduleId);
  }

  onTestRunStart(specifications: ReadonlyArray<TestSpecification>): void {
    this.progress.filesTotal = specifications.length;
    this.emit();
  }

  onTestModuleCollected(m: TestModule): void {
    this.progress.testsTotal += [...m.children.allTests()].length;
    this.emit();
  }

  onTestCaseResult(t: TestCase): void {
    this.progress.testsDone++;
    if (t.result().state === 'failed') this.progress.failed++;
    this.emit();
  }

  onTestModuleEnd(): void {
    this.progress.filesDone++;
    this.emit();
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandled: ReadonlyArray<SerializedError>, reason: TestRunEndReason): void {
    const report: VitestReport = { reason, files: [], tests: [], fileErrors: [], unhandledErrors: unhandled.map((e) => clip(e.message ?? String(e))) };
    for (const m of modules) {
      const file = this.rel(m.moduleId);
      report.files.push({ file, state: m.state(), durationMs: Math.round(m.diagnostic().duration) });
      for (const e of m.errors()) report.fileErrors.push({ file, message: clip(e.message ?? String(e)) });
      for (const t of m.children.allTests()) report.tests.push(caseResult(file, t));
    }
    const out = process.env[VERIFY_REPORT_ENV];
    if (out) writeFileSync(out, JSON.stringify(report));
  }
}

function caseResult(file: string, t: TestCase): TestCaseResult {
  const r = t.result();
  const status = r.state === 'passed' ? 'passed' : r.state === 'failed' ? 'failed' : t.options.mode === 'todo' ? 'todo' : 'skipped';
  const out: TestCaseResult = { file, name: t.fullName, status, durationMs: Math.round(t.diagnostic()?.duration ?? 0) };
  if (r.state === 'failed') out.failureMessage = clip(r.errors.map((e) => e.message).join('\n'));
  return out;
}
