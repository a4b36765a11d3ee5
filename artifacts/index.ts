// Artifact storage: the interface (types.ts), the directory implementation, codecs and errors.
export type { ArtifactMeta, ArtifactStore, StoredArtifact } from './types.js';
export { FileArtifactStore } from './file-store.js';
export { ArtifactError, isArtifactError, type ArtifactErrorCode } from './errors.js';
export { artifactUri, isArtifactUri, parseArtifactUri, sha256Hex } from './uri.js';
export * from './codecs.js';
