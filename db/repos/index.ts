export * from './datasets.js';
export * from './experiments.js';
export * from './models.js';
export * from './artifacts.js';
export * from './campaigns.js';
export * from './notifications.js';
export * from './xai.js';
export * from './imports.js';
