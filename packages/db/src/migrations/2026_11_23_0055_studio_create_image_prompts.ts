import { type Kysely, sql } from "kysely";
import { enableRls, touchUpdatedAt } from "./helpers.ts";

/**
 * Image prompts (seed 002 `image_prompts`): the five labelled variations the vision model suggested for
 * a source image (prompt_index 0..4 of one run), or a prompt the user wrote (prompt_index 0, no source).
 * The source asset and the persona are optional context: deleting either keeps the prompts (SET NULL),
 * since a prompt the user liked is worth more than the photo it came from. `is_edited` records that a
 * person changed the text. `metadata` says which provider and model made it and whether the offline
 * placeholder did (the UI labels those).
 *
 * Rows are the owner's only. A foreign key is checked without row security, so the policies also require
 * the source asset and persona to be the caller's own.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE image_prompts (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      persona_id uuid REFERENCES model_personas(id) ON DELETE SET NULL,
      source_asset_id uuid REFERENCES studio_assets(id) ON DELETE SET NULL,
      prompt_text text NOT NULL CHECK (char_length(prompt_text) BETWEEN 1 AND 1500),
      prompt_index smallint NOT NULL DEFAULT 0 CHECK (prompt_index BETWEEN 0 AND 4),
      variation_label text NOT NULL DEFAULT '' CHECK (char_length(variation_label) <= 40),
      is_edited boolean NOT NULL DEFAULT false,
      metadata jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(metadata) = 'object'),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX image_prompts_user_created_idx ON image_prompts (user_id, created_at DESC, id DESC)`.execute(db);
  await sql`CREATE INDEX image_prompts_user_source_idx ON image_prompts (user_id, source_asset_id)`.execute(db);
  await sql`CREATE INDEX image_prompts_persona_idx ON image_prompts (persona_id) WHERE persona_id IS NOT NULL`.execute(db);
  await touchUpdatedAt(db, "image_prompts");

  const me = "(SELECT app.current_user_id())";
  const ownRefs =
    `(source_asset_id IS NULL OR EXISTS (SELECT 1 FROM studio_assets a WHERE a.id = image_prompts.source_asset_id AND a.user_id = ${me}))` +
    ` AND (persona_id IS NULL OR EXISTS (SELECT 1 FROM model_personas p WHERE p.id = image_prompts.persona_id AND p.user_id = ${me}))`;
  await enableRls(db, "image_prompts", {
    user: { select: "user_id", delete: "user_id" },
    userExpr: { insert: `user_id = ${me} AND ${ownRefs}`, update: `user_id = ${me} AND ${ownRefs}` },
    userColumnUpdates: ["prompt_text", "variation_label", "is_edited"],
  });
}
