import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  canonicalJson,
  parseInput,
  type ExplainSignalsInput,
  SimulatorConfigSchema,
  TrainModelInputSchema,
  type HpoCampaignInput,
  type NasCampaignInput,
  type SimulatorConfig,
  type TrainModelInput,
} from '../contracts/index.js';

/** 12 hex chars = 48 bits: collisions need ~16M distinct configs, far beyond any lab's count. */
const HASH_HEX_CHARS = 12;

function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, HASH_HEX_CHARS);
}

/**
 * `ds-<hash of the simulator config>`. Defaults are applied first so that `{}` and the same
 * config spelled out give one id — and so one workflow id, which makes repeated starts no-ops.
 */
export function deriveDatasetId(config: z.input<typeof SimulatorConfigSchema> | SimulatorConfig): string {
  const parsed = parseInput(SimulatorConfigSchema, config, 'simulator config');
  return `ds-${contentHash(parsed)}`;
}

/** What identifies a training run's outcome: data, hyperparameters and the starting point. */
const ExperimentIdentitySchema = TrainModelInputSchema.pick({ datasetId: true, hyperparameters: true, resumeFrom: true });
export type ExperimentIdentity = z.input<typeof ExperimentIdentitySchema> | Pick<TrainModelInput, 'datasetId' | 'hyperparameters' | 'resumeFrom'>;

/**
 * `exp-<hash of {datasetId, hyperparameters, resumeFrom}>` after defaults. The campaign link and
 * the time budget are deliberately left out: they do not change what is trained.
 */
export function deriveExperimentId(identity: ExperimentIdentity): string {
  // Copy only the identity fields: a caller may hand in a whole TrainModelInput.
  const picked = { datasetId: identity.datasetId, hyperparameters: identity.hyperparameters, resumeFrom: identity.resumeFrom };
  const { datasetId, hyperparameters, resumeFrom } = parseInput(ExperimentIdentitySchema, picked, 'experiment identity');
  return `exp-${contentHash({ datasetId, hyperparameters, resumeFrom })}`;
}

/**
 * `c-<hash of the campaign input without its id>`. Pass the PARSED input (defaults applied,
 * search space normalised; prepareHpoInput in api.ts does both), so the same campaign spelled two ways gets one id (and one
 * workflow, `hpo-c-…`). Every setting counts: a different budget, seed or order of the space's
 * parameters is another campaign.
 * The `c-` prefix (not `hpo-`) keeps the workflow id `hpo-c-…` from reading `hpo-hpo-…`.
 */
export function deriveCampaignId(input: Omit<HpoCampaignInput, 'campaignId'> & { campaignId?: string }): string {
  const { campaignId: _ignored, space, ...rest } = input;
  // canonicalJson sorts keys, but a space's declaration order is its sampling order (same seed,
  // other order, other points): hash the space as [name, spec] pairs so its order counts.
  return `c-${contentHash(space === undefined ? rest : { ...rest, space: Object.entries(space) })}`;
}

/**
 * `n-<hash of the NAS campaign input without its id>`. Pass the PARSED input (defaults applied;
 * prepareNasInput in api.ts does it), so the same campaign spelled two ways gets one id (and one
 * workflow, `nas-n-…`). Every setting counts: another seed, budget or limit is another campaign.
 */
export function deriveNasCampaignId(input: Omit<NasCampaignInput, 'campaignId'> & { campaignId?: string }): string {
  const { campaignId: _ignored, ...rest } = input;
  return `n-${contentHash(rest)}`;
}

/**
 * `x-<hash of the XAI batch input without its id>`. Pass the PARSED input (defaults applied;
 * prepareXaiInput in api.ts does it), so the same batch spelled two ways gets one id (and one
 * workflow, `xai-x-…`). Every setting counts: another model, selection, method option or seed is
 * another batch. The order of explicit signal references counts too (it is the processing order).
 */
export function deriveXaiBatchId(input: Omit<ExplainSignalsInput, 'batchId'> & { batchId?: string }): string {
  const { batchId: _ignored, ...rest } = input;
  return `x-${contentHash(rest)}`;
}
