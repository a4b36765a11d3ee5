// Every workflow the workers register. Deterministic code only (see DESIGN.md, "Rules for workflows").
export { generateDatasetWorkflow } from './dataset.js';
export { trainModelWorkflow } from './train.js';
export { hpoCampaignWorkflow } from './hpo.js';
export { nasCampaignWorkflow } from './nas.js';
export { explainSignalsWorkflow } from './xai.js';
export { importMatDatasetWorkflow } from './import.js';
