// Every activity's input schema (validated by the activity) and output type.
export * from './dataset.js';
export * from './training.js';
export * from './campaign.js';
export * from './xai.js';
export * from './eval.js';
