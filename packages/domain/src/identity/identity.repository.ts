/** The only SQL of the identity module. Every function takes the transaction first. */
import { newestFirst, type Tx } from "@inkwell/db";
import { sql } from "kysely";
import type { AdminListUsersInput, ApiKeySummary, Me, SessionSummary } from "./identity.schemas.ts";

export async function findUserByEmail(tx: Tx, email: string) {
  return tx.selectFrom("users").select(["id", "password_hash"]).where("email", "=", email).executeTakeFirst();
}

export async function findUserForMail(tx: Tx, email: string) {
  return tx
    .selectFrom("users")
    .select(["id", "email_verified_at", "password_changed_at"])
    .where("email", "=", email)
    .executeTakeFirst();
}

export async function findPasswordHash(tx: Tx, userId: string) {
  const row = await tx.selectFrom("users").select("password_hash").where("id", "=", userId).executeTakeFirst();
  return row?.password_hash;
}

/**
 * Creates the account and its profile in one statement, or nothing when the e-mail is taken: one round
 * trip either way (sign-up must take the same time for a taken address). Returns the new user id, or
 * undefined when the e-mail is taken.
 */
export async function insertUser(tx: Tx, values: { email: string; passwordHash: string; displayName: string | null }) {
  const row = await tx
    .with("new_user", (db) =>
      db
        .insertInto("users")
        .values({ email: values.email, password_hash: values.passwordHash })
        .onConflict((oc) => oc.column("email").doNothing())
        .returning("id"),
    )
    .insertInto("profiles")
    .columns(["user_id", "display_name"])
    .expression((eb) =>
      eb.selectFrom("new_user").select(["new_user.id", sql<string | null>`${values.displayName}::text`.as("display_name")]),
    )
    .returning("user_id")
    .executeTakeFirst();
  return row?.user_id;
}

export async function updatePasswordHash(tx: Tx, userId: string, passwordHash: string, options: { changed: boolean }) {
  await tx
    .updateTable("users")
    .set({ password_hash: passwordHash, ...(options.changed ? { password_changed_at: sql<Date>`now()` } : {}) })
    .where("id", "=", userId)
    .execute();
}

export async function markEmailVerified(tx: Tx, userId: string) {
  await tx
    .updateTable("users")
    .set({ email_verified_at: sql<Date>`coalesce(email_verified_at, now())` })
    .where("id", "=", userId)
    .execute();
}

export async function insertSession(
  tx: Tx,
  values: {
    userId: string;
    tokenHash: Buffer;
    userAgent: string | null;
    ip: string | null;
    idleSeconds: number;
    absoluteSeconds: number;
  },
) {
  return tx
    .insertInto("sessions")
    .values({
      user_id: values.userId,
      token_hash: values.tokenHash,
      user_agent: values.userAgent?.slice(0, 512) ?? null,
      ip: values.ip?.slice(0, 64) ?? null,
      idle_expires_at: sql<Date>`now() + make_interval(secs => ${values.idleSeconds})`,
      expires_at: sql<Date>`now() + make_interval(secs => ${values.absoluteSeconds})`,
    })
    .returning(["id", "expires_at", "idle_expires_at"])
    .executeTakeFirstOrThrow();
}

export async function deleteSession(tx: Tx, sessionId: string) {
  const r = await tx.deleteFrom("sessions").where("id", "=", sessionId).executeTakeFirst();
  return r.numDeletedRows > 0n;
}

export async function deleteSessionsOfUser(tx: Tx, userId: string) {
  await tx.deleteFrom("sessions").where("user_id", "=", userId).execute();
}

export async function listSessions(tx: Tx, currentSessionId: string): Promise<SessionSummary[]> {
  const rows = await tx
    .selectFrom("sessions")
    .select(["id", "user_agent", "ip", "created_at", "last_seen_at"])
    .where("idle_expires_at", ">", sql<Date>`now()`)
    .where("expires_at", ">", sql<Date>`now()`)
    .orderBy("last_seen_at", "desc")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    userAgent: r.user_agent,
    ip: r.ip,
    createdAt: r.created_at,
    lastSeenAt: r.last_seen_at,
    current: r.id === currentSessionId,
  }));
}

/** Marks every live token of this purpose used, so no outstanding link works any more. */
export async function voidUserTokens(tx: Tx, userId: string, purpose: "verify_email" | "reset_password") {
  await tx
    .updateTable("user_tokens")
    .set({ used_at: sql<Date>`now()` })
    .where("user_id", "=", userId)
    .where("purpose", "=", purpose)
    .where("used_at", "is", null)
    .execute();
}

export async function insertUserToken(
  tx: Tx,
  values: { userId: string; purpose: "verify_email" | "reset_password"; tokenHash: Buffer; ttlSeconds: number },
) {
  // One live token per purpose: asking again invalidates the previous link.
  await voidUserTokens(tx, values.userId, values.purpose);
  await tx
    .insertInto("user_tokens")
    .values({
      user_id: values.userId,
      purpose: values.purpose,
      token_hash: values.tokenHash,
      expires_at: sql<Date>`now() + make_interval(secs => ${values.ttlSeconds})`,
    })
    .execute();
}

/** Whether a token is live (unused, unexpired), without using it. */
export async function isLiveUserToken(tx: Tx, purpose: "verify_email" | "reset_password", tokenHash: Buffer) {
  const row = await tx
    .selectFrom("user_tokens")
    .select("user_id")
    .where("token_hash", "=", tokenHash)
    .where("purpose", "=", purpose)
    .where("used_at", "is", null)
    .where("expires_at", ">", sql<Date>`now()`)
    .executeTakeFirst();
  return row !== undefined;
}

/** Atomically marks a live token used and returns its user; a second redemption finds nothing. */
export async function consumeUserToken(tx: Tx, purpose: "verify_email" | "reset_password", tokenHash: Buffer) {
  const row = await tx
    .updateTable("user_tokens")
    .set({ used_at: sql<Date>`now()` })
    .where("token_hash", "=", tokenHash)
    .where("purpose", "=", purpose)
    .where("used_at", "is", null)
    .where("expires_at", ">", sql<Date>`now()`)
    .returning("user_id")
    .executeTakeFirst();
  return row?.user_id;
}

export async function getMe(tx: Tx, userId: string): Promise<Me | undefined> {
  const row = await tx
    .selectFrom("users")
    .innerJoin("profiles", "profiles.user_id", "users.id")
    .select([
      "users.id",
      "users.email",
      "users.email_verified_at",
      "users.role",
      "users.subscription_tier",
      "users.created_at",
      "profiles.display_name",
      "profiles.avatar_url",
      "profiles.preferences",
    ])
    .where("users.id", "=", userId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    email: row.email,
    emailVerified: row.email_verified_at !== null,
    role: row.role as Me["role"],
    subscriptionTier: row.subscription_tier as Me["subscriptionTier"],
    displayName: row.display_name,
    avatarUrl: row.avatar_url,
    preferences: (row.preferences ?? {}) as Record<string, unknown>,
    createdAt: row.created_at,
  };
}

export async function updateProfile(
  tx: Tx,
  userId: string,
  values: { display_name?: string | null; avatar_url?: string | null; preferences?: Record<string, unknown> },
) {
  if (Object.keys(values).length === 0) return;
  const { preferences, ...rest } = values;
  await tx
    .updateTable("profiles")
    .set({
      ...rest,
      // Merge: a client that changes one preference must not wipe the others (null removes a key).
      ...(preferences
        ? { preferences: sql<string>`jsonb_strip_nulls(preferences || ${JSON.stringify(preferences)}::jsonb)` }
        : {}),
    })
    .where("user_id", "=", userId)
    .execute();
}

/**
 * Fixed-window counter, incremented atomically (the row lock of ON CONFLICT DO UPDATE serialises
 * concurrent attempts), so N concurrent guesses see N distinct counts.
 */
export async function hitThrottle(tx: Tx, key: string, windowSeconds: number) {
  const result = await sql<{ attempts: number; retry_after: number }>`
    INSERT INTO auth_throttles AS t (key, window_started_at, attempts) VALUES (${key}, now(), 1)
    ON CONFLICT (key) DO UPDATE SET
      attempts = CASE WHEN t.window_started_at <= now() - make_interval(secs => ${windowSeconds}) THEN 1 ELSE t.attempts + 1 END,
      window_started_at = CASE WHEN t.window_started_at <= now() - make_interval(secs => ${windowSeconds}) THEN now() ELSE t.window_started_at END
    RETURNING attempts,
      greatest(1, ceil(extract(epoch FROM (window_started_at + make_interval(secs => ${windowSeconds}) - now()))))::int AS retry_after
  `.execute(tx);
  const row = result.rows[0];
  if (!row) throw new Error("throttle upsert returned nothing");
  return { attempts: row.attempts, retryAfterSeconds: row.retry_after };
}

export async function clearThrottle(tx: Tx, key: string) {
  await tx.deleteFrom("auth_throttles").where("key", "=", key).execute();
}

export async function listApiKeys(tx: Tx): Promise<ApiKeySummary[]> {
  const rows = await tx
    .selectFrom("user_api_keys")
    .select(["id", "service", "label", "last4", "base_url", "model", "created_at", "updated_at"])
    .orderBy("service")
    .execute();
  return rows.map(toApiKeySummary);
}

export async function upsertApiKey(
  tx: Tx,
  values: {
    userId: string;
    service: string;
    label: string | null;
    ciphertext: string;
    keyId: string;
    last4: string;
    baseUrl: string | null;
    model: string | null;
  },
): Promise<ApiKeySummary> {
  const row = await tx
    .insertInto("user_api_keys")
    .values({
      user_id: values.userId,
      service: values.service,
      label: values.label,
      ciphertext: values.ciphertext,
      key_id: values.keyId,
      last4: values.last4,
      base_url: values.baseUrl,
      model: values.model,
    })
    .onConflict((oc) =>
      oc.columns(["user_id", "service"]).doUpdateSet((eb) => ({
        label: eb.ref("excluded.label"),
        ciphertext: eb.ref("excluded.ciphertext"),
        key_id: eb.ref("excluded.key_id"),
        last4: eb.ref("excluded.last4"),
        base_url: eb.ref("excluded.base_url"),
        model: eb.ref("excluded.model"),
      })),
    )
    .returning(["id", "service", "label", "last4", "base_url", "model", "created_at", "updated_at"])
    .executeTakeFirstOrThrow();
  return toApiKeySummary(row);
}

export async function findApiKeyCiphertext(tx: Tx, service: string) {
  return tx
    .selectFrom("user_api_keys")
    .select(["user_id", "ciphertext", "key_id", "last4", "base_url", "model"])
    .where("service", "=", service)
    .executeTakeFirst();
}

/** The sealed keys of these services (the caller's, by RLS), in one indexed read. */
export async function findApiKeyCiphertexts(tx: Tx, services: string[]) {
  return tx
    .selectFrom("user_api_keys")
    .select(["user_id", "service", "ciphertext", "key_id", "last4", "base_url", "model"])
    .where("service", "in", services)
    .execute();
}

/** The owner of the deleted key, or undefined when there was none (or it is another user's: RLS). */
export async function deleteApiKey(tx: Tx, id: string) {
  const r = await tx.deleteFrom("user_api_keys").where("id", "=", id).returning("user_id").executeTakeFirst();
  return r?.user_id;
}

function toApiKeySummary(r: {
  id: string;
  service: string;
  label: string | null;
  last4: string;
  base_url: string | null;
  model: string | null;
  created_at: Date;
  updated_at: Date;
}): ApiKeySummary {
  return {
    id: r.id,
    service: r.service as ApiKeySummary["service"],
    label: r.label,
    last4: r.last4,
    baseUrl: r.base_url,
    model: r.model,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

const usersPage = newestFirst("users.created_at", "users.id");

export async function adminListUsers(tx: Tx, input: AdminListUsersInput) {
  let q = tx
    .selectFrom("users")
    .innerJoin("profiles", "profiles.user_id", "users.id")
    .select([
      "users.id",
      "users.email",
      "users.role",
      "users.subscription_tier",
      "users.email_verified_at",
      "users.created_at",
      "profiles.display_name",
    ])
    .orderBy(usersPage.order, "desc")
    .orderBy("users.id", "desc")
    .limit(input.limit);
  if (input.query) q = q.where("users.email", "ilike", `%${input.query.replace(/[\\%_]/g, "\\$&")}%`);
  if (input.cursor) {
    q = q.where(usersPage.before({ at: input.cursor.createdAt, id: input.cursor.id }));
  }
  return q.execute();
}

export async function setRoleByEmail(tx: Tx, email: string, role: "user" | "admin") {
  await tx.updateTable("users").set({ role }).where("email", "=", email).execute();
}

export async function setSubscriptionTier(tx: Tx, userId: string, tier: string) {
  const r = await tx.updateTable("users").set({ subscription_tier: tier }).where("id", "=", userId).executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** A user's plan: the tier and when it lapses (null: it does not). */
export async function findPlan(tx: Tx, userId: string) {
  return tx
    .selectFrom("users")
    .select(["subscription_tier", "subscription_expires_at"])
    .where("id", "=", userId)
    .executeTakeFirst();
}

export async function setPlan(tx: Tx, userId: string, tier: string, expiresAt: Date | null) {
  const r = await tx
    .updateTable("users")
    .set({ subscription_tier: tier, subscription_expires_at: expiresAt })
    .where("id", "=", userId)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export async function purgeExpired(tx: Tx) {
  const sessions = await tx
    .deleteFrom("sessions")
    .where((eb) => eb.or([eb("idle_expires_at", "<=", sql<Date>`now()`), eb("expires_at", "<=", sql<Date>`now()`)]))
    .executeTakeFirst();
  const tokens = await tx
    .deleteFrom("user_tokens")
    .where((eb) =>
      eb.or([
        eb("used_at", "<=", sql<Date>`now() - interval '1 day'`),
        eb("expires_at", "<=", sql<Date>`now() - interval '1 day'`),
      ]),
    )
    .executeTakeFirst();
  const throttles = await tx
    .deleteFrom("auth_throttles")
    .where("window_started_at", "<=", sql<Date>`now() - interval '1 day'`)
    .executeTakeFirst();
  return {
    sessions: Number(sessions.numDeletedRows),
    tokens: Number(tokens.numDeletedRows),
    throttles: Number(throttles.numDeletedRows),
  };
}
