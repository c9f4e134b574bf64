import { type Kysely, sql } from "kysely";
import { enableRls, touchUpdatedAt } from "./helpers.ts";

/**
 * Model personas (seed 002 `ai_models`): a user's AI model persona with a name, a description, an
 * active toggle, reference images and a voice. `reference_asset_ids` are soft references to the
 * user's `studio_assets` (as the seed has them): the service validates them on write and drops the
 * ones whose asset has since gone when it reads, so deleting an asset never touches a persona.
 * `voice_settings` is the seed's ElevenLabs shape, each value 0..1 (checked here as well as by zod,
 * so no other writer can store a setting the TTS service would refuse).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE model_personas (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 80),
      description text NOT NULL DEFAULT '' CHECK (char_length(description) <= 2000),
      voice_id text CHECK (voice_id ~ '^[A-Za-z0-9_-]{1,64}$'),
      voice_settings jsonb NOT NULL DEFAULT '{"stability": 0.5, "similarity_boost": 0.75, "style": 0}'
        CHECK (
          jsonb_typeof(voice_settings) = 'object'
          AND jsonb_typeof(voice_settings -> 'stability') = 'number'
          AND jsonb_typeof(voice_settings -> 'similarity_boost') = 'number'
          AND jsonb_typeof(voice_settings -> 'style') = 'number'
          AND (voice_settings ->> 'stability')::numeric BETWEEN 0 AND 1
          AND (voice_settings ->> 'similarity_boost')::numeric BETWEEN 0 AND 1
          AND (voice_settings ->> 'style')::numeric BETWEEN 0 AND 1
        ),
      reference_asset_ids uuid[] NOT NULL DEFAULT '{}' CHECK (cardinality(reference_asset_ids) <= 20),
      is_active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX model_personas_user_created_idx ON model_personas (user_id, created_at DESC, id DESC)`.execute(db);
  await touchUpdatedAt(db, "model_personas");
  await enableRls(db, "model_personas", {
    user: { select: "user_id", insert: "user_id", update: "user_id", delete: "user_id" },
    userColumnUpdates: ["name", "description", "voice_id", "voice_settings", "reference_asset_ids", "is_active"],
  });
}
