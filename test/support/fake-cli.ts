import type { FaultlineApi, RunDescription, StartedRun } from '../../client/api.js';
import type { CliDeps } from '../../client/cli/context.js';
import { runCli } from '../../client/cli/main.js';
import type { CliSession } from '../../client/cli/session.js';
import { resolveWorkflowId } from '../../client/workflow-kinds.js';
import type { Progress } from '../../contracts/index.js';

/** Wraps an API method so each call is recorded before it runs. */
export type Recorder = <A extends unknown[], R>(method: string, impl: (...args: A) => R) => (...args: A) => R;

/** Where this machine's artifact store would hold a URI (undefined: not here). */
export type ArtifactPath = (uri: string) => string | undefined;

/**
 * The CLI over a recording fake API: commander parsing and output only, no Temporal, no
 * terminal. `makeApi` builds the fake API with `record` (see fakeCli for the usual one); this
 * provides the plumbing: call log, captured stdout/stderr, session count.
 */
export function cliHarness(makeApi: (record: Recorder) => FaultlineApi, artifactPath?: ArtifactPath) {
  const calls: { method: string; args: unknown[] }[] = [];
  let sessions = 0;
  const stdout: string[] = [];
  const stderr: string[] = [];
  const record: Recorder =
    (method, impl) =>
    (...args) => {
      calls.push({ method, args });
      return impl(...args);
    };
  const api = makeApi(record);
  const session: CliSession = {
    api,
    webUiUrl: (id) => `http://127.0.0.1:8233/namespaces/default/workflows/${id}`,
    ...(artifactPath ? { artifactPath } : {}),
    close: async () => undefined,
  };
  const deps: CliDeps = {
    io: { stdout: { write: (s: string) => stdout.push(s) }, stderr: { write: (s: string) => stderr.push(s) } },
    openSession: async () => {
      sessions++;
      return session;
    },
    pollIntervalMs: 1,
  };
  return {
    deps,
    calls,
    run: (argv: string[]) => runCli(argv, deps),
    stdout: () => stdout.join(''),
    stderr: () => stderr.join(''),
    sessions: () => sessions,
    argsOf: (method: string) => calls.find((c) => c.method === method)?.args,
  };
}

/** What the API answers for a workflow it has just started. */
export const startedRun = (workflowId: string, entityId: string): StartedRun => ({ workflowId, runId: 'run-1', entityId, alreadyExisted: false });

/** The fake API's one workflow: what it is, what it reports and what it returns. */
export interface FakeWorkflow {
  workflowId: string;
  type: string;
  /** A closed run ends this many minutes after its start (2026-01-01T00:00:00Z). */
  minutes: number;
  /** What describeRun and getProgress report while it runs. */
  progress(): Progress;
  /** What watchProgress reports, in order; the run then closes COMPLETED with the last of them. */
  follow(): Progress[];
  /** What getResult returns. */
  result(): unknown;
  /** The kind's own methods (starts that derive real ids, updates); recorded, and they replace the defaults. */
  methods?(record: Recorder): Partial<FaultlineApi>;
}

/** RunDescription of `workflow` in `status`. */
export function runOf(workflow: Pick<FakeWorkflow, 'workflowId' | 'type' | 'minutes'>, status: RunDescription['status'], progress?: Progress): RunDescription {
  return {
    workflowId: workflow.workflowId,
    runId: 'run-1',
    type: workflow.type,
    status,
    startTime: new Date('2026-01-01T00:00:00Z'),
    closeTime: status === 'RUNNING' ? undefined : new Date(Date.UTC(2026, 0, 1, 0, workflow.minutes)),
    progress,
  };
}

/**
 * The CLI over a recording fake API about one workflow: every method is recorded, the starts
 * and updates the workflow's kind does not override answer with placeholders. `overrides`
 * replace methods unrecorded (a failure, another result).
 */
export function fakeCli(workflow: FakeWorkflow, overrides: Partial<FaultlineApi> = {}, artifactPath?: ArtifactPath) {
  const run = (status: RunDescription['status'], progress?: Progress) => runOf(workflow, status, progress);
  return cliHarness(
    (record): FaultlineApi => ({
      startDatasetGeneration: record('startDatasetGeneration', async () => startedRun('dataset-x', 'x')),
      startTraining: record('startTraining', async () => startedRun('train-x', 'x')),
      startHpoCampaign: record('startHpoCampaign', async () => startedRun('hpo-x', 'x')),
      updateCampaign: record('updateCampaign', async () => ({ maxTrials: 1, maxConcurrentTrials: 1 })),
      startNasCampaign: record('startNasCampaign', async () => startedRun('nas-x', 'x')),
      updateNasCampaign: record('updateNasCampaign', async () => ({ maxCandidates: 1, maxConcurrentCandidates: 1 })),
      getNasCandidateArchitecture: record('getNasCandidateArchitecture', async () => undefined),
      startXaiBatch: record('startXaiBatch', async () => startedRun('xai-x', 'x')),
      startImport: record('startImport', async () => startedRun('import-x', 'x')),
      startRocEvaluation: record('startRocEvaluation', async () => startedRun('evaluate-roc-x-d', 'x-d')),
      startErrorsEvaluation: record('startErrorsEvaluation', async () => startedRun('evaluate-errors-x-d', 'x-d')),
      startComparison: record('startComparison', async () => startedRun('compare-x', 'x')),
      getProgress: record('getProgress', async () => workflow.progress()),
      describeRun: record('describeRun', async () => run('RUNNING', workflow.progress())),
      cancelRun: record('cancelRun', async () => undefined),
      stopRun: record('stopRun', async () => undefined),
      getResult: record('getResult', async () => workflow.result()) as FaultlineApi['getResult'],
      watchProgress: record('watchProgress', async (_id: string, on: (p: Progress, r: RunDescription) => void) => {
        const reports = workflow.follow();
        for (const p of reports) on(p, run('RUNNING', p));
        return run('COMPLETED', reports.at(-1));
      }),
      locateWorkflowId: record('locateWorkflowId', async (kind, id) => resolveWorkflowId(kind, id)),
      startRetention: record('startRetention', async () => startedRun('retention-x', 'x')),
      startDeployment: record('startDeployment', async () => startedRun('deploy-x', 'x')),
      startTestSuite: record('startTestSuite', async () => startedRun('verify-tests-x', 'x')),
      startQualityChecks: record('startQualityChecks', async () => startedRun('verify-quality-x', 'x')),
      startBenchmarks: record('startBenchmarks', async () => startedRun('verify-bench-x', 'x')),
      scheduleRetention: record('scheduleRetention', async () => ({
        scheduleId: 'faultline-retention',
        created: true,
        every: '24h',
        paused: false,
        input: { dryRun: false, days: { datasets: 180, experiments: 90, campaigns: 365, xai: 90, evaluations: 90, notifications: 30 }, artifactGraceHours: 24 },
        nextRuns: [],
      })),
      deleteRetentionSchedule: record('deleteRetentionSchedule', async () => true),
      startFeatureExtraction: record('startFeatureExtraction', async () => startedRun('features-x-0123456789ab', 'x-0123456789ab')),
      startFeatureAnalysis: record('startFeatureAnalysis', async () => startedRun('feature-analysis-importance-0123456789ab', 'importance-0123456789ab')),
      startFeatureBaseline: record('startFeatureBaseline', async () => startedRun('feature-analysis-baseline-0123456789ab', 'baseline-0123456789ab')),
      ...workflow.methods?.(record),
      ...overrides,
    }),
    artifactPath,
  );
}
