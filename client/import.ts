/**
 * Typed client for MAT imports: validate the request with the contract's schema, derive the
 * dataset id from the request's content when absent, and start `importMatDatasetWorkflow`
 * (workflow id `import-<datasetId>`, idempotent like the other starts); and an upload helper that
 * puts a local file into the artifact store so a request can name it by URI.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { openArtifactStore, toArtifactLocation, type ArtifactLocationLike } from '../artifacts/open.js';
// start.ts imports prepareImportInput from here: a cycle of call-time uses only.
import { startImport } from './start.js';
import type { TemporalClientLike } from './types.js';
import {
  ImportMatDatasetInputSchema,
  canonicalJson,
  parseInput,
  type ImportMatDatasetInput,
  type ImportMatDatasetRequest,
  type ImportMatDatasetResult,
} from '../contracts/index.js';

export type StartImportRequest = Omit<ImportMatDatasetRequest, 'datasetId'> & { datasetId?: string };

export function prepareImportInput(request: StartImportRequest): ImportMatDatasetInput {
  // Derived only when absent: a null or other non-string id is refused by the schema, naming it.
  if (request.datasetId !== undefined) return parseInput(ImportMatDatasetInputSchema, request, 'import request');
  // From the validated input, defaults applied: `--channel DE` and no channel are the same import.
  const { datasetId: _placeholder, ...content } = parseInput(ImportMatDatasetInputSchema, { ...request, datasetId: 'mat-pending' }, 'import request');
  const datasetId = `mat-${createHash('sha256').update(canonicalJson(content)).digest('hex').slice(0, 12)}`;
  return { ...content, datasetId };
}

/** Start (or find) the import for `request`: the one idempotent start of client/start.ts, by dataset id. */
export async function startMatImport(client: TemporalClientLike, request: StartImportRequest): Promise<{ workflowId: string; datasetId: string }> {
  const started = await startImport(client, request);
  return { workflowId: started.workflowId, datasetId: started.entityId };
}

export async function getImportResult(client: Pick<Client, 'workflow'>, workflowId: string): Promise<ImportMatDatasetResult> {
  return (await client.workflow.getHandle(workflowId).result()) as ImportMatDatasetResult;
}

/** Put a local MAT-file into the artifact store; returns the file entry for `files`. */
export async function uploadImportFile(artifacts: ArtifactLocationLike, localPath: string): Promise<{ artifactUri: string; name: string }> {
  const stored = await openArtifactStore(toArtifactLocation(artifacts)).put(new Uint8Array(await readFile(localPath)), {
    kind: 'mat-file',
    mediaType: 'application/x-matlab-data',
  });
  return { artifactUri: stored.uri, name: path.basename(localPath) };
}
