/** Task queues (DESIGN.md "Queues"). Workers choose which to poll; workflows route by these. */
export const TASK_QUEUES = {
  control: 'faultline-control',
  cpu: 'faultline-cpu',
  train: 'faultline-train',
} as const;
export type QueueRole = keyof typeof TASK_QUEUES;
export const QUEUE_ROLES = Object.keys(TASK_QUEUES) as QueueRole[];
/** Workflows themselves run on the control queue. */
export const WORKFLOW_TASK_QUEUE = TASK_QUEUES.control;
