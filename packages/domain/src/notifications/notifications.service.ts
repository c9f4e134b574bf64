/** In-app notifications: any module may notify a user; the user lists and marks them read. */
import type { Tx } from "@inkwell/db";
import { notFound } from "../platform/errors.ts";
import * as repo from "./notifications.repository.ts";
import type { Notification } from "./notifications.schemas.ts";

/** Idempotent per (user, dedupeKey): the same event never notifies twice. */
export async function notify(tx: Tx, values: { userId: string; kind: string; title: string; body: string; dedupeKey: string }) {
  await repo.insertOnce(tx, values);
}

export function list(tx: Tx, options: { unreadOnly?: boolean; limit?: number } = {}): Promise<Notification[]> {
  return repo.list(tx, { unreadOnly: options.unreadOnly ?? false, limit: options.limit ?? 50 });
}

export async function markRead(tx: Tx, id: string) {
  if (!(await repo.markRead(tx, id))) throw notFound("Notification");
}

export function unreadCount(tx: Tx): Promise<number> {
  return repo.unreadCount(tx);
}

export function markAllRead(tx: Tx): Promise<number> {
  return repo.markAllRead(tx);
}
