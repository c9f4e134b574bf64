import { type Kysely, sql } from "kysely";

/**
 * `app.authenticate(token_hash, idle_seconds)` resolves a session token inside the caller's RLS
 * transaction: it finds a live session, slides its idle expiry (at most every five minutes, so reads do
 * not write on every request), sets `app.user_id` for the policies, and returns who is asking.
 *
 * It is SECURITY DEFINER because the caller does not yet know whose rows it may see. It is owned by
 * the system role (not a superuser), pins its search_path and is executable only by inkwell_user.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION app.authenticate(p_token_hash bytea, p_idle_seconds integer)
    RETURNS TABLE (user_id uuid, session_id uuid, role text, email text, email_verified boolean,
                   subscription_tier text, session_expires_at timestamptz)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
      s public.sessions%ROWTYPE;
    BEGIN
      SELECT * INTO s FROM public.sessions ss
       WHERE ss.token_hash = p_token_hash AND ss.idle_expires_at > now() AND ss.expires_at > now();
      IF NOT FOUND THEN
        RETURN;
      END IF;
      IF s.last_seen_at < now() - interval '5 minutes' THEN
        UPDATE public.sessions
           SET last_seen_at = now(),
               idle_expires_at = least(now() + make_interval(secs => p_idle_seconds), s.expires_at)
         WHERE id = s.id
        RETURNING * INTO s;
      END IF;
      PERFORM set_config('app.user_id', s.user_id::text, true);
      PERFORM set_config('app.session_id', s.id::text, true);
      RETURN QUERY
        SELECT u.id, s.id, u.role, u.email, u.email_verified_at IS NOT NULL, u.subscription_tier,
               least(s.idle_expires_at, s.expires_at)
          FROM public.users u WHERE u.id = s.user_id;
    END $$`.execute(db);
  await sql`ALTER FUNCTION app.authenticate(bytea, integer) OWNER TO inkwell_system`.execute(db);
  await sql`REVOKE ALL ON FUNCTION app.authenticate(bytea, integer) FROM PUBLIC`.execute(db);
  await sql`GRANT EXECUTE ON FUNCTION app.authenticate(bytea, integer) TO inkwell_user`.execute(db);

  await sql`
    CREATE FUNCTION app.current_session_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog
    AS $$ SELECT nullif(current_setting('app.session_id', true), '')::uuid $$
  `.execute(db);
  await sql`REVOKE ALL ON FUNCTION app.current_session_id() FROM PUBLIC`.execute(db);
  await sql`GRANT EXECUTE ON FUNCTION app.current_session_id() TO inkwell_user`.execute(db);
}
