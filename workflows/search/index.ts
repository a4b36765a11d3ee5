/**
 * Pure, seeded search logic for HPO/NAS campaigns: no Temporal, no I/O, no Math.random, so it
 * runs identically inside a workflow (and on replay) and in a plain script or test.
 *
 * ```ts
 * import { TpeSampler, AshaPruner, restoreSampler, DEFAULT_CNN_SPACE } from './workflows/search/index.js';
 *
 * const sampler = new TpeSampler(DEFAULT_CNN_SPACE, { seed: 42, direction: 'maximize' });
 * const pruner = new AshaPruner({ minResource: 1, maxResource: 27, reductionFactor: 3, direction: 'maximize' });
 * const { trialId, params } = sampler.ask();          // pending until told
 * let rung = 0;                                       // train to pruner.rungs()[rung] epochs, then:
 * while (pruner.report(trialId, rung, 0.91) === 'promote') rung++;   // resume from checkpoint
 * sampler.tell(trialId, { status: 'complete', value: 0.93 });        // or 'pruned' / 'failed'
 * const saved = JSON.stringify(sampler.state());      // carried across continue-as-new
 * const same = restoreSampler(JSON.parse(saved));     // identical future asks
 * ```
 */
export * from './space.js';
export * from './cnn-space.js';
export { Prng, seedState } from './random.js';
export * from './trials.js';
export { SearchExhaustedError, type Sampler, type SamplerKind, type SamplerStateBase, type TypedSuggestion } from './sampler.js';
export * from './options.js';
export * from './random-sampler.js';
export * from './grid.js';
export * from './tpe.js';
export * from './gp.js';
export * from './moo.js';
export * from './nsga2.js';
export * from './restore.js';
export * from '../../contracts/testing/synthetic-objectives.js';
export * from './pruners.js';
export * from './nas/index.js';
