import { type Kysely, sql } from "kysely";
import { enableRls, touchUpdatedAt } from "./helpers.ts";

/**
 * A story's photos (seed 001 `photos`) and recordings. The bytes are `stored_files` rows (uploaded
 * through `POST /uploads`); these rows say which story they belong to, in what order, with what caption,
 * and what the media work found (dimensions, duration, the transcript).
 *
 * Roles follow the stories: every active member sees them; owners and contributors add them (as
 * themselves); owners remove any, a contributor only their own. `user_id` is null for what the
 * storyteller added through an answer link (no account): the system role writes those, after checking
 * the link. A file belongs to at most one photo or recording (UNIQUE file_id): attaching is how an upload
 * stops being an orphan.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const me = "(SELECT app.current_user_id())";
  const anyRole = "(SELECT app.campaigns_with_role(ARRAY['owner', 'contributor', 'viewer']))";
  const writers = "(SELECT app.campaigns_with_role(ARRAY['owner', 'contributor']))";
  const owners = "(SELECT app.campaigns_with_role(ARRAY['owner']))";

  await sql`
    CREATE TABLE story_photos (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      story_id uuid NOT NULL,
      campaign_id uuid NOT NULL,
      user_id uuid REFERENCES users(id) ON DELETE SET NULL,
      -- What is served: re-encoded with orientation applied and metadata (EXIF, GPS) stripped.
      file_id uuid NOT NULL UNIQUE REFERENCES stored_files(id) ON DELETE CASCADE,
      thumbnail_file_id uuid UNIQUE REFERENCES stored_files(id) ON DELETE SET NULL,
      caption text NOT NULL DEFAULT '' CHECK (char_length(caption) <= 500),
      position integer NOT NULL DEFAULT 0 CHECK (position >= 0),
      width integer NOT NULL CHECK (width > 0),
      height integer NOT NULL CHECK (height > 0),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      FOREIGN KEY (story_id, campaign_id) REFERENCES stories (id, campaign_id) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE INDEX story_photos_story_idx ON story_photos (story_id, position, created_at)`.execute(db);
  await sql`CREATE INDEX story_photos_campaign_idx ON story_photos (campaign_id)`.execute(db);
  await sql`CREATE INDEX story_photos_user_idx ON story_photos (user_id) WHERE user_id IS NOT NULL`.execute(db);
  await touchUpdatedAt(db, "story_photos");
  await enableRls(db, "story_photos", {
    userExpr: {
      select: `campaign_id IN ${anyRole}`,
      insert: `campaign_id IN ${writers} AND user_id = ${me}`,
      update: `campaign_id IN ${writers}`,
      delete: `campaign_id IN ${owners} OR (user_id = ${me} AND campaign_id IN ${writers})`,
    },
    userColumnUpdates: ["caption", "position"],
    system: ["SELECT", "INSERT", "UPDATE", "DELETE"],
  });

  await sql`
    CREATE TABLE story_audio (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      story_id uuid NOT NULL,
      campaign_id uuid NOT NULL,
      user_id uuid REFERENCES users(id) ON DELETE SET NULL,
      file_id uuid NOT NULL UNIQUE REFERENCES stored_files(id) ON DELETE CASCADE,
      duration_ms integer CHECK (duration_ms >= 0),
      transcript text NOT NULL DEFAULT '' CHECK (char_length(transcript) <= 100000),
      transcript_status text NOT NULL DEFAULT 'pending'
        CHECK (transcript_status IN ('pending', 'done', 'failed', 'needs_model')),
      -- A person changed the transcript: a later transcription never overwrites it.
      transcript_edited boolean NOT NULL DEFAULT false,
      transcript_error text CHECK (char_length(transcript_error) <= 500),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      FOREIGN KEY (story_id, campaign_id) REFERENCES stories (id, campaign_id) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE INDEX story_audio_story_idx ON story_audio (story_id, created_at)`.execute(db);
  await sql`CREATE INDEX story_audio_campaign_idx ON story_audio (campaign_id)`.execute(db);
  await sql`CREATE INDEX story_audio_user_idx ON story_audio (user_id) WHERE user_id IS NOT NULL`.execute(db);
  await touchUpdatedAt(db, "story_audio");
  await enableRls(db, "story_audio", {
    userExpr: {
      select: `campaign_id IN ${anyRole}`,
      insert: `campaign_id IN ${writers} AND user_id = ${me}`,
      update: `campaign_id IN ${writers}`,
      delete: `campaign_id IN ${owners} OR (user_id = ${me} AND campaign_id IN ${writers})`,
    },
    userColumnUpdates: ["transcript", "transcript_status", "transcript_edited"],
    system: ["SELECT", "INSERT", "UPDATE", "DELETE"],
  });
}
