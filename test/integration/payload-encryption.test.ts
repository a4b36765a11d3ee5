import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKFLOW_TASK_QUEUE, workflowIds } from '../../contracts/index.js';
import { findTemporalCli } from '../../temporal-config/cli.js';
import { startCodecServer, type CodecServer } from '../../temporal-config/codec-server.js';
import { startDevServer } from '../../temporal-config/dev-server.js';
import { dataConverterFor } from '../../temporal-config/data-converter.js';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING } from '../../temporal-config/payload-codec.js';
import { replayHistoryFiles } from '../../workers/replay.js';
import { generateDataset, startTestStack, type TestStack } from '../support/stack.js';
import { TINY_DATASET } from './fixtures.js';

const exec = promisify(execFile);
const OLD = randomBytes(32).toString('base64');
const NEW = randomBytes(32).toString('base64');
const UI_ORIGIN = 'http://127.0.0.1:8233';
const TOKEN = 'codec-test-token-0123456789';

/**
 * PAYLOAD_KEYS on a real dev server: what Temporal stores is unreadable without the key (inputs,
 * results, activity payloads, failure messages), and readable through our codec endpoint by the
 * `temporal` CLI, by the Web UI's origin, and by replay.
 */
describe('encrypted payloads on a real stack', () => {
  let stack: TestStack;
  let codec: CodecServer;
  let datasetId: string;
  const badId = 'dataset-enc-resonance';
  const cli = findTemporalCli({ temporal: { cliPath: process.env.TEMPORAL_CLI || undefined } }).path;
  const encryption = { activeKeyId: 'k2', keys: { k2: NEW, k1: OLD } };

  beforeAll(async () => {
    stack = await startTestStack({ PAYLOAD_KEYS: `k2:${NEW},k1:${OLD}` });
    await stack.startInProcessWorkers(['control', 'cpu']);
    datasetId = await generateDataset(stack, { ...TINY_DATASET, config: { ...TINY_DATASET.config, signalsPerClass: 2 } });
    codec = await startCodecServer({ codec: new AesGcmPayloadCodec(encryption), bind: '127.0.0.1:0', corsOrigins: [UI_ORIGIN], token: TOKEN });
    // A run the workflow refuses: its failure message names the field, and must be encrypted too.
    const handle = await stack.client.workflow.start('generateDatasetWorkflow', {
      taskQueue: WORKFLOW_TASK_QUEUE,
      workflowId: badId,
      args: [{ datasetId: 'enc-resonance', config: { signalsPerClass: 1, samplingRateHz: 12_000, rigResonanceHz: 9_000 } }],
    });
    await handle.result().catch(() => undefined);
  }, 240_000);

  afterAll(async () => {
    await codec?.close();
    await stack?.stop();
  });

  const rawClient = () => new Client({ connection: stack.client.connection, namespace: stack.temporal.namespace });

  it('history holds only ciphertext: inputs, activity payloads, results and failure messages', async () => {
    const events = (await rawClient().workflow.getHandle(workflowIds.dataset(datasetId)).fetchHistory()).events ?? [];
    const payloads = events.flatMap((e) => [
      ...(e.workflowExecutionStartedEventAttributes?.input?.payloads ?? []),
      ...(e.activityTaskScheduledEventAttributes?.input?.payloads ?? []),
      ...(e.activityTaskCompletedEventAttributes?.result?.payloads ?? []),
      ...(e.workflowExecutionCompletedEventAttributes?.result?.payloads ?? []),
    ]);
    expect(payloads.length).toBeGreaterThan(4);
    for (const p of payloads) {
      expect(Buffer.from(p.metadata!.encoding!).toString()).toBe(ENCRYPTED_ENCODING);
      expect(Buffer.from(p.metadata!['encryption-key-id']!).toString()).toBe('k2');
      const text = Buffer.from(p.data!).toString('latin1');
      expect(text).not.toContain('signalsPerClass');
      expect(text).not.toContain(datasetId);
    }

    const failed = (await rawClient().workflow.getHandle(badId).fetchHistory()).events ?? [];
    const failure = failed.find((e) => e.workflowExecutionFailedEventAttributes)?.workflowExecutionFailedEventAttributes?.failure;
    expect(failure?.message).toBe('Encoded failure');
    expect(failure?.stackTrace ?? '').toBe('');
    expect(Buffer.from(failure!.encodedAttributes!.data!).toString('latin1')).not.toContain('rigResonanceHz');
  });

  it('our client (same keys) reads results and failures as if nothing were encrypted', async () => {
    const err = await stack.client.workflow
      .getHandle(badId)
      .result()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    expect(String((err as WorkflowFailedError).cause?.message)).toContain('config.rigResonanceHz');
    const described = await stack.client.workflow.getHandle(workflowIds.dataset(datasetId)).query<{ fraction: number }>('progress');
    expect(described.fraction).toBe(1);
  });

  /** Every payload of a `temporal workflow show -o json` document, decoded from base64 (data and encoding). */
  function shownPayloads(json: string): { encoding: string; text: string }[] {
    const found: { encoding: string; text: string }[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v !== null && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        const meta = o.metadata as Record<string, string> | undefined;
        if (typeof meta?.encoding === 'string') {
          found.push({ encoding: Buffer.from(meta.encoding, 'base64').toString(), text: Buffer.from(String(o.data ?? ''), 'base64').toString('latin1') });
        }
        // Search attributes are indexed by the server and patch markers are written by the SDK's core,
        // so Temporal never codes either; they hold ids, kinds, statuses and patch names, nothing of a run's data.
        for (const [k, child] of Object.entries(o)) if (k !== 'searchAttributes' && k !== 'patch-data') walk(child);
      }
    };
    walk(JSON.parse(json));
    return found;
  }

  it('`temporal workflow show --codec-endpoint` decodes through the codec server; without it, nothing is readable', async () => {
    const base = ['workflow', 'show', '--address', stack.temporal.address, '--namespace', stack.temporal.namespace, '--output', 'json'];
    const plain = await exec(cli, [...base, '--workflow-id', workflowIds.dataset(datasetId)], { maxBuffer: 64 * 1024 * 1024 });
    expect(shownPayloads(plain.stdout).every((p) => p.encoding === ENCRYPTED_ENCODING && !p.text.includes('signalsPerClass'))).toBe(true);
    const decoded = await exec(
      cli,
      [...base, '--workflow-id', workflowIds.dataset(datasetId), '--codec-endpoint', codec.url, '--codec-auth', `Bearer ${TOKEN}`],
      {
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    const shown = shownPayloads(decoded.stdout);
    expect(shown.length).toBeGreaterThan(4);
    expect(shown.every((p) => p.encoding !== ENCRYPTED_ENCODING)).toBe(true);
    expect(shown.some((p) => p.encoding === 'json/plain' && p.text.includes('"signalsPerClass":2'))).toBe(true);
    const failure = await exec(cli, [...base, '--workflow-id', badId, '--codec-endpoint', codec.url, '--codec-auth', `Bearer ${TOKEN}`], {
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(shownPayloads(failure.stdout).some((p) => p.text.includes('config.rigResonanceHz'))).toBe(true);
  }, 120_000);

  it('the codec endpoint answers the Web UI origin only, and only with the token', async () => {
    const preflight = await fetch(`${codec.url}/decode`, { method: 'OPTIONS', headers: { Origin: UI_ORIGIN, 'Access-Control-Request-Method': 'POST' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('X-Namespace');
    const foreign = await fetch(`${codec.url}/decode`, { method: 'OPTIONS', headers: { Origin: 'http://evil.example' } });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();

    const [encrypted] = await new AesGcmPayloadCodec(encryption).encode([
      { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{"secret":1}') },
    ]);
    const body = JSON.stringify({
      payloads: [
        {
          metadata: Object.fromEntries(Object.entries(encrypted.metadata!).map(([k, v]) => [k, Buffer.from(v!).toString('base64')])),
          data: Buffer.from(encrypted.data!).toString('base64'),
        },
      ],
    });
    const noToken = await fetch(`${codec.url}/decode`, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
    expect(noToken.status).toBe(401);
    const ok = await fetch(`${codec.url}/decode`, {
      method: 'POST',
      body,
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}`, Origin: UI_ORIGIN },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    const json = (await ok.json()) as { payloads: { metadata: Record<string, string>; data: string }[] };
    expect(Buffer.from(json.payloads[0].data, 'base64').toString()).toBe('{"secret":1}');
    expect(Buffer.from(json.payloads[0].metadata.encoding, 'base64').toString()).toBe('json/plain');
    const bad = await fetch(`${codec.url}/decode`, { method: 'POST', body: '{"payloads": 3}', headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('payloads: expected an array');
  });

  it('a dev server started with the codec endpoint tells its Web UI to decode through it', async () => {
    const ui = await startDevServer({ cliPath: cli, namespace: 'default', retention: '1d', ui: true, uiCodecEndpoint: codec.url });
    try {
      const settings = (await (await fetch(`${ui.uiUrl}/api/v1/settings`)).json()) as { Codec: { Endpoint: string } };
      expect(settings.Codec.Endpoint).toBe(codec.url);
    } finally {
      await ui.stop();
    }
  }, 120_000);

  it('an encrypted history replays with the keys, and fails to without them', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'faultline-enc-replay-'));
    try {
      const file = path.join(dir, 'dataset.json');
      const { stdout } = await exec(
        cli,
        [
          'workflow',
          'show',
          '--address',
          stack.temporal.address,
          '--namespace',
          stack.temporal.namespace,
          '--output',
          'json',
          '--workflow-id',
          workflowIds.dataset(datasetId),
        ],
        { maxBuffer: 64 * 1024 * 1024 },
      );
      writeFileSync(file, stdout);
      const [withKeys] = await replayHistoryFiles([file], { dataConverter: dataConverterFor({ payloadEncryption: encryption }) });
      expect(withKeys).toMatchObject({ ok: true, workflowType: 'generateDatasetWorkflow' });
      const [withoutKeys] = await replayHistoryFiles([file]);
      expect(withoutKeys.ok).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
