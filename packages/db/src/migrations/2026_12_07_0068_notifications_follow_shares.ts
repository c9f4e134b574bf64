import { type Kysely, sql } from "kysely";

/**
 * The bell's unread count and a share's notice (session 15, S5).
 *
 * - `notifications_unread_idx`: the unread rows of one user, newest first. The bell counts them (up to a
 *   cap) and "mark all read" updates them in one statement; a user with 10k read notifications costs
 *   neither more than their unread ones. Partial, so reading a notice takes it out of the index.
 * - `app.withdraw_notification`: the counterpart of `app.send_notification` (0061). A user may write into
 *   another's bell only through that function, and may take back only what they sent there: the notice
 *   with their own namespaced dedupe key. It expires the notice now rather than deleting it (the system
 *   role has no DELETE on notifications, and the columns it may update already include `expires_at`), so
 *   the bell stops showing it at once and `send_notification` writes it afresh, unread, if the same thing
 *   is sent again (a share revoked, then shared again).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX notifications_unread_idx ON notifications (user_id, created_at DESC) WHERE read_at IS NULL`.execute(db);

  await sql`
    CREATE FUNCTION app.withdraw_notification(p_user_id uuid, p_dedupe_key text) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
      v_sender uuid := app.current_user_id();
    BEGIN
      IF v_sender IS NULL THEN
        RAISE EXCEPTION 'withdraw_notification: no caller' USING ERRCODE = '42501';
      END IF;
      UPDATE public.notifications SET expires_at = now()
       WHERE user_id = p_user_id AND sender_id = v_sender AND dedupe_key = v_sender::text || ':' || p_dedupe_key
         AND (expires_at IS NULL OR expires_at > now());
      RETURN FOUND;
    END $$`.execute(db);
  await sql`ALTER FUNCTION app.withdraw_notification(uuid, text) OWNER TO inkwell_system`.execute(db);
  await sql`REVOKE ALL ON FUNCTION app.withdraw_notification(uuid, text) FROM PUBLIC`.execute(db);
  await sql`GRANT EXECUTE ON FUNCTION app.withdraw_notification(uuid, text) TO inkwell_user`.execute(db);
}
