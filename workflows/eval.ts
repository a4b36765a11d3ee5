import { log, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  evaluationDetails,
  predictActivitySummary,
  CompareExperimentsInputSchema,
  EvaluateErrorsInputSchema,
  EvaluateRocInputSchema,
  progressOf,
  progressQuery,
  type CompareExperimentsResult,
  type EvalSplit,
  type EvaluateErrorsResult,
  type EvaluateRocResult,
  type EvaluationKind,
  type EvaluationResult,
  type PredictionsRef,
  type RegisteredEvaluation,
  type WorkflowKind,
} from '../contracts/index.js';
import { control, evalAnalysis, evalPredict } from './lib/activities.js';
import { liveDetails } from './lib/details.js';
import { fanOut } from './lib/fan-out.js';
import { recordRunEnded } from './lib/failure.js';
import { validateWorkflowInput } from './lib/validate.js';
import { setRunStatus, tagRun } from './lib/visibility.js';

/**
 * Evaluation workflows (seed tasks generate_roc_analysis, error_analysis,
 * architecture_comparison). All three read the same way: register (every check against the
 * database, before any model runs) → predictions, one `predictSplit` activity per experiment on
 * faultline-cpu (reused when that model already ran over that split) → one analysis activity over
 * the stored probabilities → the row and the notification. The evaluation's id is its workflow
 * id, so starting the same evaluation twice attaches to one run and writes one row.
 */

interface Plan<R extends EvaluationResult> {
  kind: EvaluationKind;
  searchKind: WorkflowKind;
  experimentIds: string[];
  datasetId?: string;
  split: EvalSplit;
  config: Record<string, unknown>;
  maxInFlight: number;
  analyze(evaluationId: string, predictions: PredictionsRef[], registered: RegisteredEvaluation): Promise<R>;
  /** Headline numbers for the row, the notification and the FaultlineBestScore attribute. */
  summary(result: R): { headline: number | null; numbers: Record<string, number | string | null> };
}

async function runEvaluation<R extends EvaluationResult>(plan: Plan<R>): Promise<R> {
  const evaluationId = workflowInfo().workflowId;
  const n = plan.experimentIds.length;
  // Steps: registration, one prediction per experiment, the analysis, the closing bookkeeping.
  const total = n + 3;
  let completed = 0;
  let phase = 'registering';
  let datasetId = plan.datasetId;
  const reused: string[] = [];
  let running = 0;
  let predicted = 0;
  setHandler(progressQuery, () =>
    progressOf(phase, completed, total, {
      evaluationId,
      kind: plan.kind,
      experimentIds: plan.experimentIds,
      datasetId,
      split: plan.split,
      predictionsRunning: running,
      predictionsReused: reused.length,
    }),
  );
  const live = liveDetails(() => ({
    phase,
    completed,
    total,
    line: evaluationDetails({ phase, predicted, experiments: n, running, reused: reused.length }),
  }));
  // Each workflow tags its kind before calling this; here only the status.
  setRunStatus('RUNNING');
  try {
    const registered = await control.registerEvaluation({
      evaluationId,
      kind: plan.kind,
      experimentIds: plan.experimentIds,
      datasetId,
      split: plan.split,
      config: plan.config,
      workflowId: evaluationId,
    });
    completed++;
    if (datasetId === undefined) tagRun(plan.searchKind, { datasetId: registered.datasetId });
    datasetId = registered.datasetId;
    phase = 'predicting';
    live.refresh();
    const settled = await fanOut(
      plan.experimentIds,
      async (experimentId, index) => {
        running++;
        live.refresh();
        try {
          const p = await evalPredict.predictSplit.executeWithOptions(
            { summary: predictActivitySummary(experimentId, registered.datasetId, plan.split, index, n) },
            [{ experimentId, datasetId: registered.datasetId, split: plan.split }],
          );
          if (!p.computed) reused.push(experimentId);
          completed++;
          predicted++;
          return p;
        } finally {
          running--;
          live.refresh();
        }
      },
      { maxInFlight: plan.maxInFlight },
    );
    const predictions: PredictionsRef[] = [];
    for (const s of settled) {
      // Every experiment is needed: one that cannot be scored fails the evaluation with its reason.
      if (!s || !s.ok) throw s ? s.error : new Error('a prediction was not run');
      predictions.push(s.value);
    }
    phase = 'analyzing';
    live.refresh();
    const result = await plan.analyze(evaluationId, predictions, registered);
    completed++;
    phase = 'finalizing';
    live.refresh();
    const { headline, numbers } = plan.summary(result);
    const finished = await control.finishEvaluation({
      evaluationId,
      summary: { ...numbers, samples: result.samples },
      pictureUri: result.pictureUri,
      resultUri: result.resultUri,
    });
    // Runs recorded before the pages existed got nothing back here.
    const pageUris = finished?.pageUris ?? {};
    completed++;
    phase = 'completed';
    live.refresh();
    setRunStatus('COMPLETED', headline ?? undefined);
    log.info('evaluation completed', { evaluationId, kind: plan.kind, datasetId, samples: result.samples });
    return { ...result, pageUris };
  } catch (err) {
    phase = (await recordRunEnded(err, (status, error) => control.markEvaluationEnded({ evaluationId, status, error }))).toLowerCase();
    live.refresh();
    throw err;
  }
}

/** ROC and precision–recall curves, AUCs with bootstrap intervals, of one experiment on a dataset (`evaluate-roc-<experimentId>-<datasetId>`). */
export async function evaluateRocWorkflow(raw: unknown): Promise<EvaluateRocResult> {
  const input = validateWorkflowInput(EvaluateRocInputSchema, raw, 'evaluateRocWorkflow input');
  tagRun('evaluate-roc', { experimentId: input.experimentId, datasetId: input.datasetId });
  return runEvaluation<EvaluateRocResult>({
    kind: 'roc',
    searchKind: 'evaluate-roc',
    experimentIds: [input.experimentId],
    datasetId: input.datasetId,
    split: input.split,
    config: { ...input },
    maxInFlight: 1,
    analyze: (evaluationId, [predictions]) => evalAnalysis.analyzeRoc({ evaluationId, predictions, bootstrap: input.bootstrap }),
    summary: (r) => ({ headline: r.aucMacro, numbers: { accuracy: r.accuracy, aucMacro: r.aucMacro, aucMicro: r.aucMicro, apMacro: r.apMacro } }),
  });
}

/** Confusion matrix, per-class F1, calibration, misclassified windows and errors by condition (`evaluate-errors-<experimentId>-<datasetId>`). */
export async function evaluateErrorsWorkflow(raw: unknown): Promise<EvaluateErrorsResult> {
  const input = validateWorkflowInput(EvaluateErrorsInputSchema, raw, 'evaluateErrorsWorkflow input');
  tagRun('evaluate-errors', { experimentId: input.experimentId, datasetId: input.datasetId });
  return runEvaluation<EvaluateErrorsResult>({
    kind: 'errors',
    searchKind: 'evaluate-errors',
    experimentIds: [input.experimentId],
    datasetId: input.datasetId,
    split: input.split,
    config: { ...input },
    maxInFlight: 1,
    analyze: (evaluationId, [predictions]) => evalAnalysis.analyzeErrors({ evaluationId, predictions, bins: input.bins, maxListed: input.maxListed }),
    summary: (r) => ({ headline: r.accuracy, numbers: { accuracy: r.accuracy, macroF1: r.macroF1, ece: r.ece, errors: r.errors } }),
  });
}

/**
 * N experiments on one shared test set (`compare-<hash of the sorted ids, dataset, split>`): one
 * prediction activity per experiment, at most `maxInFlight` at once, then accuracy with
 * intervals, pairwise McNemar tests and the accuracy-vs-size Pareto front.
 */
export async function compareExperimentsWorkflow(raw: unknown): Promise<CompareExperimentsResult> {
  const input = validateWorkflowInput(CompareExperimentsInputSchema, raw, 'compareExperimentsWorkflow input');
  tagRun('compare', { datasetId: input.datasetId });
  return runEvaluation<CompareExperimentsResult>({
    kind: 'compare',
    searchKind: 'compare',
    experimentIds: input.experimentIds,
    datasetId: input.datasetId,
    split: input.split,
    config: { ...input },
    maxInFlight: input.maxInFlight,
    analyze: (evaluationId, predictions) => evalAnalysis.analyzeComparison({ evaluationId, predictions, alpha: input.alpha }),
    summary: (r) => {
      const best = [...r.rows].sort((a, b) => b.accuracy - a.accuracy)[0];
      return {
        headline: best?.accuracy ?? null,
        numbers: {
          best: best?.experimentId ?? null,
          bestAccuracy: best?.accuracy ?? null,
          significantPairs: r.pairs.filter((p) => p.significant).length,
          pairing: r.pairing,
        },
      };
    },
  });
}
