import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getImportResult, startMatImport } from '../../client/import.js';
import { datasetFiles, signals } from '../../db/schema.js';
import { startTestStack, waitFor, type TestStack } from '../support/stack.js';

const CWRU = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/data/cwru');

describe('an import survives a CPU worker killed mid-import', () => {
  let stack: TestStack;
  let root: string;
  const files = readdirSync(CWRU)
    .filter((f) => f.endsWith('.mat'))
    .sort();

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'faultline-import-crash-'));
    for (const f of files) copyFileSync(path.join(CWRU, f), path.join(root, f));
    stack = await startTestStack({ IMPORT_ROOT: root });
    await stack.startInProcessWorkers(['control']);
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('no file lost, none imported twice, every signal once', async () => {
    const first = await stack.spawnWorkerProcess(['cpu'], { CPU_SLOTS: '2' });
    // Short signals: many artifacts per file, so the kill lands while files are being written.
    const { workflowId, datasetId } = await startMatImport(stack.client, { datasetId: 'crash', files, signalLength: 256, maxInFlight: 2 });
    await waitFor('a first file imported', async () => {
      const rows = await stack.db.select().from(datasetFiles).where(eq(datasetFiles.datasetId, datasetId));
      return rows.some((r) => r.status === 'IMPORTED') ? true : undefined;
    });
    await first.kill('SIGKILL');
    await stack.spawnWorkerProcess(['cpu'], { CPU_SLOTS: '2' });
    const result = await getImportResult(stack.client, workflowId);
    expect(result).toMatchObject({ status: 'COMPLETED', files: 10, failed: 0, duplicates: 0 });
    expect(result.imported + result.reused).toBe(10);
    const rows = await stack.db.select().from(datasetFiles).where(eq(datasetFiles.datasetId, datasetId));
    expect(rows).toHaveLength(10);
    expect(rows.every((r) => r.status === 'IMPORTED')).toBe(true);
    const sigs = await stack.db.select().from(signals).where(eq(signals.datasetId, datasetId));
    const expected = rows.reduce((n, r) => n + r.segments!, 0);
    expect(sigs.length).toBe(expected);
    expect(result.numSignals).toBe(expected);
    // Index ranges of the files do not overlap, and each file's signals fill its own range.
    for (const r of rows) {
      const mine = sigs.filter((s) => s.sourceFile === r.fileName);
      expect(mine).toHaveLength(r.segments!);
      expect(mine.every((s) => s.idx >= r.firstIdx! && s.idx < r.firstIdx! + r.segments!)).toBe(true);
      expect(new Set(mine.map((s) => s.offsetSamples)).size).toBe(r.segments!);
    }
  });
});
