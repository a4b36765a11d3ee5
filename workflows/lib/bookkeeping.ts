import { patched } from '@temporalio/workflow';
import type { RecordTrialInput } from '../../contracts/index.js';
import { control, localControl } from './activities.js';

/**
 * Trial rows are written by a local activity since this patch: a regular activity cost each
 * trial two more server round trips and two more campaign workflow tasks (schedule → task →
 * completion → new workflow task), which at 8+ trials in flight was the campaign's bottleneck.
 * `recordTrial` is an upsert keyed by (campaign, trial) and `setCampaignBest` only ever improves
 * the best, so running it again (a local activity's at-least-once) changes nothing. Campaigns
 * started before the patch keep their recorded ActivityTaskScheduled events when replayed.
 */
export const LOCAL_BOOKKEEPING_PATCH = 'local-trial-bookkeeping';

export function recordTrial(input: RecordTrialInput): Promise<void> {
  return patched(LOCAL_BOOKKEEPING_PATCH) ? localControl.recordTrial(input) : control.recordTrial(input);
}
