// Every workflow the workers register. Deterministic code only (see DESIGN.md, "Rules for workflows").
// Each is registered through guardRun: an unexpected error fails the run instead of retrying
// its workflow task forever, and the status search attribute is final on every exit path.
import { generateDatasetWorkflow as generateDataset } from './dataset.js';
import { deployModelWorkflow as deployModel } from './deploy.js';
import { compareExperimentsWorkflow as compareExperiments, evaluateErrorsWorkflow as evaluateErrors, evaluateRocWorkflow as evaluateRoc } from './eval.js';
import { explainSignalsWorkflow as explainSignals } from './xai.js';
import { extractFeaturesWorkflow as extractFeatures } from './features.js';
import { analyzeFeaturesWorkflow as analyzeFeatures } from './feature-analysis.js';
import { hpoCampaignWorkflow as hpoCampaign } from './hpo.js';
import { importMatDatasetWorkflow as importMatDataset } from './import.js';
import { guardRun } from './lib/guard.js';
import { nasCampaignWorkflow as nasCampaign } from './nas.js';
import { retentionWorkflow as retention } from './retention.js';
import { trainModelWorkflow as trainModel } from './train.js';
import { runBenchmarksWorkflow as runBenchmarks, runQualityChecksWorkflow as runQualityChecks, runTestSuiteWorkflow as runTestSuite } from './verify.js';

export const generateDatasetWorkflow = guardRun(generateDataset);
export const trainModelWorkflow = guardRun(trainModel);
export const hpoCampaignWorkflow = guardRun(hpoCampaign);
export const nasCampaignWorkflow = guardRun(nasCampaign);
export const explainSignalsWorkflow = guardRun(explainSignals);
export const importMatDatasetWorkflow = guardRun(importMatDataset);
export const evaluateRocWorkflow = guardRun(evaluateRoc);
export const evaluateErrorsWorkflow = guardRun(evaluateErrors);
export const compareExperimentsWorkflow = guardRun(compareExperiments);
export const retentionWorkflow = guardRun(retention);
export const extractFeaturesWorkflow = guardRun(extractFeatures);
export const analyzeFeaturesWorkflow = guardRun(analyzeFeatures);
export const deployModelWorkflow = guardRun(deployModel);
export const runTestSuiteWorkflow = guardRun(runTestSuite);
export const runQualityChecksWorkflow = guardRun(runQualityChecks);
export const runBenchmarksWorkflow = guardRun(runBenchmarks);
