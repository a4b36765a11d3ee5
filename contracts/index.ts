// The contracts every layer shares. Workflow-safe: no I/O, no Node built-ins.
export * from './constants.js';
export * from './queues.js';
export * from './errors.js';
export * from './validation.js';
export * from './progress.js';
export * from './ids.js';
export * from './classes.js';
export * from './dataset.js';
export * from './import.js';
export * from './training.js';
export * from './status.js';
export * from './notifications.js';
export * from './messages.js';
export * from './search-attributes.js';
export * from './hpo.js';
export * from './nas.js';
export * from './xai.js';
