/**
 * Saved viral reels (seed 002): a link is parsed into its platform and shortcode and saved once per
 * user; the view count and thumbnail come from the `studio.fetch-reel-stats` job, enqueued in the
 * saving transaction (never fetched inside it). When the count first arrives the reel is approved at
 * ≥ 100,000 views and denied below, unless the user has already decided; the user's decision always
 * wins and the rule never touches it again.
 */
import { asUser, type Database, type Tx } from "@inkwell/db";
import { files, type PreparedFile, type Storage } from "../files/index.ts";
import { DomainError, notFound } from "../platform/errors.ts";
import type { Enqueue, KeyRing, Logger } from "../platform/index.ts";
import { type ReelStatsClient, ReelStatsError } from "./reel-stats.client.ts";
import * as repo from "./reels.repository.ts";
import { fetchReelStatsJob } from "./studio.jobs.ts";
import {
  APPROVAL_VIEWS,
  type ListReelsInput,
  listReelsInput,
  parseReelUrl,
  type Reel,
  type ReelPlatform,
  type ReelStatus,
  type SaveReelInput,
  type StatsState,
  saveReelInput,
  type UpdateReelInput,
  updateReelInput,
} from "./studio.schemas.ts";

export const THUMBNAIL_PURPOSE = "reel_thumbnail";
const THUMBNAIL_URL_TTL_SECONDS = 3600;
const LIST_LIMIT = 500;
/** A reel's count is asked for at most once a minute, and a user's at most 30 times in 10 minutes. */
export const REFRESH_COOLDOWN_SECONDS = 60;
export const REFRESH_WINDOW_SECONDS = 600;
export const REFRESH_PER_WINDOW = 30;
/** Saves ask for stats too (and a deleted reel saved again asks afresh), so they have a budget of their own. */
export const SAVE_PER_WINDOW = 60;

export interface StudioDeps {
  keyRing: KeyRing;
  enqueue: Enqueue;
}

export interface FetchDeps {
  db: Database;
  storage: Storage;
  reelStats: ReelStatsClient;
  log: Logger;
}

export function toReel(deps: Pick<StudioDeps, "keyRing">, row: repo.ReelRow): Reel {
  return {
    id: row.id,
    url: row.url,
    platform: row.platform as ReelPlatform,
    shortcode: row.shortcode,
    title: row.title,
    viewCount: row.view_count == null ? null : Number(row.view_count),
    status: row.approval_status as ReelStatus,
    statusOverridden: row.status_overridden,
    stats: row.stats_state as StatsState,
    statsError: row.stats_error,
    statsFetchedAt: row.stats_fetched_at,
    statsRequestedAt: row.stats_requested_at,
    thumbnailUrl: row.thumbnail_file_id ? files.signedUrl(deps, { id: row.thumbnail_file_id }, THUMBNAIL_URL_TTL_SECONDS) : null,
    notes: row.notes,
    tags: row.tags,
    isFavorite: row.is_favorite,
    createdAt: row.created_at,
  };
}

/** The status the rule gives a count. */
export function ruleStatus(views: number): Exclude<ReelStatus, "pending"> {
  return views >= APPROVAL_VIEWS ? "approved" : "denied";
}

const badUrl = () =>
  new DomainError(
    "INVALID_INPUT",
    "That is not an Instagram reel or post, TikTok video or YouTube video link (short vm.tiktok.com links: open them and copy the full link).",
    { field: "url" },
  );

/** Saves the reel the link points at and asks for its stats; CONFLICT (field `url`) if it is saved already. */
export async function save(
  deps: Pick<StudioDeps, "keyRing" | "enqueue">,
  tx: Tx,
  userId: string,
  input: SaveReelInput,
): Promise<Reel> {
  const v = saveReelInput.parse(input);
  const ref = parseReelUrl(v.url);
  if (!ref) throw badUrl();
  await repo.lockUserRefreshes(tx, userId);
  const recent = await repo.countRequestedSince(tx, REFRESH_WINDOW_SECONDS);
  if (recent.n >= SAVE_PER_WINDOW) {
    const retryAfterSeconds = retryAfter(recent.oldest);
    throw new DomainError("RATE_LIMITED", `You're saving reels faster than allowed. Try again in ${retryAfterSeconds} s.`, {
      retryAfterSeconds,
    });
  }
  const row = await repo.insertReel(tx, {
    user_id: userId,
    url: ref.url,
    platform: ref.platform,
    shortcode: ref.shortcode,
    notes: v.notes ?? "",
    tags: [...new Set(v.tags ?? [])],
  });
  if (!row) throw new DomainError("CONFLICT", "You have already saved this reel.", { field: "url" });
  await repo.logStatsRequest(tx, userId, "save", REFRESH_WINDOW_SECONDS);
  await deps.enqueue(tx, fetchReelStatsJob, { userId, reelId: row.id });
  return toReel(deps, row);
}

export async function list(deps: Pick<StudioDeps, "keyRing">, tx: Tx, input: ListReelsInput): Promise<Reel[]> {
  const filter = listReelsInput.parse(input) ?? {};
  const rows = await repo.listReels(tx, filter, LIST_LIMIT);
  return rows.map((row) => toReel(deps, row));
}

export async function get(deps: Pick<StudioDeps, "keyRing">, tx: Tx, reelId: string): Promise<Reel> {
  const row = await repo.findReel(tx, reelId);
  if (!row) throw notFound("Reel");
  return toReel(deps, row);
}

/** Notes, tags, favourite, and the user's approve/deny (which the rule never overrides afterwards). */
export async function update(deps: Pick<StudioDeps, "keyRing">, tx: Tx, input: UpdateReelInput): Promise<Reel> {
  const v = updateReelInput.parse(input);
  const row = await repo.updateReel(tx, v.reelId, {
    ...(v.notes !== undefined ? { notes: v.notes } : {}),
    ...(v.tags !== undefined ? { tags: [...new Set(v.tags)] } : {}),
    ...(v.isFavorite !== undefined ? { is_favorite: v.isFavorite } : {}),
    ...(v.status !== undefined ? { approval_status: v.status, status_overridden: true } : {}),
  });
  if (!row) throw notFound("Reel");
  return toReel(deps, row);
}

/**
 * Deletes the reel and its thumbnail's row; the thumbnail's bytes, no longer referenced, go with the
 * files module's orphan sweep.
 */
export async function remove(tx: Tx, reelId: string): Promise<void> {
  const gone = await repo.deleteReel(tx, reelId);
  if (!gone) throw notFound("Reel");
  // Only the row's own absence is ignored; a failing statement has aborted the transaction and must surface.
  if (gone.thumbnail_file_id) {
    await files.remove(tx, gone.thumbnail_file_id).catch((error: unknown) => {
      if (!(error instanceof DomainError && error.code === "NOT_FOUND")) throw error;
    });
  }
}

/** Seconds until the oldest request in the window leaves it. */
function retryAfter(oldest: Date | null): number {
  const at = oldest?.getTime() ?? Date.now();
  return Math.max(1, Math.ceil((at + REFRESH_WINDOW_SECONDS * 1000 - Date.now()) / 1000));
}

/** Asks for a fresh count now (RATE_LIMITED within a minute of the last ask, or past the user's budget). */
export async function refresh(
  deps: Pick<StudioDeps, "keyRing" | "enqueue">,
  tx: Tx,
  userId: string,
  reelId: string,
): Promise<Reel> {
  await repo.lockUserRefreshes(tx, userId);
  const row = await repo.findReel(tx, reelId, { lock: true });
  if (!row) throw notFound("Reel");
  const sinceLast = (Date.now() - row.stats_requested_at.getTime()) / 1000;
  if (sinceLast < REFRESH_COOLDOWN_SECONDS) {
    const retryAfterSeconds = Math.max(1, Math.ceil(REFRESH_COOLDOWN_SECONDS - sinceLast));
    throw new DomainError("RATE_LIMITED", `This reel's count was asked for a moment ago. Try again in ${retryAfterSeconds} s.`, {
      retryAfterSeconds,
    });
  }
  const recent = await repo.countRequestedSince(tx, REFRESH_WINDOW_SECONDS);
  if (recent.n >= REFRESH_PER_WINDOW) {
    const retryAfterSeconds = retryAfter(recent.oldest);
    throw new DomainError("RATE_LIMITED", `You're refreshing faster than allowed. Try again in ${retryAfterSeconds} s.`, {
      retryAfterSeconds,
    });
  }
  const updated = await repo.updateReel(tx, reelId, {
    stats_state: "fetching",
    stats_error: null,
    stats_requested_at: new Date(),
  });
  if (!updated) throw notFound("Reel");
  await repo.logStatsRequest(tx, userId, "refresh", REFRESH_WINDOW_SECONDS);
  await deps.enqueue(tx, fetchReelStatsJob, { userId, reelId });
  return toReel(deps, updated);
}

export type FetchOutcome = "fetched" | "failed" | "skipped";

/**
 * The job: read the reel, call the stats service (and the thumbnail, if the reel has none yet) with no
 * transaction open, then store the count, the rule's status (first count, user not decided) and the
 * thumbnail as the owner's file in one transaction. A retryable failure is thrown (the queue retries);
 * a reel the platform no longer has is marked failed.
 */
export async function fetchStats(deps: FetchDeps, data: { userId: string; reelId: string }): Promise<FetchOutcome> {
  const reel = await asUser(deps.db, data.userId, (tx) => repo.findReel(tx, data.reelId));
  if (!reel) return "skipped";
  const ref = { platform: reel.platform as ReelPlatform, shortcode: reel.shortcode };
  let stats: Awaited<ReturnType<ReelStatsClient["stats"]>>;
  try {
    stats = await deps.reelStats.stats(ref);
  } catch (error) {
    if (error instanceof ReelStatsError && !error.retryable) {
      await asUser(deps.db, data.userId, (tx) =>
        repo.updateReel(tx, reel.id, { stats_state: "failed", stats_error: error.message.slice(0, 300) }),
      );
      return "failed";
    }
    // Still fetching (the queue retries), but the board can say what went wrong meanwhile; the handler
    // cannot tell its last attempt, so the board stops waiting on its own after a few minutes.
    const message = error instanceof ReelStatsError ? error.message : "The stats service failed.";
    await asUser(deps.db, data.userId, (tx) => repo.updateReel(tx, reel.id, { stats_error: message.slice(0, 300) }));
    throw error;
  }

  let prepared: PreparedFile | null = null;
  if (!reel.thumbnail_file_id && stats.hasThumbnail) {
    try {
      const bytes = await deps.reelStats.thumbnail(ref);
      prepared = await files.prepare(deps, data.userId, {
        purpose: THUMBNAIL_PURPOSE,
        filename: `${reel.platform}-${reel.shortcode}.png`,
        bytes,
        allowed: ["image"],
        maxBytes: 2 * 1024 * 1024,
      });
    } catch (error) {
      // A missing or unusable thumbnail does not lose the count; the next refresh tries again.
      deps.log.warn({ reelId: reel.id, err: (error as Error).message }, "reel thumbnail not stored");
    }
  }

  const thumbnail = prepared;
  let recorded = false;
  try {
    const outcome = await asUser(deps.db, data.userId, async (tx) => {
      const current = await repo.findReel(tx, reel.id, { lock: true });
      if (!current) return "skipped" as const;
      let thumbnailId = current.thumbnail_file_id;
      if (thumbnail && !thumbnailId) {
        await files.record(tx, data.userId, thumbnail);
        thumbnailId = thumbnail.id;
        recorded = true;
      }
      const decide = !current.status_overridden && current.approval_status === "pending";
      await repo.updateReel(tx, reel.id, {
        view_count: stats.views,
        ...(stats.title ? { title: stats.title.slice(0, 300) } : {}),
        thumbnail_file_id: thumbnailId,
        stats_state: "fetched",
        stats_error: null,
        stats_fetched_at: new Date(),
        ...(decide ? { approval_status: ruleStatus(stats.views) } : {}),
      });
      return "fetched" as const;
    });
    // Prepared but not needed (the reel went, or it got a thumbnail from another fetch meanwhile).
    if (thumbnail && !recorded) await files.discard(deps, thumbnail);
    return outcome;
  } catch (error) {
    // The row did not commit: its bytes go now rather than waiting for the orphan sweep.
    if (thumbnail) await files.discard(deps, thumbnail);
    throw error;
  }
}
