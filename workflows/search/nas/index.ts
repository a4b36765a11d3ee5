/**
 * Neural architecture search over 1D CNNs, pure and seeded (see evolution.ts for the ask/tell
 * usage): genomes (= the training contract's Architecture with 2–8 blocks), their canonical hash
 * and arithmetic cost, the gene space with random sampling and one-gene mutation, random search
 * and aging evolution, and the Pareto front / scalarisation of the campaign's objectives.
 */
export * from './genome.js';
export * from './space.js';
export * from './evolution.js';
export * from './pareto.js';
