import { type Kysely, sql } from "kysely";
import { enableRls } from "./helpers.ts";

/**
 * Every stats request a user makes (a save or a refresh), so the per-user budget counts requests: 0032
 * counted reels whose last request fell in the window, so one reel refreshed once a minute counted once
 * and a user with 29 reels could ask 290 times in ten minutes; deleting and saving a reel again asked
 * afresh with no limit at all. Rows older than the window are pruned by the service as it writes.
 * Also: a reel's stored link must be its canonical one (it is rendered as a link).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE viral_reel_stats_requests (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('save', 'refresh')),
      requested_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX viral_reel_stats_requests_user_idx ON viral_reel_stats_requests (user_id, requested_at)`.execute(db);
  await enableRls(db, "viral_reel_stats_requests", {
    user: { select: "user_id", insert: "user_id" },
    // Pruning only: a request still inside the ten-minute window cannot be deleted to reset the budget.
    userExpr: { delete: "user_id = (SELECT app.current_user_id()) AND requested_at <= now() - interval '600 seconds'" },
  });
  // The board renders `url` as a link: whatever writes a row, it is the canonical https link rebuilt from
  // platform and shortcode (studio.urls.ts `canonicalReelUrl`), never a pasted one.
  await sql`
    ALTER TABLE viral_reels ADD CONSTRAINT viral_reels_canonical_url CHECK (url = CASE platform
      WHEN 'instagram' THEN 'https://www.instagram.com/reel/' || shortcode || '/'
      WHEN 'youtube' THEN 'https://www.youtube.com/shorts/' || shortcode
      ELSE 'https://www.tiktok.com/video/' || shortcode END)`.execute(db);
}
