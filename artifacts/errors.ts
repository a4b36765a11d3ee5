export type ArtifactErrorCode = 'ARTIFACT_NOT_FOUND' | 'ARTIFACT_CORRUPT' | 'ARTIFACT_INVALID_URI';

/**
 * Errors of the artifact store, with a machine-readable `code` (activities map NOT_FOUND and
 * INVALID_URI to non-retryable NotFound / InvalidInput, CORRUPT to CorruptArtifact) and a
 * message that names the URI.
 */
export class ArtifactError extends Error {
  readonly code: ArtifactErrorCode;
  readonly uri: string | undefined;
  constructor(code: ArtifactErrorCode, message: string, uri?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ArtifactError';
    this.code = code;
    this.uri = uri;
  }
}

export function isArtifactError(err: unknown, code?: ArtifactErrorCode): err is ArtifactError {
  return err instanceof ArtifactError && (code === undefined || err.code === code);
}
