/** Registry of blobs in the artifact store, so rows can be audited and orphans found. */
import { eq } from 'drizzle-orm';
import type { ArtifactMeta, StoredArtifact } from '../../artifacts/types.js';
import { artifacts, type ArtifactRow } from '../schema.js';
import type { Database } from '../types.js';

export type { ArtifactRow } from '../schema.js';

/**
 * Record a stored artifact. Content addressing makes the URI a natural key: a second
 * registration of the same bytes is a no-op. Returns true when the row is new.
 */
export async function registerArtifact(db: Database, artifact: StoredArtifact & ArtifactMeta): Promise<boolean> {
  const rows = await db
    .insert(artifacts)
    .values({ uri: artifact.uri, sha256: artifact.sha256, bytes: artifact.bytes, kind: artifact.kind, mediaType: artifact.mediaType })
    .onConflictDoNothing({ target: artifacts.uri })
    .returning({ uri: artifacts.uri });
  return rows.length > 0;
}

export async function getArtifact(db: Database, uri: string): Promise<ArtifactRow | undefined> {
  const [row] = await db.select().from(artifacts).where(eq(artifacts.uri, uri));
  return row;
}
