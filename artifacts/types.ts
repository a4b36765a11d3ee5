/**
 * Content-addressed artifact store. Arrays (signals, weights, attributions) never travel in
 * Temporal payloads or Postgres rows: they are stored here and referenced by URI.
 *
 * URIs look like `artifact:sha256/<64 hex>`; the same bytes always get the same URI, so a
 * retried activity that writes the same content writes nothing new (idempotence for free).
 */
export interface ArtifactMeta {
  /** What the bytes are, for humans and for the `artifacts` table: 'signal', 'model', 'checkpoint', 'report', ... */
  kind: string;
  /** e.g. 'application/x-float32le', 'application/json', 'application/x-faultline-model', 'image/svg+xml' */
  mediaType: string;
}

export interface StoredArtifact {
  uri: string;
  sha256: string;
  bytes: number;
}

/** One artifact as the store lists it (for the retention sweep). */
export interface ListedArtifact {
  uri: string;
  bytes: number;
  /** When its bytes were last written or re-put (a retried put of the same bytes refreshes it). */
  modifiedAt: Date;
}

export interface ArtifactStore {
  put(data: Uint8Array, meta: ArtifactMeta): Promise<StoredArtifact>;
  /** Throws an error whose `code` is 'ARTIFACT_NOT_FOUND' or 'ARTIFACT_CORRUPT'. */
  get(uri: string): Promise<Uint8Array>;
  has(uri: string): Promise<boolean>;
  /** Filesystem path of an artifact when the store is a directory (for tools that want a path). */
  pathOf?(uri: string): string;
  /** Every artifact in the store, in no particular order. */
  list(): AsyncIterable<ListedArtifact>;
  /** Remove an artifact; removing one that is not there is not an error. */
  delete(uri: string): Promise<void>;
  /** Release connections (the S3 store's sockets); a directory store has nothing to release. */
  close?(): void;
}
