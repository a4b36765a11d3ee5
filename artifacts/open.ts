import { FileArtifactStore } from './file-store.js';
import type { ArtifactLocation } from '../config/artifact-location.js';
import { S3ArtifactStore } from './s3-store.js';
import type { ArtifactStore } from './types.js';

/** The store at `location` (ARTIFACT_URL / ARTIFACT_DIR): the one place a store is chosen. */
export function openArtifactStore(location: ArtifactLocation): ArtifactStore {
  return location.kind === 's3' ? new S3ArtifactStore(location) : new FileArtifactStore(location.dir);
}

/** A location given as a directory path (tests, benchmarks) or in full. */
export type ArtifactLocationLike = ArtifactLocation | string;

export function toArtifactLocation(where: ArtifactLocationLike): ArtifactLocation {
  return typeof where === 'string' ? { kind: 'file', dir: where } : where;
}
