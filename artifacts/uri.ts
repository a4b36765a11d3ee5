import { createHash } from 'node:crypto';
import { ArtifactError } from './errors.js';

const URI_PREFIX = 'artifact:sha256/';
const URI_RE = /^artifact:sha256\/([0-9a-f]{64})$/;

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function artifactUri(sha256: string): string {
  return `${URI_PREFIX}${sha256}`;
}

/** The hex digest named by `uri`; throws ARTIFACT_INVALID_URI (naming the value) if malformed. */
export function parseArtifactUri(uri: string): string {
  const m = typeof uri === 'string' ? URI_RE.exec(uri) : null;
  if (!m) {
    throw new ArtifactError(
      'ARTIFACT_INVALID_URI',
      `malformed artifact URI ${JSON.stringify(uri)}: expected ${URI_PREFIX}<64 lowercase hex digits>`,
      String(uri),
    );
  }
  return m[1];
}

export function isArtifactUri(value: unknown): value is string {
  return typeof value === 'string' && URI_RE.test(value);
}
