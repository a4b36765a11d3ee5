import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { HpoCampaignUpdate, HpoCampaignUpdateResult } from './hpo.js';
import type { NasCampaignUpdate, NasCampaignUpdateResult } from './nas.js';
import type { Progress } from './progress.js';
import type { EpochMetrics } from './training.js';

/** Every long workflow answers this query with the same shape (fraction 0..1). */
export const progressQuery = defineQuery<Progress>('progress');

/** Finish the work that is running, start nothing new (campaigns, batches). */
export const stopSignal = defineSignal<[{ reason?: string }?]>('stop');

/** Sent by the training activity to its own workflow after every epoch, feeding `progress`. */
export const epochCompletedSignal = defineSignal<[EpochMetrics]>('epochCompleted');

/** Change the trial budget or the concurrency of a running campaign; returns the new limits. */
export const updateCampaignUpdate = defineUpdate<HpoCampaignUpdateResult, [HpoCampaignUpdate]>('updateCampaign');

/** Change the candidate budget or the concurrency of a running NAS campaign. */
export const updateNasCampaignUpdate = defineUpdate<NasCampaignUpdateResult, [NasCampaignUpdate]>('updateNasCampaign');
