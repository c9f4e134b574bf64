/** The notifications table. Every function runs in the caller's transaction (RLS scopes it to the user). */
import type { Tx } from "@inkwell/db";
import { sql } from "kysely";
import type { Notification } from "./notifications.schemas.ts";

export async function insertOnce(
  tx: Tx,
  values: { userId: string; kind: string; title: string; body: string; dedupeKey: string; expiresAt?: Date | null },
): Promise<void> {
  await tx
    .insertInto("notifications")
    .values({
      user_id: values.userId,
      kind: values.kind,
      title: values.title,
      body: values.body,
      dedupe_key: values.dedupeKey,
      expires_at: values.expiresAt ?? null,
    })
    .onConflict((oc) => oc.columns(["user_id", "dedupe_key"]).doNothing())
    .execute();
}

/**
 * Into another user's bell, through `app.send_notification` (SECURITY DEFINER): the sender is the caller,
 * the dedupe key is namespaced by the sender, and a sender's sends are rate limited. True when written,
 * false when the same (sender, key) was already sent.
 */
export async function sendToUser(
  tx: Tx,
  values: {
    userId: string;
    kind: string;
    title: string;
    body: string;
    dedupeKey: string;
    materialId: string | null;
    expiresAt: Date | null;
  },
): Promise<boolean> {
  const { rows } = await sql<{ sent: boolean }>`
    SELECT app.send_notification(${values.userId}::uuid, ${values.kind}, ${values.title}, ${values.body}, ${values.dedupeKey},
                                 ${values.materialId}::uuid, ${values.expiresAt}::timestamptz) AS sent`.execute(tx);
  return rows[0]?.sent ?? false;
}

const live = sql<boolean>`(n.expires_at IS NULL OR n.expires_at > now())`;

export async function list(tx: Tx, options: { unreadOnly: boolean; limit: number }): Promise<Notification[]> {
  let q = tx
    .selectFrom("notifications as n")
    // The material's title only when the caller may still read it (own, or a live share).
    .leftJoin("study_items as i", "i.id", "n.material_id")
    .select([
      "n.id",
      "n.kind",
      "n.title",
      "n.body",
      "n.sender_id",
      "n.material_id",
      "i.title as material_title",
      "n.expires_at",
      "n.read_at",
      "n.created_at",
    ])
    .where(live)
    .orderBy("n.created_at", "desc")
    .limit(options.limit);
  if (options.unreadOnly) q = q.where("n.read_at", "is", null);
  const rows = await q.execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    title: r.title,
    body: r.body,
    senderId: r.sender_id,
    material: r.material_id ? { id: r.material_id, title: r.material_title } : null,
    expiresAt: r.expires_at,
    readAt: r.read_at,
    createdAt: r.created_at,
  }));
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
    .selectFrom("notifications as n")
    .select(sql<number>`count(*)::int`.as("n"))
    .where("n.read_at", "is", null)
    .where(live)
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
