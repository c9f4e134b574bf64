/** In-app notifications: any module may notify a user; the user lists and marks them read. */
import type { Tx } from "@inkwell/db";
import { sql } from "kysely";
import { notFound } from "../platform/errors.ts";

export interface Notification {
  id: string;
  kind: string;
  title: string;
  body: string;
  readAt: Date | null;
  createdAt: Date;
}

/** Idempotent per (user, dedupeKey): the same event never notifies twice. */
export async function notify(tx: Tx, values: { userId: string; kind: string; title: string; body: string; dedupeKey: string }) {
  await tx
    .insertInto("notifications")
    .values({ user_id: values.userId, kind: values.kind, title: values.title, body: values.body, dedupe_key: values.dedupeKey })
    .onConflict((oc) => oc.columns(["user_id", "dedupe_key"]).doNothing())
    .execute();
}

export async function list(tx: Tx, options: { unreadOnly?: boolean; limit?: number } = {}): Promise<Notification[]> {
  let q = tx
    .selectFrom("notifications")
    .select(["id", "kind", "title", "body", "read_at", "created_at"])
    .orderBy("created_at", "desc")
    .limit(options.limit ?? 50);
  if (options.unreadOnly) q = q.where("read_at", "is", null);
  const rows = await q.execute();
  return rows.map((r) => ({ id: r.id, kind: r.kind, title: r.title, body: r.body, readAt: r.read_at, createdAt: r.created_at }));
}

export async function markRead(tx: Tx, id: string) {
  const r = await tx
    .updateTable("notifications")
    .set({ read_at: sql<Date>`coalesce(read_at, now())` })
    .where("id", "=", id)
    .executeTakeFirst();
  if (r.numUpdatedRows === 0n) throw notFound("Notification");
}

export async function unreadCount(tx: Tx): Promise<number> {
  const row = await tx
    .selectFrom("notifications")
    .select(sql<number>`count(*)::int`.as("n"))
    .where("read_at", "is", null)
    .executeTakeFirstOrThrow();
  return row.n;
}

export async function markAllRead(tx: Tx): Promise<number> {
  const r = await tx
    .updateTable("notifications")
    .set({ read_at: sql<Date>`now()` })
    .where("read_at", "is", null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}
