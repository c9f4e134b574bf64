/** The only SQL of the studio reels (always in the owner's RLS transaction: the job runs as the owner too). */
import type { Tables, Tx } from "@inkwell/db";
import { type Selectable, sql, type Updateable } from "kysely";
import type { ReelPlatform, ReelStatus } from "./studio.schemas.ts";

export type ReelRow = Selectable<Tables.ViralReels>;
export type ReelPatch = Updateable<Tables.ViralReels>;

export interface NewReel {
  user_id: string;
  url: string;
  platform: ReelPlatform;
  shortcode: string;
  notes: string;
  tags: string[];
}

/** The new row, or undefined when the user already saved this reel (the unique index decides, race-free). */
export function insertReel(tx: Tx, reel: NewReel): Promise<ReelRow | undefined> {
  return tx
    .insertInto("viral_reels")
    .values(reel)
    .onConflict((oc) => oc.constraint("viral_reels_user_reel_key").doNothing())
    .returningAll()
    .executeTakeFirst();
}

export function findByReel(tx: Tx, platform: ReelPlatform, shortcode: string): Promise<ReelRow | undefined> {
  return tx
    .selectFrom("viral_reels")
    .selectAll()
    .where("platform", "=", platform)
    .where("shortcode", "=", shortcode)
    .executeTakeFirst();
}

export function findReel(tx: Tx, reelId: string, options: { lock?: boolean } = {}): Promise<ReelRow | undefined> {
  const q = tx.selectFrom("viral_reels").selectAll().where("id", "=", reelId);
  return (options.lock ? q.forUpdate() : q).executeTakeFirst();
}

export interface ListFilter {
  status?: ReelStatus | undefined;
  platform?: ReelPlatform | undefined;
  favorite?: boolean | undefined;
}

/** Most viewed first; reels still waiting for their count after those that have one, newest first. */
export function listReels(tx: Tx, filter: ListFilter, limit: number): Promise<ReelRow[]> {
  let q = tx.selectFrom("viral_reels").selectAll();
  if (filter.status) q = q.where("approval_status", "=", filter.status);
  if (filter.platform) q = q.where("platform", "=", filter.platform);
  if (filter.favorite !== undefined) q = q.where("is_favorite", "=", filter.favorite);
  return q.orderBy(sql`view_count DESC NULLS LAST`).orderBy("created_at", "desc").orderBy("id").limit(limit).execute();
}

export function updateReel(tx: Tx, reelId: string, patch: ReelPatch): Promise<ReelRow | undefined> {
  return tx.updateTable("viral_reels").set(patch).where("id", "=", reelId).returningAll().executeTakeFirst();
}

export function deleteReel(tx: Tx, reelId: string): Promise<{ thumbnail_file_id: string | null } | undefined> {
  return tx.deleteFrom("viral_reels").where("id", "=", reelId).returning("thumbnail_file_id").executeTakeFirst();
}

/** Serialises one user's refresh requests, so the per-user count below cannot be raced past. */
export async function lockUserRefreshes(tx: Tx, userId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`studio:refresh:${userId}`}, 0))`.execute(tx);
}

/**
 * Logs one stats request (a save or a refresh) and drops the user's requests older than the window;
 * the budget counts these rows, not reels (a reel keeps only its last request).
 */
export async function logStatsRequest(tx: Tx, userId: string, kind: "save" | "refresh", windowSeconds: number): Promise<void> {
  await tx
    .deleteFrom("viral_reel_stats_requests")
    .where("requested_at", "<=", sql<Date>`now() - make_interval(secs => ${windowSeconds})`)
    .execute();
  await tx.insertInto("viral_reel_stats_requests").values({ user_id: userId, kind }).execute();
}

/** How many stats requests (saves and refreshes) the user made within the window, and the oldest's time. */
export async function countRequestedSince(tx: Tx, seconds: number): Promise<{ n: number; oldest: Date | null }> {
  const row = await tx
    .selectFrom("viral_reel_stats_requests")
    .select([sql<number>`count(*)::int`.as("n"), sql<Date | null>`min(requested_at)`.as("oldest")])
    .where("requested_at", ">", sql<Date>`now() - make_interval(secs => ${seconds})`)
    .executeTakeFirstOrThrow();
  return { n: Number(row.n), oldest: row.oldest ? new Date(row.oldest) : null };
}
