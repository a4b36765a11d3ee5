import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleWorkflowCode, DefaultLogger, type Logger } from '@temporalio/worker';
import { loadConfig } from '../config/index.js';
import { ENCODED_FAILURE_CONVERTER_PATH, PAYLOAD_CONVERTER_PATH } from '../temporal-config/data-converter.js';
import { DEFAULT_WORKFLOWS_PATH } from './create-workers.js';

/**
 * Bundles workflow code once (webpack + swc). Tests share one bundle per file instead of paying
 * the bundling cost per Worker; production loads a prebuilt file so a worker starts without the
 * bundler and runs exactly the code that was reviewed.
 */
export async function bundleWorkflows(
  workflowsPath: string = DEFAULT_WORKFLOWS_PATH,
  // Webpack's module listing at INFO is noise in test output; warnings and errors still show.
  logger: Logger = new DefaultLogger('WARN'),
  /** With payload encryption (PAYLOAD_KEYS), workflow failures are encoded too (contracts/failure-converter.cjs). */
  opts: { encodedFailures?: boolean } = {},
): Promise<{ code: string }> {
  const { code } = await bundleWorkflowCode({
    workflowsPath,
    logger,
    payloadConverterPath: PAYLOAD_CONVERTER_PATH,
    ...(opts.encodedFailures ? { failureConverterPath: ENCODED_FAILURE_CONVERTER_PATH } : {}),
  });
  return { code };
}

export const DEFAULT_BUNDLE_FILE = path.resolve(path.dirname(DEFAULT_WORKFLOWS_PATH), '..', 'dist', 'workflow-bundle.js');

/** `tsx workers/bundle.ts [out]` writes the production bundle (default dist/workflow-bundle.js). */
async function main(): Promise<void> {
  const out = path.resolve(process.argv[2] ?? DEFAULT_BUNDLE_FILE);
  // The bundle must match the workers' failure converter: encoded failures when PAYLOAD_KEYS is set.
  const encodedFailures = loadConfig(process.env).payloadEncryption !== undefined;
  const { code } = await bundleWorkflows(DEFAULT_WORKFLOWS_PATH, new DefaultLogger('INFO'), { encodedFailures });
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, code);
  console.log(`workflow bundle written to ${out} (${code.length} bytes); run workers with --workflow-bundle ${out}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await main();
}
