import { type Kysely, sql } from "kysely";
import { enableRls, touchUpdatedAt } from "./helpers.ts";

/**
 * Trained voices (seed 000 `user_voice_profiles`): a profile holds the tuning (nine axes, 0–10), banned
 * phrases, and the analysis of its samples — the measured fingerprint, a model-written description and
 * the analysis state. Samples are rows of their own (seed 000 keeps them in a JSONB array), so adding or
 * removing one is a small write. `samples_version` changes with every sample change (and re-run): the
 * analysis job saves its result only if the samples it read are still the current ones.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE voice_profiles (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
      is_default boolean NOT NULL DEFAULT false,
      tuning jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(tuning) = 'object'),
      banned_phrases text[] NOT NULL DEFAULT '{}' CHECK (cardinality(banned_phrases) <= 200),
      fingerprint jsonb CHECK (fingerprint IS NULL OR jsonb_typeof(fingerprint) = 'object'),
      description text CHECK (length(description) <= 4000),
      analysis_status text NOT NULL DEFAULT 'empty' CHECK (analysis_status IN ('empty', 'pending', 'ready', 'failed')),
      analysis_error text CHECK (length(analysis_error) <= 2000),
      analysis_attempts integer NOT NULL DEFAULT 0 CHECK (analysis_attempts >= 0),
      samples_version integer NOT NULL DEFAULT 0 CHECK (samples_version >= 0),
      analyzed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX voice_profiles_user_idx ON voice_profiles (user_id, created_at, id)`.execute(db);
  // At most one default voice per user.
  await sql`CREATE UNIQUE INDEX voice_profiles_default_idx ON voice_profiles (user_id) WHERE is_default`.execute(db);
  await touchUpdatedAt(db, "voice_profiles");
  await enableRls(db, "voice_profiles", {
    user: { select: "user_id", insert: "user_id", update: "user_id", delete: "user_id" },
    // The analysis columns are written by the analysis job, which runs as the owner.
    userColumnUpdates: [
      "name",
      "is_default",
      "tuning",
      "banned_phrases",
      "fingerprint",
      "description",
      "analysis_status",
      "analysis_error",
      "analysis_attempts",
      "samples_version",
      "analyzed_at",
    ],
  });

  await sql`
    CREATE TABLE voice_samples (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      profile_id uuid NOT NULL REFERENCES voice_profiles(id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      source text NOT NULL CHECK (source IN ('paste', 'upload')),
      filename text CHECK (length(filename) BETWEEN 1 AND 200),
      content text NOT NULL CHECK (length(content) BETWEEN 1 AND 20000),
      word_count integer NOT NULL CHECK (word_count >= 0),
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX voice_samples_profile_idx ON voice_samples (profile_id, created_at, id)`.execute(db);
  await sql`CREATE INDEX voice_samples_user_idx ON voice_samples (user_id)`.execute(db);
  await enableRls(db, "voice_samples", {
    user: { select: "user_id", delete: "user_id" },
    // A sample may be added only to one of the caller's own profiles.
    userExpr: {
      insert:
        "user_id = (SELECT app.current_user_id()) AND EXISTS (SELECT 1 FROM voice_profiles p WHERE p.id = voice_samples.profile_id AND p.user_id = (SELECT app.current_user_id()))",
    },
  });
}
