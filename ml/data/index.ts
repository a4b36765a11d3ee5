// Dataset preparation for training: split by signal, windowing, normalisation, seeded shuffles.
export * from './random.js';
export * from './split.js';
export * from './windows.js';
