/** Stored notifications: the dashboard reads them; the notifier also pushes them to a webhook. */
import { eq, sql } from 'drizzle-orm';
import { notifications, type NewNotification, type NotificationRow } from '../schema.js';
import type { Database } from '../types.js';

export type { NotificationRow } from '../schema.js';

export type NotificationRecord = Omit<NewNotification, 'createdAt' | 'deliveredAt' | 'deliveryError' | 'deliveryAttempts'>;

/**
 * Store the notification unless one with the same id (idempotency key) exists. Returns whether
 * it is new and the row as stored (the first version wins: a retry never rewrites it).
 */
export async function insertNotification(db: Database, record: NotificationRecord): Promise<{ inserted: boolean; row: NotificationRow }> {
  const [row] = await db.insert(notifications).values(record).onConflictDoNothing({ target: notifications.id }).returning();
  if (row) return { inserted: true, row };
  const existing = await getNotification(db, record.id);
  if (!existing) throw new Error(`notification ${record.id}: insert did nothing and the row does not exist`);
  return { inserted: false, row: existing };
}

export async function getNotification(db: Database, id: string): Promise<NotificationRow | undefined> {
  const [row] = await db.select().from(notifications).where(eq(notifications.id, id));
  return row;
}

/** The webhook accepted the notification. Keeps the first delivery time. */
export async function markDelivered(db: Database, id: string): Promise<void> {
  await db
    .update(notifications)
    .set({
      deliveredAt: sql`coalesce(${notifications.deliveredAt}, now())`,
      deliveryError: null,
      deliveryAttempts: sql`${notifications.deliveryAttempts} + 1`,
    })
    .where(eq(notifications.id, id));
}

/** A delivery attempt failed; the error is kept for the dashboard and operators. */
export async function markDeliveryFailed(db: Database, id: string, error: string): Promise<void> {
  await db
    .update(notifications)
    .set({ deliveryError: error.slice(0, 2_000), deliveryAttempts: sql`${notifications.deliveryAttempts} + 1` })
    .where(eq(notifications.id, id));
}
