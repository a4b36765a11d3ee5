import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localUploader } from '../../client/cli/import.js';
import { runCli } from '../../client/cli/main.js';
import { temporalSessionOpener } from '../../client/cli/session.js';
import type { ImportMatDatasetResult } from '../../contracts/index.js';
import { signals } from '../../db/schema.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const CWRU = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/data/cwru');

describe('faultline import on a real stack', () => {
  let stack: TestStack;
  let root: string;

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'faultline-cli-import-root-'));
    mkdirSync(path.join(root, 'cwru'));
    for (const f of ['12k_Drive_End_IR007_0_105.mat', '12k_Drive_End_IR014_0_169.mat']) copyFileSync(path.join(CWRU, f), path.join(root, 'cwru', f));
    stack = await startTestStack({ IMPORT_ROOT: root });
    await stack.startInProcessWorkers(['control', 'cpu']);
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const cli = async (argv: string[]) => {
    const out: string[] = [];
    const code = await runCli(argv, {
      io: { stdout: { write: (t: string) => out.push(t) }, stderr: { write: () => true } },
      openSession: temporalSessionOpener(stack.env),
      pollIntervalMs: 200,
      uploadImportFile: localUploader(stack.config.artifactDir, stack.config.imports.maxFileBytes),
    });
    return { code, text: out.join('') };
  };

  it('imports by --glob under IMPORT_ROOT and by --upload from outside it, with --wait --json; the same command again adds nothing', async () => {
    const argv = [
      '--json',
      'import',
      'start',
      '--dataset',
      'cli-cwru',
      '--root',
      'cwru',
      '--glob',
      '12k_*IR*.mat',
      '--scheme',
      'fault-type-size',
      '--length',
      '4096',
      '--wait',
    ];
    const first = await cli([...argv, '--upload', path.join(CWRU, '12k_Drive_End_B007_0_118.mat')]);
    expect(first.code, first.text).toBe(2);
    expect(first.text).toContain('give exactly one of files and glob');

    const globbed = await cli(argv);
    expect(globbed.code, globbed.text).toBe(0);
    const doc = JSON.parse(globbed.text) as { workflowId: string; status: string; result: ImportMatDatasetResult };
    expect(doc).toMatchObject({ workflowId: 'import-cli-cwru', status: 'COMPLETED' });
    expect(doc.result).toMatchObject({ status: 'COMPLETED', files: 2, imported: 2, failed: 0, signalLength: 4096, samplingRateHz: 12_000 });
    const rows = await stack.db.select().from(signals).where(eq(signals.datasetId, 'cli-cwru'));
    expect(rows).toHaveLength(doc.result.numSignals);
    expect(new Set(rows.map((r) => r.label))).toEqual(new Set(['inner_race_007', 'inner_race_014']));

    // The ball recording is outside IMPORT_ROOT: it travels through the artifact store.
    const uploaded = await cli([
      '--json',
      'import',
      'start',
      '--dataset',
      'cli-up',
      '--upload',
      path.join(CWRU, '12k_Drive_End_B007_0_118.mat'),
      '--scheme',
      'fault-type-size',
      '--length',
      '4096',
      '--wait',
    ]);
    expect(uploaded.code, uploaded.text).toBe(0);
    const up = JSON.parse(uploaded.text) as { result: ImportMatDatasetResult };
    expect(up.result).toMatchObject({ files: 1, imported: 1, failed: 0 });
    const ball = await stack.db.select().from(signals).where(eq(signals.datasetId, 'cli-up'));
    expect(ball.length).toBe(up.result.numSignals);
    expect(ball.length).toBeGreaterThan(20);
    expect(ball.every((r) => r.label === 'ball_007' && r.sourceFile === '12k_Drive_End_B007_0_118.mat')).toBe(true);

    const again = await cli(argv);
    expect(again.code, again.text).toBe(0);
    expect(JSON.parse(again.text)).toMatchObject({ workflowId: 'import-cli-cwru', alreadyExisted: true, result: { numSignals: doc.result.numSignals } });
    expect(await stack.db.select().from(signals).where(eq(signals.datasetId, 'cli-cwru'))).toHaveLength(rows.length);

    const result = await cli(['import', 'result', 'cli-cwru']);
    expect(result.code, result.text).toBe(0);
    expect(result.text).toContain('files          2: 2 imported, 0 reused, 0 duplicates, 0 failed');
  }, 300_000);
});
