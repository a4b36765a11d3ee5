// The training engine (Temporal-free): in-process runTraining and its child-process wrapper.
export * from './errors.js';
export * from './evaluate.js';
export type { ChildMessage, ParentMessage, SerializedError, StartMessage } from './messages.js';
export * from './process.js';
export * from './trainer.js';
export * from './early-stopping.js';
