import type { TrainingHeartbeat } from '../../contracts/index.js';

/** What early stopping remembers between epochs (carried in every heartbeat). */
export type EarlyStoppingState = Pick<TrainingHeartbeat, 'bestValLoss' | 'bestEpoch' | 'bestCheckpointUri' | 'epochsWithoutImprovement'>;

export const NO_BEST_YET: EarlyStoppingState = { bestValLoss: Infinity, bestEpoch: 0, bestCheckpointUri: '', epochsWithoutImprovement: 0 };

/**
 * The one early-stopping rule: an epoch improves when its validation loss beats the best by more
 * than `minDelta`. Shared by the trainer and by the activity that rebuilds the state from
 * recorded epochs after a crash, so the two can never disagree.
 */
export function afterEpoch(state: EarlyStoppingState, epoch: number, valLoss: number, checkpointUri: string, minDelta: number): EarlyStoppingState {
  return valLoss < state.bestValLoss - minDelta
    ? { bestValLoss: valLoss, bestEpoch: epoch, bestCheckpointUri: checkpointUri, epochsWithoutImprovement: 0 }
    : { ...state, epochsWithoutImprovement: state.epochsWithoutImprovement + 1 };
}
