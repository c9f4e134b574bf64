/** The notifications table. Every function runs in the caller's transaction (RLS scopes it to the user). */
import type { Tx } from "@inkwell/db";
import { sql } from "kysely";
import type { Notification } from "./notifications.schemas.ts";

/** The caller (RLS scopes every statement to them already; said again so the planner uses the user's index). */
const me = sql<string>`(SELECT app.current_user_id())`;

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
/**
 * A share's notice shows while the share it tells of is live: the sender's share of that material to the
 * reader, unrevoked, unexpired and (a re-share) with every share up its chain live. One that ran out or
 * ended with the share it was re-shared under leaves the bell with it (a revoked one is also withdrawn
 * outright, see `withdraw`). Other kinds about a material (a live invite) are not about access.
 */
const shareOpen = sql<boolean>`(n.kind <> 'share' OR EXISTS (
  SELECT 1 FROM shared_materials s
   WHERE s.material_id = n.material_id AND s.shared_with_user_id = n.user_id AND s.user_id = n.sender_id
     AND s.revoked_at IS NULL AND (s.expires_at IS NULL OR s.expires_at > now())
     AND (s.parent_share_id IS NULL OR app.material_share_live(s.id))))`;

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
    .where(shareOpen)
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

/**
 * The unread notices the bell shows, counted up to `cap` among the caller's newest `scan` unread rows. The
 * partial unread index hands them over newest first, and only then are the expired, withdrawn and dead-share
 * ones left out (a filter under the LIMIT would read every such row until `cap` shown ones were found), so
 * the count reads at most `scan` rows however many notifications, read or not, the user has.
 */
export async function unreadCount(tx: Tx, cap: number, scan: number): Promise<number> {
  const newest = tx
    .selectFrom("notifications as n")
    .select(["n.user_id", "n.sender_id", "n.kind", "n.material_id", "n.expires_at"])
    .where("n.user_id", "=", me)
    .where("n.read_at", "is", null)
    .orderBy("n.created_at", "desc")
    .limit(scan);
  const shown = tx.selectFrom(newest.as("n")).select(sql`1`.as("one")).where(live).where(shareOpen).limit(cap);
  // The user id is known only when the statement runs, so the planner estimates rows per user from the
  // table's averages: with many users each owning few rows it takes a bitmap scan + sort, which reads every
  // unread row of the caller before the LIMIT (2,003 for the test's heavy user, in a full test run). With
  // sorts off for this one statement the index's own order is the only way to the newest `scan` rows.
  // Put back after it (a failed statement aborts the transaction, which drops the local setting anyway).
  const { rows } = await sql<{ was: string }>`
    SELECT current_setting('enable_sort') AS was, set_config('enable_sort', 'off', true)`.execute(tx);
  const row = await tx.selectFrom(shown.as("u")).select(sql<number>`count(*)::int`.as("n")).executeTakeFirstOrThrow();
  await sql`SELECT set_config('enable_sort', ${rows[0]?.was ?? "on"}, true)`.execute(tx);
  return row.n;
}

/** Every unread notification of the caller, in one statement; how many it marked. */
export async function markAllRead(tx: Tx): Promise<number> {
  const r = await tx
    .updateTable("notifications")
    .set({ read_at: sql<Date>`now()` })
    .where("user_id", "=", me)
    .where("read_at", "is", null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/**
 * Takes back a notice the caller sent into another user's bell (`app.withdraw_notification`: only the
 * caller's own, by the dedupe key it was sent with). True when one was showing.
 */
export async function withdraw(tx: Tx, values: { userId: string; dedupeKey: string }): Promise<boolean> {
  const { rows } = await sql<{ withdrawn: boolean }>`
    SELECT app.withdraw_notification(${values.userId}::uuid, ${values.dedupeKey}) AS withdrawn`.execute(tx);
  return rows[0]?.withdrawn ?? false;
}
