// Dataset preparation for training: split by signal, windowing, normalisation, seeded shuffles.
export { mixSeed, mulberry32, permutation, shuffled, type RandomSource } from '../random.js';
export * from './split.js';
export * from './windows.js';
export * from './augment.js';
