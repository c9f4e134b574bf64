import { type Kysely, sql } from "kysely";

/**
 * The security model every later migration builds on.
 *
 * - `inkwell_user`: what an authenticated request runs as (SET LOCAL ROLE). Owns nothing, no BYPASSRLS;
 *   policies compare rows with `app.current_user_id()`, a per-transaction setting.
 * - `inkwell_system`: a named service role for work that legitimately spans users (sign-in looks a user
 *   up by e-mail, the worker purges expired sessions). Also no BYPASSRLS: each table says explicitly,
 *   with a policy, what the system role may touch.
 * Both are NOLOGIN: only the connecting (migration-owning) role can switch into them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE EXTENSION IF NOT EXISTS vector`.execute(db);
  // Roles are cluster-wide; several test databases may migrate at once, so tolerate the race.
  for (const role of ["inkwell_user", "inkwell_system"]) {
    await sql
      .raw(
        `DO $$ BEGIN
           CREATE ROLE ${role} NOLOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT NOCREATEDB NOCREATEROLE;
         EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`,
      )
      .execute(db);
    await sql.raw(`GRANT ${role} TO CURRENT_USER`).execute(db);
  }
  await sql`CREATE SCHEMA IF NOT EXISTS app`.execute(db);
  await sql`GRANT USAGE ON SCHEMA app TO inkwell_user, inkwell_system`.execute(db);
  await sql`GRANT USAGE ON SCHEMA public TO inkwell_user, inkwell_system`.execute(db);

  // STABLE + read through a sub-select in policies: evaluated once per statement, not per row.
  await sql`
    CREATE FUNCTION app.current_user_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    SET search_path = pg_catalog
    AS $$ SELECT nullif(current_setting('app.user_id', true), '')::uuid $$
  `.execute(db);
  await sql`REVOKE ALL ON FUNCTION app.current_user_id() FROM PUBLIC`.execute(db);
  await sql`GRANT EXECUTE ON FUNCTION app.current_user_id() TO inkwell_user, inkwell_system`.execute(db);

  await sql`
    CREATE FUNCTION app.touch_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog
    AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$
  `.execute(db);
  await sql`REVOKE ALL ON FUNCTION app.touch_updated_at() FROM PUBLIC`.execute(db);
  await sql`GRANT EXECUTE ON FUNCTION app.touch_updated_at() TO inkwell_user, inkwell_system`.execute(db);
}
