/**
 * The notifier against a real database (PGlite, one per file) and a real HTTP webhook on
 * 127.0.0.1: idempotency, links built from configuration, and recorded delivery failures.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { NotificationInput } from '../../contracts/notifications.js';
import { connect, getNotification, type DbHandle } from '../../db/index.js';
import { createNotifier, NotificationDeliveryError, type WebhookPayload } from '../../notifications/index.js';

interface Received {
  headers: IncomingMessage['headers'];
  body: WebhookPayload;
}

/** A webhook receiver whose answer each test chooses. */
class Webhook {
  received: Received[] = [];
  mode: 'ok' | 'fail' | 'hang' = 'ok';
  private server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as WebhookPayload });
      if (this.mode === 'hang') return; // never answer: the notifier's timeout must fire
      res.statusCode = this.mode === 'ok' ? 204 : 503;
      res.end(this.mode === 'ok' ? undefined : 'receiver down for maintenance');
    });
  });
  url = '';

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}/hooks/secret-token`;
  }
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const DASHBOARD = 'https://dash.example.test:8443/app/';

function input(overrides: Partial<NotificationInput> = {}): NotificationInput {
  return {
    eventType: 'TRAINING_COMPLETED',
    entityKind: 'experiment',
    entityId: 'exp-1',
    title: 'Training completed',
    message: 'exp-1 reached 97% test accuracy',
    details: { testAccuracy: 0.97 },
    ...overrides,
  };
}

describe('notifier', () => {
  let handle: DbHandle;
  const webhook = new Webhook();

  beforeAll(async () => {
    handle = await connect({ kind: 'pglite', dir: 'memory://' });
    await webhook.start();
  });
  afterAll(async () => {
    await webhook.stop();
    await handle?.close();
  });
  beforeEach(() => {
    webhook.received = [];
    webhook.mode = 'ok';
  });

  it('stores once and builds the link from the configured dashboard URL (no webhook)', async () => {
    const notifier = createNotifier({ db: handle.db, dashboardUrl: DASHBOARD });
    const first = await notifier.notify(input({ entityKind: 'dataset', entityId: 'cwru 12k/a', eventType: 'DATASET_GENERATED' }));
    expect(first).toEqual({
      id: 'DATASET_GENERATED:dataset:cwru 12k/a',
      url: 'https://dash.example.test:8443/app/datasets/cwru%2012k%2Fa',
      delivered: false,
      duplicate: false,
    });
    const second = await notifier.notify(input({ entityKind: 'dataset', entityId: 'cwru 12k/a', eventType: 'DATASET_GENERATED', message: 'other' }));
    expect(second).toMatchObject({ id: first.id, duplicate: true, delivered: false });
    const row = await getNotification(handle.db, first.id);
    expect(row).toMatchObject({ message: 'exp-1 reached 97% test accuracy', deliveryAttempts: 0, deliveredAt: null });
  });

  it('POSTs once to the webhook and never re-POSTs a delivered notification', async () => {
    const notifier = createNotifier({ db: handle.db, dashboardUrl: 'http://localhost:8050', webhookUrl: webhook.url, timeoutMs: 2_000 });
    const result = await notifier.notify(input({ entityId: 'exp-ok' }));
    expect(result).toEqual({
      id: 'TRAINING_COMPLETED:experiment:exp-ok',
      url: 'http://localhost:8050/experiments/exp-ok/results',
      delivered: true,
      duplicate: false,
    });
    expect(webhook.received).toHaveLength(1);
    const [{ headers, body }] = webhook.received;
    expect(headers['content-type']).toBe('application/json');
    expect(headers['idempotency-key']).toBe(result.id);
    expect(body).toMatchObject({
      id: result.id,
      eventType: 'TRAINING_COMPLETED',
      entityKind: 'experiment',
      entityId: 'exp-ok',
      url: result.url,
      details: { testAccuracy: 0.97 },
    });
    expect(new Date(body.createdAt).toString()).not.toBe('Invalid Date');

    const again = await notifier.notify(input({ entityId: 'exp-ok' }));
    expect(again).toEqual({ ...result, duplicate: true });
    expect(webhook.received).toHaveLength(1);
    const row = await getNotification(handle.db, result.id);
    expect(row?.deliveredAt).toBeInstanceOf(Date);
    expect(row?.deliveryAttempts).toBe(1);
  });

  it('records a failing webhook, throws, and delivers the same row on retry', async () => {
    const notifier = createNotifier({ db: handle.db, dashboardUrl: DASHBOARD, webhookUrl: webhook.url, timeoutMs: 2_000 });
    webhook.mode = 'fail';
    const err = await notifier.notify(input({ eventType: 'TRAINING_FAILED', entityId: 'exp-bad' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotificationDeliveryError);
    const failure = err as NotificationDeliveryError;
    expect(failure.status).toBe(503);
    expect(failure.notificationId).toBe('TRAINING_FAILED:experiment:exp-bad');
    expect(failure.message).toContain('HTTP 503');
    // Only the webhook's origin is named: its path may hold a secret.
    expect(failure.message).not.toContain('secret-token');
    let row = await getNotification(handle.db, failure.notificationId);
    expect(row).toMatchObject({ deliveredAt: null, deliveryAttempts: 1 });
    expect(row?.deliveryError).toContain('receiver down for maintenance');

    // The activity retries: same row, delivered this time, error cleared.
    webhook.mode = 'ok';
    const retried = await notifier.notify(input({ eventType: 'TRAINING_FAILED', entityId: 'exp-bad' }));
    expect(retried).toMatchObject({ duplicate: true, delivered: true });
    expect(webhook.received).toHaveLength(2);
    expect(webhook.received[0].body).toEqual(webhook.received[1].body);
    row = await getNotification(handle.db, failure.notificationId);
    expect(row).toMatchObject({ deliveryError: null, deliveryAttempts: 2 });
    expect(row?.deliveredAt).toBeInstanceOf(Date);
  });

  it('gives up on a webhook that does not answer within the timeout', async () => {
    const notifier = createNotifier({ db: handle.db, dashboardUrl: DASHBOARD, webhookUrl: webhook.url, timeoutMs: 200 });
    webhook.mode = 'hang';
    const started = Date.now();
    await expect(notifier.notify(input({ eventType: 'HPO_COMPLETED', entityKind: 'campaign', entityId: 'c-1' }))).rejects.toThrow(/no answer within 200 ms/);
    expect(Date.now() - started).toBeLessThan(5_000);
    const row = await getNotification(handle.db, 'HPO_COMPLETED:campaign:c-1');
    expect(row?.url).toBe('https://dash.example.test:8443/app/campaigns/c-1');
    expect(row?.deliveryError).toMatch(/no answer within 200 ms/);
  });

  it('records an unreachable webhook', async () => {
    const notifier = createNotifier({ db: handle.db, dashboardUrl: DASHBOARD, webhookUrl: 'http://127.0.0.1:1/hook', timeoutMs: 2_000 });
    await expect(notifier.notify(input({ eventType: 'XAI_FAILED', entityKind: 'xai-batch', entityId: 'b-1' }))).rejects.toThrow(NotificationDeliveryError);
    const row = await getNotification(handle.db, 'XAI_FAILED:xai-batch:b-1');
    expect(row?.deliveryError).toMatch(/ECONNREFUSED|fetch failed/);
  });

  it('refuses a misconfigured dashboard or webhook URL at creation', () => {
    expect(() => createNotifier({ db: handle.db, dashboardUrl: 'localhost:8050' })).toThrow(/dashboardUrl/);
    expect(() => createNotifier({ db: handle.db, dashboardUrl: DASHBOARD, webhookUrl: 'not a url' })).toThrow(/webhookUrl/);
  });
});
