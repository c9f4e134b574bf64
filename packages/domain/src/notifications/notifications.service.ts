/** In-app notifications: any module may notify a user; the user lists and marks them read. */
import type { Tx } from "@inkwell/db";
import { DomainError, notFound } from "../platform/errors.ts";
import * as repo from "./notifications.repository.ts";
import { type Notification, UNREAD_COUNT_CAP, UNREAD_COUNT_SCAN, type UserNotificationType } from "./notifications.schemas.ts";

/** A module's own notice to a user (credits low, a story answered): written in the caller's transaction. */
export interface SystemNotice {
  userId: string;
  kind: string;
  title: string;
  body: string;
  dedupeKey: string;
  expiresAt?: Date | null;
}

/**
 * One user telling another (a share, a live invite, a comment). The sender is the user of the caller's
 * transaction (`senderId` names them for the reader and must be that user); the database writes it into
 * the recipient's bell through its one narrow path and refuses a sender past 60 an hour.
 */
export interface UserNotice {
  userId: string;
  senderId: string;
  materialId?: string | null;
  type: UserNotificationType;
  title: string;
  message: string;
  expiresAt?: Date | null;
  dedupeKey: string;
}

/**
 * Idempotent per (user, dedupeKey): the same event never notifies twice (for a user-to-user notice, per
 * (recipient, sender, dedupeKey)). True when this call wrote it.
 */
export async function notify(tx: Tx, values: SystemNotice | UserNotice): Promise<boolean> {
  if (!("type" in values)) {
    await repo.insertOnce(tx, values);
    return true;
  }
  try {
    return await repo.sendToUser(tx, {
      userId: values.userId,
      kind: values.type,
      title: values.title.slice(0, 200),
      body: values.message.slice(0, 2000),
      dedupeKey: values.dedupeKey,
      materialId: values.materialId ?? null,
      expiresAt: values.expiresAt ?? null,
    });
  } catch (error) {
    if (isRateLimit(error)) {
      throw new DomainError("RATE_LIMITED", "You've sent a lot of notifications in the last hour. Try again later.", {
        retryAfterSeconds: 3600,
      });
    }
    throw error;
  }
}

function isRateLimit(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const e = error as { hint?: unknown; message?: unknown };
  return (
    e.hint === "inkwell:notification-rate" ||
    (typeof e.message === "string" && e.message.includes("send_notification: rate limited"))
  );
}

export function list(tx: Tx, options: { unreadOnly?: boolean; limit?: number } = {}): Promise<Notification[]> {
  return repo.list(tx, { unreadOnly: options.unreadOnly ?? false, limit: options.limit ?? 50 });
}

export async function markRead(tx: Tx, id: string) {
  if (!(await repo.markRead(tx, id))) throw notFound("Notification");
}

/**
 * Unread notifications the caller's bell shows (those `list` shows), exact up to UNREAD_COUNT_CAP among the
 * newest UNREAD_COUNT_SCAN unread rows.
 */
export function unreadCount(tx: Tx): Promise<number> {
  return repo.unreadCount(tx, UNREAD_COUNT_CAP, UNREAD_COUNT_SCAN);
}

/** Marks every unread notification of the caller read, in one statement; how many it marked. */
export function markAllRead(tx: Tx): Promise<number> {
  return repo.markAllRead(tx);
}

/**
 * Takes a user-to-user notice back out of the recipient's bell (a share revoked): only one the caller
 * sent, named by the dedupe key it was sent with. Sending it again later notifies afresh, unread.
 */
export function withdraw(tx: Tx, values: { userId: string; dedupeKey: string }): Promise<boolean> {
  return repo.withdraw(tx, values);
}
