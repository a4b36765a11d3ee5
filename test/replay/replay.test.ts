import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../client/cli/main.js';
import * as workflows from '../../workflows/index.js';
import { bundleWorkflows } from '../../workers/bundle.js';
import { replayHistoryFiles } from '../../workers/replay.js';
import type { CliDeps } from '../../client/cli/context.js';

const HISTORIES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'histories');

/**
 * Recorded histories of released workflows must keep replaying against the current code: a
 * change that would make running workflows non-deterministic fails here (DeterminismViolation)
 * instead of in production. Changes go through `patched()`; refresh the recordings only when a
 * workflow's history shape changes on purpose (see test/replay/README.md). Any file added to
 * histories/ (e.g. a production history downloaded with `temporal workflow show`) is replayed too.
 */
describe('replay of recorded histories', () => {
  const files = readdirSync(HISTORIES)
    .filter((f) => f.endsWith('.json'))
    .map((f) => path.join(HISTORIES, f));
  let bundle: { code: string };
  beforeAll(async () => {
    bundle = await bundleWorkflows();
  });

  it('has at least one recording of every exported workflow', async () => {
    const outcomes = await replayHistoryFiles([], { workflowBundle: bundle });
    expect(outcomes).toEqual([]);
    const recorded = new Set(
      files.map((f) => JSON.parse(readFileSync(f, 'utf8')).events[0].workflowExecutionStartedEventAttributes.workflowType.name as string),
    );
    for (const name of Object.keys(workflows)) expect(recorded, `no recorded history of ${name}`).toContain(name);
  });

  it('replays every recorded history deterministically', async () => {
    const outcomes = await replayHistoryFiles(files, { workflowBundle: bundle });
    expect(outcomes).toHaveLength(files.length);
    for (const o of outcomes) {
      expect(o.events, o.file).toBeGreaterThan(10);
      expect(o, o.file).toMatchObject({ ok: true });
    }
  });

  it('reports a history that no longer matches the code with the nondeterminism error and the event', async () => {
    const original = JSON.parse(readFileSync(path.join(HISTORIES, 'trainModelWorkflow.json'), 'utf8')) as { events: Record<string, unknown>[] };
    const scheduled = original.events.find((e) => e.activityTaskScheduledEventAttributes) as {
      activityTaskScheduledEventAttributes: { activityType: { name: string } };
    };
    scheduled.activityTaskScheduledEventAttributes.activityType.name = 'someOtherActivity';
    const dir = mkdtempSync(path.join(os.tmpdir(), 'faultline-replay-'));
    const tampered = path.join(dir, 'tampered.json');
    writeFileSync(tampered, JSON.stringify(original));
    const notHistory = path.join(dir, 'not-history.json');
    writeFileSync(notHistory, '{"hello": "world"}');

    const [bad, invalid] = await replayHistoryFiles([tampered, notHistory], { workflowBundle: bundle });
    expect(bad).toMatchObject({ ok: false, workflowType: 'trainModelWorkflow', errorType: 'DeterminismViolationError' });
    expect(bad.error).toMatch(/TMPRL1100/);
    expect(bad.error).toMatch(/someOtherActivity|registerExperiment/);
    expect(invalid).toMatchObject({ ok: false, errorType: 'InvalidHistory' });
    expect(invalid.error).toContain('not-history.json');
  });

  it('`faultline replay` prints OK per file and exits 0, or FAIL with the reason and exits 1', async () => {
    const replay = (list: readonly string[]) => replayHistoryFiles(list, { workflowBundle: bundle });
    // Replay needs no Temporal session: opening one fails the test.
    const cli = () => {
      const out: string[] = [];
      const deps: CliDeps = {
        io: { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => out.push(t) } },
        openSession: async () => {
          throw new Error('replay must not connect to Temporal');
        },
        replay,
      };
      return { deps, stdout: () => out.join('') };
    };
    const good = cli();
    const code = await runCli(['replay', path.join(HISTORIES, 'generateDatasetWorkflow.json')], good.deps);
    expect(code).toBe(0);
    expect(good.stdout()).toMatch(/^OK +.*generateDatasetWorkflow\.json \(generateDatasetWorkflow, \d+ events\)/m);

    const dir = mkdtempSync(path.join(os.tmpdir(), 'faultline-replay-'));
    const broken = path.join(dir, 'broken.json');
    writeFileSync(broken, 'not json');
    const bad = cli();
    const badCode = await runCli(['--json', 'replay', broken], bad.deps);
    expect(badCode).toBe(1);
    const doc = JSON.parse(bad.stdout()) as { error: { type: string; histories: { file: string; ok: boolean; errorType: string }[] } };
    expect(doc.error.type).toBe('replay-failed');
    expect(doc.error.histories).toEqual([expect.objectContaining({ file: broken, ok: false, errorType: 'InvalidHistory' })]);
  });
});
