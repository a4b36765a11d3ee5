/**
 * Typed client for MAT imports: validate the request with the contract's schema, derive the
 * dataset id from the request's content when absent, and start `importMatDatasetWorkflow`
 * (workflow id `import-<datasetId>`, idempotent like the other starts); and an upload helper that
 * puts a local file into the artifact store so a request can name it by URI.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { FileArtifactStore } from '../artifacts/file-store.js';
import {
  ImportMatDatasetInputSchema,
  SEARCH_ATTRIBUTES,
  WORKFLOW_TASK_QUEUE,
  canonicalJson,
  importSummary,
  parseInput,
  workflowIds,
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

export async function startMatImport(client: Pick<Client, 'workflow'>, request: StartImportRequest): Promise<{ workflowId: string; datasetId: string }> {
  const input = prepareImportInput(request);
  const workflowId = workflowIds.import(input.datasetId);
  try {
    await client.workflow.start('importMatDatasetWorkflow', {
      args: [input],
      taskQueue: WORKFLOW_TASK_QUEUE,
      workflowId,
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
      typedSearchAttributes: [
        { key: SEARCH_ATTRIBUTES.kind, value: 'import' },
        { key: SEARCH_ATTRIBUTES.datasetId, value: input.datasetId },
        { key: SEARCH_ATTRIBUTES.status, value: 'RUNNING' },
      ],
      staticSummary: importSummary(input),
    });
  } catch (e) {
    // A completed import of the same dataset is final: the same request attaches to it.
    if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
  }
  return { workflowId, datasetId: input.datasetId };
}

export async function getImportResult(client: Pick<Client, 'workflow'>, workflowId: string): Promise<ImportMatDatasetResult> {
  return (await client.workflow.getHandle(workflowId).result()) as ImportMatDatasetResult;
}

/** Put a local MAT-file into the artifact store; returns the file entry for `files`. */
export async function uploadImportFile(artifactDir: string, localPath: string): Promise<{ artifactUri: string; name: string }> {
  const stored = await new FileArtifactStore(artifactDir).put(new Uint8Array(await readFile(localPath)), {
    kind: 'mat-file',
    mediaType: 'application/x-matlab-data',
  });
  return { artifactUri: stored.uri, name: path.basename(localPath) };
}
