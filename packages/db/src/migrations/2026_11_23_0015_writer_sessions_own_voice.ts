import { type Kysely, sql } from "kysely";

/**
 * A writer session may name only one of its owner's voice profiles. 0012's insert policy checked the
 * session's own user_id but not `voice_profile_id`, and a foreign key is checked without RLS, so a
 * session could reference another user's profile (the service refused it, the table did not). The
 * check matches brand_kits' logo and voice_samples' profile. The user role cannot update the column.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER POLICY writer_sessions_user_insert ON writer_sessions
      WITH CHECK (
        user_id = (SELECT app.current_user_id())
        AND (
          voice_profile_id IS NULL
          OR EXISTS (
            SELECT 1 FROM voice_profiles p
             WHERE p.id = writer_sessions.voice_profile_id AND p.user_id = (SELECT app.current_user_id())
          )
        )
      )`.execute(db);
}
