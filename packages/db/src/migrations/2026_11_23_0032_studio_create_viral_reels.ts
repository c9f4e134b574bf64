import { type Kysely, sql } from "kysely";
import { enableRls, touchUpdatedAt } from "./helpers.ts";

/**
 * Saved viral reels (seed 002 `viral_reels`): one row per reel per user, a reel being its platform and
 * shortcode (parsed from the link, so the same reel pasted with other tracking parameters is the same
 * row; two users may each save it). The view count and thumbnail arrive later from the
 * `studio.fetch-reel-stats` job; the thumbnail is a `stored_files` row of the same user (checked by the
 * policy), cleared if that file goes. `status_overridden` records that the user chose the status, so the
 * ≥ 100,000-views rule never changes it afterwards.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE viral_reels (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      url text NOT NULL CHECK (char_length(url) BETWEEN 10 AND 300),
      platform text NOT NULL CHECK (platform IN ('instagram', 'tiktok', 'youtube')),
      shortcode text NOT NULL CHECK (shortcode ~ '^[A-Za-z0-9_-]{1,64}$'),
      title text CHECK (char_length(title) <= 300),
      thumbnail_file_id uuid REFERENCES stored_files(id) ON DELETE SET NULL,
      notes text NOT NULL DEFAULT '' CHECK (char_length(notes) <= 2000),
      tags text[] NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 20),
      is_favorite boolean NOT NULL DEFAULT false,
      view_count bigint CHECK (view_count >= 0),
      approval_status text NOT NULL DEFAULT 'pending' CHECK (approval_status IN ('pending', 'approved', 'denied')),
      status_overridden boolean NOT NULL DEFAULT false,
      stats_state text NOT NULL DEFAULT 'fetching' CHECK (stats_state IN ('fetching', 'fetched', 'failed')),
      stats_error text CHECK (char_length(stats_error) <= 300),
      stats_requested_at timestamptz NOT NULL DEFAULT now(),
      stats_fetched_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT viral_reels_user_reel_key UNIQUE (user_id, platform, shortcode)
    )`.execute(db);
  await sql`CREATE INDEX viral_reels_user_views_idx ON viral_reels (user_id, view_count DESC NULLS LAST, created_at DESC)`.execute(
    db,
  );
  await sql`CREATE INDEX viral_reels_user_status_idx ON viral_reels (user_id, approval_status)`.execute(db);
  await sql`CREATE INDEX viral_reels_user_requested_idx ON viral_reels (user_id, stats_requested_at)`.execute(db);
  await sql`CREATE INDEX viral_reels_thumbnail_idx ON viral_reels (thumbnail_file_id) WHERE thumbnail_file_id IS NOT NULL`.execute(
    db,
  );
  await touchUpdatedAt(db, "viral_reels");
  const own = "user_id = (SELECT app.current_user_id())";
  const ownThumbnail = `(thumbnail_file_id IS NULL OR EXISTS (SELECT 1 FROM stored_files f WHERE f.id = viral_reels.thumbnail_file_id AND f.user_id = (SELECT app.current_user_id())))`;
  await enableRls(db, "viral_reels", {
    user: { select: "user_id", delete: "user_id" },
    userExpr: { insert: `${own} AND ${ownThumbnail}`, update: `${own} AND ${ownThumbnail}` },
    // The job runs as the reel's owner too (the thumbnail is their file), hence the stats columns.
    userColumnUpdates: [
      "title",
      "thumbnail_file_id",
      "notes",
      "tags",
      "is_favorite",
      "view_count",
      "approval_status",
      "status_overridden",
      "stats_state",
      "stats_error",
      "stats_requested_at",
      "stats_fetched_at",
    ],
  });
}
