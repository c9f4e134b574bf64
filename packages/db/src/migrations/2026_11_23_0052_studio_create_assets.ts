import { type Kysely, sql } from "kysely";
import { enableRls, touchUpdatedAt } from "./helpers.ts";

/**
 * The studio's asset library (seed 002 `assets`): one row per uploaded or generated image, recording,
 * video or document of a user. The bytes are `stored_files` rows of the same user (the insert policy
 * checks both files are theirs): what is served (images re-encoded without metadata) and, for images, a
 * server-made thumbnail. A file belongs to at most one asset (UNIQUE file_id: attaching is how an upload
 * stops being an orphan). `persona_id` groups assets by model persona; its foreign key comes with the
 * personas table (0054, SET NULL). Tags are searched with `tags @> ARRAY[tag]` (GIN index).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE studio_assets (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      file_id uuid NOT NULL UNIQUE REFERENCES stored_files(id) ON DELETE CASCADE,
      thumbnail_file_id uuid UNIQUE REFERENCES stored_files(id) ON DELETE SET NULL,
      kind text NOT NULL CHECK (kind IN ('image', 'audio', 'video', 'document')),
      filename text NOT NULL CHECK (char_length(filename) BETWEEN 1 AND 255),
      content_type text NOT NULL CHECK (char_length(content_type) <= 100),
      byte_size bigint NOT NULL CHECK (byte_size >= 0),
      width integer CHECK (width > 0),
      height integer CHECK (height > 0),
      duration_ms integer CHECK (duration_ms >= 0),
      tags text[] NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 30),
      is_favorite boolean NOT NULL DEFAULT false,
      persona_id uuid,
      source text NOT NULL DEFAULT 'upload' CHECK (source IN ('upload', 'generation', 'voice')),
      metadata jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX studio_assets_user_created_idx ON studio_assets (user_id, created_at DESC, id DESC)`.execute(db);
  await sql`CREATE INDEX studio_assets_tags_idx ON studio_assets USING gin (tags)`.execute(db);
  await sql`CREATE INDEX studio_assets_user_kind_idx ON studio_assets (user_id, kind)`.execute(db);
  await sql`CREATE INDEX studio_assets_persona_idx ON studio_assets (persona_id) WHERE persona_id IS NOT NULL`.execute(db);
  await touchUpdatedAt(db, "studio_assets");
  const me = "(SELECT app.current_user_id())";
  const own = `user_id = ${me}`;
  const ownFiles = `EXISTS (SELECT 1 FROM stored_files f WHERE f.id = studio_assets.file_id AND f.user_id = ${me}) AND (thumbnail_file_id IS NULL OR EXISTS (SELECT 1 FROM stored_files f WHERE f.id = studio_assets.thumbnail_file_id AND f.user_id = ${me}))`;
  await enableRls(db, "studio_assets", {
    user: { select: "user_id", update: "user_id", delete: "user_id" },
    userExpr: { insert: `${own} AND ${ownFiles}` },
    userColumnUpdates: ["filename", "tags", "is_favorite", "persona_id"],
    system: ["SELECT"],
  });
}
