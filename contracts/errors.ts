/**
 * ApplicationFailure types. Retry policies list the deterministic ones as non-retryable, so a
 * bad request fails once, clearly, instead of being retried until a timeout.
 */
export const ERROR_TYPES = {
  /** The input does not satisfy its contract; the message names the field and the value. */
  invalidInput: 'InvalidInput',
  /** A referenced entity (dataset, signal, experiment, artifact) does not exist. */
  notFound: 'NotFound',
  /** The entity exists but is in a state that forbids the operation (e.g. dataset not READY). */
  invalidState: 'InvalidState',
  /** An artifact's bytes do not match its content hash or cannot be decoded. */
  corruptArtifact: 'CorruptArtifact',
  /** Training diverged (NaN loss): retrying the same seed would diverge again. */
  trainingDiverged: 'TrainingDiverged',
  /** A MAT-file that cannot be read (damaged, hostile, or not a MAT-file at all). */
  invalidMatFile: 'InvalidMatFile',
  /** An ONNX export that refuses a layer or disagrees with tfjs: the same model fails again. */
  exportRejected: 'ExportRejected',
  /**
   * A dependency (the database) stayed unreachable past the activity's own reconnect budget: not
   * the work's fault. Training workflows retry it on a time budget of its own, apart from the
   * attempts the work itself gets (workflows/lib/outage.ts).
   */
  infrastructureUnavailable: 'InfrastructureUnavailable',
} as const;
export type ErrorType = (typeof ERROR_TYPES)[keyof typeof ERROR_TYPES];
export const NON_RETRYABLE_ERROR_TYPES: string[] = [
  ERROR_TYPES.invalidInput,
  ERROR_TYPES.notFound,
  ERROR_TYPES.invalidState,
  ERROR_TYPES.corruptArtifact,
  ERROR_TYPES.trainingDiverged,
  ERROR_TYPES.invalidMatFile,
  ERROR_TYPES.exportRejected,
];

/** A zod issue list rendered as "field.path: message (got value)" lines. */
export interface FieldIssue {
  path: string;
  message: string;
  value?: unknown;
}
