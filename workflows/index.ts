// Every workflow the workers register. Deterministic code only (see DESIGN.md, "Rules for workflows").
// Each is registered through guardWorkflow: an unexpected error fails the run instead of retrying
// its workflow task forever, and the status search attribute is final on every exit path.
import { generateDatasetWorkflow as generateDataset } from './dataset.js';
import { explainSignalsWorkflow as explainSignals } from './xai.js';
import { hpoCampaignWorkflow as hpoCampaign } from './hpo.js';
import { importMatDatasetWorkflow as importMatDataset } from './import.js';
import { guardWorkflow } from './lib/guard.js';
import { nasCampaignWorkflow as nasCampaign } from './nas.js';
import { trainModelWorkflow as trainModel } from './train.js';

export const generateDatasetWorkflow = guardWorkflow(generateDataset);
export const trainModelWorkflow = guardWorkflow(trainModel);
export const hpoCampaignWorkflow = guardWorkflow(hpoCampaign);
export const nasCampaignWorkflow = guardWorkflow(nasCampaign);
export const explainSignalsWorkflow = guardWorkflow(explainSignals);
export const importMatDatasetWorkflow = guardWorkflow(importMatDataset);
