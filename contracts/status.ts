/** Lifecycle states stored in Postgres and shown as the FaultlineStatus search attribute. */
/** PRUNED: an HPO trial stopped early by its pruner (ASHA, median) — a normal outcome, not a failure. */
export const RUN_STATUSES = ['PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED', 'STOPPED', 'PRUNED'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const DATASET_STATUSES = ['PENDING', 'GENERATING', 'READY', 'FAILED', 'CANCELLED'] as const;
export type DatasetStatus = (typeof DATASET_STATUSES)[number];
