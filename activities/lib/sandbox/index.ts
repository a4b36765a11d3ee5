export * from './inputs.js';
export * from './env.js';
export * from './programs.js';
export * from './refuse.js';
export * from './run.js';
