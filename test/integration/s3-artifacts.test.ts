import { execFile } from 'node:child_process';
import { readdirSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ArtifactStore, isArtifactError, sha256Hex } from '../../artifacts/index.js';
import type { S3ArtifactLocation } from '../../config/artifact-location.js';
import { getTrainingResult, startTraining } from '../../client/api.js';
import { models, signals } from '../../db/schema.js';
import { startTestS3, type TestS3 } from '../support/s3.js';
import { generateDataset, startTestStack, type TestStack } from '../support/stack.js';
import { TINY_DATASET, TINY_SIGNALS, tinyTraining } from './fixtures.js';

const exec = promisify(execFile);
const CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

/** The artifact store against a real S3-compatible server (moto), alone and under real workers. */
describe('S3 artifact store', () => {
  let s3: TestS3;
  let location: S3ArtifactLocation;
  let store: S3ArtifactStore;

  beforeAll(async () => {
    s3 = await startTestS3();
    await s3.createBucket('faultline-unit');
    location = {
      kind: 's3',
      bucket: 'faultline-unit',
      prefix: 'team/a',
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      partBytes: 5 * 1024 * 1024,
    };
    store = new S3ArtifactStore(location, { credentials: CREDENTIALS });
  }, 120_000);

  afterAll(async () => {
    store?.close();
    await s3?.stop();
  });

  it('stores bytes under the same content-addressed URI as the directory store, and reads them back', async () => {
    const data = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>');
    const stored = await store.put(data, { kind: 'report', mediaType: 'image/svg+xml' });
    expect(stored).toEqual({ uri: `artifact:sha256/${sha256Hex(data)}`, sha256: sha256Hex(data), bytes: data.byteLength });
    expect(await store.has(stored.uri)).toBe(true);
    expect(Buffer.from(await store.get(stored.uri)).toString()).toBe('<svg xmlns="http://www.w3.org/2000/svg"/>');
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: 'faultline-unit', Key: `team/a/sha256/${stored.sha256.slice(0, 2)}/${stored.sha256}` }));
    expect(head.ContentType).toBe('image/svg+xml');
    expect(head.Metadata?.sha256).toBe(stored.sha256);
  });

  it('uploads nothing when the same bytes are put again (a retried activity), and refreshes their time for the retention sweep', async () => {
    const data = new Uint8Array(1000).map((_, i) => i % 251);
    const first = await store.put(data, { kind: 'signal', mediaType: 'application/x-float32le' });
    const key = store.keyOf(first.uri);
    const before = await s3.client.send(new HeadObjectCommand({ Bucket: 'faultline-unit', Key: key }));
    await new Promise((r) => setTimeout(r, 1100)); // S3 timestamps have one-second resolution
    const again = await store.put(data, { kind: 'signal', mediaType: 'application/x-float32le' });
    const after = await s3.client.send(new HeadObjectCommand({ Bucket: 'faultline-unit', Key: key }));
    expect(again).toEqual(first);
    expect(after.ETag).toBe(before.ETag);
    expect(after.ContentLength).toBe(data.byteLength);
    expect(after.Metadata?.sha256).toBe(first.sha256);
    // A copy onto itself: the same bytes, a newer time (retention spares bytes re-put within its grace period).
    expect(after.LastModified!.getTime()).toBeGreaterThan(before.LastModified!.getTime());
  });

  it('uploads a large array in parts and reads it back intact', async () => {
    const big = new Uint8Array(12 * 1024 * 1024 + 17);
    for (let i = 0; i < big.length; i += 4096) big[i] = (i / 4096) % 256;
    const stored = await store.put(big, { kind: 'model', mediaType: 'application/octet-stream' });
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: 'faultline-unit', Key: store.keyOf(stored.uri) }));
    // A multipart object's ETag is the hash of its parts' hashes, suffixed with the part count.
    expect(head.ETag).toMatch(/-3"?$/);
    const back = await store.get(stored.uri);
    expect(back.byteLength).toBe(big.byteLength);
    expect(sha256Hex(back)).toBe(stored.sha256);
  });

  it('names a missing artifact, refuses a corrupt one, and rejects a malformed URI', async () => {
    const missing = `artifact:sha256/${'0'.repeat(64)}`;
    expect(await store.has(missing)).toBe(false);
    const notFound = await store.get(missing).catch((e: unknown) => e);
    expect(isArtifactError(notFound, 'ARTIFACT_NOT_FOUND')).toBe(true);
    expect((notFound as Error).message).toContain(`s3://faultline-unit/team/a/sha256/00/${'0'.repeat(64)}`);

    const stored = await store.put(new TextEncoder().encode('original'), { kind: 'report', mediaType: 'text/plain' });
    await s3.client.send(new PutObjectCommand({ Bucket: 'faultline-unit', Key: store.keyOf(stored.uri), Body: 'tampered' }));
    const corrupt = await store.get(stored.uri).catch((e: unknown) => e);
    expect(isArtifactError(corrupt, 'ARTIFACT_CORRUPT')).toBe(true);
    // The damaged object lacks our hash metadata, so the next put repairs it.
    await store.put(new TextEncoder().encode('original'), { kind: 'report', mediaType: 'text/plain' });
    expect(Buffer.from(await store.get(stored.uri)).toString()).toBe('original');

    expect(() => store.keyOf('artifact:sha256/XYZ')).toThrow(/malformed artifact URI "artifact:sha256\/XYZ"/);
  });

  it('says which bucket it could not reach', async () => {
    const nowhere = new S3ArtifactStore({ ...location, bucket: 'no-such-bucket' }, { credentials: CREDENTIALS });
    const err = await nowhere.put(new Uint8Array([1, 2, 3]), { kind: 'x', mediaType: 'application/octet-stream' }).catch((e: unknown) => e);
    nowhere.close();
    expect((err as Error).message).toMatch(/cannot store artifact artifact:sha256\/[0-9a-f]{64} in s3:\/\/no-such-bucket\//);
  });

  it('`faultline artifact put` in one process and `artifact get --out` in another share the bucket', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'faultline-s3-cli-'));
    try {
      const env = { ...process.env, ...s3.env, ARTIFACT_URL: 's3://faultline-unit/cli', FAULTLINE_DATA_DIR: dir };
      const src = path.join(dir, 'page.html');
      writeFileSync(src, '<h1>report</h1>');
      const cli = ['--import', 'tsx', path.resolve('client/cli/main.ts')];
      const put = JSON.parse((await exec(process.execPath, [...cli, '--json', 'artifact', 'put', src], { env })).stdout) as { uri: string; store: string };
      expect(put.store).toBe(`s3://faultline-unit/cli at ${s3.endpoint}`);
      const out = path.join(dir, 'copy', 'report.html');
      await exec(process.execPath, [...cli, 'artifact', 'get', put.uri, '--out', out], { env });
      expect(readdirSync(path.dirname(out))).toEqual(['report.html']);
      const again = await exec(process.execPath, [...cli, '--json', 'artifact', 'get', put.uri, '--out', out], { env }).catch(
        (e: { code: number; stdout: string }) => e,
      );
      expect((again as { code: number }).code).toBe(2);
      expect((again as { stdout: string }).stdout).toContain('already exists (add --force to replace it)');
      // Nothing landed in the local directory: the store is the bucket.
      expect(readdirSync(dir).sort()).toEqual(['copy', 'page.html']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('workers on different processes share artifacts through S3', () => {
  let s3: TestS3;
  let stack: TestStack;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    s3 = await startTestS3();
    await s3.createBucket('faultline-shared');
    // The in-process workers are this process: like any worker, the AWS SDK finds its
    // credentials in its own environment (the worker processes get them through stack.env).
    for (const [k, v] of Object.entries(s3.env)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    stack = await startTestStack({ ...s3.env, ARTIFACT_URL: 's3://faultline-shared/runs' });
    // Signals are written by this process's CPU worker; the training worker is another process.
    await stack.startInProcessWorkers(['control', 'cpu']);
    await stack.spawnWorkerProcess(['train']);
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
    await s3?.stop();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('a dataset generated by one worker trains on another, and every artifact is in the bucket', async () => {
    const datasetId = await generateDataset(stack, TINY_DATASET);
    const rows = await stack.db.select().from(signals).where(eq(signals.datasetId, datasetId));
    expect(rows).toHaveLength(TINY_SIGNALS);

    const started = await startTraining(stack.client, tinyTraining(datasetId, { epochs: 2 }));
    const result = await getTrainingResult(stack.client, started.workflowId);
    expect(result.status).toBe('COMPLETED');
    const [model] = await stack.db.select().from(models).where(eq(models.experimentId, started.entityId));
    expect(model.artifactUri).toBe(result.modelUri);

    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.client.send(new ListObjectsV2Command({ Bucket: 'faultline-shared', Prefix: 'runs/sha256/', ContinuationToken: token }));
      keys.push(...(page.Contents ?? []).map((o) => o.Key ?? ''));
      token = page.NextContinuationToken;
    } while (token);
    const hex = (uri: string) => uri.slice('artifact:sha256/'.length);
    for (const uri of [...rows.map((r) => r.artifactUri), result.modelUri, result.checkpointUri]) {
      expect(keys).toContain(`runs/sha256/${hex(uri).slice(0, 2)}/${hex(uri)}`);
    }
    const body = await s3.client.send(
      new GetObjectCommand({ Bucket: 'faultline-shared', Key: `runs/sha256/${hex(result.modelUri).slice(0, 2)}/${hex(result.modelUri)}` }),
    );
    expect(sha256Hex(await body.Body!.transformToByteArray())).toBe(hex(result.modelUri));
    // The directory store was not used.
    expect(readdirSync(stack.config.artifactDir)).toEqual([]);
  }, 300_000);
});
