/**
 * Sharing tables. User functions run in the caller's RLS transaction; the `public*` ones in a system
 * transaction (anonymous takers and viewers), always looked up by the token's hash.
 */
import type { Tables, Tx } from "@inkwell/db";
import { type Selectable, sql } from "kysely";

export type SharedQuizRow = Selectable<Tables.SharedQuizzes>;
export type MaterialShareRow = Selectable<Tables.SharedMaterials>;

const me = sql<string>`(SELECT app.current_user_id())`;
const live = sql<boolean>`revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`;

export function insertSharedQuiz(
  tx: Tx,
  values: {
    userId: string;
    itemId: string;
    tokenHash: Buffer;
    title: string;
    topic: string | null;
    quiz: unknown;
    expiresAt: Date | null;
  },
): Promise<SharedQuizRow> {
  return tx
    .insertInto("shared_quizzes")
    .values({
      user_id: values.userId,
      item_id: values.itemId,
      token_hash: values.tokenHash,
      title: values.title,
      topic: values.topic,
      quiz: JSON.stringify(values.quiz),
      expires_at: values.expiresAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function listSharedQuizzes(tx: Tx, itemId: string | undefined) {
  let q = tx
    .selectFrom("shared_quizzes as q")
    .selectAll("q")
    .select(sql<number>`(SELECT count(*)::int FROM shared_quiz_attempts a WHERE a.shared_quiz_id = q.id)`.as("attempt_count"))
    .where("q.user_id", "=", me)
    .orderBy("q.created_at", "desc")
    .limit(100);
  if (itemId) q = q.where("q.item_id", "=", itemId);
  return q.execute();
}

export function revokeSharedQuiz(tx: Tx, id: string) {
  return tx
    .updateTable("shared_quizzes")
    .set({ revoked_at: sql<Date>`coalesce(revoked_at, now())` })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirst();
}

/** Any link with this token, live or not (to say why it no longer opens). */
export function findQuizByToken(tx: Tx, tokenHash: Buffer) {
  return tx.selectFrom("shared_quizzes").selectAll().where("token_hash", "=", tokenHash).executeTakeFirst();
}

/** Counts an access to a live link and returns it; undefined when the link is unknown, expired or revoked. */
export function openQuizByToken(tx: Tx, tokenHash: Buffer) {
  return tx
    .updateTable("shared_quizzes")
    .set({ access_count: sql<number>`access_count + 1` })
    .where("token_hash", "=", tokenHash)
    .where(live)
    .returningAll()
    .executeTakeFirst();
}

export function findLiveQuizByToken(tx: Tx, tokenHash: Buffer) {
  return tx.selectFrom("shared_quizzes").selectAll().where("token_hash", "=", tokenHash).where(live).executeTakeFirst();
}

export async function insertAttempt(
  tx: Tx,
  values: { id?: string; sharedQuizId: string; displayName: string | null; summary: unknown; answers: unknown },
): Promise<void> {
  await tx
    .insertInto("shared_quiz_attempts")
    .values({
      ...(values.id ? { id: values.id } : {}),
      shared_quiz_id: values.sharedQuizId,
      display_name: values.displayName,
      summary: JSON.stringify(values.summary),
      answers: JSON.stringify(values.answers),
    })
    .onConflict((oc) => oc.column("id").doNothing())
    .execute();
}

/** An attempt already recorded on this link under that id (a retried submit). */
export function findAttempt(tx: Tx, sharedQuizId: string, id: string) {
  return tx
    .selectFrom("shared_quiz_attempts")
    .select(["summary"])
    .where("id", "=", id)
    .where("shared_quiz_id", "=", sharedQuizId)
    .executeTakeFirst();
}

/** A material's live share to a user the caller received (whether they may re-share it). */
export function findIncomingShare(tx: Tx, itemId: string) {
  return tx
    .selectFrom("shared_materials")
    .selectAll()
    .where("material_id", "=", itemId)
    .where("shared_with_user_id", "=", me)
    .where(live)
    .executeTakeFirst();
}

/** Shares to a user: one live share per (material, recipient); a second share of the same is skipped. */
export function insertUserShare(
  tx: Tx,
  values: { itemId: string; userId: string; recipientId: string; allowResharing: boolean; expiresAt: Date | null },
) {
  return tx
    .insertInto("shared_materials")
    .values({
      material_id: values.itemId,
      user_id: values.userId,
      shared_with_user_id: values.recipientId,
      allow_resharing: values.allowResharing,
      expires_at: values.expiresAt,
    })
    .onConflict((oc) =>
      oc
        .columns(["material_id", "shared_with_user_id"])
        .where("shared_with_user_id", "is not", null)
        .where("revoked_at", "is", null)
        .doNothing(),
    )
    .returningAll()
    .executeTakeFirst();
}

/** The caller's own live share of the material to that recipient (to update it when shared again). */
export function findOwnLiveUserShare(tx: Tx, itemId: string, recipientId: string) {
  return tx
    .selectFrom("shared_materials")
    .selectAll()
    .where("material_id", "=", itemId)
    .where("shared_with_user_id", "=", recipientId)
    .where("user_id", "=", me)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
}

export function updateShare(tx: Tx, id: string, values: { allowResharing: boolean; expiresAt: Date | null }) {
  return tx
    .updateTable("shared_materials")
    .set({ allow_resharing: values.allowResharing, expires_at: values.expiresAt })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function insertLinkShare(tx: Tx, values: { itemId: string; userId: string; tokenHash: Buffer; expiresAt: Date | null }) {
  return tx
    .insertInto("shared_materials")
    .values({
      material_id: values.itemId,
      user_id: values.userId,
      token_hash: values.tokenHash,
      public_access_enabled: true,
      expires_at: values.expiresAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function revokeMaterialShare(tx: Tx, id: string) {
  return tx
    .updateTable("shared_materials")
    .set({ revoked_at: sql<Date>`coalesce(revoked_at, now())` })
    .where("id", "=", id)
    .where("user_id", "=", me)
    .returningAll()
    .executeTakeFirst();
}

/** The shares the caller made of a material, newest first (recipient e-mails are added by the service). */
export function listOwnShares(tx: Tx, itemId: string) {
  return tx
    .selectFrom("shared_materials")
    .selectAll()
    .where("material_id", "=", itemId)
    .where("user_id", "=", me)
    .orderBy("created_at", "desc")
    .limit(200)
    .execute();
}

/** Live shares to the caller of items they can read, newest first. */
export function listSharedWithMe(tx: Tx) {
  return tx
    .selectFrom("shared_materials as s")
    .innerJoin("study_items as i", "i.id", "s.material_id")
    .select([
      "s.id as share_id",
      "i.id as item_id",
      "i.item_type",
      "i.title",
      "i.topic",
      "s.allow_resharing",
      "s.expires_at",
      "s.created_at",
    ])
    .where("s.shared_with_user_id", "=", me)
    .where(sql<boolean>`s.revoked_at IS NULL AND (s.expires_at IS NULL OR s.expires_at > now())`)
    .orderBy("s.created_at", "desc")
    .limit(200)
    .execute();
}

// System role: public links and the e-mail lookup.

/** A public link by its token, with whether every share up its re-share chain is still live. */
export function findMaterialShareByToken(tx: Tx, tokenHash: Buffer) {
  return tx
    .selectFrom("shared_materials")
    .selectAll()
    .select(sql<boolean>`app.material_share_live(id)`.as("chain_live"))
    .where("token_hash", "=", tokenHash)
    .executeTakeFirst();
}

export function countMaterialAccess(tx: Tx, id: string) {
  return tx.updateTable("shared_materials").set({ access_count: sql<number>`access_count + 1` }).where("id", "=", id).execute();
}

export function findUserByEmail(tx: Tx, email: string) {
  return tx.selectFrom("users").select(["id", "email"]).where("email", "=", email).executeTakeFirst();
}

export async function senderName(tx: Tx, userId: string): Promise<string> {
  const row = await tx
    .selectFrom("users as u")
    .leftJoin("profiles as p", "p.user_id", "u.id")
    .select(["u.email", "p.display_name"])
    .where("u.id", "=", userId)
    .executeTakeFirst();
  return row?.display_name?.trim() || row?.email || "Someone";
}

export function emailsOf(tx: Tx, userIds: string[]) {
  if (userIds.length === 0) return Promise.resolve([]);
  return tx.selectFrom("users").select(["id", "email"]).where("id", "in", userIds).execute();
}

/**
 * Fixed-window counter in identity's `auth_throttles` (the same atomic upsert as its sign-in throttle,
 * so concurrent calls see distinct counts).
 */
export async function hitThrottle(tx: Tx, key: string, windowSeconds: number, by = 1) {
  const { rows } = await sql<{ attempts: number; retry_after: number }>`
    INSERT INTO auth_throttles AS t (key, window_started_at, attempts) VALUES (${key}, now(), ${by})
    ON CONFLICT (key) DO UPDATE SET
      attempts = CASE WHEN t.window_started_at <= now() - make_interval(secs => ${windowSeconds}) THEN ${by} ELSE t.attempts + ${by} END,
      window_started_at = CASE WHEN t.window_started_at <= now() - make_interval(secs => ${windowSeconds}) THEN now() ELSE t.window_started_at END
    RETURNING attempts,
      greatest(1, ceil(extract(epoch FROM (window_started_at + make_interval(secs => ${windowSeconds}) - now()))))::int AS retry_after
  `.execute(tx);
  const row = rows[0];
  if (!row) throw new Error("throttle upsert returned nothing");
  return { attempts: row.attempts, retryAfterSeconds: row.retry_after };
}
