import { type Kysely, sql } from "kysely";

/**
 * A scheduled post may name only one of its owner's connections, and a reconnect only one of its
 * owner's. 0014's and 0013's insert policies checked the row's own user_id but not `connection_id` /
 * `reconnect_id`, and a foreign key is checked without RLS, so a row could point at another user's
 * connection (the services refused it, the tables did not) — and the worker publishes a post with the
 * credentials of the connection it names. Same shape as 0015. The user role cannot update either column.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER POLICY scheduled_posts_user_insert ON scheduled_posts
      WITH CHECK (
        user_id = (SELECT app.current_user_id())
        AND (
          connection_id IS NULL
          OR EXISTS (
            SELECT 1 FROM social_connections c
             WHERE c.id = scheduled_posts.connection_id AND c.user_id = (SELECT app.current_user_id())
          )
        )
      )`.execute(db);
  await sql`
    ALTER POLICY oauth_states_user_insert ON oauth_states
      WITH CHECK (
        user_id = (SELECT app.current_user_id())
        AND (
          reconnect_id IS NULL
          OR EXISTS (
            SELECT 1 FROM social_connections c
             WHERE c.id = oauth_states.reconnect_id AND c.user_id = (SELECT app.current_user_id())
          )
        )
      )`.execute(db);
}
