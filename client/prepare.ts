/**
 * Input preparation: pure, no I/O. Each request is validated here, before anything is sent, and
 * its id filled in (derived from its content when left out), so the same request always names
 * the same workflow.
 */
import {
  ExplainSignalsInputSchema,
  GenerateDatasetInputSchema,
  HpoCampaignInputObjectSchema,
  HpoCampaignInputSchema,
  HpoCampaignUpdateSchema,
  InputValidationError,
  NasCampaignInputObjectSchema,
  NasCampaignInputSchema,
  NasCampaignUpdateSchema,
  parseInput,
  TrainModelInputSchema,
  updateCampaignUpdate,
  updateNasCampaignUpdate,
  type ExplainSignalsInput,
  type ExplainSignalsRequest,
  type GenerateDatasetInput,
  type GenerateDatasetRequest,
  type HpoCampaignInput,
  type HpoCampaignRequest,
  type HpoCampaignUpdate,
  type NasCampaignInput,
  type NasCampaignRequest,
  type NasCampaignUpdate,
  type TrainModelInput,
  type TrainModelRequest,
} from '../contracts/index.js';
import { deriveCampaignId, deriveDatasetId, deriveExperimentId, deriveNasCampaignId, deriveXaiBatchId } from './ids.js';
import { WORKFLOW_KINDS } from './workflow-kinds.js';

/**
 * A dataset request whose id may be left out (it is then derived from the config's content) and
 * whose config may be left out (every simulator setting then takes the contract's default).
 */
export type StartDatasetRequest = Omit<GenerateDatasetRequest, 'datasetId' | 'config'> & {
  datasetId?: string;
  config?: GenerateDatasetRequest['config'];
};
/** A training request whose id may be left out: it is then derived from data + hyperparameters. */
export type StartTrainingRequest = Omit<TrainModelRequest, 'experimentId'> & { experimentId?: string };

/** A campaign request whose id may be left out: it is then derived from the whole input (`c-<hash>`). */
export type StartHpoRequest = Omit<HpoCampaignRequest, 'campaignId'> & { campaignId?: string };

/** A NAS campaign request whose id may be left out: it is then derived from the whole input (`n-<hash>`). */
export type StartNasRequest = Omit<NasCampaignRequest, 'campaignId'> & { campaignId?: string };

/** A batch-XAI request whose id may be left out: it is then derived from the whole input (`x-<hash>`). */
export type StartXaiRequest = Omit<ExplainSignalsRequest, 'batchId'> & { batchId?: string };

/** Validate a dataset request and fill in its id; throws InputValidationError naming the field. */
export function prepareDatasetInput(request: StartDatasetRequest): GenerateDatasetInput {
  const what = `${WORKFLOW_KINDS.dataset.workflowType} input`;
  // The workflow's contract requires `config` (other-language callers send one); here a missing
  // one means "all defaults", so `faultline dataset start` with no flags simulates the default set.
  // Only an absent config: null is no config at all, and is refused naming the field.
  const withConfig = { ...request, config: request.config === undefined ? {} : request.config };
  const withOptionalId = parseInput(GenerateDatasetInputSchema.partial({ datasetId: true }), withConfig, what);
  const datasetId = withOptionalId.datasetId ?? deriveDatasetId(withOptionalId.config);
  return parseInput(GenerateDatasetInputSchema, { ...withOptionalId, datasetId }, what);
}

/** Validate a training request and fill in its id; throws InputValidationError naming the field. */
export function prepareTrainingInput(request: StartTrainingRequest): TrainModelInput {
  const what = `${WORKFLOW_KINDS.train.workflowType} input`;
  const withOptionalId = parseInput(TrainModelInputSchema.partial({ experimentId: true }), request, what);
  if (withOptionalId.campaign) {
    // Only a campaign workflow links its own trials; the workflow refuses a link from anyone else.
    throw new InputValidationError(what, [
      {
        path: 'campaign',
        message: 'is set by HPO/NAS campaigns for their own trials; a run started here is standalone, leave it out',
        value: withOptionalId.campaign,
      },
    ]);
  }
  const experimentId = withOptionalId.experimentId ?? deriveExperimentId(withOptionalId);
  return parseInput(TrainModelInputSchema, { ...withOptionalId, experimentId }, what);
}

/**
 * Validate a campaign request and fill in its id; throws InputValidationError naming the field
 * (a bad space as `space.<param>.<field>`, with the other bad fields in the same error). The
 * space is sent normalised (defaults filled in), so the derived id and the workflow's input
 * describe exactly the same campaign.
 */
export function prepareHpoInput(request: StartHpoRequest): HpoCampaignInput {
  const what = `${WORKFLOW_KINDS.hpo.workflowType} input`;
  const withOptionalId = parseInput(HpoCampaignInputObjectSchema.partial({ campaignId: true }), request, what);
  const campaignId = withOptionalId.campaignId ?? deriveCampaignId(withOptionalId);
  return parseInput(HpoCampaignInputSchema, { ...withOptionalId, campaignId }, what);
}
/** Validate a campaign update (at least one limit, each in range); throws InputValidationError. */
export function prepareCampaignUpdate(update: HpoCampaignUpdate): HpoCampaignUpdate {
  return parseInput(HpoCampaignUpdateSchema, update, `${updateCampaignUpdate.name} update`);
}

/**
 * Validate a NAS campaign request and fill in its id; throws InputValidationError naming the
 * field (the shared `training` settings are checked against the training contract by the
 * schema itself, named `training.<field>`). The id is derived from the parsed input, defaults
 * applied, so the same campaign spelled two ways gets one id.
 */
export function prepareNasInput(request: StartNasRequest): NasCampaignInput {
  const what = `${WORKFLOW_KINDS.nas.workflowType} input`;
  const withOptionalId = parseInput(NasCampaignInputObjectSchema.partial({ campaignId: true }), request, what);
  const campaignId = withOptionalId.campaignId ?? deriveNasCampaignId(withOptionalId);
  return parseInput(NasCampaignInputSchema, { ...withOptionalId, campaignId }, what);
}

/** Validate a NAS campaign update (at least one limit, each in range); throws InputValidationError. */
export function prepareNasCampaignUpdate(update: NasCampaignUpdate): NasCampaignUpdate {
  return parseInput(NasCampaignUpdateSchema, update, `${updateNasCampaignUpdate.name} update`);
}

/**
 * Validate a batch-XAI request and fill in its id; throws InputValidationError naming the field
 * and the value (`selection.ids.1`, `methods` for an unknown method key, `maxInFlight`). The id is
 * derived from the parsed input, defaults applied (`x-<hash>`), so the same batch spelled two
 * ways gets one id — and one workflow, `xai-x-<hash>`.
 */
export function prepareXaiInput(request: StartXaiRequest): ExplainSignalsInput {
  const what = `${WORKFLOW_KINDS.xai.workflowType} input`;
  const withOptionalId = parseInput(ExplainSignalsInputSchema.partial({ batchId: true }), request, what);
  const batchId = withOptionalId.batchId ?? deriveXaiBatchId(withOptionalId);
  return parseInput(ExplainSignalsInputSchema, { ...withOptionalId, batchId }, what);
}
