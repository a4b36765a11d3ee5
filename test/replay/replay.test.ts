import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { bundleWorkflows } from '../../workers/bundle.js';

const HISTORIES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'histories');

/**
 * Recorded histories of released workflows must keep replaying against the current code: a
 * change that would make running workflows non-deterministic fails here (DeterminismViolation)
 * instead of in production. Changes go through `patched()`; refresh the recordings only when a
 * workflow's history shape changes on purpose (see test/replay/README.md).
 */
describe('replay of recorded histories', () => {
  const files = readdirSync(HISTORIES).filter((f) => f.endsWith('.json'));

  it('has recordings of every released workflow', () => {
    expect(files.map((f) => f.replace(/\.json$/, '')).sort()).toEqual(['explainSignalsWorkflow', 'generateDatasetWorkflow', 'hpoCampaignWorkflow', 'importMatDatasetWorkflow', 'nasCampaignWorkflow', 'trainModelWorkflow']);
  });

  it.each(files)('replays %s deterministically', async (file) => {
    // Proto3 JSON as written by `temporal workflow show --output json`; the SDK decodes it.
    const history = JSON.parse(readFileSync(path.join(HISTORIES, file), 'utf8')) as { events: unknown[] };
    expect(history.events.length).toBeGreaterThan(10);
    await Worker.runReplayHistory({ workflowBundle: await bundleWorkflows() }, history, `replay-${file}`);
  });
});
