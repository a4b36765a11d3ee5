import { z } from 'zod';

/**
 * A reference into the content-addressed artifact store. Inputs that point at artifacts
 * (checkpoints, uploaded files) accept this form only: a path (`../../etc/passwd`), a `file:`
 * URL or any other scheme is refused by the schema, before any file system is touched.
 */
export const ARTIFACT_URI_PATTERN = /^artifact:sha256\/[0-9a-f]{64}$/;

export const ArtifactUriSchema = z
  .string()
  .regex(ARTIFACT_URI_PATTERN, 'must be an artifact URI "artifact:sha256/<64 lowercase hex digits>" (paths and other schemes are refused)');
