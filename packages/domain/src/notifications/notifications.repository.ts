/** The notifications table. Every function runs in the caller's transaction (RLS scopes it to the user). */
import type { Tx } from "@inkwell/db";
import { sql } from "kysely";
import type { Notification } from "./notifications.schemas.ts";

export async function insertOnce(
  tx: Tx,
  values: { userId: string; kind: string; title: string; body: string; dedupeKey: string },
): Promise<void> {
  await tx
    .insertInto("notifications")
    .values({ user_id: values.userId, kind: values.kind, title: values.title, body: values.body, dedupe_key: values.dedupeKey })
    .onConflict((oc) => oc.columns(["user_id", "dedupe_key"]).doNothing())
    .execute();
}

export async function list(tx: Tx, options: { unreadOnly: boolean; limit: number }): Promise<Notification[]> {
  let q = tx
    .selectFrom("notifications")
    .select(["id", "kind", "title", "body", "read_at", "created_at"])
    .orderBy("created_at", "desc")
    .limit(options.limit);
  if (options.unreadOnly) q = q.where("read_at", "is", null);
  const rows = await q.execute();
  return rows.map((r) => ({ id: r.id, kind: r.kind, title: r.title, body: r.body, readAt: r.read_at, createdAt: r.created_at }));
}

/** Marks one read (keeping the first read time); false when no such notification is visible. */
export async function markRead(tx: Tx, id: string): Promise<boolean> {
  const r = await tx
    .updateTable("notifications")
    .set({ read_at: sql<Date>`coalesce(read_at, now())` })
    .where("id", "=", id)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
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
