import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WorkflowFailedError } from '@temporalio/client';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTrainingResult, startTraining } from '../../client/api.js';
import { getImportResult, startMatImport, uploadImportFile } from '../../client/import.js';
import { splitSignalOf } from '../../activities/lib/eval-data.js';
import { splitByTime } from '../../ml/data/split.js';
import { datasetFiles, notifications, signals } from '../../db/schema.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { recordReplayHistory } from '../support/history.js';

const CWRU = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/data/cwru');

describe('importMatDatasetWorkflow on a real stack', () => {
  let stack: TestStack;
  let root: string;
  const files = readdirSync(CWRU)
    .filter((f) => f.endsWith('.mat'))
    .sort();

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'faultline-import-root-'));
    mkdirSync(path.join(root, 'cwru'));
    for (const f of files) copyFileSync(path.join(CWRU, f), path.join(root, 'cwru', f));
    writeFileSync(path.join(root, 'cwru', '12k_Drive_End_IR007_0_999.mat'), 'not a mat file at all');
    symlinkSync('/etc/hostname', path.join(root, 'cwru', 'escape.mat'));
    stack = await startTestStack({ IMPORT_ROOT: root });
    await stack.startInProcessWorkers(['control', 'cpu']);
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('imports the ten CWRU recordings in the 10-class scheme, with lengths, RPMs, labels and offsets', async () => {
    const { workflowId, datasetId } = await startMatImport(stack.client, {
      datasetId: 'cwru10',
      root: 'cwru',
      files,
      scheme: 'fault-type-size',
      signalLength: 4096,
    });
    expect(workflowId).toBe('import-cwru10');
    const result = await getImportResult(stack.client, workflowId);
    expect(result).toMatchObject({ status: 'COMPLETED', files: 10, imported: 10, failed: 0, duplicates: 0 });
    expect(result.classes).toHaveLength(10);
    const rows = await stack.db.select().from(signals).where(eq(signals.datasetId, datasetId));
    expect(rows.length).toBe(result.numSignals);
    const normal = rows.filter((r) => r.sourceFile === 'normal_0_97.mat');
    // 243,938 samples at 48 kHz → 60,985 at 12 kHz → 14 signals of 4,096
    expect(normal).toHaveLength(14);
    expect(normal.every((r) => r.label === 'normal' && r.samplingRateHz === 12_000 && r.rpm === 1796 && r.channel === 'DE')).toBe(true);
    const ir14 = rows.filter((r) => r.sourceFile === '12k_Drive_End_IR014_0_169.mat').sort((a, b) => a.offsetSamples! - b.offsetSamples!);
    expect(ir14).toHaveLength(Math.floor(121_846 / 4096));
    expect(ir14.map((r) => r.offsetSamples)).toEqual(ir14.map((_, k) => k * 4096));
    expect(ir14[0]).toMatchObject({ label: 'inner_race_014', faultType: 'inner_race', severityIn: 0.014, loadHp: 0, length: 4096 });
    const notes = await stack.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.entityKind, 'dataset'), eq(notifications.entityId, datasetId)));
    expect(notes.map((n) => n.eventType)).toEqual(['IMPORT_COMPLETED']);

    // `RECORD_REPLAY_HISTORIES=1 npx vitest run test/integration/import.test.ts`
    await recordReplayHistory(stack.temporal, workflowId, 'importMatDatasetWorkflow');
  });

  it('trains on the imported recordings with the time split: each recording cut by time, the activity passing recording and offset', async () => {
    const trainer = await stack.spawnWorkerProcess(['train']);
    try {
      const hyperparameters = {
        windowLength: 2048,
        windowHop: 1024,
        maxWindowsPerSignal: 3,
        epochs: 1,
        seed: 2,
        split: { kind: 'time' as const, gapSignals: 1 },
      };
      const started = await startTraining(stack.client, { datasetId: 'cwru10', hyperparameters });
      const result = await getTrainingResult(stack.client, started.workflowId);
      expect(result.status).toBe('COMPLETED');
      expect(result.classes).toHaveLength(10);
      // The windows per class and side are those of the time split of the stored rows (3 windows per signal).
      const rows = await stack.db.select().from(signals).where(eq(signals.datasetId, 'cwru10'));
      const parts = splitByTime(rows.map(splitSignalOf), { validationFraction: 0.15, testFraction: 0.2, seed: 2, gapSignals: 1 });
      const labelOf = new Map(rows.map((r) => [r.idx, r.label]));
      for (const side of ['train', 'validation', 'test'] as const) {
        const perClass: Record<string, number> = {};
        for (const i of parts[side]) perClass[labelOf.get(i)!] = (perClass[labelOf.get(i)!] ?? 0) + 3;
        expect(result.classBalance[side]).toEqual(perClass);
      }
      // Each recording: its test signals come after its validation signals, which come after its training ones.
      const offsetOf = new Map(rows.map((r) => [r.idx, r.offsetSamples!]));
      for (const file of new Set(rows.map((r) => r.sourceFile))) {
        const mine = (ids: number[]) => ids.filter((i) => rows.find((r) => r.idx === i)?.sourceFile === file).map((i) => offsetOf.get(i)!);
        expect(Math.max(...mine(parts.train))).toBeLessThan(Math.min(...mine(parts.validation)) - 4096);
        expect(Math.max(...mine(parts.validation))).toBeLessThan(Math.min(...mine(parts.test)) - 4096);
      }
    } finally {
      await trainer.kill();
    }
  });

  it('the same request again adds nothing; a copy of a file under another name is a duplicate', async () => {
    const before = (await stack.db.select().from(signals).where(eq(signals.datasetId, 'cwru10'))).length;
    const again = await startMatImport(stack.client, { datasetId: 'cwru10', root: 'cwru', files, scheme: 'fault-type-size', signalLength: 4096 });
    expect((await getImportResult(stack.client, again.workflowId)).imported).toBe(10);
    expect((await stack.db.select().from(signals).where(eq(signals.datasetId, 'cwru10'))).length).toBe(before);

    const upload = await uploadImportFile(stack.config.artifactDir, path.join(CWRU, files[0]));
    const dup = await startMatImport(stack.client, {
      datasetId: 'dup',
      root: 'cwru',
      files: [files[0], { ...upload, name: '12k_Drive_End_B007_0_1118.mat' }],
      signalLength: 4096,
      maxInFlight: 1,
    });
    const r = await getImportResult(stack.client, dup.workflowId);
    expect(r, JSON.stringify(r)).toMatchObject({ imported: 1, duplicates: 1, failed: 0 });
    const rows = await stack.db.select().from(datasetFiles).where(eq(datasetFiles.datasetId, 'dup'));
    expect(rows.find((x) => x.fileName === '12k_Drive_End_B007_0_1118.mat')).toMatchObject({ status: 'DUPLICATE', duplicateOf: files[0] });
  });

  it('records a damaged file by name and goes on; an escaping symlink is refused before anything starts', async () => {
    const { workflowId } = await startMatImport(stack.client, {
      datasetId: 'with-bad',
      root: 'cwru',
      files: [files[0], '12k_Drive_End_IR007_0_999.mat'],
      signalLength: 4096,
      maxFailedFiles: 1,
    });
    const r = await getImportResult(stack.client, workflowId);
    expect(r).toMatchObject({ imported: 1, failed: 1 });
    expect(r.failures[0].file).toBe('12k_Drive_End_IR007_0_999.mat');
    expect(r.failures[0].reason).toMatch(/NotMatFile/);
    const [row] = await stack.db
      .select()
      .from(datasetFiles)
      .where(and(eq(datasetFiles.datasetId, 'with-bad'), eq(datasetFiles.fileName, '12k_Drive_End_IR007_0_999.mat')));
    expect(row.status).toBe('FAILED');

    const esc = await startMatImport(stack.client, { datasetId: 'escape', root: 'cwru', files: [files[0], 'escape.mat'] });
    const err = await getImportResult(stack.client, esc.workflowId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const chain: string[] = [];
    for (let e: unknown = err; e instanceof Error; e = e.cause) chain.push(e.message);
    expect(chain.join(' | ')).toMatch(/escape\.mat: is a link to .*outside the import root/);
    expect((await stack.db.select().from(signals).where(eq(signals.datasetId, 'escape'))).length).toBe(0);
    await expect(startMatImport(stack.client, { datasetId: 'dots', root: '../..', files: ['x.mat'] })).rejects.toThrow(/root.*\.\./);
  });
});
