/**
 * The only SQL of publishing connections. User queries run in the caller's RLS transaction; the
 * refresh lease, credential reads for the publisher and the sweep run as system.
 */
import type { Tables, Tx } from "@inkwell/db";
import { type Selectable, sql } from "kysely";
import type { Connection, ConnectionStatus, PublishingPlatform } from "./connections.schemas.ts";

export type ConnectionRow = Selectable<Tables.SocialConnections>;

/** Columns safe for the browser (no sealed secrets). */
const PUBLIC_COLUMNS = [
  "id",
  "platform",
  "display_name",
  "username",
  "avatar_url",
  "status",
  "access_expires_at",
  "last_refreshed_at",
  "last_error",
  "site_url",
  "created_at",
] as const;

type PublicRow = Pick<ConnectionRow, (typeof PUBLIC_COLUMNS)[number]>;

export const toConnection = (r: PublicRow): Connection => ({
  id: r.id,
  platform: r.platform as PublishingPlatform,
  displayName: r.display_name,
  username: r.username,
  avatarUrl: r.avatar_url,
  status: r.status as ConnectionStatus,
  accessExpiresAt: r.access_expires_at,
  lastRefreshedAt: r.last_refreshed_at,
  lastError: r.last_error,
  siteUrl: r.site_url,
  createdAt: r.created_at,
});

export async function listConnections(tx: Tx): Promise<Connection[]> {
  const rows = await tx.selectFrom("social_connections").select(PUBLIC_COLUMNS).orderBy("created_at").orderBy("id").execute();
  return rows.map(toConnection);
}

export async function findConnection(
  tx: Tx,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<ConnectionRow | undefined> {
  let q = tx.selectFrom("social_connections").selectAll().where("id", "=", id);
  if (options.forUpdate) q = q.forUpdate();
  return (await q.executeTakeFirst()) as ConnectionRow | undefined;
}

export async function findByAccount(
  tx: Tx,
  userId: string,
  platform: PublishingPlatform,
  platformAccountId: string,
): Promise<ConnectionRow | undefined> {
  return (await tx
    .selectFrom("social_connections")
    .selectAll()
    .where("user_id", "=", userId)
    .where("platform", "=", platform)
    .where("platform_account_id", "=", platformAccountId)
    .forUpdate()
    .executeTakeFirst()) as ConnectionRow | undefined;
}

export interface ConnectionValues {
  username: string;
  display_name: string;
  avatar_url: string | null;
  scopes?: string[];
  access_token_sealed?: string | null;
  refresh_token_sealed?: string | null;
  access_expires_at?: Date | null;
  site_url?: string | null;
  site_username?: string | null;
  app_password_sealed?: string | null;
}

export async function insertConnection(
  tx: Tx,
  values: ConnectionValues & { id: string; user_id: string; platform: PublishingPlatform; platform_account_id: string },
): Promise<Connection> {
  return toConnection(
    await tx
      .insertInto("social_connections")
      .values({ ...values, last_refreshed_at: sql<Date>`now()` })
      .returning(PUBLIC_COLUMNS)
      .executeTakeFirstOrThrow(),
  );
}

/** New credentials for an existing connection: active again, errors and any lease cleared. */
export async function replaceCredentials(tx: Tx, id: string, values: ConnectionValues): Promise<Connection> {
  return toConnection(
    await tx
      .updateTable("social_connections")
      .set({
        ...values,
        status: "active",
        last_error: null,
        last_error_at: null,
        refresh_lease_id: null,
        refresh_lease_until: null,
        last_refreshed_at: sql<Date>`now()`,
        token_version: sql<number>`token_version + 1`,
      })
      .where("id", "=", id)
      .returning(PUBLIC_COLUMNS)
      .executeTakeFirstOrThrow(),
  );
}

export async function deleteConnection(tx: Tx, id: string): Promise<boolean> {
  const r = await tx.deleteFrom("social_connections").where("id", "=", id).executeTakeFirst();
  return r.numDeletedRows > 0n;
}

// ---- OAuth states ----

export async function insertState(
  tx: Tx,
  values: {
    id: string;
    user_id: string;
    state_hash: Buffer;
    platform: string;
    code_verifier_sealed: string;
    redirect_uri: string;
    reconnect_id: string | null;
    ttlSeconds: number;
  },
): Promise<void> {
  const { ttlSeconds, ...row } = values;
  await tx
    .insertInto("oauth_states")
    .values({ ...row, expires_at: sql<Date>`now() + make_interval(secs => ${ttlSeconds})` })
    .execute();
}

export type StateRow = Pick<
  Selectable<Tables.OauthStates>,
  "id" | "user_id" | "platform" | "code_verifier_sealed" | "redirect_uri" | "reconnect_id" | "used_at"
> & { expired: boolean };

/** The state with this hash (RLS: only the caller's), locked so two callbacks cannot both use it. */
export async function takeState(tx: Tx, stateHash: Buffer): Promise<StateRow | undefined> {
  const row = await tx
    .selectFrom("oauth_states")
    .select([
      "id",
      "user_id",
      "platform",
      "code_verifier_sealed",
      "redirect_uri",
      "reconnect_id",
      "used_at",
      sql<boolean>`expires_at <= now()`.as("expired"),
    ])
    .where("state_hash", "=", stateHash)
    .forUpdate()
    .executeTakeFirst();
  if (row) await tx.updateTable("oauth_states").set({ used_at: sql<Date>`now()` }).where("id", "=", row.id).execute();
  return row;
}

/** The caller's sign-ins still in progress (expired ones are removed first). */
export async function countLiveStates(tx: Tx): Promise<number> {
  await tx.deleteFrom("oauth_states").where(sql<boolean>`expires_at <= now()`).execute();
  const row = await tx
    .selectFrom("oauth_states")
    .select(sql<number>`count(*)::int`.as("n"))
    .where("used_at", "is", null)
    .executeTakeFirstOrThrow();
  return row.n;
}

export async function deleteStaleStates(tx: Tx): Promise<number> {
  const r = await tx.deleteFrom("oauth_states").where(sql<boolean>`expires_at < now() - interval '1 day'`).executeTakeFirst();
  return Number(r.numDeletedRows);
}

// ---- refresh (as system) ----

/**
 * Takes the connection's refresh lease if nobody holds it (or theirs ran out). Only the holder may
 * call the platform's token endpoint; `due` limits the claim to tokens expiring within that many seconds.
 */
export async function claimRefreshLease(
  tx: Tx,
  id: string,
  leaseId: string,
  leaseSeconds: number,
  dueWithinSeconds: number | null,
): Promise<ConnectionRow | undefined> {
  let q = tx
    .updateTable("social_connections")
    .set({
      refresh_lease_id: leaseId,
      refresh_lease_until: sql<Date>`now() + make_interval(secs => ${leaseSeconds})`,
    })
    .where("id", "=", id)
    .where("status", "=", "active")
    .where("platform", "<>", "wordpress")
    .where((eb) => eb.or([eb("refresh_lease_until", "is", null), eb("refresh_lease_until", "<", sql<Date>`now()`)]));
  if (dueWithinSeconds !== null) {
    q = q.where((eb) =>
      eb.or([
        eb("access_expires_at", "is", null),
        eb("access_expires_at", "<", sql<Date>`now() + make_interval(secs => ${dueWithinSeconds})`),
      ]),
    );
  }
  return (await q.returningAll().executeTakeFirst()) as ConnectionRow | undefined;
}

/** Stores refreshed tokens, only while this lease is still ours. */
export async function saveRefreshed(
  tx: Tx,
  id: string,
  leaseId: string,
  values: { access_token_sealed: string; refresh_token_sealed: string | null; access_expires_at: Date; scopes: string[] },
): Promise<boolean> {
  const r = await tx
    .updateTable("social_connections")
    .set({
      ...values,
      last_refreshed_at: sql<Date>`now()`,
      last_error: null,
      last_error_at: null,
      refresh_lease_id: null,
      refresh_lease_until: null,
      token_version: sql<number>`token_version + 1`,
    })
    .where("id", "=", id)
    .where("refresh_lease_id", "=", leaseId)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** A failed refresh: the error is recorded; `needsReauth` only for a refusal of the grant itself. */
export async function releaseWithError(
  tx: Tx,
  id: string,
  leaseId: string,
  error: string,
  needsReauth: boolean,
): Promise<ConnectionRow | undefined> {
  return (await tx
    .updateTable("social_connections")
    .set({
      last_error: error.slice(0, 2000),
      last_error_at: sql<Date>`now()`,
      refresh_lease_id: null,
      refresh_lease_until: null,
      ...(needsReauth ? { status: "needs_reauth" } : {}),
    })
    .where("id", "=", id)
    .where("refresh_lease_id", "=", leaseId)
    .returningAll()
    .executeTakeFirst()) as ConnectionRow | undefined;
}

export async function releaseLease(tx: Tx, id: string, leaseId: string): Promise<void> {
  await tx
    .updateTable("social_connections")
    .set({ refresh_lease_id: null, refresh_lease_until: null })
    .where("id", "=", id)
    .where("refresh_lease_id", "=", leaseId)
    .execute();
}

/** Marks a connection whose access token the platform refused while publishing. */
export async function markNeedsReauth(tx: Tx, id: string, error: string): Promise<ConnectionRow | undefined> {
  return (await tx
    .updateTable("social_connections")
    .set({ status: "needs_reauth", last_error: error.slice(0, 2000), last_error_at: sql<Date>`now()` })
    .where("id", "=", id)
    .where("status", "=", "active")
    .returningAll()
    .executeTakeFirst()) as ConnectionRow | undefined;
}

/** Active OAuth connections whose access token expires within their platform's window. */
/** Narrows a sweep to some users (tests sharing a database); no list means everyone. */
const NOBODY = "00000000-0000-0000-0000-000000000000";
const scoped = (tx: Tx, userIds?: string[]) => {
  const q = tx.selectFrom("social_connections");
  return userIds ? q.where("user_id", "in", userIds.length ? userIds : [NOBODY]) : q;
};

export async function dueForRefresh(
  tx: Tx,
  windows: Record<"x" | "linkedin" | "threads", number>,
  userIds?: string[],
  limit = 500,
) {
  return (
    scoped(tx, userIds)
      .select(["id", "platform"])
      .where("status", "=", "active")
      .where("platform", "<>", "wordpress")
      .where((eb) =>
        eb.or(
          Object.entries(windows).map(([platform, seconds]) =>
            eb.and([
              eb("platform", "=", platform),
              eb("access_expires_at", "<", sql<Date>`now() + make_interval(secs => ${seconds})`),
            ]),
          ),
        ),
      )
      .where((eb) => eb.or([eb("refresh_lease_until", "is", null), eb("refresh_lease_until", "<", sql<Date>`now()`)]))
      // Without a refresh token there is nothing to renew until the token has expired (then: needs_reauth).
      .where((eb) => eb.or([eb("refresh_token_sealed", "is not", null), eb("access_expires_at", "<", sql<Date>`now()`)]))
      .orderBy("access_expires_at")
      .limit(limit)
      .execute()
  );
}

/** Active connections that cannot renew themselves (no refresh token) and expire within `seconds`. */
export async function expiringWithoutRefresh(tx: Tx, seconds: number, userIds?: string[], limit = 500) {
  return (await scoped(tx, userIds)
    .selectAll()
    .where("status", "=", "active")
    .where("platform", "<>", "wordpress")
    .where("refresh_token_sealed", "is", null)
    .where("access_expires_at", ">=", sql<Date>`now()`)
    .where("access_expires_at", "<", sql<Date>`now() + make_interval(secs => ${seconds})`)
    .limit(limit)
    .execute()) as ConnectionRow[];
}

/** Scheduled posts waiting on a connection (pending or being published), and when the next is due. */
export async function pendingPosts(tx: Tx, connectionId: string): Promise<{ count: number; nextAt: Date | null }> {
  const row = await tx
    .selectFrom("scheduled_posts")
    .select([sql<number>`count(*)::int`.as("count"), sql<Date | null>`min(scheduled_at)`.as("nextAt")])
    .where("connection_id", "=", connectionId)
    .where("status", "in", ["pending", "publishing"])
    .executeTakeFirstOrThrow();
  return { count: row.count, nextAt: row.nextAt };
}
