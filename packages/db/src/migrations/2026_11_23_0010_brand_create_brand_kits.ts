import { type Kysely, sql } from "kysely";
import { enableRls, touchUpdatedAt } from "./helpers.ts";

/**
 * A user's brand kit (seed 000 `user_brand_kit`), one row per user, applied to every generation.
 * Colours are stored normalised (`#rrggbb`, lower case); the logo is a `stored_files` row of the same
 * user (checked by the policy, not only the code), cleared if the file is deleted.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE brand_kits (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
      brand_name text CHECK (char_length(brand_name) BETWEEN 1 AND 100),
      tagline text CHECK (char_length(tagline) BETWEEN 1 AND 200),
      logo_file_id uuid REFERENCES stored_files(id) ON DELETE SET NULL,
      primary_color text CHECK (primary_color ~ '^#[0-9a-f]{6}$'),
      secondary_color text CHECK (secondary_color ~ '^#[0-9a-f]{6}$'),
      accent_color text CHECK (accent_color ~ '^#[0-9a-f]{6}$'),
      voice_prompt text CHECK (char_length(voice_prompt) BETWEEN 1 AND 500),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX brand_kits_logo_idx ON brand_kits (logo_file_id) WHERE logo_file_id IS NOT NULL`.execute(db);
  await touchUpdatedAt(db, "brand_kits");
  const own = "user_id = (SELECT app.current_user_id())";
  const ownLogo = `(logo_file_id IS NULL OR EXISTS (SELECT 1 FROM stored_files f WHERE f.id = brand_kits.logo_file_id AND f.user_id = (SELECT app.current_user_id())))`;
  await enableRls(db, "brand_kits", {
    user: { select: "user_id", delete: "user_id" },
    userExpr: { insert: `${own} AND ${ownLogo}`, update: `${own} AND ${ownLogo}` },
    userColumnUpdates: [
      "brand_name",
      "tagline",
      "logo_file_id",
      "primary_color",
      "secondary_color",
      "accent_color",
      "voice_prompt",
    ],
  });
}
