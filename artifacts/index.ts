// Artifact storage: the interface (types.ts), the directory implementation, codecs and errors.
export type { ArtifactMeta, ArtifactStore, StoredArtifact } from './types.js';
export { FileArtifactStore } from './file-store.js';
export { ArtifactError, isArtifactError, type ArtifactErrorCode } from './errors.js';
export { artifactUri, isArtifactUri, parseArtifactUri, sha256Hex } from './uri.js';
export * from './codecs.js';
export { S3ArtifactStore } from './s3-store.js';
export { openArtifactStore, toArtifactLocation, type ArtifactLocationLike } from './open.js';
export {
  describeArtifactLocation,
  parseArtifactUrl,
  S3_MIN_PART_BYTES,
  type ArtifactLocation,
  type FileArtifactLocation,
  type S3ArtifactLocation,
  type S3Settings,
} from '../config/artifact-location.js';
