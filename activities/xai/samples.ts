import { ApplicationFailure } from '@temporalio/common';
import { ERROR_TYPES, type SignalRef } from '../../contracts/index.js';
import { decodeFloat32 } from '../../artifacts/codecs.js';
import { isArtifactError } from '../../artifacts/errors.js';
import type { ArtifactStore } from '../../artifacts/types.js';
import type { SignalRow } from '../../db/schema.js';
import { notFound } from '../lib/failures.js';

/** A signal's samples from the artifact store; a missing or corrupt artifact fails for good, naming the signal. */
export async function readSignalSamples(artifacts: ArtifactStore, ref: SignalRef, row: SignalRow): Promise<Float32Array> {
  try {
    return decodeFloat32(await artifacts.get(row.artifactUri), row.artifactUri);
  } catch (err) {
    if (isArtifactError(err, 'ARTIFACT_NOT_FOUND')) throw notFound(`signal ${ref}: its samples (${row.artifactUri}) are missing from the artifact store`);
    if (isArtifactError(err)) throw ApplicationFailure.nonRetryable(`signal ${ref}: ${err.message}`, ERROR_TYPES.corruptArtifact);
    throw err;
  }
}
