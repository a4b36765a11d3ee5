/**
 * Notifications: stored once per outcome, optionally pushed to a webhook.
 *
 * Fixes three Celery defects: duplicates on retry (the row id is an idempotency key), hard-coded
 * dashboard hosts (links are built from DASHBOARD_URL), and swallowed delivery errors (a failed
 * POST is recorded on the row and rethrown so the calling activity retries with backoff).
 * Delivery is at-least-once: the POST carries an `Idempotency-Key` header so a receiver can drop
 * the rare repeat (e.g. the POST succeeded but recording it did not).
 */
import { DASHBOARD_PATHS, EVENT_TYPES, type EntityKind, type NotificationInput } from '../contracts/notifications.js';
import { insertNotification, markDelivered, markDeliveryFailed } from '../db/repos/notifications.js';
import type { NotificationRow } from '../db/schema.js';
import type { Database } from '../db/types.js';

export interface NotifierOptions {
  db: Database;
  /** Base URL of the dashboard (Config.dashboardUrl), e.g. http://localhost:8050. */
  dashboardUrl: string;
  /** Where to POST notifications (Config.notifyWebhookUrl); none: store only. */
  webhookUrl?: string;
  /** Injected for tests or proxies; defaults to the global fetch. */
  fetchImpl?: typeof fetch;
  /** Per-POST timeout. Default 10 s: short enough for the activity's own startToCloseTimeout. */
  timeoutMs?: number;
}

export interface NotifyResult {
  /** `${eventType}:${entityKind}:${entityId}` */
  id: string;
  /** Dashboard link for the entity. */
  url: string;
  /** True when a webhook has accepted it (now or on an earlier attempt). False when no webhook is configured. */
  delivered: boolean;
  /** True when this outcome had already been notified (the stored row was reused, not rewritten). */
  duplicate: boolean;
}

export interface Notifier {
  notify(input: NotificationInput): Promise<NotifyResult>;
}

/** Thrown when the webhook rejects or does not answer; the failure is already recorded on the row. */
export class NotificationDeliveryError extends Error {
  readonly notificationId: string;
  readonly status: number | undefined;
  constructor(notificationId: string, message: string, status?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NotificationDeliveryError';
    this.notificationId = notificationId;
    this.status = status;
  }
}

/** The idempotency key: one notification per (outcome, entity). */
export function notificationId(input: Pick<NotificationInput, 'eventType' | 'entityKind' | 'entityId'>): string {
  return `${input.eventType}:${input.entityKind}:${input.entityId}`;
}

/** Dashboard link for an entity, from the configured base URL (trailing slashes ignored). */
export function dashboardLink(dashboardUrl: string, entityKind: EntityKind, entityId: string): string {
  return `${dashboardUrl.replace(/\/+$/, '')}${DASHBOARD_PATHS[entityKind](entityId)}`;
}

/** The JSON body POSTed to the webhook. */
export interface WebhookPayload {
  id: string;
  eventType: string;
  entityKind: string;
  entityId: string;
  title: string;
  message: string;
  url: string;
  details: Record<string, unknown>;
  createdAt: string;
}

export function createNotifier(options: NotifierOptions): Notifier {
  const { db, webhookUrl } = options;
  assertHttpUrl('dashboardUrl', options.dashboardUrl);
  if (webhookUrl !== undefined) assertHttpUrl('webhookUrl', webhookUrl);
  const fetchImpl = options.fetchImpl ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 10_000;

  async function deliver(row: NotificationRow, target: string): Promise<void> {
    const payload: WebhookPayload = {
      id: row.id,
      eventType: row.eventType,
      entityKind: row.entityKind,
      entityId: row.entityId,
      title: row.title,
      message: row.message,
      url: row.url,
      details: row.details,
      createdAt: row.createdAt.toISOString(),
    };
    let status: number | undefined;
    try {
      const res = await fetchImpl(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': row.id },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = res.status;
      // Read the body either way so the connection is released back to the agent.
      const text = await res.text();
      if (!res.ok) throw new Error(`HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`);
    } catch (err) {
      const reason = err instanceof Error && err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : errorMessage(err);
      // Only the origin is named: webhook paths often carry a secret token.
      const message = `notification ${row.id}: webhook POST to ${new URL(target).origin} failed: ${reason}`;
      await markDeliveryFailed(db, row.id, message);
      throw new NotificationDeliveryError(row.id, message, status, { cause: err });
    }
    await markDelivered(db, row.id);
  }

  return {
    async notify(input: NotificationInput): Promise<NotifyResult> {
      if (!(EVENT_TYPES as readonly string[]).includes(input.eventType)) {
        throw new Error(`unknown notification eventType ${JSON.stringify(input.eventType)}`);
      }
      if (!(input.entityKind in DASHBOARD_PATHS)) {
        throw new Error(`unknown notification entityKind ${JSON.stringify(input.entityKind)}`);
      }
      const id = notificationId(input);
      const url = dashboardLink(options.dashboardUrl, input.entityKind, input.entityId);
      const { inserted, row } = await insertNotification(db, {
        id,
        eventType: input.eventType,
        entityKind: input.entityKind,
        entityId: input.entityId,
        title: input.title,
        message: input.message,
        url,
        details: input.details ?? {},
      });
      const duplicate = !inserted;
      if (row.deliveredAt) return { id, url: row.url, delivered: true, duplicate };
      if (!webhookUrl) return { id, url: row.url, delivered: false, duplicate };
      await deliver(row, webhookUrl);
      return { id, url: row.url, delivered: true, duplicate };
    },
  };
}

function assertHttpUrl(name: string, value: string): void {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new Error(`notifier ${name} ${JSON.stringify(value)} is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(`notifier ${name} ${JSON.stringify(value)} must be http(s)`);
  }
}

function errorMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // fetch wraps socket errors as "fetch failed" with the useful part in `cause`.
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}
